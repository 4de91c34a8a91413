// SPDX-License-Identifier: MIT
// quantization.hpp: the int8 arithmetic primitives against exact references — the multiplier
// representation's round trip, single-rounding requantisation against a 128-bit reference
// at the extremes, the Q16 exponential against std::exp2 over its whole domain, clamping.
#include "ctnn/quantization.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "int8_reference.hpp"

namespace {

constexpr std::int32_t i32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t i32_max = std::numeric_limits<std::int32_t>::max();

/// The expected representation of m > 0 from the documented rule, with frexp and ldexp
/// (exact scalings): multiplier = round(m·2^(31 − shift)) half away from zero, in [2^30, 2^31).
ctnn::quantized_multiplier expected_multiplier(double m) {
  if (!(m > 0)) return {};
  int e = 0;
  const double f = std::frexp(m, &e);  // m = f·2^e, f in [0.5, 1)
  if (e > 30) return {i32_max, 30};
  if (e < -31) return {};
  double q = std::floor(std::ldexp(f, 31) + 0.5);
  if (q >= 2147483648.0) {
    q /= 2;
    ++e;
    if (e > 30) return {i32_max, 30};
  }
  return {static_cast<std::int32_t>(q), e};
}

void check_round_trip(double m) {
  SCOPED_TRACE(::testing::Message() << "m = " << std::hexfloat << m);
  const ctnn::quantized_multiplier q = ctnn::quantize_multiplier(m);
  const ctnn::quantized_multiplier want = expected_multiplier(m);
  EXPECT_EQ(q.multiplier, want.multiplier);
  EXPECT_EQ(q.shift, want.shift);
  if (q.multiplier == 0) return;
  EXPECT_GE(q.multiplier, std::int32_t{1} << 30);
  EXPECT_GE(q.shift, -31);
  EXPECT_LE(q.shift, 30);
  if (q.multiplier == i32_max && q.shift == 30 && m >= 0x1p30 - 0x1p-2) return;  // saturated
  const double back = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
  EXPECT_LT(std::fabs(back - m) / m, 0x1p-30);
}

TEST(QuantizeMultiplier, RoundTripAtPowersOfTwoAndTheirNeighbours) {
  check_round_trip(1.0);
  check_round_trip(0.5);
  check_round_trip(0.75);
  for (int k = -32; k <= 29; ++k) {
    const double p = std::ldexp(1.0, k);
    check_round_trip(p);
    check_round_trip(std::nextafter(p, 0.0));
    check_round_trip(std::nextafter(p, 1e300));
    check_round_trip(p * (1 - 0x1p-33));  // rounds up to the next power of two (carry)
    check_round_trip(p * (1 - 0x1p-31));  // just below the carry
    check_round_trip(p * 1.5);
  }
}

TEST(QuantizeMultiplier, RoundTripOverRandomMagnitudes) {
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> exponent(-32.0, 30.0);
  for (int t = 0; t < 100000; ++t) check_round_trip(std::exp2(exponent(rng)));
}

TEST(QuantizeMultiplier, TinyZeroAndInvalidGiveZero) {
  for (double m :
       {0.0, -0.0, -1.0, 0x1p-33, 0x1p-40, 1e-300, 4.9e-324,
        std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
    const ctnn::quantized_multiplier q = ctnn::quantize_multiplier(m);
    EXPECT_EQ(q.multiplier, 0) << m;
    EXPECT_EQ(q.shift, 0) << m;
  }
  // The smallest representable m, 2^−32 = 2^30·2^(−31 − 31).
  const ctnn::quantized_multiplier q = ctnn::quantize_multiplier(0x1p-32);
  EXPECT_EQ(q.multiplier, std::int32_t{1} << 30);
  EXPECT_EQ(q.shift, -31);
}

TEST(QuantizeMultiplier, HugeSaturates) {
  for (double m :
       {0x1p30, 0x1p30 - 0x1p-3, 0x1p31, 1e12, 1e300, std::numeric_limits<double>::infinity()}) {
    const ctnn::quantized_multiplier q = ctnn::quantize_multiplier(m);
    EXPECT_EQ(q.multiplier, i32_max) << m;
    EXPECT_EQ(q.shift, 30) << m;
  }
  // The largest m below saturation: (2^31 − 1)·2^−1.
  const ctnn::quantized_multiplier q = ctnn::quantize_multiplier(0x1p30 - 0.5);
  EXPECT_EQ(q.multiplier, i32_max);
  EXPECT_EQ(q.shift, 30);
  static_assert(ctnn::quantize_multiplier(1.0).multiplier == 1 << 30);
  static_assert(ctnn::quantize_multiplier(1.0).shift == 1);
}

// --- requantize ---------------------------------------------------------------------------

void check_requantize(std::int32_t acc, std::int32_t m, int shift) {
  const std::int32_t want = int8_ref::requantize(acc, {m, shift});
  ASSERT_EQ(ctnn::requantize(acc, m, shift), want)
      << "acc " << acc << " multiplier " << m << " shift " << shift;
}

TEST(Requantize, HandValues) {
  // m = 2^30·2^(0 − 31) = 1/2: 3/2 → 2 and −3/2 → −1 (ties toward +∞), 5/2 → 3.
  EXPECT_EQ(ctnn::requantize(3, 1 << 30, 0), 2);
  EXPECT_EQ(ctnn::requantize(-3, 1 << 30, 0), -1);
  EXPECT_EQ(ctnn::requantize(5, 1 << 30, 0), 3);
  EXPECT_EQ(ctnn::requantize(-5, 1 << 30, 0), -2);
  EXPECT_EQ(ctnn::requantize(-4, 1 << 30, 0), -2);
  // m = 1: identity, including the extremes.
  EXPECT_EQ(ctnn::requantize(i32_min, 1 << 30, 1), i32_min);
  EXPECT_EQ(ctnn::requantize(i32_max, 1 << 30, 1), i32_max);
  // Saturation: m ≈ 2^30.
  EXPECT_EQ(ctnn::requantize(2, i32_max, 30), i32_max);
  EXPECT_EQ(ctnn::requantize(-2, i32_max, 30), -i32_max);  // exactly −(2^31 − 1)
  EXPECT_EQ(ctnn::requantize(-3, i32_max, 30), i32_min);
  EXPECT_EQ(ctnn::requantize(i32_min, i32_max, 30), i32_min);
  // Tiny: m = 2^30·2^−62 = 2^−32, so only |acc| ≥ 2^31 would survive.
  EXPECT_EQ(ctnn::requantize(i32_max, 1 << 30, -31), 0);
  EXPECT_EQ(ctnn::requantize(i32_min, 1 << 30, -31), 0);   // −1/2 rounds up to 0
  EXPECT_EQ(ctnn::requantize(i32_min, i32_max, -31), -1);  // −(2^31 − 1)/2^31
  // m = 0.
  EXPECT_EQ(ctnn::requantize(i32_max, 0, 0), 0);
}

TEST(Requantize, ExtremesAgainstExactReference) {
  const std::vector<std::int32_t> accs = {
      i32_min, i32_min + 1, -65536, -257, -3, -2, -1, 0, 1, 2, 3, 255, 65536, i32_max - 1, i32_max};
  const std::vector<std::int32_t> ms = {
      0, 1, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, 1518500250, i32_max - 1, i32_max};
  for (int shift = -31; shift <= 30; ++shift)
    for (std::int32_t acc : accs)
      for (std::int32_t m : ms) check_requantize(acc, m, shift);
}

TEST(Requantize, RandomAgainstExactReference) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int32_t> any(i32_min, i32_max);
  std::uniform_int_distribution<std::int32_t> mantissa(1 << 30, i32_max);
  std::uniform_int_distribution<int> shift(-31, 30);
  std::uniform_int_distribution<int> bits(0, 31);
  for (int t = 0; t < 200000; ++t) {
    // Accumulators of every magnitude, not only the (mostly huge) uniform ones.
    const std::int32_t acc = any(rng) >> bits(rng);
    check_requantize(acc, mantissa(rng), shift(rng));
  }
}

TEST(Requantize, TiesRoundTowardPlusInfinity) {
  // acc·m·2^(shift − 31) = k + 1/2 exactly: acc odd, m = 2^30, shift 0.
  for (std::int32_t k = -1000; k <= 1000; ++k)
    EXPECT_EQ(ctnn::requantize(2 * k + 1, 1 << 30, 0), k + 1) << k;
}

// --- exp2_negative_q16 ---------------------------------------------------------------------

TEST(Exp2NegativeQ16, WithinOneOfStdExp2OverTheWholeDomain) {
  // round(2^16·2^(−u/2^16)) for u ≤ 17·2^16 and a margin. The contract: the correctly
  // rounded value or next to it; the documented polynomial error (below 2e−7 before the final
  // rounding, 0.013 units of 2^−16) bounds the distance to the exact value by 0.5 + 0.013.
  int max_diff = 0;
  double max_error = 0;
  std::int32_t previous = 65537;
  for (std::uint32_t u = 0; u <= 18u * 65536u; ++u) {
    const std::int32_t got = ctnn::exp2_negative_q16(u);
    const double exact = 65536.0 * std::exp2(-static_cast<double>(u) / 65536.0);
    const auto rounded = static_cast<std::int32_t>(std::floor(exact + 0.5));
    const int diff = std::abs(got - rounded);
    if (diff > max_diff) max_diff = diff;
    if (std::fabs(got - exact) > max_error) max_error = std::fabs(got - exact);
    ASSERT_LE(diff, 1) << "u = " << u << ": got " << got << ", exact " << exact;
    ASSERT_LE(got, previous) << "not monotone at u = " << u;
    previous = got;
  }
  EXPECT_LT(max_error, 0.5 + 0.014);
  RecordProperty("max_abs_error_vs_exact", std::to_string(max_error));
  RecordProperty("max_distance_to_correctly_rounded", max_diff);
}

TEST(Exp2NegativeQ16, EndPoints) {
  EXPECT_EQ(ctnn::exp2_negative_q16(0), 65536);
  EXPECT_EQ(ctnn::exp2_negative_q16(65536), 32768);     // 2^−1
  EXPECT_EQ(ctnn::exp2_negative_q16(16u * 65536u), 1);  // 2^−16
  EXPECT_EQ(ctnn::exp2_negative_q16(17u * 65536u), 0);  // 2^−17 rounds to 0 (ties up: 1/2)
  EXPECT_EQ(ctnn::exp2_negative_q16(18u * 65536u), 0);
  EXPECT_EQ(ctnn::exp2_negative_q16(std::numeric_limits<std::uint32_t>::max()), 0);
}

// --- clamp_int8, saturate_int32 --------------------------------------------------------------

TEST(ClampInt8, DefaultAndCustomBounds) {
  EXPECT_EQ(ctnn::clamp_int8(i32_min), -128);
  EXPECT_EQ(ctnn::clamp_int8(-129), -128);
  EXPECT_EQ(ctnn::clamp_int8(-128), -128);
  EXPECT_EQ(ctnn::clamp_int8(127), 127);
  EXPECT_EQ(ctnn::clamp_int8(128), 127);
  EXPECT_EQ(ctnn::clamp_int8(i32_max), 127);
  for (std::int32_t v = -128; v <= 127; ++v) EXPECT_EQ(ctnn::clamp_int8(v), v);
  EXPECT_EQ(ctnn::clamp_int8(5, 10, 127), 10);  // relu with z_out = 10
  EXPECT_EQ(ctnn::clamp_int8(-300, 10, 127), 10);
  EXPECT_EQ(ctnn::clamp_int8(50, 10, 20), 20);
  EXPECT_EQ(ctnn::clamp_int8(15, 10, 20), 15);
}

TEST(SaturateInt32, Bounds) {
  EXPECT_EQ(ctnn::saturate_int32(std::int64_t{i32_max} + 1), i32_max);
  EXPECT_EQ(ctnn::saturate_int32(std::int64_t{i32_min} - 1), i32_min);
  EXPECT_EQ(ctnn::saturate_int32(std::numeric_limits<std::int64_t>::min()), i32_min);
  EXPECT_EQ(ctnn::saturate_int32(std::numeric_limits<std::int64_t>::max()), i32_max);
  EXPECT_EQ(ctnn::saturate_int32(-7), -7);
}

}  // namespace
