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
#include <algorithm>
#include <cstddef>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/kernels.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {
namespace detail {

/// y[i] = mac(a[i], s, y[i]) for i < N, in vectors where available (each lane computes
/// exactly the scalar expression, so the result does not depend on the path).
template <class Mode, std::size_t N, class T>
inline void conv_axpy(T* y, const T* a, T s) noexcept {
  using wide = ctnn::detail::simd<T>;
  using narrow = ctnn::detail::simd_narrow<T>;
  // Compile-time loop bounds: with a run-time start, GCC's loop analysis warns about the
  // (empty) scalar tail when N is a multiple of the vector width. Whole wide vectors, then
  // whole narrow ones (AVX-512: 8 floats; elsewhere none), then scalars.
  constexpr bool vectors = ctnn::detail::simd_mac_available<T, Mode>;
  constexpr std::size_t end_wide = vectors ? N / wide::width * wide::width : 0;
  constexpr std::size_t end_narrow =
      vectors ? end_wide + (N - end_wide) / narrow::width * narrow::width : 0;
  if constexpr (end_wide > 0) {
    const typename wide::type sv = wide::broadcast(s);
    for (std::size_t i = 0; i < end_wide; i += wide::width)
      wide::store(y + i,
                  ctnn::detail::vector_mac<Mode, wide>(wide::load(a + i), sv, wide::load(y + i)));
  }
  if constexpr (end_narrow > end_wide) {
    const typename narrow::type sv = narrow::broadcast(s);
    for (std::size_t i = end_wide; i < end_narrow; i += narrow::width)
      narrow::store(y + i, ctnn::detail::vector_mac<Mode, narrow>(narrow::load(a + i), sv,
                                                                  narrow::load(y + i)));
  }
  for (std::size_t i = end_narrow; i < N; ++i) y[i] = ctnn::detail::mac<Mode>(a[i], s, y[i]);
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
    weight_gradient(x, grad_z, gw);
    if (!grad_x) return;
    if constexpr (gather_input_gradient)
      input_gradient_gather(p, grad_z, grad_x);
    else
      input_gradient_scatter(p, grad_z, grad_x);
  }

 private:
  static constexpr std::size_t KH = KernelH, KW = KernelW, taps = KH * KW * C;

  /// grad_W[tap][c][f] += Σ_pix x[pix's tap][c]·grad_z[pix][f], pixels in order: the GEMM
  /// of kernels.hpp on the sample's patches (cols[pix][tap·C + c], 0 for padded taps).
  /// A padded tap adds x·g = ±0 to a sum that started at +0 and so is never −0: no bit
  /// changes against skipping it.
  static void weight_gradient(const T* x, const T* grad_z, T* gw) {
    thread_local std::vector<T> cols, scratch;
    cols.resize(out_h * out_w * taps);
    scratch.resize(detail::gemm_scratch_size());
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const ctnn::detail::conv_window win = ctnn::detail::conv_window_of<geometry>(oh, ow);
        T* col = cols.data() + (oh * out_w + ow) * taps;
        for (std::size_t kh = 0; kh < KH; ++kh)
          for (std::size_t kw = 0; kw < KW; ++kw) {
            T* dst = col + (kh * KW + kw) * C;
            if (kh < win.kh0 || kh >= win.kh1 || kw < win.kw0 || kw >= win.kw1) {
              for (std::size_t c = 0; c < C; ++c) dst[c] = T(0);
            } else {
              const T* xs = x + (tap_row(oh, kh) * W + tap_col(ow, kw)) * C;
              for (std::size_t c = 0; c < C; ++c) dst[c] = xs[c];
            }
          }
      }
    // A(m, k) = cols[k·taps + m]: m = tap·C + c, k = pixel.
    detail::gemm<Mode, F>(taps, out_h * out_w, detail::strided<T>{cols.data(), 1, taps}, grad_z, F,
                          gw, F, detail::gemm_init::accumulate, static_cast<const T*>(nullptr),
                          scratch.data());
  }

  /// The channel vectors: simd<T>, or the narrow ones where C does not fill wide vectors.
  using simd = ctnn::detail::simd_fit<T, C>;
  /// The gather form needs stride 1, whole vectors of channels and a kernel that fits.
  static constexpr bool gather_input_gradient =
      Stride == 1 && ctnn::detail::simd_mac_available<T, Mode> && C % simd::width == 0 &&
      out_h + KH - 1 >= In::height + geometry::pad_top && out_w + KW - 1 >= W + geometry::pad_left;

  /// grad_x: W copied filter-major (wt[kh][kw][f][c]) so the inner loop is an axpy over
  /// contiguous channels.
  static void input_gradient_scatter(const T* p, const T* grad_z, T* grad_x) {
    thread_local std::vector<T> wt;
    transpose_weights(p, wt);
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

  static void transpose_weights(const T* p, std::vector<T>& wt) {
    wt.resize(layer::weight_count);
    for (std::size_t k = 0; k < KH * KW; ++k)
      for (std::size_t c = 0; c < C; ++c)
        for (std::size_t f = 0; f < F; ++f) wt[(k * F + f) * C + c] = p[(k * C + c) * F + f];
  }

  // Padded grad_z for the gather form: KH − 1 rows and KW − 1 columns of zeros each side.
  static constexpr std::size_t pad_h = out_h + 2 * (KH - 1), pad_w = out_w + 2 * (KW - 1);

  /// grad_x in the scatter form's order, one input pixel at a time: pixel (ih, iw) gets
  /// its terms from output pixels in row-major order, i.e. kh and kw descending, then f
  /// ascending, each channel one sequential sum as in the scatter form. Out-of-range
  /// output pixels read zeros from a padded copy of grad_z (adding ±0 to a sum that
  /// started at +0 changes no bit), so every pixel runs the same loop, and P pixels of a
  /// row run side by side in registers instead of through memory.
  static void input_gradient_gather(const T* p, const T* grad_z, T* grad_x) {
    thread_local std::vector<T> wt, gzp;
    transpose_weights(p, wt);
    if (gzp.size() != pad_h * pad_w * F) gzp.assign(pad_h * pad_w * F, T(0));  // borders stay 0
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow)
        for (std::size_t f = 0; f < F; ++f)
          gzp[((oh + KH - 1) * pad_w + ow + KW - 1) * F + f] = grad_z[(oh * out_w + ow) * F + f];
    constexpr std::size_t cv = C / simd::width;
    // P pixels side by side (at most 7 accumulators, with the vector of weights and the
    // broadcast: 9 of the 16 registers); a row's last P end at its end (overlapping the
    // previous P pixels, which get the same values again).
    constexpr std::size_t P = std::min(cv >= 7 ? std::size_t{1} : 7 / cv, W);
    for (std::size_t ih = 0; ih < In::height; ++ih)
      for (std::size_t iw = 0; iw < W; iw += P)
        gather_pixels<P>(wt.data(), gzp.data(), grad_x, ih, std::min(iw, W - P));
  }

  template <std::size_t P>
  static void gather_pixels(const T* wt, const T* gzp, T* grad_x, std::size_t ih,
                            std::size_t iw) noexcept {
    constexpr std::size_t cv = C / simd::width, w = simd::width;
    // Every loop over acc is unrolled: otherwise GCC keeps an accumulator on the stack and
    // the loop waits on store forwarding.
    typename simd::type acc[P][cv];
#pragma GCC unroll 16
    for (std::size_t q = 0; q < P; ++q)
#pragma GCC unroll 16
      for (std::size_t j = 0; j < cv; ++j) acc[q][j] = simd::broadcast(T(0));
    // Output pixel (oh, ow) = (ih + pad_top − kh, iw + pad_left − kw) is padded row
    // ih + pad_top − kh + KH − 1, column iw + q + pad_left − kw + KW − 1.
    for (std::size_t kh = KH; kh-- > 0;)
      for (std::size_t kw = KW; kw-- > 0;) {
        const T* g = gzp + ((ih + geometry::pad_top + KH - 1 - kh) * pad_w +
                            (iw + geometry::pad_left + KW - 1 - kw)) *
                               F;
        const T* wk = wt + (kh * KW + kw) * F * C;
        for (std::size_t f = 0; f < F; ++f) {
          typename simd::type wv[cv];
#pragma GCC unroll 16
          for (std::size_t j = 0; j < cv; ++j) wv[j] = simd::load(wk + f * C + j * w);
#pragma GCC unroll 16
          for (std::size_t q = 0; q < P; ++q) {
            const typename simd::type s = simd::broadcast(g[q * F + f]);
#pragma GCC unroll 16
            for (std::size_t j = 0; j < cv; ++j)
              acc[q][j] = ctnn::detail::vector_mac<Mode, simd>(wv[j], s, acc[q][j]);
          }
        }
      }
#pragma GCC unroll 16
    for (std::size_t q = 0; q < P; ++q)
#pragma GCC unroll 16
      for (std::size_t j = 0; j < cv; ++j)
        simd::store(grad_x + ((ih * W) + iw + q) * C + j * w, acc[q][j]);
  }

  static constexpr std::size_t tap_row(std::size_t oh, std::size_t kh) noexcept {
    return oh * Stride + kh - geometry::pad_top;
  }
  static constexpr std::size_t tap_col(std::size_t ow, std::size_t kw) noexcept {
    return ow * Stride + kw - geometry::pad_left;
  }
};

}  // namespace ctnn::train
