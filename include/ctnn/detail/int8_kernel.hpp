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
/// once for all rows), and x86-64 with AVX2 (int8_kernel_avx2.hpp: VPMADDUBSW on |x| and
/// the weights carrying x's sign, 32 MACs per row in 5 instructions).
/// Callers keep every partial sum inside int32 (quantized.hpp bounds the fan-in).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctnn/detail/int8_kernel_avx2.hpp"

#if defined(__GNUC__) && !defined(__ARM_FEATURE_DSP) && \
    (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_6M__))
// Cortex-M3 (ARMv7-M) and Cortex-M0/M0+ (ARMv6-M): no SIMD, hand-scheduled loops below.
#define CTNN_DETAIL_ARM_SCALAR_ASM 1
#endif
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#include <arm_acle.h>
#define CTNN_DETAIL_ARM_DSP 1
#endif

namespace ctnn::detail {

/// The portable kernel: one pass over x, each x[i] loaded once for all rows.
template <std::size_t Rows>
constexpr void dot_rows_portable(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                                 std::size_t n, std::int32_t* acc,
                                 const std::int32_t* init) noexcept {
  if constexpr (Rows == 4) {
    // The common case, written out: four accumulators and four row pointers that the
    // compiler keeps in registers (an array of accumulators spills at -Os), two inputs per
    // iteration. Cortex-M3: LDRSB + MLA per MAC; Cortex-M0: LDRSB + MULS + ADD.
    const std::int8_t* w0 = w;
    const std::int8_t* w1 = w + stride;
    const std::int8_t* w2 = w + 2 * stride;
    const std::int8_t* w3 = w + 3 * stride;
    std::int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
    const std::int8_t* const pairs_end = x + (n & ~std::size_t{1});
    while (x != pairs_end) {
      const std::int32_t xa = x[0], xb = x[1];
      x += 2;
      a0 += xa * w0[0];
      a1 += xa * w1[0];
      a2 += xa * w2[0];
      a3 += xa * w3[0];
      a0 += xb * w0[1];
      a1 += xb * w1[1];
      a2 += xb * w2[1];
      a3 += xb * w3[1];
      w0 += 2;
      w1 += 2;
      w2 += 2;
      w3 += 2;
    }
    if ((n & 1) != 0) {
      const std::int32_t xa = x[0];
      a0 += xa * w0[0];
      a1 += xa * w1[0];
      a2 += xa * w2[0];
      a3 += xa * w3[0];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
  } else {
    std::int32_t a[Rows];
    for (std::size_t r = 0; r < Rows; ++r) a[r] = init[r];
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t xi = x[i];
#pragma GCC unroll 8
      for (std::size_t r = 0; r < Rows; ++r) a[r] += xi * std::int32_t{w[r * stride + i]};
    }
    for (std::size_t r = 0; r < Rows; ++r) acc[r] = a[r];
  }
}

#if defined(CTNN_DETAIL_ARM_DSP)
[[gnu::always_inline]] inline std::uint32_t load_word(const std::int8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);  // LDR: unaligned word loads are legal on ARMv7-M/ARMv8-M Main
  return v;
}
/// The parameter type of a one-argument function (__sxtb16's differs between GCC versions).
template <class R, class P>
P parameter_of(R (*)(P));

/// Bytes 0 and 2 of v, sign-extended to two int16 lanes (SXTB16).
[[gnu::always_inline]] inline std::int32_t sxtb16(std::uint32_t v) noexcept {
  return static_cast<std::int32_t>(__sxtb16(static_cast<decltype(parameter_of(&__sxtb16))>(v)));
}

/// Bytes 1 and 3 of v, sign-extended to two int16 lanes (SXTB16 with ROR #8).
[[gnu::always_inline]] inline std::int32_t sxtb16_ror8(std::uint32_t v) noexcept {
  std::int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

template <std::size_t Rows>
[[gnu::always_inline]] inline void dot_rows_dsp(const std::int8_t* x, const std::int8_t* w,
                                                std::size_t stride, std::size_t n,
                                                std::int32_t* acc,
                                                const std::int32_t* init) noexcept {
  if constexpr (Rows == 4) {
    // Written out so that -Os keeps the 4 accumulators, the row pointers and the expanded
    // input in registers: per 4 inputs 1 LDR + 2 SXTB16 for x, then 5 instructions per
    // row; 8 inputs per iteration.
    const std::int8_t* w0 = w;
    const std::int8_t* w1 = w + stride;
    const std::int8_t* w2 = w + 2 * stride;
    const std::int8_t* w3 = w + 3 * stride;
    std::int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
    const std::int8_t* const x_end = x + n;
    const std::int8_t* const end4 = x + (n & ~std::size_t{3});
    if (x != end4) {
      // In assembly: GCC (-Os and -O2 alike) spills this loop's live values. Rows 1 and 3
      // are loaded at a register offset (the stride) from rows 0 and 2, which frees the
      // registers of two row pointers and keeps the loop's end in one. 8 inputs per
      // iteration: 2 × (LDR + 2 × SXTB16 + 4 rows × (LDR + 2 × SXTB16 + 2 × SMLAD)) + CMP +
      // BNE = 48 instructions for 32 MACs. An odd number of 4-input steps enters the loop
      // at its second half (label 2), so no separate copy of a step handles it (code size).
      std::uint32_t s = static_cast<std::uint32_t>(n), t;
      std::int32_t x02, x13;
#define CTNN_DETAIL_DSP_ROW(LOAD, A)        \
  LOAD "\n\t"                               \
       "sxtb16 %[s], %[t]\n\t"              \
       "smlad %[" A "], %[s], %[x02], %[" A \
       "]\n\t"                              \
       "sxtb16 %[t], %[t], ror #8\n\t"      \
       "smlad %[" A "], %[t], %[x13], %[" A "]\n\t"
#define CTNN_DETAIL_DSP_QUAD                                                              \
  "ldr %[s], [%[x]], #4\n\t"                                                              \
  "sxtb16 %[x02], %[s]\n\t"                                                               \
  "sxtb16 %[x13], %[s], ror #8\n\t" CTNN_DETAIL_DSP_ROW("ldr %[t], [%[w0], %[st]]", "a1") \
      CTNN_DETAIL_DSP_ROW("ldr %[t], [%[w0]], #4", "a0")                                  \
          CTNN_DETAIL_DSP_ROW("ldr %[t], [%[w2], %[st]]", "a3")                           \
              CTNN_DETAIL_DSP_ROW("ldr %[t], [%[w2]], #4", "a2")
      __asm__(
          "lsls %[s], %[s], #29\n\t"  // bit 2 of n (an odd number of steps) into N
          "bmi 2f\n"
          "1:\n\t" CTNN_DETAIL_DSP_QUAD "2:\n\t" CTNN_DETAIL_DSP_QUAD
          "cmp %[x], %[end]\n\t"
          "bne 1b\n\t"
          : [x] "+r"(x), [w0] "+r"(w0), [w2] "+r"(w2), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2),
            [a3] "+r"(a3), [s] "+r"(s), [t] "=&r"(t), [x02] "=&r"(x02), [x13] "=&r"(x13)
          : [st] "r"(stride), [end] "r"(end4)
          : "cc", "memory");
#undef CTNN_DETAIL_DSP_QUAD
#undef CTNN_DETAIL_DSP_ROW
      w1 = w0 + stride;
      w3 = w2 + stride;
    }
    for (; x != x_end; ++x) {
      const std::int32_t xi = *x;
      a0 += xi * *w0++;
      a1 += xi * *w1++;
      a2 += xi * *w2++;
      a3 += xi * *w3++;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
  } else {
    std::int32_t a[Rows];
    for (std::size_t r = 0; r < Rows; ++r) a[r] = init[r];
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const std::uint32_t xw = load_word(x + i);
      const std::int32_t x02 = sxtb16(xw);
      const std::int32_t x13 = sxtb16_ror8(xw);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < Rows; ++r) {
        const std::uint32_t ww = load_word(w + r * stride + i);
        a[r] = __smlad(sxtb16(ww), x02, a[r]);
        a[r] = __smlad(sxtb16_ror8(ww), x13, a[r]);
      }
    }
    for (std::size_t r = 0; r < Rows; ++r) acc[r] = a[r];
    if (i < n) dot_rows_portable<Rows>(x + i, w + i, stride, n - i, acc, acc);
  }
}
#endif

#if defined(CTNN_DETAIL_ARM_SCALAR_ASM)
/// Four rows on cores without SIMD, in assembly because GCC spills this loop's registers
/// at -Os (measured: 37 instructions per 8 MACs on the M3, where 20 suffice).
/// - Cortex-M3: two inputs per iteration, LDRSB with post-increment + MLA per MAC:
///   2 + 4 × 2 × 2 + CMP + BNE = 20 instructions for 8 MACs.
/// - Cortex-M0: Thumb-1 has LDRSB with a register offset only and MULS without
///   accumulate; the accumulators live in r8–r11 ("h" registers, ADD reaches them):
///   LDRSB x + 4 × (LDRSB + MULS + ADD) + ADDS + CMP + BNE = 16 instructions for 4 MACs.
inline void dot_rows4_scalar_asm(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                                 std::size_t n, std::int32_t* acc,
                                 const std::int32_t* init) noexcept {
  const std::int8_t* w0 = w;
  const std::int8_t* w1 = w + stride;
  const std::int8_t* w2 = w + 2 * stride;
  const std::int8_t* w3 = w + 3 * stride;
  std::int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
#if defined(__ARM_ARCH_7M__)
  const std::int8_t* const pairs_end = x + (n & ~std::size_t{1});
  if (x != pairs_end) {
    std::int32_t xa, xb, t;
#define CTNN_DETAIL_V7M_ROW(W, A)   \
  "ldrsb %[t], [%[" W               \
  "]], #1\n\t"                      \
  "mla %[" A "], %[xa], %[t], %[" A \
  "]\n\t"                           \
  "ldrsb %[t], [%[" W               \
  "]], #1\n\t"                      \
  "mla %[" A "], %[xb], %[t], %[" A "]\n\t"
    __asm__("1:\n\t"
            "ldrsb %[xa], [%[x]], #1\n\t"
            "ldrsb %[xb], [%[x]], #1\n\t" CTNN_DETAIL_V7M_ROW("w0", "a0")
                CTNN_DETAIL_V7M_ROW("w1", "a1") CTNN_DETAIL_V7M_ROW("w2", "a2")
                    CTNN_DETAIL_V7M_ROW("w3", "a3") "ldr %[t], %[end]\n\t"
            "cmp %[x], %[t]\n\t"
            "bne 1b\n\t"
            : [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3),
              [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xa] "=&r"(xa),
              [xb] "=&r"(xb), [t] "=&r"(t)
            : [end] "m"(pairs_end)
            : "cc", "memory");
#undef CTNN_DETAIL_V7M_ROW
  }
  if ((n & 1) != 0) {
    const std::int32_t xi = *x;
    a0 += xi * *w0;
    a1 += xi * *w1;
    a2 += xi * *w2;
    a3 += xi * *w3;
  }
#else  // ARMv6-M
  if (n != 0) {
    std::size_t i = 0;
    std::int32_t xi, t;
    // Thumb-1 reaches r8–r12 only with MOV, ADD and CMP: pin the accumulators there.
    register std::int32_t h0 __asm__("r8") = a0;
    register std::int32_t h1 __asm__("r9") = a1;
    register std::int32_t h2 __asm__("r10") = a2;
    register std::int32_t h3 __asm__("r11") = a3;
    register std::size_t hn __asm__("r12") = n;
    // GCC hands Thumb-1 inline assembly to the assembler in divided syntax.
    __asm__(
        ".syntax unified\n"
        "1:\n\t"
        "ldrsb %[xi], [%[x], %[i]]\n\t"
        "ldrsb %[t], [%[w0], %[i]]\n\t"
        "muls %[t], %[xi], %[t]\n\t"
        "add %[a0], %[t]\n\t"
        "ldrsb %[t], [%[w1], %[i]]\n\t"
        "muls %[t], %[xi], %[t]\n\t"
        "add %[a1], %[t]\n\t"
        "ldrsb %[t], [%[w2], %[i]]\n\t"
        "muls %[t], %[xi], %[t]\n\t"
        "add %[a2], %[t]\n\t"
        "ldrsb %[t], [%[w3], %[i]]\n\t"
        "muls %[t], %[xi], %[t]\n\t"
        "add %[a3], %[t]\n\t"
        "adds %[i], #1\n\t"
        "cmp %[i], %[n]\n\t"
        "bne 1b\n\t"
        ".syntax divided\n"
        : [i] "+l"(i), [a0] "+r"(h0), [a1] "+r"(h1), [a2] "+r"(h2), [a3] "+r"(h3), [xi] "=&l"(xi),
          [t] "=&l"(t)
        : [x] "l"(x), [w0] "l"(w0), [w1] "l"(w1), [w2] "l"(w2), [w3] "l"(w3), [n] "r"(hn)
        : "cc");
    a0 = h0;
    a1 = h1;
    a2 = h2;
    a3 = h3;
  }
#endif
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}
#endif

/// acc[r] = init[r] + Σ_{i<n} x[i]·w[r·stride + i], r < Rows (init may be acc): the
/// fastest path the target has. Starting from init (e.g. the biases) saves copying them
/// into acc first.
template <std::size_t Rows>
constexpr void dot_rows(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                        std::size_t n, std::int32_t* acc, const std::int32_t* init) noexcept {
#if defined(CTNN_DETAIL_ARM_DSP)
  if (!std::is_constant_evaluated()) return dot_rows_dsp<Rows>(x, w, stride, n, acc, init);
#elif defined(CTNN_DETAIL_INT8_AVX2)
  if (!std::is_constant_evaluated()) return dot_rows_avx2<Rows>(x, w, stride, n, acc, init);
#elif defined(CTNN_DETAIL_ARM_SCALAR_ASM)
  if constexpr (Rows == 4)
    if (!std::is_constant_evaluated()) return dot_rows4_scalar_asm(x, w, stride, n, acc, init);
#endif
  dot_rows_portable<Rows>(x, w, stride, n, acc, init);
}
/// acc[r] += Σ_{i<n} x[i]·w[r·stride + i], r < Rows.
template <std::size_t Rows>
constexpr void dot_rows(const std::int8_t* x, const std::int8_t* w, std::size_t stride,
                        std::size_t n, std::int32_t* acc) noexcept {
  dot_rows<Rows>(x, w, stride, n, acc, acc);
}

}  // namespace ctnn::detail
