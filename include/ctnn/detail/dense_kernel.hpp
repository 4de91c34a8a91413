// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The dense layer's affine map y = b + xW, W stored input-major (W[i][o] at i·Out + o).
///
/// Summation order (frozen; numerics.hpp): y[o] = b[o]; then for i = 0, 1, …, In−1:
/// y[o] = mac(W[i][o], x[i], y[o]). Input-major storage makes a tile of consecutive
/// outputs contiguous in memory, so each x[i] is loaded once per tile, the tile's
/// accumulators stay in registers, and vectorising across outputs keeps each output's
/// sum strictly sequential: the vector path, the scalar path and constant evaluation
/// give the same bits.
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/simd.hpp"

namespace ctnn::detail {

/// Scalar tile of Tile consecutive outputs starting at o0 (constexpr; also the
/// run-time path on targets without float SIMD, e.g. Cortex-M).
template <class Mode, std::size_t In, std::size_t Out, std::size_t Tile, class T>
constexpr void dense_tile_scalar(const T* w, const T* b, const T* x, T* y,
                                 std::size_t o0) noexcept {
  T acc[Tile];
  for (std::size_t k = 0; k < Tile; ++k) acc[k] = b[o0 + k];
  const T* row = w + o0;
  for (std::size_t i = 0; i < In; ++i, row += Out) {
    const T xi = x[i];
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Tile; ++k) acc[k] = mac<Mode>(row[k], xi, acc[k]);
  }
  for (std::size_t k = 0; k < Tile; ++k) y[o0 + k] = acc[k];
}

/// Scalar kernel: tiles of 8 outputs (8 accumulators + 1 input + 8 weights fit the
/// Cortex-M4F's 32 single-precision registers), then one tile for the rest.
template <class Mode, std::size_t In, std::size_t Out, class T>
constexpr void dense_scalar(const T* w, const T* b, const T* x, T* y) noexcept {
  constexpr std::size_t tile = 8;
  std::size_t o0 = 0;
  for (; o0 + tile <= Out; o0 += tile) dense_tile_scalar<Mode, In, Out, tile>(w, b, x, y, o0);
  if constexpr (Out % tile != 0) dense_tile_scalar<Mode, In, Out, Out % tile>(w, b, x, y, o0);
}

/// Vector tile: Vectors registers of simd<T>::width outputs each.
template <class Mode, std::size_t In, std::size_t Out, std::size_t Vectors, class T>
inline void dense_tile_simd(const T* w, const T* b, const T* x, T* y, std::size_t o0) noexcept {
  using v = simd<T>;
  constexpr std::size_t lanes = v::width;
  typename v::type acc[Vectors];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Vectors; ++k) acc[k] = v::load(b + o0 + k * lanes);
  const T* row = w + o0;
  for (std::size_t i = 0; i < In; ++i, row += Out) {
    const typename v::type xi = v::broadcast(x[i]);
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Vectors; ++k)
      acc[k] = simd_mac<Mode, T>(v::load(row + k * lanes), xi, acc[k]);
  }
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Vectors; ++k) v::store(y + o0 + k * lanes, acc[k]);
}

/// Vector kernel: tiles of 8 vectors (8 accumulators + 1 broadcast fit 16 registers),
/// then the remaining whole vectors, then the last Out % width outputs as a scalar tile.
template <class Mode, std::size_t In, std::size_t Out, class T>
inline void dense_simd(const T* w, const T* b, const T* x, T* y) noexcept {
  constexpr std::size_t lanes = simd<T>::width;
  constexpr std::size_t tile = 8;
  constexpr std::size_t vectors = Out / lanes;
  std::size_t o0 = 0;
  for (; o0 + tile * lanes <= vectors * lanes; o0 += tile * lanes)
    dense_tile_simd<Mode, In, Out, tile>(w, b, x, y, o0);
  if constexpr (vectors % tile != 0) {
    dense_tile_simd<Mode, In, Out, vectors % tile>(w, b, x, y, o0);
    o0 += (vectors % tile) * lanes;
  }
  if constexpr (Out % lanes != 0) dense_tile_scalar<Mode, In, Out, Out % lanes>(w, b, x, y, o0);
}

/// y = b + xW in Mode: vector kernel at run time where available, else the scalar one.
template <class Mode, std::size_t In, std::size_t Out, class T>
constexpr void dense_affine(const T* w, const T* b, const T* x, T* y) noexcept {
  if constexpr (simd_mac_available<T, Mode>) {
    if (!std::is_constant_evaluated()) return dense_simd<Mode, In, Out>(w, b, x, y);
  }
  dense_scalar<Mode, In, Out>(w, b, x, y);
}

}  // namespace ctnn::detail
