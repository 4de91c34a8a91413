// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of depthwise_conv2d (the layer_gradient contract of layer_gradient.hpp).
/// Host only.
///
/// With z[oh][ow][o] = b[o] + Σ_{kh,kw in range} W[kh][kw][o]·x[ih][iw][o / M]
/// (o = c·M + m, ih = oh·S + kh − pad_top, iw = ow·S + kw − pad_left; padded taps skipped):
///   grad_b[o]         += Σ_{oh,ow} grad_z[oh][ow][o]                       (pixels in order)
///   grad_W[kh][kw][o] += Σ_{oh,ow} x[ih][iw][o / M]·grad_z[oh][ow][o]      (pixels in order)
///   grad_x[ih][iw][c]  = Σ_{oh,ow,kh,kw} Σ_m W[kh][kw][c·M + m]·grad_z[oh][ow][c·M + m]
/// Every sum runs in a fixed order (output pixels row-major, then kh, kw, then m), so
/// results do not depend on the thread count. The inner loops run over contiguous output
/// channels, which compilers vectorise (each lane its own sum).
#include <cstddef>

#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, std::size_t KernelH, std::size_t KernelW, class Activation,
          std::size_t Stride, class Padding, std::size_t M, std::size_t Index>
struct layer_gradient<ctnn::detail::depthwise_conv2d_layer<T, Mode, In, KernelH, KernelW,
                                                           Activation, Stride, Padding, M, Index>> {
  using layer = ctnn::detail::depthwise_conv2d_layer<T, Mode, In, KernelH, KernelW, Activation,
                                                     Stride, Padding, M, Index>;
  using geometry = typename layer::geometry;
  static constexpr std::size_t C = In::channels, O = C * M, W = In::width;
  static constexpr std::size_t out_h = geometry::out_h, out_w = geometry::out_w;

  /// The contract of layer_gradient.hpp, one sample.
  static void backward(const T* p, const T* x, const T* /*z*/, const T* grad_z, T* grad_p,
                       T* grad_x) noexcept {
    T* gw = grad_p;
    T* gb = grad_p + layer::weight_count;
    for (std::size_t pix = 0; pix < out_h * out_w; ++pix)
      for (std::size_t o = 0; o < O; ++o) gb[o] += grad_z[pix * O + o];
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const ctnn::detail::conv_window win = ctnn::detail::conv_window_of<geometry>(oh, ow);
        const T* gz = grad_z + (oh * out_w + ow) * O;
        for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
          for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
            const T* xs = x + (tap_row(oh, kh) * W + tap_col(ow, kw)) * C;
            T* g = gw + (kh * KernelW + kw) * O;
            for (std::size_t c = 0; c < C; ++c)
              for (std::size_t m = 0; m < M; ++m)
                g[c * M + m] = ctnn::detail::mac<Mode>(xs[c], gz[c * M + m], g[c * M + m]);
          }
      }
    if (!grad_x) return;
    for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = T(0);
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const ctnn::detail::conv_window win = ctnn::detail::conv_window_of<geometry>(oh, ow);
        const T* gz = grad_z + (oh * out_w + ow) * O;
        for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
          for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
            T* gx = grad_x + (tap_row(oh, kh) * W + tap_col(ow, kw)) * C;
            const T* w = p + (kh * KernelW + kw) * O;
            for (std::size_t c = 0; c < C; ++c)
              for (std::size_t m = 0; m < M; ++m)
                gx[c] = ctnn::detail::mac<Mode>(w[c * M + m], gz[c * M + m], gx[c]);
          }
      }
  }

 private:
  static constexpr std::size_t tap_row(std::size_t oh, std::size_t kh) noexcept {
    return oh * Stride + kh - geometry::pad_top;
  }
  static constexpr std::size_t tap_col(std::size_t ow, std::size_t kw) noexcept {
    return ow * Stride + kw - geometry::pad_left;
  }
};

}  // namespace ctnn::train
