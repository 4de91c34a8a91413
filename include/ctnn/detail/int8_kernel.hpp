// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 dot-product kernel shared by the int8 dense and conv2d layers:
/// acc[r] += Σ_{i<n} x[i]·w[r·stride + i] for Rows rows of weights that share one input
/// run x (weights are stored output-major, so each row is contiguous).
///
/// Integer sums do not depend on the order of the terms, so the three paths below give
/// identical results by construction (and by test): the portable loop (constant
/// evaluation, Cortex-M0/M3, any host), Cortex-M4/M7/M33 with the DSP extension (SXTB16
/// widens four int8 to two pairs of int16, SMLAD multiplies and adds both pairs in one
/// instruction: 4 MACs per 1 LDR + 2 SXTB16 + 2 SMLAD per row, the input word expanded
/// once for all rows), and x86-64 with AVX2 (16 int8 widened to int16, VPMADDWD).
/// Callers keep every partial sum inside int32 (quantized.hpp bounds the fan-in).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#include <arm_acle.h>
#define CTNN_DETAIL_ARM_DSP 1
#endif
#if defined(__AVX2__) && defined(__GNUC__)
#include <immintrin.h>
#define CTNN_DETAIL_INT8_AVX2 1
#endif

namespace ctnn::detail {

/// The portable kernel: one pass over x, each x[i] loaded once for all rows.
template <std::size_t Rows>
constexpr void dot_rows_portable(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                                 std::size_t n, std::int32_t* acc) noexcept {
  std::int32_t a[Rows];
  for (std::size_t r = 0; r < Rows; ++r) a[r] = acc[r];
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t xi = x[i];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) a[r] += xi * std::int32_t{w[r * stride + i]};
  }
  for (std::size_t r = 0; r < Rows; ++r) acc[r] = a[r];
}

#if defined(CTNN_DETAIL_ARM_DSP)
[[gnu::always_inline]] inline std::uint32_t load_word(const std::int8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);  // LDR: unaligned word loads are legal on ARMv7-M/ARMv8-M Main
  return v;
}
/// Bytes 1 and 3 of v, sign-extended to two int16 lanes (SXTB16 with ROR #8).
[[gnu::always_inline]] inline std::int32_t sxtb16_ror8(std::uint32_t v) noexcept {
  std::int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

template <std::size_t Rows>
inline void dot_rows_dsp(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                         std::size_t n, std::int32_t* acc) noexcept {
  std::int32_t a[Rows];
  for (std::size_t r = 0; r < Rows; ++r) a[r] = acc[r];
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::uint32_t xw = load_word(x + i);
    const std::int32_t x02 = static_cast<std::int32_t>(__sxtb16(xw));
    const std::int32_t x13 = sxtb16_ror8(xw);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) {
      const std::uint32_t ww = load_word(w + r * stride + i);
      a[r] = __smlad(static_cast<std::int32_t>(__sxtb16(ww)), x02, a[r]);
      a[r] = __smlad(sxtb16_ror8(ww), x13, a[r]);
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) acc[r] = a[r];
  if (i < n) dot_rows_portable<Rows>(x + i, w + i, stride, n - i, acc);
}
#endif

#if defined(CTNN_DETAIL_INT8_AVX2)
template <std::size_t Rows>
inline void dot_rows_avx2(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                          std::size_t n, std::int32_t* acc) noexcept {
  __m256i s[Rows];
  for (std::size_t r = 0; r < Rows; ++r) s[r] = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i xv =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
    for (std::size_t r = 0; r < Rows; ++r) {
      const __m256i wv = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + r * stride + i)));
      s[r] = _mm256_add_epi32(s[r], _mm256_madd_epi16(xv, wv));
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s[r]), _mm256_extracti128_si256(s[r], 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
    acc[r] += _mm_cvtsi128_si32(h);
  }
  if (i < n) dot_rows_portable<Rows>(x + i, w + i, stride, n - i, acc);
}
#endif

/// acc[r] += Σ_{i<n} x[i]·w[r·stride + i], r < Rows: the fastest path the target has.
template <std::size_t Rows>
constexpr void dot_rows(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                        std::size_t n, std::int32_t* acc) noexcept {
#if defined(CTNN_DETAIL_ARM_DSP)
  if (!std::is_constant_evaluated()) return dot_rows_dsp<Rows>(x, w, stride, n, acc);
#elif defined(CTNN_DETAIL_INT8_AVX2)
  if (!std::is_constant_evaluated()) return dot_rows_avx2<Rows>(x, w, stride, n, acc);
#endif
  dot_rows_portable<Rows>(x, w, stride, n, acc);
}

}  // namespace ctnn::detail
