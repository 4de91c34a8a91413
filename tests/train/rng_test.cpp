// SPDX-License-Identifier: MIT
#include "ctnn/train/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace {

using ctnn::train::rng;

// Reference values from an independent Python transcription of the authors' C code
// (splitmix64.c, xoshiro256starstar.c); splitmix64(0)'s first output 0xe220a8397b1dcdaf is
// also the value published with the algorithm.
TEST(Rng, SplitMix64ReferenceOutputs) {
  std::uint64_t s = 0;
  EXPECT_EQ(ctnn::train::splitmix64(s), 0xe220a8397b1dcdafull);
  EXPECT_EQ(ctnn::train::splitmix64(s), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(ctnn::train::splitmix64(s), 0x06c45d188009454full);
  EXPECT_EQ(ctnn::train::splitmix64(s), 0xf88bb8a8724c81ecull);
}

TEST(Rng, Xoshiro256StarStarReferenceOutputs) {
  rng r(rng::state_type{1, 2, 3, 4});
  EXPECT_EQ(r.next(), 11520u);
  EXPECT_EQ(r.next(), 0u);
  EXPECT_EQ(r.next(), 1509978240u);
  EXPECT_EQ(r.next(), 0x10e0000000009d80ull);
  EXPECT_EQ(r.next(), 0x10e0b61ce1009d80ull);
  EXPECT_EQ(r.next(), 0x0870021ce143ad00ull);
}

TEST(Rng, SeedGoesThroughSplitMix64) {
  rng r(42);
  EXPECT_EQ(r.state()[0], 0xbdd732262feb6e95ull);
  EXPECT_EQ(r.state()[3], 0x581ce1ff0e4ae394ull);
  EXPECT_EQ(r.next(), 0x15780b2e0c2ec716ull);
  EXPECT_EQ(r.next(), 0x6104d9866d113a7eull);
  EXPECT_EQ(r.next(), 0xae17533239e499a1ull);
}

TEST(Rng, StateRoundTripContinuesTheSequence) {
  rng a(7);
  for (int i = 0; i < 100; ++i) a.next();
  rng b(a.state());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Rng, OwnLogMatchesStdLogWithinTwoUlp) {
  rng r(3);
  for (int i = 0; i < 100000; ++i) {
    // Log-uniform over the whole normal range and some subnormals.
    const double e = r.uniform() * 2100.0 - 1070.0;
    const double x = std::ldexp(1.0 + r.uniform(), static_cast<int>(e));
    if (!(x > 0) || !std::isfinite(x)) continue;
    const double got = ctnn::train::detail::log(x);
    const double want = std::log(x);
    const double ulp = std::nextafter(std::fabs(want), INFINITY) - std::fabs(want);
    ASSERT_LE(std::fabs(got - want), 2 * ulp) << "x = " << x;
  }
  EXPECT_EQ(ctnn::train::detail::log(1.0), 0.0);
}

TEST(Rng, UniformIsInUnitIntervalWithMeanHalf) {
  rng r(11);
  double sum = 0;
  constexpr int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // Standard error of the mean: sqrt(1/12/n) ≈ 6.5e-4; allow 5 sigma.
  EXPECT_NEAR(sum / n, 0.5, 5 * 6.5e-4);
}

TEST(Rng, BelowIsUnbiasedOverSmallRange) {
  rng r(5);
  int counts[7] = {};
  constexpr int n = 70000;
  for (int i = 0; i < n; ++i) {
    const auto v = r.below(7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  // Each count ~ Binomial(n, 1/7): sd ≈ 92; allow 5 sigma.
  for (int c : counts) EXPECT_NEAR(c, n / 7, 460);
}

TEST(Rng, NormalHasZeroMeanUnitVarianceAndGaussianTails) {
  rng r(1234);
  constexpr int n = 400000;
  double s = 0, s2 = 0, s4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    s += z;
    s2 += z * z;
    s4 += z * z * z * z;
    beyond2 += std::fabs(z) > 2.0;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5 * std::sqrt(1.0 / n));     // se = 1/sqrt(n)
  EXPECT_NEAR(var, 1.0, 5 * std::sqrt(2.0 / n));      // se(var) = sqrt(2/n)
  EXPECT_NEAR(s4 / n, 3.0, 5 * std::sqrt(96.0 / n));  // kurtosis 3, var(z^4) = 96
  EXPECT_NEAR(double(beyond2) / n, 0.0455, 5 * std::sqrt(0.0455 * 0.9545 / n));
}

TEST(Rng, NormalSequenceIsAFunctionOfTheSeed) {
  rng a(99), b(99), c(100);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    differs |= x != c.normal();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
