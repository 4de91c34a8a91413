// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The depthwise_conv2d layer's affine map, computed directly on the HWC input.
///
/// Weights W[KernelH][KernelW][C·M] (output channel o = c·M + m fastest), then b[C·M].
/// Summation order (frozen; numerics.hpp): for each output pixel (oh, ow) and output
/// channel o = c·M + m, acc = b[o]; then for kh, for kw (in that nested order) over the
/// taps that fall inside the input, acc = mac(W[kh][kw][o], x[ih][iw][c], acc). Taps in the
/// padding are skipped, not multiplied by zero (as conv2d, so both modes are exact).
/// Each output channel is its own sum, so the vector path runs output channels in parallel
/// lanes (contiguous in W, in b, in y and, for M = 1, in x) and never reorders a sum:
/// constant evaluation, the scalar path and the vector path give the same bits. With
/// M > 1 an input value feeds M neighbouring lanes; that case runs the scalar loop.
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/conv_kernel.hpp"
#include "ctnn/detail/simd.hpp"

namespace ctnn::detail {

/// All output channels of pixel (oh, ow), scalar (constexpr; Cortex-M; M > 1). Accumulates
/// in y (which never aliases x).
template <class Mode, class G, std::size_t M, class T>
constexpr void depthwise_pixel_scalar(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                                      std::size_t ow, conv_window win) noexcept {
  constexpr std::size_t C = G::channels, O = C * M;
  T* out = y + (oh * G::out_w + ow) * O;
  for (std::size_t o = 0; o < O; ++o) out[o] = b[o];
  for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
    for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
      const std::size_t ih = oh * G::stride + kh - G::pad_top;
      const std::size_t iw = ow * G::stride + kw - G::pad_left;
      const T* xs = x + (ih * G::in_w + iw) * C;
      const T* ws = w + (kh * G::kernel_w + kw) * O;
      for (std::size_t c = 0; c < C; ++c) {
        const T xc = xs[c];
        for (std::size_t m = 0; m < M; ++m)
          out[c * M + m] = mac<Mode>(ws[c * M + m], xc, out[c * M + m]);
      }
    }
}

/// Vectors × width output channels from c0 of pixel (oh, ow), M = 1: one accumulator per
/// vector, each tap one vector load of W and of x.
template <class Mode, class G, std::size_t Vectors, class T>
inline void depthwise_chunk_simd(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                                 std::size_t ow, std::size_t c0, conv_window win) noexcept {
  using v = simd_fit<T, G::channels>;
  constexpr std::size_t lanes = v::width, C = G::channels;
  typename v::type acc[Vectors];
#pragma GCC unroll 8
  for (std::size_t k = 0; k < Vectors; ++k) acc[k] = v::load(b + c0 + k * lanes);
  for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
    for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
      const std::size_t ih = oh * G::stride + kh - G::pad_top;
      const std::size_t iw = ow * G::stride + kw - G::pad_left;
      const T* xs = x + (ih * G::in_w + iw) * C + c0;
      const T* ws = w + (kh * G::kernel_w + kw) * C + c0;
#pragma GCC unroll 8
      for (std::size_t k = 0; k < Vectors; ++k)
        acc[k] = vector_mac<Mode, v>(v::load(ws + k * lanes), v::load(xs + k * lanes), acc[k]);
    }
  T* out = y + (oh * G::out_w + ow) * C + c0;
#pragma GCC unroll 8
  for (std::size_t k = 0; k < Vectors; ++k) v::store(out + k * lanes, acc[k]);
}

/// The last C % width channels of a pixel, scalar, in the same order.
template <class Mode, class G, class T>
inline void depthwise_tail_scalar(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                                  std::size_t ow, std::size_t c0, conv_window win) noexcept {
  constexpr std::size_t C = G::channels;
  T* out = y + (oh * G::out_w + ow) * C;
  for (std::size_t c = c0; c < C; ++c) out[c] = b[c];
  for (std::size_t kh = win.kh0; kh < win.kh1; ++kh)
    for (std::size_t kw = win.kw0; kw < win.kw1; ++kw) {
      const std::size_t ih = oh * G::stride + kh - G::pad_top;
      const std::size_t iw = ow * G::stride + kw - G::pad_left;
      const T* xs = x + (ih * G::in_w + iw) * C;
      const T* ws = w + (kh * G::kernel_w + kw) * C;
      for (std::size_t c = c0; c < C; ++c) out[c] = mac<Mode>(ws[c], xs[c], out[c]);
    }
}

/// Channel chunk (in vectors): four accumulators hide the FMA latency and leave registers
/// for the loads.
inline constexpr std::size_t depthwise_chunk = 4;

template <class Mode, class G, class T>
inline void depthwise_simd(const T* w, const T* b, const T* x, T* y) noexcept {
  constexpr std::size_t lanes = simd_fit<T, G::channels>::width, C = G::channels;
  constexpr std::size_t vectors = C / lanes;
  for (std::size_t oh = 0; oh < G::out_h; ++oh)
    for (std::size_t ow = 0; ow < G::out_w; ++ow) {
      const conv_window win = conv_window_of<G>(oh, ow);
      std::size_t c0 = 0;
      for (; c0 + depthwise_chunk * lanes <= vectors * lanes; c0 += depthwise_chunk * lanes)
        depthwise_chunk_simd<Mode, G, depthwise_chunk>(w, b, x, y, oh, ow, c0, win);
      if constexpr (vectors % depthwise_chunk != 0) {
        depthwise_chunk_simd<Mode, G, vectors % depthwise_chunk>(w, b, x, y, oh, ow, c0, win);
        c0 += (vectors % depthwise_chunk) * lanes;
      }
      if constexpr (C % lanes != 0) depthwise_tail_scalar<Mode, G>(w, b, x, y, oh, ow, c0, win);
    }
}

template <class Mode, class G, std::size_t M, class T>
constexpr void depthwise_scalar(const T* w, const T* b, const T* x, T* y) noexcept {
  for (std::size_t oh = 0; oh < G::out_h; ++oh)
    for (std::size_t ow = 0; ow < G::out_w; ++ow)
      depthwise_pixel_scalar<Mode, G, M>(w, b, x, y, oh, ow, conv_window_of<G>(oh, ow));
}

/// z = depthwise(x, W) + b in Mode: vector kernel at run time where available (M = 1 and
/// at least one vector of channels), else scalar. G is a conv_geometry whose `channels`
/// are the input channels.
template <class Mode, class G, std::size_t M, class T>
constexpr void depthwise_affine(const T* w, const T* b, const T* x, T* y) noexcept {
  if constexpr (M == 1 && simd_mac_available<T, Mode> &&
                G::channels >= simd_fit<T, G::channels>::width) {
    if (!std::is_constant_evaluated()) return depthwise_simd<Mode, G>(w, b, x, y);
  }
  depthwise_scalar<Mode, G, M>(w, b, x, y);
}

}  // namespace ctnn::detail
