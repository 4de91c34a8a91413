// SPDX-License-Identifier: MIT
// The AVX2 identity/relu epilogue of four outputs (detail/int8_kernel_avx2.hpp:
// requantize_linear4_avx2) against the single-rounding formula written here in 64-bit
// arithmetic, ⌊(acc·M + 2^(30−s)) / 2^(31−s)⌋ then the clamps: every shift in [−31, −2],
// accumulators at the int32 extremes, multipliers at 2^30 and near 2^31, zero points at
// both ends, relu and identity; and the fallback (false, nothing written) when a shift is
// above −2. (The kernel's sums are tested in int8_kernel_test.cpp, whatever path the
// target compiles.)
#include "ctnn/detail/int8_kernel_avx2.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>

namespace {

#if defined(CTNN_DETAIL_INT8_AVX2)

/// clamp(zy + round(acc·m·2^(s−31)), relu ? zy : −128, 127), ties toward +∞, in int64.
std::int8_t reference(std::int32_t acc, std::int32_t m, int s, std::int32_t zy, bool relu) {
  const int right = 31 - s;  // 33 … 62
  const std::int64_t p = std::int64_t{acc} * std::int64_t{m};
  std::int64_t v = (p + (std::int64_t{1} << (right - 1))) >> right;
  v += zy;
  const std::int64_t lo = relu ? zy : -128;
  if (v < lo) v = lo;
  if (v > 127) v = 127;
  return static_cast<std::int8_t>(v);
}

template <bool Relu>
void check(const std::int32_t (&acc)[4], const std::int32_t (&m)[4], const std::int8_t (&s)[4],
           std::int32_t zy) {
  std::int8_t y[4] = {11, 22, 33, 44};
  ASSERT_TRUE(ctnn::detail::requantize_linear4_avx2<Relu>(
      acc, _mm_loadu_si128(reinterpret_cast<const __m128i*>(m)), s, zy, y));
  for (std::size_t r = 0; r < 4; ++r)
    EXPECT_EQ(y[r], reference(acc[r], m[r], s[r], zy, Relu))
        << "acc " << acc[r] << " m " << m[r] << " s " << int{s[r]} << " zy " << zy
        << (Relu ? " relu" : " identity");
}

TEST(Int8KernelAvx2, EpilogueAgainstFormula) {
  std::mt19937 gen(12345);
  constexpr std::int32_t int_min = std::numeric_limits<std::int32_t>::min();
  constexpr std::int32_t int_max = std::numeric_limits<std::int32_t>::max();
  std::uniform_int_distribution<std::int32_t> any(int_min, int_max);
  std::uniform_int_distribution<std::int32_t> small(-70000, 70000);
  std::uniform_int_distribution<std::int32_t> multiplier(1 << 30, int_max);
  std::uniform_int_distribution<int> shift(-31, -2);
  const std::int32_t special_acc[] = {int_min, int_max, 0, -1, 1, int_min + 1, 1 << 20};
  const std::int32_t special_m[] = {1 << 30, int_max, int_max - 1, (1 << 30) + 1};
  for (const std::int32_t zy : {-128, 127, 0, -5}) {
    for (int sh = -31; sh <= -2; ++sh)
      for (const std::int32_t a : special_acc)
        for (const std::int32_t mm : special_m) {
          const std::int32_t acc[4] = {a, a == int_min ? 0 : -a, a / 3, a / 1000};
          const std::int32_t m[4] = {mm, int_max, 1 << 30, mm};
          const auto sv = static_cast<std::int8_t>(sh);
          const std::int8_t s[4] = {sv, static_cast<std::int8_t>(-2), sv,
                                    static_cast<std::int8_t>(-31)};
          check<true>(acc, m, s, zy);
          check<false>(acc, m, s, zy);
        }
    for (int k = 0; k < 2000; ++k) {
      std::int32_t acc[4], m[4];
      std::int8_t s[4];
      for (std::size_t r = 0; r < 4; ++r) {
        acc[r] = k % 2 ? any(gen) : small(gen);
        m[r] = multiplier(gen);
        s[r] = static_cast<std::int8_t>(k % 3 ? shift(gen) : -2 - (k % 12));
      }
      check<true>(acc, m, s, zy);
      check<false>(acc, m, s, zy);
    }
  }
}

TEST(Int8KernelAvx2, ShiftAboveMinusTwoFallsBack) {
  const std::int32_t acc[4] = {1000, 2000, 3000, 4000};
  const __m128i m = _mm_set1_epi32(1 << 30);
  for (std::size_t bad = 0; bad < 4; ++bad)
    for (const int sh : {-1, 0, 5, 30}) {
      std::int8_t s[4] = {-8, -8, -8, -8};
      s[bad] = static_cast<std::int8_t>(sh);
      std::int8_t y[4] = {11, 22, 33, 44};
      EXPECT_FALSE(ctnn::detail::requantize_linear4_avx2<true>(acc, m, s, 0, y));
      EXPECT_EQ(y[0], 11);
      EXPECT_EQ(y[1], 22);
      EXPECT_EQ(y[2], 33);
      EXPECT_EQ(y[3], 44);
    }
}

#else

TEST(Int8KernelAvx2, NotCompiled) {
  GTEST_SKIP() << "no AVX2 on this target";
}

#endif

}  // namespace
