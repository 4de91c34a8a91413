// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of conv2d (the layer_gradient contract of layer_gradient.hpp). Host only.
///
/// With z[oh][ow][f] = b[f] + Σ_{kh,kw,c in range} W[kh][kw][c][f]·x[ih][iw][c]
/// (ih = oh·S + kh − pad_top, iw = ow·S + kw − pad_left; padded taps skipped):
///   grad_b[f]          += Σ_{oh,ow} grad_z[oh][ow][f]                (pixels in order)
///   grad_W[kh][kw][c][f] += Σ_{oh,ow} x[ih][iw][c]·grad_z[oh][ow][f] (pixels in order)
///   grad_x[ih][iw][c]   = Σ_{oh,ow,kh,kw} Σ_f W[kh][kw][c][f]·grad_z[oh][ow][f]
/// Every sum runs in a fixed order (output pixels row-major, then kh, kw, then f), so
/// results do not depend on the thread count. The inner loops run over contiguous filters
/// (grad_W) or channels (grad_x, from a filter-major copy of W), which compilers vectorise.
#include <cstddef>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {
namespace detail {

/// y[i] = mac(a[i], s, y[i]) for i < N, in vectors where available (each lane computes
/// exactly the scalar expression, so the result does not depend on the path).
template <class Mode, std::size_t N, class T>
inline void conv_axpy(T* y, const T* a, T s) noexcept {
  // Compile-time loop bounds: with a run-time start, GCC's loop analysis warns about the
  // (empty) scalar tail when N is a multiple of the vector width.
  constexpr std::size_t vectorised = [] {
    if constexpr (ctnn::detail::simd_mac_available<T, Mode>)
      return N / ctnn::detail::simd<T>::width * ctnn::detail::simd<T>::width;
    else
      return std::size_t{0};
  }();
  if constexpr (vectorised > 0) {
    using v = ctnn::detail::simd<T>;
    const typename v::type sv = v::broadcast(s);
    for (std::size_t i = 0; i < vectorised; i += v::width)
      v::store(y + i, ctnn::detail::simd_mac<Mode, T>(v::load(a + i), sv, v::load(y + i)));
  }
  for (std::size_t i = vectorised; i < N; ++i) y[i] = ctnn::detail::mac<Mode>(a[i], s, y[i]);
}

}  // namespace detail

template <class T, class Mode, class In, std::size_t Filters, std::size_t KernelH,
          std::size_t KernelW, class Activation, std::size_t Stride, class Padding,
          std::size_t Index>
struct layer_gradient<ctnn::detail::conv2d_layer<T, Mode, In, Filters, KernelH, KernelW, Activation,
                                                 Stride, Padding, Index>> {
  using layer = ctnn::detail::conv2d_layer<T, Mode, In, Filters, KernelH, KernelW, Activation,
                                           Stride, Padding, Index>;
  using geometry = typename layer::geometry;
  static constexpr std::size_t F = Filters, C = In::channels, W = In::width;
  static constexpr std::size_t out_h = geometry::out_h, out_w = geometry::out_w;

  /// The contract of layer_gradient.hpp, one sample.
  static void backward(const T* p, const T* x, const T* /*z*/, const T* grad_z, T* grad_p,
                       T* grad_x) {
    T* gw = grad_p;
    T* gb = grad_p + layer::weight_count;
    for (std::size_t pix = 0; pix < out_h * out_w; ++pix)
      for (std::size_t f = 0; f < F; ++f) gb[f] += grad_z[pix * F + f];

    // grad_W: for each tap, an axpy over the contiguous filters.
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const ctnn::detail::conv_window win = ctnn::detail::conv_window_of<geometry>(oh, ow);
        const T* gz = grad_z + (oh * out_w + ow) * F;
        for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
          for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
            const T* xs = x + (tap_row(oh, kh) * W + tap_col(ow, kw)) * C;
            T* g = gw + (kh * KernelW + kw) * C * F;
            for (std::size_t c = 0; c < C; ++c) detail::conv_axpy<Mode, F>(g + c * F, gz, xs[c]);
          }
      }
    if (!grad_x) return;

    // grad_x: W copied filter-major (wt[kh][kw][f][c]) so the inner loop is an axpy over
    // contiguous channels.
    thread_local std::vector<T> wt;
    wt.resize(layer::weight_count);
    for (std::size_t k = 0; k < KernelH * KernelW; ++k)
      for (std::size_t c = 0; c < C; ++c)
        for (std::size_t f = 0; f < F; ++f) wt[(k * F + f) * C + c] = p[(k * C + c) * F + f];
    for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = T(0);
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const ctnn::detail::conv_window win = ctnn::detail::conv_window_of<geometry>(oh, ow);
        const T* gz = grad_z + (oh * out_w + ow) * F;
        for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
          for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
            T* gx = grad_x + (tap_row(oh, kh) * W + tap_col(ow, kw)) * C;
            const T* w = wt.data() + (kh * KernelW + kw) * F * C;
            for (std::size_t f = 0; f < F; ++f) detail::conv_axpy<Mode, C>(gx, w + f * C, gz[f]);
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
