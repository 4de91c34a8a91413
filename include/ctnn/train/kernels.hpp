// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The batched kernel behind the trainer: a small GEMM whose every output is a strictly
/// sequential sum over k, with Mode's multiply-accumulate:
///
///   C(m, n) = init(m, n);  for k = 0 … K−1:  C(m, n) = mac(B[k][n], A(m, k), C(m, n))
///
/// with init = 0, bias[n] or the current C(m, n). For a dense layer's forward pass
/// (A = the batch's inputs, B = W, init = b) this is exactly the inference sum, so every
/// sample's pre-activation has the same bits as `Net::forward` computes. K is processed
/// in blocks (the running sum goes through C between blocks, which changes no bit); A is
/// read in place with any row/column stride (the batch's inputs, or their transpose for
/// weight gradients); N is a compile-time size. Host only.
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "ctnn/detail/simd.hpp"

namespace ctnn::train::detail {

enum class gemm_init { zero, bias, accumulate };

/// A(m, k) = a[m·row_stride + k·col_stride]: a row-major matrix or its transpose.
template <class T>
struct strided {
  const T* a;
  std::size_t row_stride;
  std::size_t col_stride;
};

inline constexpr std::size_t gemm_mr = 6;    ///< rows per micro-tile
inline constexpr std::size_t gemm_kc = 256;  ///< k per block (a B strip of kc × 16 stays in L1)
inline constexpr std::size_t gemm_mc =
    120;  ///< rows per block (C block and A rows reused across k blocks)

/// Micro-kernel: MR (≤ gemm_mr) rows of C from row m0, NV vectors of columns, k in
/// [k0, k0 + kc). A is read in place (no packing): row r's value at k is
/// a[(m0 + r)·row_stride + k·col_stride], broadcast from memory, which costs the same load
/// as reading a packed copy. The row count is a template parameter, so a panel of fewer
/// than gemm_mr rows (the last of a 32-row shard: 2) computes only its own rows.
/// Layout: 0 any strides; 1 unit column stride (rows of A contiguous: one index for all
/// rows); 2 unit row stride (the rows' values at one k contiguous).
/// 1 and 2 leave the loop one address increment instead of MR.
/// With Masked, the last vector holds only the lanes set in `mask` (the strip's last
/// N mod width columns): masked loads read zeros elsewhere and masked stores leave the
/// other columns alone, so a narrow layer (N = 10: one vector and two columns) keeps the
/// vector speed; every column's sum is the same sequential one.
template <class Mode, std::size_t MR, std::size_t NV, int Layout, bool Masked, class T, class Mask>
inline void gemm_micro_simd(const strided<T>& A, std::size_t m0, std::size_t k0, std::size_t kc,
                            const T* b, std::size_t ldb, T* c, std::size_t ldc, gemm_init init,
                            const T* bias, [[maybe_unused]] Mask mask) noexcept {
  using v = ctnn::detail::simd<T>;
  using vec = typename v::type;
  constexpr std::size_t w = v::width;
  // Vector j of a row: plain, or masked if it is the strip's last and Masked.
  const auto load = [&](const T* p, std::size_t j) {
    if constexpr (Masked) {
      if (j + 1 == NV) return v::load(p, mask);
    }
    return v::load(p);
  };
  // Every loop over the tile is unrolled, so the accumulators are registers: with one
  // rolled loop GCC keeps acc in memory and stores all of it at every k (store-bound).
  const T* base[MR];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < MR; ++r) base[r] = A.a + (m0 + r) * A.row_stride + k0 * A.col_stride;
  vec acc[MR][NV];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) {
      if (init == gemm_init::accumulate)
        acc[r][j] = load(c + r * ldc + j * w, j);
      else if (init == gemm_init::bias)
        acc[r][j] = load(bias + j * w, j);
      else
        acc[r][j] = v::broadcast(T(0));
    }
  const std::size_t cs = A.col_stride;
  const T* a0 = base[0];
  std::size_t off = 0;
  for (std::size_t k = 0; k < kc; ++k, off += cs) {
    vec bv[NV];
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) bv[j] = load(b + k * ldb + j * w, j);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < MR; ++r) {
      T ark;
      if constexpr (Layout == 1)
        ark = base[r][k];
      else if constexpr (Layout == 2)
        ark = a0[off + r];
      else
        ark = base[r][off];
      const vec ar = v::broadcast(ark);
#pragma GCC unroll 4
      for (std::size_t j = 0; j < NV; ++j)
        acc[r][j] = ctnn::detail::simd_mac<Mode, T>(bv[j], ar, acc[r][j]);
    }
  }
#pragma GCC unroll 8
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) {
      if constexpr (Masked) {
        if (j + 1 == NV) {
          v::store(c + r * ldc + j * w, mask, acc[r][j]);
          continue;
        }
      }
      v::store(c + r * ldc + j * w, acc[r][j]);
    }
}

/// Scalar micro-kernel for the last `cols` columns (fewer than one vector on targets
/// without masked loads, or all of N without SIMD).
template <class Mode, class T>
inline void gemm_micro_scalar(const strided<T>& A, std::size_t m0, std::size_t rows, std::size_t k0,
                              std::size_t kc, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                              std::size_t cols, gemm_init init, const T* bias) noexcept {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* ar = A.a + (m0 + r) * A.row_stride + k0 * A.col_stride;
    for (std::size_t j = 0; j < cols; ++j) {
      T acc = init == gemm_init::accumulate ? c[r * ldc + j]
              : init == gemm_init::bias     ? bias[j]
                                            : T(0);
      for (std::size_t k = 0; k < kc; ++k)
        acc = ctnn::detail::mac<Mode>(b[k * ldb + j], ar[k * A.col_stride], acc);
      c[r * ldc + j] = acc;
    }
  }
}

/// One block of gemm() with the vector micro-kernels: rows [m0, m0 + mc), k in
/// [k0, k0 + kc), all N columns, A read with Layout (see gemm_micro_simd).
template <class Mode, std::size_t N, int Layout, class T>
void gemm_block_simd(const strided<T>& A, std::size_t m0, std::size_t mc, std::size_t k0,
                     std::size_t kc, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                     gemm_init init, const T* bias) noexcept {
  using v = ctnn::detail::simd<T>;
  constexpr std::size_t mr = gemm_mr;
  constexpr std::size_t w = v::width;
  constexpr std::size_t full = N - N % (2 * w);  // columns in whole strips of 2 vectors
  constexpr std::size_t rest = N % (2 * w);
  // The last rest < 2w columns: one or two vectors, the last one masked where the target
  // has masked loads, else whole vectors and the scalar micro-kernel.
  constexpr bool masked_tail = rest != 0 && v::has_mask;
  constexpr std::size_t tail_nv = masked_tail ? (rest + w - 1) / w : rest / w;
  constexpr std::size_t scalar_from = masked_tail ? N : full + tail_nv * w;
  const auto bias_at = [&](std::size_t n0) { return bias ? bias + n0 : nullptr; };
  // Tile of R rows from m at the strip of columns from n0 (a whole strip, or the tail).
  const auto strip = [&]<std::size_t R>(std::size_t m, std::size_t n0) {
    gemm_micro_simd<Mode, R, 2, Layout, false>(A, m, k0, kc, b + n0, ldb, c + m * ldc + n0, ldc,
                                               init, bias_at(n0), 0);
  };
  const auto tail = [&]<std::size_t R>(std::size_t m) {
    if constexpr (masked_tail) {
      constexpr bool masked = rest % w != 0;
      const auto mask = [&] {
        if constexpr (masked)
          return v::tail_mask(rest % w);
        else
          return 0;
      }();
      gemm_micro_simd<Mode, R, tail_nv, Layout, masked>(
          A, m, k0, kc, b + full, ldb, c + m * ldc + full, ldc, init, bias_at(full), mask);
    } else if constexpr (tail_nv > 0) {
      gemm_micro_simd<Mode, R, tail_nv, Layout, false>(
          A, m, k0, kc, b + full, ldb, c + m * ldc + full, ldc, init, bias_at(full), 0);
    }
    if constexpr (scalar_from < N)
      gemm_micro_scalar<Mode>(A, m, R, k0, kc, b + scalar_from, ldb, c + m * ldc + scalar_from, ldc,
                              N - scalar_from, init, bias_at(scalar_from));
  };
  const std::size_t whole = m0 + mc - mc % mr;  // end of the panels of gemm_mr rows
  if (mc < N) {
    // Fewer rows than columns (a shard's forward pass, a narrow layer's weight gradient
    // read transposed): strip by strip, every panel in turn, so the strip's kc × 2w values
    // of B stay in L1 while the small A is read again.
    for (std::size_t n0 = 0; n0 < full; n0 += 2 * w)
      for (std::size_t m = m0; m < whole; m += mr) strip.template operator()<mr>(m, n0);
    if constexpr (rest != 0)
      for (std::size_t m = m0; m < whole; m += mr) tail.template operator()<mr>(m);
  } else {
    // Panel by panel, all column strips of a panel in turn: the panel's A values stay in
    // L1 across strips.
    for (std::size_t m = m0; m < whole; m += mr) {
      for (std::size_t n0 = 0; n0 < full; n0 += 2 * w) strip.template operator()<mr>(m, n0);
      if constexpr (rest != 0) tail.template operator()<mr>(m);
    }
  }
  // The last R < gemm_mr rows. A tile needs about 8 independent accumulators to hide the
  // FMA latency, so 1 row takes 4 strips at once and 2 or 3 rows 2 strips (8 or 12
  // vectors), 4 and 5 rows one strip as the panels do.
  const auto last = [&]<std::size_t R>() {
    constexpr std::size_t group = R == 1 ? 4 : R <= 3 ? 2 : 1;  // strips per tile
    std::size_t n0 = 0;
    if constexpr (group > 1)
      for (; n0 + group * 2 * w <= full; n0 += group * 2 * w)
        gemm_micro_simd<Mode, R, 2 * group, Layout, false>(
            A, whole, k0, kc, b + n0, ldb, c + whole * ldc + n0, ldc, init, bias_at(n0), 0);
    for (; n0 < full; n0 += 2 * w) strip.template operator()<R>(whole, n0);
    if constexpr (rest != 0) tail.template operator()<R>(whole);
  };
  static_assert(mr == 6, "the remainder of up to 5 rows is dispatched below");
  switch (m0 + mc - whole) {
    case 1:
      last.template operator()<1>();
      break;
    case 2:
      last.template operator()<2>();
      break;
    case 3:
      last.template operator()<3>();
      break;
    case 4:
      last.template operator()<4>();
      break;
    case 5:
      last.template operator()<5>();
      break;
    default:
      break;
  }
}

/// C (M × N, row stride ldc) as in the file comment. B is row-major K × N with row stride
/// ldb. `scratch` is reserved (gemm_scratch_size() scalars) and currently unused.
template <class Mode, std::size_t N, class T>
void gemm(std::size_t M, std::size_t K, const strided<T>& A, const T* b, std::size_t ldb, T* c,
          std::size_t ldc, gemm_init init, const T* bias, [[maybe_unused]] T* scratch) noexcept {
  if (M == 0) return;
  if (K == 0) {  // nothing to add: only the initial value
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t n = 0; n < N; ++n)
        if (init != gemm_init::accumulate)
          c[m * ldc + n] = init == gemm_init::bias ? bias[n] : T(0);
    return;
  }
  const auto block = [&](std::size_t m0, std::size_t k0) {
    const std::size_t mc = std::min(gemm_mc, M - m0);
    const std::size_t kc = std::min(gemm_kc, K - k0);
    const gemm_init blk_init = k0 == 0 ? init : gemm_init::accumulate;
    const T* bk = b + k0 * ldb;
    if constexpr (ctnn::detail::simd_mac_available<T, Mode>) {
      if (A.col_stride == 1)
        gemm_block_simd<Mode, N, 1>(A, m0, mc, k0, kc, bk, ldb, c, ldc, blk_init, bias);
      else if (A.row_stride == 1)
        gemm_block_simd<Mode, N, 2>(A, m0, mc, k0, kc, bk, ldb, c, ldc, blk_init, bias);
      else
        gemm_block_simd<Mode, N, 0>(A, m0, mc, k0, kc, bk, ldb, c, ldc, blk_init, bias);
    } else {
      for (std::size_t m = m0; m < m0 + mc; m += gemm_mr)
        gemm_micro_scalar<Mode>(A, m, std::min(gemm_mr, m0 + mc - m), k0, kc, bk, ldb, c + m * ldc,
                                ldc, N, blk_init, bias);
    }
  };
  // A small C (e.g. a weight gradient) stays in L2 while B's k-blocks stream past it once;
  // a large C (many samples) is finished block by block while B stays in L2.
  if (M * N * sizeof(T) <= (512u << 10)) {
    for (std::size_t k0 = 0; k0 < K; k0 += gemm_kc)
      for (std::size_t m0 = 0; m0 < M; m0 += gemm_mc) block(m0, k0);
  } else {
    for (std::size_t m0 = 0; m0 < M; m0 += gemm_mc)
      for (std::size_t k0 = 0; k0 < K; k0 += gemm_kc) block(m0, k0);
  }
}

/// Scratch gemm() may use.
constexpr std::size_t gemm_scratch_size() noexcept {
  return ((gemm_mc + gemm_mr - 1) / gemm_mr) * gemm_mr * gemm_kc;
}

}  // namespace ctnn::train::detail
