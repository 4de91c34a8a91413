// SPDX-License-Identifier: MIT
// ctnn::folded<Net> and ctnn::fold<Net>: the folded architectures (into dense, conv2d and
// depthwise_conv2d; chains; a batch_norm with nothing to fold into becomes scale_shift),
// the folded forward pass against the unfolded inference forward pass within a stated
// tolerance, the standalone case bit for bit, and folding in constant evaluation.
#include "ctnn/folded.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <type_traits>

#include "ctnn/flatten.hpp"
#include "ctnn/global_avg_pool.hpp"
#include "ctnn/pool2d.hpp"

namespace {

using ctnn::batch_norm;
using ctnn::conv2d;
using ctnn::dense;
using ctnn::depthwise_conv2d;
using ctnn::identity;
using ctnn::input;
using ctnn::relu;
using ctnn::same;
using ctnn::scale_shift;

template <class... E>
using net = ctnn::network<float, E...>;

// Folds into each kind with the identity activation, taking the batch_norm's activation.
static_assert(std::is_same_v<ctnn::folded<net<input<8>, dense<4>, batch_norm<relu>>>,
                             net<input<8>, dense<4, relu>>>);
static_assert(std::is_same_v<ctnn::folded<net<input<6, 6, 2>, conv2d<3, 3, 3, identity, 2, same>,
                                              batch_norm<ctnn::tanh>>>,
                             net<input<6, 6, 2>, conv2d<3, 3, 3, ctnn::tanh, 2, same>>>);
static_assert(
    std::is_same_v<ctnn::folded<net<input<6, 6, 2>, depthwise_conv2d<3, 3, identity, 1, same, 2>,
                                    batch_norm<relu>>>,
                   net<input<6, 6, 2>, depthwise_conv2d<3, 3, relu, 1, same, 2>>>);
// A chain of identity batch_norms folds into one layer; the last one's activation stays.
static_assert(
    std::is_same_v<ctnn::folded<net<input<8>, dense<4>, batch_norm<>, batch_norm<relu>, dense<2>>>,
                   net<input<8>, dense<4, relu>, dense<2>>>);
// Nothing to fold into: first layer, after an activation, after a pool, after a relu-BN.
static_assert(std::is_same_v<ctnn::folded<net<input<8>, batch_norm<relu>, dense<2>>>,
                             net<input<8>, scale_shift<relu>, dense<2>>>);
static_assert(std::is_same_v<ctnn::folded<net<input<8>, dense<4, relu>, batch_norm<>>>,
                             net<input<8>, dense<4, relu>, scale_shift<>>>);
static_assert(
    std::is_same_v<ctnn::folded<net<input<4, 4, 2>, ctnn::max_pool2d<2, 2>, batch_norm<>>>,
                   net<input<4, 4, 2>, ctnn::max_pool2d<2, 2>, scale_shift<>>>);
static_assert(
    std::is_same_v<ctnn::folded<net<input<8>, dense<4>, batch_norm<relu>, batch_norm<relu>>>,
                   net<input<8>, dense<4, relu>, scale_shift<relu>>>);
// No batch_norm: the same type; the numeric mode and scalar are kept.
static_assert(std::is_same_v<ctnn::folded<net<input<8>, dense<4>>>, net<input<8>, dense<4>>>);
static_assert(std::is_same_v<
              ctnn::folded<ctnn::network<double, ctnn::unfused, input<8>, dense<4>, batch_norm<>>>,
              ctnn::network<double, ctnn::unfused, input<8>, dense<4>>>);

/// Positive running variances, γ and μ of every batch_norm in Net's slice `p` (found
/// through the layer types, inside residual blocks too).
template <class Net, class T>
void randomise_batch_norms(T* p, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0), var(0.05, 4.0);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I + 1>;
          T* s = p + Net::template parameter_offset<I + 1>;
          if constexpr (requires { L::variance_offset; }) {
            for (std::size_t c = 0; c < L::channels; ++c) {
              s[L::variance_offset + c] = T(var(rng));
              s[L::gamma_offset + c] = T(2 * u(rng));
              s[L::mean_offset + c] = T(3 * u(rng));
            }
          } else if constexpr (requires { typename L::body; }) {
            randomise_batch_norms<typename L::body>(s, rng);
          }
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

/// Random parameters with positive running variances.
template <class Net>
std::unique_ptr<typename Net::parameters> random_parameters(std::uint32_t seed) {
  using T = typename Net::scalar;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  auto p = std::make_unique<typename Net::parameters>();
  for (auto& v : p->values) v = T(u(rng));
  randomise_batch_norms<Net>(p->values.data(), rng);
  return p;
}

/// max |folded − unfolded| over `samples` random inputs, relative to max(1, |unfolded|).
template <class Net>
double folded_error(std::uint32_t seed, int samples) {
  using F = ctnn::folded<Net>;
  const auto p = random_parameters<Net>(seed);
  auto f = std::make_unique<typename F::parameters>();
  ctnn::fold<Net>(*p, *f);
  std::mt19937 rng(seed + 100);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  double worst = 0;
  for (int s = 0; s < samples; ++s) {
    typename Net::input x{};
    for (auto& v : x) v = typename Net::scalar(u(rng));
    const auto y = Net::forward(*p, x);
    const auto yf = F::forward(*f, x);
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double d = std::abs(double(yf[i]) - double(y[i]));
      worst = std::max(worst, d / std::max(1.0, std::abs(double(y[i]))));
    }
  }
  return worst;
}

using cnn = net<input<10, 10, 3>, conv2d<8, 3, 3, identity, 1, same>, batch_norm<relu>,
                depthwise_conv2d<3, 3, identity, 2, same>, batch_norm<relu>, conv2d<16, 1, 1>,
                batch_norm<relu>, ctnn::global_avg_pool, dense<6>, batch_norm<>, dense<3>>;
static_assert(ctnn::folded<cnn>::parameter_count == cnn::parameter_count - 4 * (8 + 8 + 16 + 6));

// Tolerance: the folded network rounds W·scale and the bias once more and sums in another
// order; over these depths (≤ 5 layers, fan-in ≤ 72, float) the outputs agree to 1e-5
// relative (measured worst over these seeds: 2e-6), and to 1e-13 in double.
TEST(Folded, ForwardMatchesTheUnfoldedInferenceForward) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const double e = folded_error<cnn>(seed, 20);
    EXPECT_LT(e, 1e-5) << "seed " << seed;
    ::testing::Test::RecordProperty("float_error_" + std::to_string(seed), std::to_string(e));
    using cnn_double =
        ctnn::network<double, ctnn::unfused, input<10, 10, 3>, conv2d<8, 3, 3, identity, 1, same>,
                      batch_norm<relu>, depthwise_conv2d<3, 3, identity, 2, same, 2>,
                      batch_norm<ctnn::tanh>, ctnn::flatten, dense<5>, batch_norm<>,
                      batch_norm<relu>, dense<3, ctnn::softmax>>;
    const double ed = folded_error<cnn_double>(seed, 20);
    EXPECT_LT(ed, 1e-13) << "seed " << seed;
    ::testing::Test::RecordProperty("double_error_" + std::to_string(seed), std::to_string(ed));
  }
}

// Inside residual blocks: each body folds as a network of its own (a nested block too);
// the projection is kept; a batch_norm right after a block becomes a scale_shift.
using resnet =
    net<input<6, 6, 2>, conv2d<4, 3, 3, identity, 1, same>, batch_norm<relu>,
        ctnn::residual<ctnn::block<conv2d<4, 3, 3, identity, 1, same>, batch_norm<relu>,
                                   conv2d<4, 3, 3, identity, 1, same>, batch_norm<>>>,
        ctnn::residual<ctnn::block<conv2d<6, 3, 3, identity, 2, same>, batch_norm<ctnn::tanh>,
                                   ctnn::residual<ctnn::block<conv2d<6, 1, 1>, batch_norm<>>>>,
                       conv2d<6, 1, 1, identity, 2>>,
        batch_norm<>, ctnn::global_avg_pool, dense<3>>;
static_assert(
    std::is_same_v<ctnn::folded<resnet>,
                   net<input<6, 6, 2>, conv2d<4, 3, 3, relu, 1, same>,
                       ctnn::residual<ctnn::block<conv2d<4, 3, 3, relu, 1, same>,
                                                  conv2d<4, 3, 3, identity, 1, same>>>,
                       ctnn::residual<ctnn::block<conv2d<6, 3, 3, ctnn::tanh, 2, same>,
                                                  ctnn::residual<ctnn::block<conv2d<6, 1, 1>>>>,
                                      conv2d<6, 1, 1, identity, 2>>,
                       scale_shift<>, ctnn::global_avg_pool, dense<3>>>);
static_assert(ctnn::folded<resnet>::parameter_count ==
              resnet::parameter_count - 4 * (4 + 4 + 4 + 6 + 6) - 2 * 6);

TEST(Folded, InsideResidualBlocksMatchesTheUnfoldedInferenceForward) {
  // The same tolerance as above (measured worst over these seeds: see the test's property).
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const double e = folded_error<resnet>(seed, 20);
    EXPECT_LT(e, 1e-5) << "seed " << seed;
    ::testing::Test::RecordProperty("residual_error_" + std::to_string(seed), std::to_string(e));
  }
}

TEST(Folded, StandaloneBatchNormIsBitExact) {
  using standalone =
      net<input<4, 4, 5>, batch_norm<relu>, ctnn::max_pool2d<2, 2>, batch_norm<ctnn::sigmoid>>;
  static_assert(std::is_same_v<ctnn::folded<standalone>,
                               net<input<4, 4, 5>, scale_shift<relu>, ctnn::max_pool2d<2, 2>,
                                   scale_shift<ctnn::sigmoid>>>);
  for (std::uint32_t seed = 1; seed <= 5; ++seed)
    EXPECT_EQ(folded_error<standalone>(seed, 20), 0.0);
}

TEST(Folded, ValuesByHand) {
  // dense 1 → 2 (W = [2, −1], b = [0.5, 1]), then γ = [1, 2], β = [0, −1], μ = [0.5, 1],
  // σ² = [1 − ε, 4 − ε] in double so that σ² + ε is 1 and 4 exactly.
  using n = ctnn::network<double, ctnn::input<1>, dense<2>, batch_norm<>>;
  const double e = n::layer<2>::epsilon;
  const n::parameters p = {{2, -1, 0.5, 1, 1, 2, 0, -1, 0.5, 1, 1 - e, 4 - e}};
  ctnn::parameters<ctnn::folded<n>> f{};
  ctnn::fold<n>(p, f);
  // scale = [1, 1], shift = [−0.5, −2]: W' = W, b' = [0, −1].
  ASSERT_EQ(1 - e + e, 1.0);
  ASSERT_EQ(4 - e + e, 4.0);
  EXPECT_EQ(f.values, (std::array<double, 4>{2, -1, 0, -1}));
}

constexpr auto constant_fold = [] {
  using n = ctnn::network<float, ctnn::input<2>, dense<2>, batch_norm<relu>>;
  n::parameters p{{1, 2, 3, 4, 0.5f, 0.25f, 1, 2, 0, 0, 1, 1}};
  ctnn::parameters<ctnn::folded<n>> f{};
  ctnn::fold<n>(p, f);
  return f;
}();

TEST(Folded, FoldsInConstantEvaluation) {
  using n = ctnn::network<float, ctnn::input<2>, dense<2>, batch_norm<relu>>;
  n::parameters p{{1, 2, 3, 4, 0.5f, 0.25f, 1, 2, 0, 0, 1, 1}};
  ctnn::parameters<ctnn::folded<n>> f{};
  ctnn::fold<n>(p, f);
  EXPECT_EQ(f.values, constant_fold.values);
}

}  // namespace
