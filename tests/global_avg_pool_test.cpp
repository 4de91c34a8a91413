// SPDX-License-Identifier: MIT
// global_avg_pool against hand-computed values, against avg_pool2d over the whole image,
// bit for bit against the independent naive mean (float and double, odd channel counts
// so the vectorised channel loop has tails), and in constant evaluation.
#include "ctnn/global_avg_pool.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <vector>

#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"
#include "naive_layers.hpp"

namespace {

TEST(GlobalAvgPool, HandComputed) {
  using net = ctnn::network<float, ctnn::input<2, 3, 2>, ctnn::global_avg_pool>;
  static_assert(std::is_same_v<net::output_shape, ctnn::shape<1, 1, 2>>);
  static_assert(net::parameter_count == 0);
  // channel 0: 1..6 → 3.5; channel 1: 1, 1, 1, 1, 1, 2 → 7/6.
  const auto y = net::forward({}, {1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 2});
  EXPECT_EQ(y[0], 3.5f);
  EXPECT_EQ(y[1], 7.0f / 6.0f);
  EXPECT_EQ(net::signature, "ctnn1|f32|fused|in(2x3x2)|global_avg_pool");
}

TEST(GlobalAvgPool, DenseFollowsWithoutFlatten) {
  using net = ctnn::network<float, ctnn::input<4, 4, 3>, ctnn::global_avg_pool,
                            ctnn::dense<2, ctnn::identity>>;
  static_assert(net::parameter_count == 3 * 2 + 2);
  static_assert(net::layer<2>::inputs == 3);
}

template <class T, std::size_t H, std::size_t W, std::size_t C>
void check_against_naive(unsigned seed) {
  using net = ctnn::network<T, ctnn::input<H, W, C>, ctnn::global_avg_pool>;
  using pooled = ctnn::network<T, ctnn::input<H, W, C>, ctnn::avg_pool2d<H, W>, ctnn::flatten>;
  const auto xs = naive_layers::random_values<T>(net::input_size, seed, -3.0, 3.0);
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward({}, x);
  const auto ny = naive_layers::global_avg_pool<T>(long(H), long(W), long(C), xs);
  EXPECT_TRUE(naive_layers::same_bits(ny.data(), y.data(), C)) << H << "x" << W << "x" << C;
  const auto yp = pooled::forward({}, x);
  EXPECT_TRUE(naive_layers::same_bits(yp.data(), y.data(), C));
}

TEST(GlobalAvgPool, MatchesNaive) {
  check_against_naive<float, 7, 7, 64>(1);
  check_against_naive<float, 5, 3, 13>(2);
  check_against_naive<float, 1, 1, 9>(3);
  check_against_naive<float, 14, 14, 33>(4);
  check_against_naive<double, 7, 7, 64>(5);
  check_against_naive<double, 3, 9, 5>(6);
}

TEST(GlobalAvgPool, ConstantEvaluationMatchesRunTime) {
  using net = ctnn::network<float, ctnn::input<3, 5, 11>, ctnn::global_avg_pool>;
  constexpr auto x = [] {
    net::input v{};
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = float(int(i * 29 % 17) - 8) / 3.0f;
    return v;
  }();
  constexpr auto at_compile_time = net::forward({}, x);
  volatile std::size_t zero = 0;
  auto xr = x;
  xr[zero] = x[zero];
  const auto at_run_time = net::forward({}, xr);
  EXPECT_TRUE(naive_layers::same_bits(at_compile_time.data(), at_run_time.data(), 11));
}

}  // namespace
