// SPDX-License-Identifier: MIT
// The trainer on float targets (regression, autoencoders; dataset::targets): the MSE
// gradient against target vectors by finite differences, evaluate()'s MSE/MAE/per-sample
// errors by hand, the training figures of a full-batch step, convergence on an exact linear
// map, thread independence, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using namespace ctnn;
using train::mean_squared_error;

/// `n` samples of `features` N(0,1) values, `targets` N(0,1) targets each, labels 0.
train::dataset make_regression(std::size_t features, std::size_t targets, std::size_t n,
                               std::uint64_t seed) {
  train::rng r(seed);
  train::dataset d;
  d.name = "regression";
  d.features = features;
  d.targets = targets;
  for (std::size_t i = 0; i < n * features; ++i) d.x.push_back(float(r.normal()));
  for (std::size_t i = 0; i < n * targets; ++i) d.t.push_back(float(r.normal()));
  return d;
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

// Same tolerance and reasoning as gradient_check_test.cpp: h = 1e-5 in double.
template <class Net>
void check_gradient(std::uint64_t seed) {
  const train::dataset set = make_regression(Net::input_size, Net::output_size, 7, seed);
  train::options o;
  o.threads = 1;
  o.seed = seed;
  o.init = train::init_scheme::xavier_normal;
  o.bias = train::bias_init::normal;
  train::trainer<Net, mean_squared_error> t(o);
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);
  std::vector<double> g;
  const double loss = t.gradient(*p, set, g);
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
    ASSERT_NEAR(g[j], fd, 1e-7 + 1e-5 * std::fabs(g[j])) << "parameter " << j;
    largest = std::max(largest, std::fabs(g[j]));
  }
  EXPECT_GT(largest, 1e-3);
}

TEST(trainer_regression, gradient_against_target_vectors) {
  check_gradient<network<double, input<3>, dense<5, ctnn::tanh>, dense<4, identity>>>(1);
  check_gradient<network<double, input<4>, dense<3, relu>, dense<4, sigmoid>>>(2);
  // A softmax output regressed onto free targets: the Jacobian–vector product path.
  check_gradient<network<double, input<2>, dense<3, softmax>>>(3);
}

TEST(trainer_regression, evaluate_gives_mse_mae_and_each_samples_error) {
  using net = network<float, input<2>, dense<2, identity>>;
  auto p = std::make_unique<net::parameters>();
  p->values = {1, 0, 0, 1, 0, 0};  // identity weights (row-major 2×2), zero biases: a = x
  train::dataset d;
  d.name = "hand";
  d.features = 2;
  d.targets = 2;
  d.x = {1, 2, 3, -1};
  d.t = {0, 0, 3, 1};  // errors (1, 2) and (0, −2)
  d.y = {1, 0};        // labels are ignored by a regression set
  train::trainer<net, mean_squared_error> t(train::options{});
  const train::eval_record r = t.evaluate(*p, d);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_DOUBLE_EQ(r.errors[0], (1.0 + 4.0) / 2);
  EXPECT_DOUBLE_EQ(r.errors[1], (0.0 + 4.0) / 2);
  EXPECT_DOUBLE_EQ(r.loss, (2.5 + 2.0) / 2);
  EXPECT_DOUBLE_EQ(r.mae, (1.0 + 2.0 + 0.0 + 2.0) / 4);
  EXPECT_EQ(r.accuracy, 0.0);
}

TEST(trainer_regression, full_batch_step_reports_the_loss_before_it) {
  using net = network<double, input<3>, dense<4, ctnn::tanh>, dense<2, identity>>;
  const train::dataset d = make_regression(3, 2, 20, 5);
  train::options o;
  o.batch = 0;
  o.threads = 1;
  train::trainer<net, mean_squared_error> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  const train::eval_record before = t.evaluate(*p, d);
  const train::epoch_record r = t.train_epoch(*p, d, {});
  EXPECT_NEAR(r.train_loss, before.loss, 1e-12);
  EXPECT_NEAR(r.train_mae, before.mae, 1e-12);
  EXPECT_EQ(r.train_accuracy, 0.0);
  EXPECT_LT(t.evaluate(*p, d).loss, before.loss);
}

TEST(trainer_regression, learns_an_exact_linear_map_with_any_thread_count) {
  // y = A·x + c, no noise: the linear model's MSE must fall far below the targets' variance
  // (about 1.5 per output here), and 1 or 2 threads give the same bits.
  using net = network<float, input<3>, dense<2, identity>>;
  train::dataset d = make_regression(3, 2, 200, 9);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const float* x = d.sample(i);
    d.t[2 * i] = 0.5f * x[0] - x[1] + 0.25f;
    d.t[2 * i + 1] = x[2] + 0.5f * x[1] - 1.0f;
  }
  std::vector<float> bits[2];
  for (std::size_t threads : {1u, 2u}) {
    train::options o;
    o.threads = threads;
    o.shards = 2;
    o.batch = 16;
    o.lr = 0.02;
    o.epochs = 60;
    train::trainer<net, mean_squared_error> t(o);
    auto p = std::make_unique<net::parameters>();
    t.initialise(*p);
    const train::fit_result f = t.fit(*p, d, nullptr, {}, {});
    ASSERT_FALSE(f.diverged);
    EXPECT_LT(t.evaluate(*p, d).loss, 1e-4);
    EXPECT_LT(f.history.back().train_mae, 0.02);
    bits[threads - 1].assign(p->values.begin(), p->values.end());
  }
  EXPECT_EQ(bits[0], bits[1]);
}

TEST(trainer_regression, refusals_name_the_set) {
  using classifier = network<float, input<2>, dense<3, softmax>>;
  const train::dataset d = make_regression(2, 3, 4, 1);
  train::trainer<classifier> ce(train::options{});
  auto p = std::make_unique<classifier::parameters>();
  ce.initialise(*p);
  EXPECT_EQ(error_of([&] { ce.train_epoch(*p, d, {}); }),
            "regression: float targets train with mean_squared_error, not the class-label loss "
            "cross_entropy");
  train::trainer<classifier, mean_squared_error> mse(train::options{});
  const train::dataset two = make_regression(2, 2, 4, 1);
  EXPECT_EQ(error_of([&] { mse.evaluate(*p, two); }),
            "regression: samples have 2 targets but the network has 3 outputs");
}

}  // namespace
