// SPDX-License-Identifier: MIT
#include "ctnn/train/data/synthetic.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

TEST(synthetic, sin_cos_matches_libm_closely) {
  for (double t = -20.0; t <= 20.0; t += 0.37) {
    double s, c;
    ctnn::train::detail::sin_cos(t, s, c);
    EXPECT_NEAR(s, std::sin(t), 1e-14) << t;
    EXPECT_NEAR(c, std::cos(t), 1e-14) << t;
  }
}

TEST(synthetic, noiseless_moons_lie_on_their_half_circles) {
  const auto d = ctnn::train::make_moons(101, 0.0, 1);
  ASSERT_EQ(d.size(), 101u);
  ASSERT_EQ(d.features, 2u);
  std::size_t ones = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double x = d.x[2 * i], y = d.x[2 * i + 1];
    if (d.y[i] == 0) {  // upper moon: unit circle around (0, 0), y ≥ 0
      EXPECT_NEAR(x * x + y * y, 1.0, 1e-6);
      EXPECT_GE(y, -1e-7);
    } else {  // lower moon: unit circle around (1, 0.5), y ≤ 0.5
      EXPECT_NEAR((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1.0, 1e-6);
      EXPECT_LE(y, 0.5 + 1e-7);
      ++ones;
    }
  }
  EXPECT_EQ(ones, 50u);
  // Endpoints as scikit-learn: the upper moon runs from (1, 0) to (−1, 0).
  EXPECT_FLOAT_EQ(d.x[0], 1.0f);
  EXPECT_NEAR(d.x[1], 0.0f, 1e-7);
}

TEST(synthetic, circles_radii_and_xor_labels) {
  const auto c = ctnn::train::make_circles(40, 0.0, 3, 0.5);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double r = std::hypot(c.x[2 * i], c.x[2 * i + 1]);
    EXPECT_NEAR(r, c.y[i] == 0 ? 1.0 : 0.5, 1e-6);
  }
  const auto x = ctnn::train::make_xor(500, 0.0, 3);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float a = x.x[2 * i], b = x.x[2 * i + 1];
    EXPECT_LE(std::abs(a), 1.0f);
    EXPECT_EQ(x.y[i], (a > 0) != (b > 0) ? 1u : 0u);
  }
}

TEST(synthetic, spirals_have_balanced_classes_within_unit_disc) {
  const auto d = ctnn::train::make_spirals(300, 0.2, 5, 3);
  EXPECT_EQ(d.classes, 3u);
  std::vector<int> count(3);
  for (std::size_t i = 0; i < d.size(); ++i) {
    ++count[d.y[i]];
    EXPECT_LE(std::hypot(d.x[2 * i], d.x[2 * i + 1]), 1.0 + 1e-6);
  }
  EXPECT_EQ(count, (std::vector<int>{100, 100, 100}));
}

TEST(synthetic, seeded_noise_is_reproducible_and_has_the_requested_spread) {
  const auto a = ctnn::train::make_moons(4000, 0.1, 7);
  const auto b = ctnn::train::make_moons(4000, 0.1, 7);
  const auto c = ctnn::train::make_moons(4000, 0.1, 8);
  EXPECT_EQ(a.x, b.x);
  EXPECT_NE(a.x, c.x);
  const auto clean = ctnn::train::make_moons(4000, 0.0, 7);
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < a.x.size(); ++i) {
    const double e = double(a.x[i]) - clean.x[i];
    sum += e;
    sum_sq += e * e;
  }
  const double n = static_cast<double>(a.x.size());
  EXPECT_NEAR(sum / n, 0.0, 0.005);
  EXPECT_NEAR(std::sqrt(sum_sq / n), 0.1, 0.005);
}

TEST(synthetic, by_name) {
  EXPECT_TRUE(ctnn::train::make_synthetic("spirals", 10, 0, 1).has_value());
  EXPECT_FALSE(ctnn::train::make_synthetic("blobs", 10, 0, 1).has_value());
}

}  // namespace
