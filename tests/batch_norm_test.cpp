// SPDX-License-Identifier: MIT
// batch_norm's inference forward pass: a hand-computed value, the frozen layout and
// signature, bit for bit against an independent naive implementation (std::sqrt, std::fma;
// float and double, fused and unfused, an image and a vector, odd channel counts), and in
// constant evaluation.
#include "ctnn/batch_norm.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include "ctnn/network.hpp"
#include "naive_layers.hpp"

namespace {

TEST(BatchNorm, HandComputed) {
  using net = ctnn::network<double, ctnn::input<1, 1, 2>, ctnn::batch_norm<ctnn::relu>>;
  // Channel 0: γ 2, β 1, μ 3, σ² 4; channel 1: γ 1, β −1, μ 0, σ² 1.
  constexpr net::parameters p = {{2, 1, 1, -1, 3, 0, 4, 1}};
  const auto y = net::forward(p, {5, 0.5});
  // 2·(5 − 3)/√(4 + 1e-5) + 1 = 1 + 2/√(1 + u), u = 2.5e-6: 1 + 2·(1 − u/2 + 3u²/8 − …)
  // = 2.9999975000046875 − O(1e-17); and relu(0.5/√(1 + 1e-5) − 1) = 0.
  EXPECT_NEAR(y[0], 2.9999975000046875, 1e-15);
  EXPECT_EQ(y[1], 0.0);
}

TEST(BatchNorm, LayoutAndSignature) {
  using net = ctnn::network<float, ctnn::input<5, 4, 3>, ctnn::batch_norm<ctnn::relu>>;
  using L = net::layer<1>;
  static_assert(std::is_same_v<net::output_shape, ctnn::shape<5, 4, 3>>);
  static_assert(net::parameter_count == 4 * 3);
  static_assert(L::weight_count == 0 && L::bias_count == 6 && L::state_count == 6);
  static_assert(L::gamma_offset == 0 && L::beta_offset == 3 && L::mean_offset == 6 &&
                L::variance_offset == 9);
  static_assert(L::epsilon == 1e-5f);
  EXPECT_EQ(net::signature, "ctnn1|f32|fused|in(5x4x3)|batch_norm(relu)");
  std::array<float, 12> init{};
  L::initial_parameters(init.data());
  EXPECT_EQ(init, (std::array<float, 12>{1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1}));
  // The initial layer is the identity up to 1/√(1 + ε).
  using vec = ctnn::network<double, ctnn::input<3>, ctnn::batch_norm<>>;
  vec::parameters pv{};
  vec::layer<1>::initial_parameters(pv.values.data());
  const auto y = vec::forward(pv, {1.0, -2.0, 0.0});
  EXPECT_NEAR(y[0], 1.0, 1e-5);
  EXPECT_NEAR(y[1], -2.0, 1e-5);
  EXPECT_EQ(y[2], 0.0);
}

/// The naive forward pass (batch_norm.hpp's formulas, std::sqrt and std::fma).
template <class T>
std::vector<T> naive_batch_norm(bool fused, bool relu, std::size_t channels,
                                const std::vector<T>& p, const std::vector<T>& x) {
  const T eps = T(1e-5);
  std::vector<T> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = i % channels;
    const T gamma = p[c], beta = p[channels + c], mean = p[2 * channels + c],
            var = p[3 * channels + c];
    const T sum = var + eps;
    const T root = std::sqrt(sum);
    const T scale = gamma / root;
    const T shift = naive_layers::mac(fused, -mean, scale, beta);
    const T v = naive_layers::mac(fused, x[i], scale, shift);
    y[i] = relu && v < T(0) ? T(0) : v;
  }
  return y;
}

template <class T, class Mode, class Act, std::size_t H, std::size_t W, std::size_t C>
void check_against_naive(std::uint32_t seed) {
  using net = ctnn::network<T, Mode, ctnn::input<H, W, C>, ctnn::batch_norm<Act>>;
  auto p = std::make_unique<typename net::parameters>();
  const auto gamma_beta_mean = naive_layers::random_values<T>(3 * C, seed, -2.0, 2.0);
  const auto var = naive_layers::random_values<T>(C, seed + 1, 0.0, 3.0);
  std::vector<T> pv(gamma_beta_mean);
  pv.insert(pv.end(), var.begin(), var.end());
  pv[3 * C] = T(0);  // a zero variance: the root of ε alone
  std::copy(pv.begin(), pv.end(), p->values.begin());
  const auto xs = naive_layers::random_values<T>(net::input_size, seed + 2, -4.0, 4.0);
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward(*p, x);
  const auto want = naive_batch_norm<T>(std::is_same_v<Mode, ctnn::fused>,
                                        std::is_same_v<Act, ctnn::relu>, C, pv, xs);
  EXPECT_TRUE(naive_layers::same_bits(want.data(), y.data(), net::output_size))
      << H << "x" << W << "x" << C << " seed " << seed;
}

TEST(BatchNorm, BitExactAgainstNaive) {
  for (std::uint32_t seed = 1; seed <= 20; seed += 4) {
    check_against_naive<float, ctnn::fused, ctnn::relu, 3, 4, 5>(seed);
    check_against_naive<float, ctnn::unfused, ctnn::identity, 3, 4, 5>(seed);
    check_against_naive<double, ctnn::fused, ctnn::identity, 2, 3, 17>(seed);
    check_against_naive<double, ctnn::unfused, ctnn::relu, 2, 3, 17>(seed);
    check_against_naive<float, ctnn::fused, ctnn::identity, 1, 1, 7>(seed);  // a vector
    check_against_naive<double, ctnn::unfused, ctnn::relu, 1, 1, 1>(seed);
  }
}

using const_net = ctnn::network<float, ctnn::input<2, 1, 3>, ctnn::batch_norm<ctnn::relu>>;
constexpr const_net::parameters const_p = {
    {1.5f, -0.25f, 2.0f, 0.5f, 0.125f, -1.0f, 0.3f, -0.7f, 1.1f, 0.9f, 2.5f, 0.01f}};
constexpr const_net::input const_x = {0.1f, -2.0f, 3.0f, 1.7f, 0.4f, -0.6f};
constexpr const_net::output const_y = const_net::forward(const_p, const_x);

TEST(BatchNorm, ConstantEvaluationGivesTheRunTimeBits) {
  const const_net::input x = const_x;  // a run-time copy
  const auto y = const_net::forward(const_p, x);
  EXPECT_TRUE(naive_layers::same_bits(const_y.data(), y.data(), y.size()));
  const std::vector<float> pv(const_p.values.begin(), const_p.values.end());
  const auto want = naive_batch_norm<float>(true, true, 3, pv, {x.begin(), x.end()});
  EXPECT_TRUE(naive_layers::same_bits(want.data(), y.data(), y.size()));
}

}  // namespace
