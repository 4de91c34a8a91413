// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The conv2d layer's affine map, computed directly on the HWC input (no im2col buffer).
///
/// Weights W[KernelH][KernelW][InChannels][Filters] (filters fastest), then b[Filters].
/// Summation order (frozen; numerics.hpp): for each output pixel (oh, ow) and filter f,
/// acc = b[f]; then for kh, for kw, for c (in that nested order) over the taps that fall
/// inside the input, acc = mac(W[kh][kw][c][f], x[ih][iw][c], acc). Taps in the padding are
/// skipped, not multiplied by zero, so both numeric modes are exact (an FMA with a zero
/// product could still turn −0 into +0). Within one kernel row the in-range taps
/// (kw, c) are contiguous both in x (HWC) and in W, so every pixel is a short dense
/// product whose weight rows are contiguous across filters: like dense, the vector path
/// runs filters in parallel lanes (and several output pixels at once, reusing each weight
/// vector), never reordering any sum; constant evaluation, the scalar path and the vector
/// path give the same bits.
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/simd.hpp"

namespace ctnn::detail {

/// Output size and padding of a conv2d/pool along one axis. `valid`: no padding,
/// out = floor((In − K)/S) + 1. `same` (TensorFlow's rule): out = ceil(In/S), total
/// padding max((out − 1)·S + K − In, 0), of which floor(total/2) before (top/left) and the
/// odd extra one after (bottom/right). `fits` is false when K exceeds the padded input (a
/// static_assert reports it; the other values are then placeholders).
template <std::size_t In, std::size_t K, std::size_t S, bool Same>
struct conv_axis {
  static constexpr std::size_t stride = S > 0 ? S : 1;
  static constexpr std::size_t out_same = (In + stride - 1) / stride;
  static constexpr std::size_t needed = out_same == 0 ? 0 : (out_same - 1) * stride + K;
  static constexpr std::size_t pad_total = Same && needed > In ? needed - In : 0;
  static constexpr std::size_t pad_before = pad_total / 2;
  static constexpr std::size_t padded = In + pad_total;
  static constexpr bool fits = K >= 1 && K <= padded;
  static constexpr std::size_t out = !fits ? 1 : Same ? out_same : (In - K) / stride + 1;
  /// First output index whose window starts inside the input, and one past the last
  /// whose window ends inside it: outputs in [interior_begin, interior_end) need no
  /// clipping.
  static constexpr std::size_t interior_begin = (pad_before + stride - 1) / stride;
  static constexpr std::size_t interior_end =
      In + pad_before >= K ? (In + pad_before - K) / stride + 1 : 0;
};

/// All sizes of one conv2d: input H×W×C, F filters of KH×KW, stride S.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH,
          std::size_t KW, std::size_t S, bool Same>
struct conv_geometry {
  using rows = conv_axis<H, KH, S, Same>;
  using cols = conv_axis<W, KW, S, Same>;
  static constexpr std::size_t in_h = H, in_w = W, channels = C, filters = F;
  static constexpr std::size_t kernel_h = KH, kernel_w = KW, stride = S;
  static constexpr std::size_t out_h = rows::out, out_w = cols::out;
  static constexpr std::size_t pad_top = rows::pad_before, pad_left = cols::pad_before;
};

/// The taps of output pixel (oh, ow) that fall inside the input: kernel rows [kh0, kh1),
/// kernel columns [kw0, kw1).
struct conv_window {
  std::size_t kh0, kh1, kw0, kw1;
};

template <std::size_t In, std::size_t K, std::size_t S, std::size_t Pad>
constexpr void clip_axis(std::size_t o, std::size_t& k0, std::size_t& k1) noexcept {
  const std::size_t start = o * S;  // position of tap 0 in padded coordinates
  k0 = start < Pad ? Pad - start : 0;
  const std::size_t end = In + Pad - start;  // > 0 for every valid output
  k1 = end < K ? end : K;
}

/// Pixels consecutive output pixels of row oh starting at ow, filters [f0, f0 + Tile):
/// scalar accumulators (constexpr; the run-time path on targets without float SIMD, e.g.
/// Cortex-M4, where 16 accumulators + 1 input + 1 weight fit its 32 float registers: with
/// 16 instead of 8 filters per tile the M4 runs 10% fewer instructions, docs/cnn.md).
template <class Mode, class G, std::size_t Tile, class T>
constexpr void conv_tile_scalar(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                                std::size_t ow, std::size_t f0, conv_window win) noexcept {
  constexpr std::size_t C = G::channels, F = G::filters;
  T acc[Tile];
  for (std::size_t k = 0; k < Tile; ++k) acc[k] = b[f0 + k];
  const std::size_t n = (win.kw1 - win.kw0) * C;
  for (std::size_t kh = win.kh0; kh < win.kh1; ++kh) {
    const std::size_t ih = oh * G::stride + kh - G::pad_top;
    const std::size_t iw = ow * G::stride + win.kw0 - G::pad_left;
    const T* xr = x + (ih * G::in_w + iw) * C;
    const T* wr = w + ((kh * G::kernel_w + win.kw0) * C) * F + f0;
    for (std::size_t j = 0; j < n; ++j, wr += F) {
      const T xj = xr[j];
#pragma GCC unroll 16
      for (std::size_t k = 0; k < Tile; ++k) acc[k] = mac<Mode>(wr[k], xj, acc[k]);
    }
  }
  T* out = y + (oh * G::out_w + ow) * F + f0;
  for (std::size_t k = 0; k < Tile; ++k) out[k] = acc[k];
}

template <class Mode, class G, class T>
constexpr void conv_pixel_scalar(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                                 std::size_t ow, conv_window win) noexcept {
  constexpr std::size_t F = G::filters, tile = F >= 16 ? 16 : 8;
  std::size_t f0 = 0;
  for (; f0 + tile <= F; f0 += tile) conv_tile_scalar<Mode, G, tile>(w, b, x, y, oh, ow, f0, win);
  if constexpr (F % tile != 0) conv_tile_scalar<Mode, G, F % tile>(w, b, x, y, oh, ow, f0, win);
}

/// Vector tile: Pixels output pixels (ow, ow+1, …, all with the same clipped window) ×
/// Vectors vectors of filters starting at f0. Each weight vector is loaded once and used
/// for every pixel of the tile.
template <class Mode, class G, std::size_t Pixels, std::size_t Vectors, class T>
inline void conv_tile_simd(const T* w, const T* b, const T* x, T* y, std::size_t oh, std::size_t ow,
                           std::size_t f0, conv_window win) noexcept {
  using v = simd_fit<T, G::filters>;
  constexpr std::size_t lanes = v::width, C = G::channels, F = G::filters;
  typename v::type acc[Pixels][Vectors];
#pragma GCC unroll 16
  for (std::size_t p = 0; p < Pixels; ++p)
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Vectors; ++k) acc[p][k] = v::load(b + f0 + k * lanes);
  const std::size_t n = (win.kw1 - win.kw0) * C;
  constexpr std::size_t pixel_step = G::stride * C;
  for (std::size_t kh = win.kh0; kh < win.kh1; ++kh) {
    const std::size_t ih = oh * G::stride + kh - G::pad_top;
    const std::size_t iw = ow * G::stride + win.kw0 - G::pad_left;
    const T* xr = x + (ih * G::in_w + iw) * C;
    const T* wr = w + ((kh * G::kernel_w + win.kw0) * C) * F + f0;
    for (std::size_t j = 0; j < n; ++j, wr += F) {
      typename v::type wv[Vectors];
#pragma GCC unroll 16
      for (std::size_t k = 0; k < Vectors; ++k) wv[k] = v::load(wr + k * lanes);
#pragma GCC unroll 16
      for (std::size_t p = 0; p < Pixels; ++p) {
        const typename v::type xj = v::broadcast(xr[p * pixel_step + j]);
#pragma GCC unroll 16
        for (std::size_t k = 0; k < Vectors; ++k)
          acc[p][k] = vector_mac<Mode, v>(wv[k], xj, acc[p][k]);
      }
    }
  }
#pragma GCC unroll 16
  for (std::size_t p = 0; p < Pixels; ++p)
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Vectors; ++k)
      v::store(y + (oh * G::out_w + ow + p) * F + f0 + k * lanes, acc[p][k]);
}

/// Filter chunk size (in vectors) and pixels per tile: about 8 accumulators, so FMA
/// latency is hidden and 8 + chunk + 1 registers fit the 16 of AVX2/SSE2.
template <std::size_t Vectors>
inline constexpr std::size_t conv_chunk = Vectors < 4 ? Vectors : 4;
template <std::size_t Chunk>
inline constexpr std::size_t conv_pixels = Chunk == 0 ? 1 : (8 / Chunk < 1 ? 1 : 8 / Chunk);

/// All filters of Pixels pixels starting at ow (same window): chunks of vectors, then the
/// last F % width filters with scalar accumulators, pixel by pixel.
template <class Mode, class G, std::size_t Pixels, class T>
inline void conv_pixels_simd(const T* w, const T* b, const T* x, T* y, std::size_t oh,
                             std::size_t ow, conv_window win) noexcept {
  constexpr std::size_t lanes = simd_fit<T, G::filters>::width, F = G::filters;
  constexpr std::size_t vectors = F / lanes, chunk = conv_chunk<vectors>;
  std::size_t f0 = 0;
  if constexpr (chunk > 0) {
    for (; f0 + chunk * lanes <= vectors * lanes; f0 += chunk * lanes)
      conv_tile_simd<Mode, G, Pixels, chunk>(w, b, x, y, oh, ow, f0, win);
    if constexpr (vectors % chunk != 0) {
      conv_tile_simd<Mode, G, Pixels, vectors % chunk>(w, b, x, y, oh, ow, f0, win);
      f0 += (vectors % chunk) * lanes;
    }
  }
  if constexpr (F % lanes != 0)
    for (std::size_t p = 0; p < Pixels; ++p)
      conv_tile_scalar<Mode, G, F % lanes>(w, b, x, y, oh, ow + p, f0, win);
}

template <class G>
constexpr conv_window conv_window_of(std::size_t oh, std::size_t ow) noexcept {
  conv_window win{};
  clip_axis<G::in_h, G::kernel_h, G::stride, G::pad_top>(oh, win.kh0, win.kh1);
  clip_axis<G::in_w, G::kernel_w, G::stride, G::pad_left>(ow, win.kw0, win.kw1);
  return win;
}

template <class Mode, class G, class T>
inline void conv_simd(const T* w, const T* b, const T* x, T* y) noexcept {
  constexpr std::size_t chunk = conv_chunk<G::filters / simd_fit<T, G::filters>::width>;
  constexpr std::size_t pixels = conv_pixels<chunk>;
  constexpr std::size_t lo = G::cols::interior_begin;
  constexpr std::size_t hi = G::cols::interior_end < G::out_w ? G::cols::interior_end : G::out_w;
  for (std::size_t oh = 0; oh < G::out_h; ++oh) {
    std::size_t ow = 0;
    for (; ow < lo && ow < G::out_w; ++ow)
      conv_pixels_simd<Mode, G, 1>(w, b, x, y, oh, ow, conv_window_of<G>(oh, ow));
    // Interior columns share the full kernel width: tiles of several pixels.
    if constexpr (pixels > 1)
      for (; ow + pixels <= hi; ow += pixels)
        conv_pixels_simd<Mode, G, pixels>(w, b, x, y, oh, ow, conv_window_of<G>(oh, ow));
    for (; ow < G::out_w; ++ow)
      conv_pixels_simd<Mode, G, 1>(w, b, x, y, oh, ow, conv_window_of<G>(oh, ow));
  }
}

template <class Mode, class G, class T>
constexpr void conv_scalar(const T* w, const T* b, const T* x, T* y) noexcept {
  for (std::size_t oh = 0; oh < G::out_h; ++oh)
    for (std::size_t ow = 0; ow < G::out_w; ++ow)
      conv_pixel_scalar<Mode, G>(w, b, x, y, oh, ow, conv_window_of<G>(oh, ow));
}

/// z = conv(x, W) + b in Mode: vector kernel at run time where available, else scalar.
template <class Mode, class G, class T>
constexpr void conv_affine(const T* w, const T* b, const T* x, T* y) noexcept {
  if constexpr (simd_mac_available<T, Mode> && G::filters >= simd_fit<T, G::filters>::width) {
    if (!std::is_constant_evaluated()) return conv_simd<Mode, G>(w, b, x, y);
  }
  conv_scalar<Mode, G>(w, b, x, y);
}

}  // namespace ctnn::detail
