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
/// packed into panels of `mr` rows (GotoBLAS style) so that the inner loop reads
/// contiguous memory; N is a compile-time size. Host only.
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
inline constexpr std::size_t gemm_kc = 256;  ///< k per block (B strip of kc × 16 in L1)
inline constexpr std::size_t gemm_mc = 120;  ///< rows per packed A block (L2)

/// Packs rows [m0, m0 + rows) × k [k0, k0 + kc) of A into panels of gemm_mr rows,
/// k-major within a panel (packed[p·kc·mr + k·mr + r]); missing rows are zero.
template <class T>
void gemm_pack(const strided<T>& A, std::size_t m0, std::size_t rows, std::size_t k0,
               std::size_t kc, T* packed) noexcept {
  constexpr std::size_t mr = gemm_mr;
  for (std::size_t p = 0; p * mr < rows; ++p) {
    T* dst = packed + p * kc * mr;
    const std::size_t r_n = std::min(mr, rows - p * mr);
    if (A.col_stride == 1) {
      for (std::size_t r = 0; r < mr; ++r) {
        if (r < r_n) {
          const T* src = A.a + (m0 + p * mr + r) * A.row_stride + k0;
          for (std::size_t k = 0; k < kc; ++k) dst[k * mr + r] = src[k];
        } else {
          for (std::size_t k = 0; k < kc; ++k) dst[k * mr + r] = T(0);
        }
      }
    } else {
      for (std::size_t k = 0; k < kc; ++k) {
        const T* src = A.a + (k0 + k) * A.col_stride + (m0 + p * mr) * A.row_stride;
        for (std::size_t r = 0; r < mr; ++r)
          dst[k * mr + r] = r < r_n ? src[r * A.row_stride] : T(0);
      }
    }
  }
}

/// Micro-kernel: rows × (NV vectors) of C from a packed panel and B rows.
template <class Mode, std::size_t NV, class T>
inline void gemm_micro_simd(const T* packed, const T* b, std::size_t ldb, std::size_t kc, T* c,
                            std::size_t ldc, std::size_t rows, gemm_init init,
                            const T* bias) noexcept {
  using v = ctnn::detail::simd<T>;
  using vec = typename v::type;
  constexpr std::size_t mr = gemm_mr;
  constexpr std::size_t w = v::width;
  vec acc[mr][NV];
  for (std::size_t r = 0; r < mr; ++r)
    for (std::size_t j = 0; j < NV; ++j) {
      if (init == gemm_init::accumulate && r < rows)
        acc[r][j] = v::load(c + r * ldc + j * w);
      else if (init == gemm_init::bias)
        acc[r][j] = v::load(bias + j * w);
      else
        acc[r][j] = v::broadcast(T(0));
    }
  for (std::size_t k = 0; k < kc; ++k) {
    vec bv[NV];
#pragma GCC unroll 4
    for (std::size_t j = 0; j < NV; ++j) bv[j] = v::load(b + k * ldb + j * w);
    const T* ap = packed + k * mr;
#pragma GCC unroll 8
    for (std::size_t r = 0; r < mr; ++r) {
      const vec ar = v::broadcast(ap[r]);
#pragma GCC unroll 4
      for (std::size_t j = 0; j < NV; ++j)
        acc[r][j] = ctnn::detail::simd_mac<Mode, T>(bv[j], ar, acc[r][j]);
    }
  }
  for (std::size_t r = 0; r < mr; ++r)
    if (r < rows)
      for (std::size_t j = 0; j < NV; ++j) v::store(c + r * ldc + j * w, acc[r][j]);
}

/// Scalar micro-kernel for the last `cols` (< one vector, or all N without SIMD) columns.
template <class Mode, class T>
inline void gemm_micro_scalar(const T* packed, const T* b, std::size_t ldb, std::size_t kc,
                              T* c, std::size_t ldc, std::size_t rows, std::size_t cols,
                              gemm_init init, const T* bias) noexcept {
  constexpr std::size_t mr = gemm_mr;
  for (std::size_t j = 0; j < cols; ++j) {
    T acc[mr];
    for (std::size_t r = 0; r < mr; ++r)
      acc[r] = init == gemm_init::accumulate ? (r < rows ? c[r * ldc + j] : T(0))
               : init == gemm_init::bias     ? bias[j]
                                             : T(0);
    for (std::size_t k = 0; k < kc; ++k) {
      const T bk = b[k * ldb + j];
      for (std::size_t r = 0; r < mr; ++r)
        acc[r] = ctnn::detail::mac<Mode>(bk, packed[k * mr + r], acc[r]);
    }
    for (std::size_t r = 0; r < rows; ++r) c[r * ldc + j] = acc[r];
  }
}

/// C (M × N, row stride ldc) as in the file comment. `packed` is scratch of at least
/// gemm_scratch_size() scalars. B is row-major K × N with row stride ldb.
template <class Mode, std::size_t N, class T>
void gemm(std::size_t M, std::size_t K, const strided<T>& A, const T* b, std::size_t ldb, T* c,
          std::size_t ldc, gemm_init init, const T* bias, T* packed) noexcept {
  using v = ctnn::detail::simd<T>;
  constexpr std::size_t mr = gemm_mr;
  if (M == 0) return;
  if (K == 0) {  // nothing to add: only the initial value
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t n = 0; n < N; ++n)
        if (init != gemm_init::accumulate)
          c[m * ldc + n] = init == gemm_init::bias ? bias[n] : T(0);
    return;
  }
  for (std::size_t k0 = 0; k0 < K; k0 += gemm_kc) {
    const std::size_t kc = std::min(gemm_kc, K - k0);
    const gemm_init blk_init = k0 == 0 ? init : gemm_init::accumulate;
    const T* bk = b + k0 * ldb;
    for (std::size_t m0 = 0; m0 < M; m0 += gemm_mc) {
      const std::size_t mc = std::min(gemm_mc, M - m0);
      gemm_pack(A, m0, mc, k0, kc, packed);
      std::size_t n0 = 0;
      if constexpr (ctnn::detail::simd_mac_available<T, Mode>) {
        constexpr std::size_t w = v::width;
        for (; n0 + 2 * w <= N; n0 += 2 * w)
          for (std::size_t p = 0; p * mr < mc; ++p)
            gemm_micro_simd<Mode, 2>(packed + p * kc * mr, bk + n0, ldb, kc,
                                     c + (m0 + p * mr) * ldc + n0, ldc,
                                     std::min(mr, mc - p * mr), blk_init,
                                     bias ? bias + n0 : nullptr);
        if constexpr (N % (2 * w) >= w) {
          for (std::size_t p = 0; p * mr < mc; ++p)
            gemm_micro_simd<Mode, 1>(packed + p * kc * mr, bk + n0, ldb, kc,
                                     c + (m0 + p * mr) * ldc + n0, ldc,
                                     std::min(mr, mc - p * mr), blk_init,
                                     bias ? bias + n0 : nullptr);
          n0 += w;
        }
      }
      if (n0 < N)
        for (std::size_t p = 0; p * mr < mc; ++p)
          gemm_micro_scalar<Mode>(packed + p * kc * mr, bk + n0, ldb, kc,
                                  c + (m0 + p * mr) * ldc + n0, ldc, std::min(mr, mc - p * mr),
                                  N - n0, blk_init, bias ? bias + n0 : nullptr);
    }
  }
}

/// Scratch gemm() needs for packing A.
constexpr std::size_t gemm_scratch_size() noexcept {
  return ((gemm_mc + gemm_mr - 1) / gemm_mr) * gemm_mr * gemm_kc;
}

}  // namespace ctnn::train::detail
