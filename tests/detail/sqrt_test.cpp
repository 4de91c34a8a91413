// SPDX-License-Identifier: MIT
// detail::soft_sqrt against the correctly rounded hardware square root (std::sqrt, IEEE
// 754): random bit patterns over every exponent (normal and subnormal), perfect squares,
// the neighbours of perfect squares, special values, and in constant evaluation.
#include "ctnn/detail/sqrt.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace {

using ctnn::detail::soft_sqrt;

static_assert(soft_sqrt(4.0f) == 2.0f);
static_assert(soft_sqrt(2.25) == 1.5);
static_assert(soft_sqrt(0.0f) == 0.0f);
static_assert(soft_sqrt(1.0) == 1.0);

template <class T, class U>
void random_bits(std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  int checked = 0;
  while (checked < count) {
    const U bits = static_cast<U>(rng()) & ~(U(1) << (sizeof(U) * 8 - 1));  // positive
    const T x = std::bit_cast<T>(bits);
    if (!std::isfinite(x)) continue;
    ASSERT_EQ(std::bit_cast<U>(soft_sqrt(x)), std::bit_cast<U>(std::sqrt(x))) << std::hexfloat << x;
    ++checked;
  }
}

TEST(SoftSqrt, RandomFloatBits) {
  random_bits<float, std::uint32_t>(1, 300000);
}
TEST(SoftSqrt, RandomDoubleBits) {
  random_bits<double, std::uint64_t>(2, 300000);
}

template <class T>
void squares_and_neighbours() {
  for (int i = 1; i < 5000; ++i) {
    const T s = T(i) * T(i);
    for (T x : {s, std::nextafter(s, T(0)), std::nextafter(s, T(1e30)), s / T(1024)}) {
      EXPECT_EQ(soft_sqrt(x), std::sqrt(x)) << std::hexfloat << x;
    }
  }
}

TEST(SoftSqrt, SquaresAndTheirNeighbours) {
  squares_and_neighbours<float>();
  squares_and_neighbours<double>();
}

TEST(SoftSqrt, SpecialValues) {
  for (double x : {std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::max(), 1e-5, 2.0})
    EXPECT_EQ(soft_sqrt(x), std::sqrt(x));
  for (float x : {std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min(),
                  std::numeric_limits<float>::max(), 1e-5f, 2.0f})
    EXPECT_EQ(soft_sqrt(x), std::sqrt(x));
  EXPECT_TRUE(std::signbit(soft_sqrt(-0.0)));
  EXPECT_EQ(soft_sqrt(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(soft_sqrt(-1.0f)));
  EXPECT_TRUE(std::isnan(soft_sqrt(std::numeric_limits<double>::quiet_NaN())));
}

}  // namespace
