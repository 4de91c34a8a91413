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
#include <cstdint>
#include <type_traits>
#include <utility>

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

/// Scalar kernel: tiles of 16 outputs (16 accumulators + x[i] + one weight fit the
/// Cortex-M4F's 32 single-precision registers: 2.30 instead of 2.56 instructions per
/// multiply-accumulate for 784-32-10 under QEMU), then one tile for the rest.
template <class Mode, std::size_t In, std::size_t Out, class T>
constexpr void dense_scalar(const T* w, const T* b, const T* x, T* y) noexcept {
  constexpr std::size_t tile = 16;
  std::size_t o0 = 0;
  for (; o0 + tile <= Out; o0 += tile) dense_tile_scalar<Mode, In, Out, tile>(w, b, x, y, o0);
  if constexpr (Out % tile != 0) dense_tile_scalar<Mode, In, Out, Out % tile>(w, b, x, y, o0);
}

/// The vectors of a layer of Out outputs: simd<T>, or on AVX-512 the narrow (8-float) ones
/// for a layer of one or two whole narrow vectors (8 or 16 floats: two independent
/// accumulator chains instead of one; the activation then uses the same vectors,
/// activation.hpp, so its loads are forwarded from these stores). Partial vectors stay
/// wide: AVX-512's masks are cheap, AVX's masked loads are not.
template <class T, std::size_t Out>
using dense_vectors =
    std::conditional_t<(Out <= simd<T>::width && Out % simd_narrow<T>::width == 0), simd_narrow<T>,
                       simd<T>>;

/// Whether a layer's weights stream from beyond the L1 cache (at least
/// simd_prefetch_min_bytes): such a layer's tiles prefetch (AVX-512), run in a page-aligned
/// function of their own and take the inputs in blocks (dense_tiles_streamed).
template <class T, std::size_t In, std::size_t Out>
inline constexpr bool dense_streams = (In * Out * sizeof(T) >= simd_prefetch_min_bytes);

/// One input's step for a vector tile: acc[k] = mac(W[i][o0 + k·width …], x[i], acc[k]) for
/// the Plain whole vectors, then for the masked partial vector if Masked.
template <class Mode, std::size_t Plain, bool Masked, class v, class T, class V, class M>
[[gnu::always_inline]] inline void dense_step_simd(V* acc, const T* row, T xi,
                                                   [[maybe_unused]] M mask) noexcept {
  const V xv = v::broadcast(xi);
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Plain; ++k)
    acc[k] = vector_mac<Mode, v>(v::load(row + k * v::width), xv, acc[k]);
  if constexpr (Masked)
    acc[Plain] = vector_mac<Mode, v>(v::load(row + Plain * v::width, mask), xv, acc[Plain]);
}

/// Vector tile: Vectors accumulator registers of simd<T>::width outputs each, from output
/// o0, over the Rows inputs from i0 (by default all In); with Masked, the last one holds the
/// final Out % width outputs (masked loads and store). The accumulators start from init: b,
/// or y holding the sums of the inputs before i0 (a stored and reloaded float is the same
/// float, so splitting the inputs into blocks changes no bits). The input loop is unrolled
/// (fully for Rows ≤ 16, else by 8) to amortise the loop overhead; each accumulator still
/// takes its inputs strictly in order. Unless Act is void, the tile stores Act::value of its
/// accumulators (lane by lane, so each output has the bits Act::apply would give it later),
/// which saves a store and a load per vector.
template <class Mode, std::size_t In, std::size_t Out, std::size_t Vectors, bool Masked, class Act,
          std::size_t Rows = In, class T>
inline void dense_tile_simd(const T* w, const T* init, const T* x, T* y, std::size_t o0,
                            std::size_t i0 = 0) noexcept {
  using v = dense_vectors<T, Out>;
  using vec = typename v::type;
  constexpr std::size_t lanes = v::width;
  constexpr std::size_t plain = Masked ? Vectors - 1 : Vectors;
  constexpr std::size_t unroll = Rows <= 16 ? Rows : 8;
  // Weights past the L1 cache: ask for the tile's part of a row simd_prefetch_rows ahead
  // (past the last rows these addresses lie beyond the weights: computed as integers, not
  // pointers, and a prefetch never faults).
  constexpr std::size_t tile_bytes = Vectors * lanes * sizeof(T);
  constexpr std::size_t ahead = simd_prefetch_rows * Out * sizeof(T);
  constexpr bool prefetch = simd_prefetch_rows > 0 && dense_streams<T, In, Out>;
  [[maybe_unused]] const auto mask = [] {
    if constexpr (Masked)
      return v::tail_mask(Out % lanes);
    else
      return 0;
  }();
  vec acc[Vectors];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < plain; ++k) acc[k] = v::load(init + o0 + k * lanes);
  if constexpr (Masked) acc[plain] = v::load(init + o0 + plain * lanes, mask);
  const T* row = w + i0 * Out + o0;
  const T* xs = x + i0;
  std::size_t i = 0;
  for (; i + unroll <= Rows; i += unroll, row += unroll * Out) {
#pragma GCC unroll 16
    for (std::size_t u = 0; u < unroll; ++u) {
      if constexpr (prefetch) {
#pragma GCC unroll 16
        for (std::size_t line = 0; line < tile_bytes; line += 64)
          __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(row) +
                                                           ahead + u * Out * sizeof(T) + line));
      }
      dense_step_simd<Mode, plain, Masked, v>(acc, row + u * Out, xs[i + u], mask);
    }
  }
  if constexpr (Rows % unroll != 0) {
    for (; i < Rows; ++i, row += Out)
      dense_step_simd<Mode, plain, Masked, v>(acc, row, xs[i], mask);
  }
  if constexpr (!std::is_void_v<Act>) {
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Vectors; ++k) acc[k] = Act::value(acc[k]);
  }
#pragma GCC unroll 16
  for (std::size_t k = 0; k < plain; ++k) v::store(y + o0 + k * lanes, acc[k]);
  if constexpr (Masked) v::store(y + o0 + plain * lanes, mask, acc[plain]);
  // As in Act::apply: keeps the next layer reading these outputs from memory (one
  // broadcast each) instead of extracting lanes from the registers (callgrind, dev preset:
  // 2-16-16-1 254 -> 242 instructions).
  if constexpr (!std::is_void_v<Act>) asm volatile("" ::: "memory");
}

/// How the vector kernel covers Out outputs: ⌈Out/width⌉ vectors (the last one partial),
/// split into the fewest tiles of at most simd_tile_vectors accumulators, sizes balanced
/// (128 floats on AVX: 8 + 8). A partial vector is masked into the last tile where the
/// target has masked loads and that pays (a lone tail of 1–2 outputs is cheaper as scalar
/// code), else it is left to a scalar tile.
template <class T, std::size_t Out>
struct dense_tiling {
  using v = dense_vectors<T, Out>;
  static constexpr std::size_t lanes = v::width;
  static constexpr std::size_t full = Out / lanes;
  static constexpr std::size_t rest = Out % lanes;
  static constexpr bool masked = v::has_mask && rest != 0 && (full > 0 || rest > 2);
  static constexpr std::size_t vectors = full + (masked ? 1 : 0);
  static constexpr std::size_t tiles = (vectors + simd_tile_vectors - 1) / simd_tile_vectors;
  /// The outputs the tiles cover (the rest go to the scalar tile).
  static constexpr std::size_t covered = masked ? Out : full * lanes;
  /// Tile k covers vectors [first(k), first(k + 1)).
  static constexpr std::size_t first(std::size_t k) {
    return k * (vectors / tiles) + (k < vectors % tiles ? k : vectors % tiles);
  }
};

/// Every tile of the layer over the Rows inputs from i0.
template <class Mode, std::size_t In, std::size_t Out, class Act, std::size_t Rows, class T>
[[gnu::always_inline]] inline void dense_tiles(const T* w, const T* init, const T* x, T* y,
                                               std::size_t i0) noexcept {
  using tiling = dense_tiling<T, Out>;
  [&]<std::size_t... t>(std::index_sequence<t...>) {
    (dense_tile_simd < Mode, In, Out, tiling::first(t + 1) - tiling::first(t),
     tiling::masked && t + 1 == tiling::tiles, Act,
     Rows > (w, init, x, y, tiling::first(t) * tiling::lanes, i0), ...);
  }
  (std::make_index_sequence<tiling::tiles>{});
}

/// The tiles of a layer whose weights stream (dense_streams), as a function of its own that starts
/// a 4 KiB page, so that a loop shorter than a page never crosses a page boundary. On the Zen 5 of
/// docs/performance.md, layer 1 of 784-128-64-10 (AVX-512, a 0.9 KiB loop) took 1.95-2.02
/// us where its loop lay within a page and 2.17-2.26 us where it crossed one
/// (ctnn_stream_layer_benchmark), and where it lay depended on whatever else the program
/// contained (ctnn_inference_benchmark's forward: 2.6 instead of 2.0 us).
/// With several tiles (and simd_stream_block_rows > 0) the inputs are taken in blocks of
/// simd_stream_block_rows, every tile over a block before the next block (the partial sums
/// wait in y, the activation follows at the end): the weights then stream from L2 once, row
/// after row, instead of once per tile, each tile reading part of every row. Same bits; x86-64-v3
/// 784-128-64-10's forward took 2.33 instead of 3.32 us, its callgrind count 18,006 instead of
/// 16,768 instructions (an accumulator's load and store per block: docs/performance.md).
/// Block (0: tile after tile) is a parameter for benchmarks/stream_layer_benchmark.cpp.
template <class Mode, std::size_t In, std::size_t Out, class Act,
          std::size_t Block = simd_stream_block_rows, class T>
[[gnu::noinline, gnu::aligned(4096)]] void dense_tiles_streamed(const T* w, const T* b, const T* x,
                                                                T* y) noexcept {
  constexpr std::size_t block = Block > 0 ? Block : In;
  if constexpr (dense_tiling<T, Out>::tiles == 1 || In <= block) {
    dense_tiles<Mode, In, Out, Act, In>(w, b, x, y, 0);
  } else {
    dense_tiles<Mode, In, Out, void, block>(w, b, x, y, 0);
    std::size_t i0 = block;
    for (; i0 + block <= In; i0 += block) dense_tiles<Mode, In, Out, void, block>(w, y, x, y, i0);
    if constexpr (In % block != 0) dense_tiles<Mode, In, Out, void, In % block>(w, y, x, y, i0);
    if constexpr (!std::is_void_v<Act>) Act::apply(y, dense_tiling<T, Out>::covered);
  }
}

/// Scalar tile for the vector kernel's leftover outputs, run time only: like
/// dense_tile_scalar but with the input loop unrolled as in dense_tile_simd.
template <class Mode, std::size_t In, std::size_t Out, std::size_t Tile, class T>
inline void dense_tail_scalar(const T* w, const T* b, const T* x, T* y, std::size_t o0) noexcept {
  constexpr std::size_t unroll = In <= 16 ? In : 8;
  T acc[Tile];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Tile; ++k) acc[k] = b[o0 + k];
  const T* row = w + o0;
  std::size_t i = 0;
  for (; i + unroll <= In; i += unroll, row += unroll * Out) {
#pragma GCC unroll 16
    for (std::size_t u = 0; u < unroll; ++u) {
#pragma GCC unroll 16
      for (std::size_t k = 0; k < Tile; ++k) acc[k] = mac<Mode>(row[u * Out + k], x[i + u], acc[k]);
    }
  }
  if constexpr (In % unroll != 0) {
    for (; i < In; ++i, row += Out) {
#pragma GCC unroll 16
      for (std::size_t k = 0; k < Tile; ++k) acc[k] = mac<Mode>(row[k], x[i], acc[k]);
    }
  }
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Tile; ++k) y[o0 + k] = acc[k];
}

/// Vector kernel: the tiles of dense_tiling, then a scalar tile for outputs they leave.
/// Unless Act is void (an elementwise activation with vector values), y = Act(b + xW): the
/// tiles apply it to their accumulators, Act::apply to the scalar tile's outputs.
template <class Mode, std::size_t In, std::size_t Out, class Act = void, class T>
inline void dense_simd(const T* w, const T* b, const T* x, T* y) noexcept {
  using tiling = dense_tiling<T, Out>;
  if constexpr (tiling::tiles > 0) {
    if constexpr (dense_streams<T, In, Out>)
      dense_tiles_streamed<Mode, In, Out, Act>(w, b, x, y);
    else
      dense_tiles<Mode, In, Out, Act, In>(w, b, x, y, 0);
  }
  if constexpr (tiling::covered != Out) {
    dense_tail_scalar<Mode, In, Out, Out - tiling::covered>(w, b, x, y, tiling::covered);
    if constexpr (!std::is_void_v<Act>) Act::apply(y + tiling::covered, Out - tiling::covered);
  }
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
