// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The x86-64 AVX2 path of the int8 dot-product kernel (dot_rows in int8_kernel.hpp):
/// acc[r] = init[r] + Σ_{i<n} x[i]·w[r·stride + i] for Rows rows sharing one input run.
///
/// 32 MACs of one row cost VMOVDQU + VPSIGNB + VPMADDUBSW + VPMADDWD + VPADDD, the input
/// chunk and its absolute value loaded once for all rows; int32 partial sums stay in
/// vectors until the end of the run, where the rows of a group of four are added
/// horizontally together. VPMADDUBSW multiplies unsigned by signed bytes and adds adjacent
/// products into saturating int16 lanes, so it gets |x| (VPABSB: |−128| = 128 is exact as
/// an unsigned byte) and w carrying x's sign (VPSIGNB): |x|·(±w) = x·w, and a pair is at
/// most 2·128·127 = 32,512 < 2^15 in magnitude because the weights are in [−127, 127]
/// (the parameter layout's contract, quantized.hpp), so nothing saturates. VPMADDWD by
/// ones then adds the int16 pairs into int32. Every step is exact, so the sums are the
/// portable loop's integers (int32 addition does not depend on the order).
/// The widening alternative (VPMOVSXBW both operands, VPMADDWD, VPADDD) needs 6
/// instructions per 32 MACs and row, and two of them on the shuffle port. A build for a CPU
/// with AVX-VNNI (__AVXVNNI__; no preset targets one) uses VPDPBUSD instead of VPMADDUBSW +
/// VPMADDWD + VPADDD: 3 instructions per 32 MACs and row, the same sums.
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__) && defined(__GNUC__)
#include <immintrin.h>
#define CTNN_DETAIL_INT8_AVX2 1

namespace ctnn::detail {

/// s += the 32 signed products x·w summed in groups of four (8 int32 lanes), exactly for
/// |w| ≤ 127. abs_x = |x| (as unsigned bytes), ones = 16 × int16 1. With AVX-VNNI (e.g.
/// -march=native on Zen 5 or Alder Lake), VPDPBUSD multiplies, adds and accumulates in one
/// instruction without an int16 step.
[[gnu::always_inline]] inline void avx2_dot32_add(__m256i& s, __m256i abs_x, __m256i x, __m256i w,
                                                  [[maybe_unused]] __m256i ones) noexcept {
  // The accumulation is written as an instruction: given the intrinsic, GCC 12 puts the new
  // value of a loop-carried accumulator in another register and copies it back every
  // iteration. Operands in AT&T | Intel order.
#if defined(__AVXVNNI__)
  const __m256i sw = _mm256_sign_epi8(w, x);
  // {vex}: the AVX-VNNI encoding (without it the assembler may pick AVX512-VNNI's EVEX one).
  __asm__("%{vex%} vpdpbusd {%2, %1, %0|%0, %1, %2}" : "+x"(s) : "x"(abs_x), "x"(sw));
#else
  const __m256i t = _mm256_madd_epi16(_mm256_maddubs_epi16(abs_x, _mm256_sign_epi8(w, x)), ones);
  __asm__("vpaddd {%1, %0, %0|%0, %0, %1}" : "+x"(s) : "x"(t));
#endif
}

// The loaders are function objects, not functions: avx2_steps hands them to its step as
// values, and a function pointer there is an indirect call that GCC does not inline below
// -O2 (an always_inline function then fails to compile, e.g. a user's -O1 build).
/// 32 bytes at p.
inline constexpr auto avx2_load32 = [](const std::int8_t* p) noexcept {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
};
/// 16 bytes at p, the upper 16 lanes zero (a zero x contributes nothing).
inline constexpr auto avx2_load16 = [](const std::int8_t* p) noexcept {
  return _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
};
/// 8 bytes at p, the upper 24 lanes zero.
inline constexpr auto avx2_load8 = [](const std::int8_t* p) noexcept {
  return _mm256_zextsi128_si256(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
};

/// The totals of four rows' partial sums, lane r = row r.
[[gnu::always_inline]] inline __m128i avx2_sum4(__m256i s0, __m256i s1, __m256i s2,
                                                __m256i s3) noexcept {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}
/// The total of one row's partial sums.
[[gnu::always_inline]] inline std::int32_t avx2_sum1(__m256i s) noexcept {
  __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
  h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
  return _mm_cvtsi128_si32(h);
}

/// The steps over one run of n inputs: step(load, i) for each 32 inputs, then for 16 and 8
/// (zero-extended loads); returns n − n % 8, where the inputs left start.
template <class Step>
[[gnu::always_inline]] inline std::size_t avx2_steps(std::size_t n, Step step) noexcept {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {  // two steps per iteration: half the loop's overhead
    step(avx2_load32, i);
    step(avx2_load32, i + 32);
  }
  if ((n & 32) != 0) {
    step(avx2_load32, i);
    i += 32;
  }
  if ((n & 16) != 0) step(avx2_load16, i);
  if ((n & 8) != 0) step(avx2_load8, i + (n & 16));
  return n & ~std::size_t{7};
}

/// Four rows: acc[0…3] = init[0…3] + the sums (acc may be init). Named accumulators: with
/// an array of them GCC copies every accumulator once per iteration.
[[gnu::always_inline]] inline void dot4_avx2(const std::int8_t* x, const std::int8_t* w,
                                             std::size_t stride, std::size_t n, std::int32_t* acc,
                                             const std::int32_t* init) noexcept {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  const std::int8_t* const w1 = w + stride;
  const std::int8_t* const w2 = w + 2 * stride;
  const std::int8_t* const w3 = w + 3 * stride;
  std::size_t i = avx2_steps(n, [&](auto load, std::size_t k) {
    const __m256i xv = load(x + k);
    const __m256i ax = _mm256_abs_epi8(xv);
    avx2_dot32_add(s0, ax, xv, load(w + k), ones);
    avx2_dot32_add(s1, ax, xv, load(w1 + k), ones);
    avx2_dot32_add(s2, ax, xv, load(w2 + k), ones);
    avx2_dot32_add(s3, ax, xv, load(w3 + k), ones);
  });
  __m128i sums = _mm_add_epi32(avx2_sum4(s0, s1, s2, s3),
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(init)));
  for (; i < n; ++i) {  // the last n % 8 inputs
    const std::int32_t xi = x[i];
    sums = _mm_add_epi32(sums, _mm_setr_epi32(xi * w[i], xi * w1[i], xi * w2[i], xi * w3[i]));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc), sums);
}

/// One row: *acc = *init + the sum.
[[gnu::always_inline]] inline void dot1_avx2(const std::int8_t* x, const std::int8_t* w,
                                             std::size_t n, std::int32_t* acc,
                                             const std::int32_t* init) noexcept {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i s = _mm256_setzero_si256();
  std::size_t i = avx2_steps(n, [&](auto load, std::size_t k) {
    const __m256i xv = load(x + k);
    avx2_dot32_add(s, _mm256_abs_epi8(xv), xv, load(w + k), ones);
  });
  std::int32_t a = *init + avx2_sum1(s);
  for (; i < n; ++i) a += std::int32_t{x[i]} * w[i];
  *acc = a;
}

/// Rows rows by groups of four, then one at a time.
template <std::size_t Rows>
[[gnu::always_inline]] inline void dot_rows_avx2(const std::int8_t* x, const std::int8_t* w,
                                                 std::size_t stride, std::size_t n,
                                                 std::int32_t* acc,
                                                 const std::int32_t* init) noexcept {
  std::size_t r = 0;
  for (; r + 4 <= Rows; r += 4) dot4_avx2(x, w + r * stride, stride, n, acc + r, init + r);
  for (; r < Rows; ++r) dot1_avx2(x, w + r * stride, n, acc + r, init + r);
}

/// The identity/relu epilogue of four outputs at once (requantize_linear in int8_layers.hpp,
/// lane by lane the same integers): y[r] = clamp(zy + requantize(acc[r], m[r], s[r]),
/// Relu ? zy : −128, 127), m = the four multipliers. Only requantize's path for shifts ≤ −2
/// (every dense and conv layer in practice): t = ⌊P / 2^32⌋ of the 64-bit product P (two
/// VPMULDQ, even and odd lanes), then ((2t >> ~s) + 1) >> 1 with VPSRAVD (~s in [1, 30]);
/// returns false, writing nothing, if a shift is above −2 (the caller takes the scalar path).
/// The clamps are VPMAXSD/VPMINSD and the saturating packs to int16 and int8.
template <bool Relu>
[[gnu::always_inline]] inline bool requantize_linear4_avx2(const std::int32_t* acc, __m128i m,
                                                           const std::int8_t* s, std::int32_t zy,
                                                           std::int8_t* y) noexcept {
  std::int32_t s4;
  std::memcpy(&s4, s, 4);
  const __m128i shift = _mm_cvtepi8_epi32(_mm_cvtsi32_si128(s4));
  if (_mm_movemask_epi8(_mm_cmpgt_epi32(shift, _mm_set1_epi32(-2))) != 0) return false;
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(acc));
  const __m128i p02 = _mm_mul_epi32(a, m);
  const __m128i p13 = _mm_mul_epi32(_mm_srli_epi64(a, 32), _mm_srli_epi64(m, 32));
  const __m128i high = _mm_blend_epi32(_mm_srli_epi64(p02, 32), p13, 0b1010);
  const __m128i right = _mm_xor_si128(shift, _mm_set1_epi32(-1));  // ~s
  __m128i v = _mm_srai_epi32(
      _mm_add_epi32(_mm_srav_epi32(_mm_add_epi32(high, high), right), _mm_set1_epi32(1)), 1);
  v = _mm_min_epi32(_mm_max_epi32(v, _mm_set1_epi32(Relu ? 0 : -256)), _mm_set1_epi32(255));
  v = _mm_add_epi32(v, _mm_set1_epi32(zy));
  const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(v, v), v);  // saturates to [−128, 127]
  const std::int32_t out = _mm_cvtsi128_si32(bytes);
  std::memcpy(y, &out, 4);
  return true;
}

}  // namespace ctnn::detail
#endif
