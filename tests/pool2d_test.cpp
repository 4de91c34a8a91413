// SPDX-License-Identifier: MIT
// max_pool2d, avg_pool2d and flatten against hand-computed values and, bit for bit,
// against the naive pooling of naive_cnn.hpp over several shapes and strides.
#include "ctnn/pool2d.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>

#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "naive_cnn.hpp"

namespace {

// 4x4x1 input, rows: 1 2 3 4 / 5 6 7 8 / 9 10 11 12 / 13 14 15 16
constexpr std::array<float, 16> grid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(Pool2d, MaxHandComputed) {
  using net = ctnn::network<float, ctnn::input<4, 4>, ctnn::max_pool2d<2>>;
  static_assert(net::parameter_count == 0 && net::output_size == 4);
  EXPECT_EQ(net::forward({}, grid), (std::array<float, 4>{6, 8, 14, 16}));
}

TEST(Pool2d, AvgHandComputedOverlapping) {
  // 3x3 windows with stride 1: 2x2 outputs, each the mean of 9 values.
  using net = ctnn::network<float, ctnn::input<4, 4>, ctnn::avg_pool2d<3, 3, 1>>;
  EXPECT_EQ(net::forward({}, grid), (std::array<float, 4>{6, 7, 10, 11}));
}

TEST(Pool2d, AvgIsATrueDivision) {
  // 3 values of 0.1f: sum then divide by 3 differs from multiplying by 1/3 for some
  // inputs; the layer must give (a + b + c) / 3 exactly as written.
  using net = ctnn::network<float, ctnn::input<1, 3>, ctnn::avg_pool2d<1, 3>>;
  const std::array<float, 3> x = {0.1f, 0.7f, 0.3f};
  EXPECT_EQ(net::forward({}, x)[0], (0.1f + 0.7f + 0.3f) / 3.0f);
}

TEST(Pool2d, PerChannelAndNonSquare) {
  // 2x3x2, window 2x3: one output pixel, max per channel.
  using net = ctnn::network<float, ctnn::input<2, 3, 2>, ctnn::max_pool2d<2, 3>>;
  const std::array<float, 12> x = {1, -1, 5, -2, 3, -3, 0, -4, 2, -0.5f, 4, -6};
  EXPECT_EQ(net::forward({}, x), (std::array<float, 2>{5, -0.5f}));
}

TEST(Pool2d, MaxKeepsNumbersOverNaN) {
  using net = ctnn::network<float, ctnn::input<1, 2>, ctnn::max_pool2d<1, 2>>;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(net::forward({}, {2.0f, nan})[0], 2.0f);
}

TEST(Pool2d, NamesAndShapes) {
  using net = ctnn::network<float, ctnn::input<7, 9, 3>, ctnn::max_pool2d<2>,
                            ctnn::avg_pool2d<2, 3, 1>, ctnn::flatten>;
  static_assert(std::is_same_v<net::layer<1>::output_shape, ctnn::shape<3, 4, 3>>);
  static_assert(std::is_same_v<net::layer<2>::output_shape, ctnn::shape<2, 2, 3>>);
  static_assert(std::is_same_v<net::layer<3>::output_shape, ctnn::vector_shape<12>>);
  EXPECT_EQ(net::layer<1>::name.view(), "max_pool2d(2x2,s2)");
  EXPECT_EQ(net::layer<2>::name.view(), "avg_pool2d(2x3,s1)");
  EXPECT_EQ(net::layer<3>::name.view(), "flatten");
}

TEST(Flatten, CopiesInHwcOrder) {
  using net = ctnn::network<double, ctnn::input<2, 2, 2>, ctnn::flatten>;
  const std::array<double, 8> x = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(net::forward({}, x), x);
}

template <class T, std::size_t H, std::size_t W, std::size_t C, std::size_t PH, std::size_t PW,
          std::size_t S>
void check_pools(unsigned seed) {
  using maxnet = ctnn::network<T, ctnn::input<H, W, C>, ctnn::max_pool2d<PH, PW, S>>;
  using avgnet = ctnn::network<T, ctnn::input<H, W, C>, ctnn::avg_pool2d<PH, PW, S>>;
  const auto xs = naive_cnn::random_values<T>(H * W * C, seed);
  typename maxnet::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const naive_cnn::tensor<T> nx{long(H), long(W), long(C), xs};
  const auto ymax = maxnet::forward({}, x);
  const auto yavg = avgnet::forward({}, x);
  const auto nmax = naive_cnn::pool2d(nx, long(PH), long(PW), long(S), false);
  const auto navg = naive_cnn::pool2d(nx, long(PH), long(PW), long(S), true);
  ASSERT_EQ(nmax.v.size(), ymax.size());
  EXPECT_TRUE(naive_cnn::same_bits(nmax.v.data(), ymax.data(), ymax.size()));
  EXPECT_TRUE(naive_cnn::same_bits(navg.v.data(), yavg.data(), yavg.size()));
}

TEST(Pool2d, MatchesNaive) {
  check_pools<float, 8, 8, 3, 2, 2, 2>(1);
  check_pools<float, 9, 7, 5, 3, 2, 2>(2);
  check_pools<float, 13, 13, 8, 2, 2, 2>(3);
  check_pools<float, 6, 11, 1, 3, 3, 1>(4);
  check_pools<double, 10, 5, 16, 2, 3, 3>(5);
  check_pools<double, 5, 5, 2, 5, 5, 5>(6);
  check_pools<float, 1, 17, 9, 1, 4, 3>(7);
}

}  // namespace
