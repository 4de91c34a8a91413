// SPDX-License-Identifier: MIT
// Finite-difference gradient checks, in double, of every layer, activation and loss the
// trainer supports: the trainer's analytic gradient (trainer::gradient, i.e. the batched
// training path) against central differences of the mean loss computed by
// trainer::evaluate (the inference Net::forward and the loss from the output).
//
// Tolerance: |g − g_fd| ≤ 1e-7 + 1e-5·|g| with h = 1e-5. Central differences have a
// truncation error ~h²·|f'''|/6 ≈ 1e-11 and a rounding error ~1e-16·|f|/h ≈ 1e-11 here, so
// the bound leaves four orders of margin while any wrong formula (a missing factor, a
// wrong sign, a dropped term) is off by O(|g|).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using namespace ctnn;
using train::binary_cross_entropy;
using train::cross_entropy;
using train::mean_squared_error;

train::dataset make_set(std::size_t features, std::size_t classes, std::size_t n,
                        std::uint64_t seed) {
  train::rng r(seed);
  train::dataset d;
  d.name = "gradient-check";
  d.features = features;
  d.classes = classes;
  for (std::size_t i = 0; i < n * features; ++i) d.x.push_back(float(r.normal()));
  for (std::size_t i = 0; i < n; ++i) d.y.push_back(std::uint32_t(r.below(classes)));
  return d;
}

template <class Net, class Loss = train::default_loss<Net>>
void check(std::uint64_t seed, std::size_t threads = 1) {
  constexpr std::size_t classes = Net::output_size == 1 ? 2 : Net::output_size;
  const train::dataset set = make_set(Net::input_size, classes, 9, seed);
  train::options o;
  o.threads = threads;
  o.seed = seed;
  o.init = train::init_scheme::xavier_normal;
  o.bias = train::bias_init::normal;
  train::trainer<Net, Loss> t(o);
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);

  std::vector<double> g;
  const double loss = t.gradient(*p, set, g);
  // The training loss (from logits) and the evaluation loss (from outputs) agree.
  EXPECT_NEAR(loss, t.evaluate(*p, set).loss, 1e-12 * (1 + std::fabs(loss)));

  constexpr double h = 1e-5;
  double largest = 0;
  for (std::size_t j = 0; j < Net::parameter_count; ++j) {
    const double keep = p->values[j];
    p->values[j] = keep + h;
    const double up = t.evaluate(*p, set).loss;
    p->values[j] = keep - h;
    const double down = t.evaluate(*p, set).loss;
    p->values[j] = keep;
    const double fd = (up - down) / (2 * h);
    ASSERT_NEAR(g[j], fd, 1e-7 + 1e-5 * std::fabs(g[j]))
        << "parameter " << j << " of " << Net::signature;
    largest = std::max(largest, std::fabs(g[j]));
  }
  EXPECT_GT(largest, 1e-3) << "gradient is (almost) zero: the check would be vacuous";
}

// --- Losses (each with its natural output activation) ---------------------------------------
TEST(GradientCheck, SoftmaxCrossEntropy) {
  check<network<double, input<5>, dense<7, relu>, dense<4, softmax>>, cross_entropy>(1);
}
TEST(GradientCheck, SigmoidBinaryCrossEntropy) {
  check<network<double, input<5>, dense<6, ctnn::tanh>, dense<1, sigmoid>>, binary_cross_entropy>(
      2);
}
TEST(GradientCheck, MeanSquaredErrorIdentityOutput) {
  check<network<double, input<5>, dense<6, relu>, dense<3, identity>>, mean_squared_error>(3);
}

// --- MSE through every output activation (the activation's backward is used) ---------------
TEST(GradientCheck, MeanSquaredErrorSoftmaxOutputJacobianVectorProduct) {
  check<network<double, input<5>, dense<6, sigmoid>, dense<4, softmax>>, mean_squared_error>(4);
}
TEST(GradientCheck, MeanSquaredErrorTanhOutput) {
  check<network<double, input<4>, dense<5, relu>, dense<3, ctnn::tanh>>, mean_squared_error>(5);
}
TEST(GradientCheck, MeanSquaredErrorSigmoidSingleOutput) {
  check<network<double, input<4>, dense<5, relu>, dense<1, sigmoid>>, mean_squared_error>(6);
}
TEST(GradientCheck, MeanSquaredErrorReluOutput) {
  check<network<double, input<4>, dense<5, identity>, dense<3, relu>>, mean_squared_error>(7);
}
TEST(GradientCheck, MeanSquaredErrorLeakyReluOutput) {
  check<network<double, input<4>, dense<5, ctnn::tanh>, dense<3, leaky_relu<1, 10>>>,
        mean_squared_error>(8);
}

// --- Every activation as a hidden layer -------------------------------------------------------
TEST(GradientCheck, HiddenIdentity) {
  check<network<double, input<4>, dense<5, identity>, dense<3, softmax>>>(9);
}
TEST(GradientCheck, HiddenRelu) {
  check<network<double, input<4>, dense<8, relu>, dense<3, softmax>>>(10);
}
TEST(GradientCheck, HiddenLeakyRelu) {
  check<network<double, input<4>, dense<5, leaky_relu<3, 100>>, dense<3, softmax>>>(11);
}
TEST(GradientCheck, HiddenSigmoid) {
  check<network<double, input<4>, dense<5, sigmoid>, dense<3, softmax>>>(12);
}
TEST(GradientCheck, HiddenTanh) {
  check<network<double, input<4>, dense<5, ctnn::tanh>, dense<3, softmax>>>(13);
}
TEST(GradientCheck, HiddenSoftmax) {
  check<network<double, input<4>, dense<5, softmax>, dense<3, softmax>>>(14);
}

// --- Deeper, both numeric modes, several shards and threads ----------------------------------
TEST(GradientCheck, DeepUnfusedTwoThreads) {
  check<network<double, unfused, input<6>, dense<7, relu>, dense<6, ctnn::tanh>,
                dense<5, leaky_relu<1, 20>>, dense<4, softmax>>>(15, 2);
}
TEST(GradientCheck, DenseWiderThanOneVectorTile) {
  // 20 outputs: a 16-wide SIMD tile, then scalar columns; 19 inputs.
  check<network<double, input<19>, dense<20, ctnn::tanh>, dense<10, softmax>>>(16);
}

}  // namespace
