// SPDX-License-Identifier: MIT
// Residual blocks in the trainer: the whole pass's gradient (trainer::gradient, the
// blocks' stateful path with per-row state, 1 and 2 threads) against central differences
// of the evaluated mean loss (inference forward), in double; the weight-decay mask covers
// the blocks' weights and not their biases; a few epochs on a small synthetic problem
// reduce the loss.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/init.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using namespace ctnn;

train::dataset make_set(std::size_t features, std::size_t classes, std::size_t n,
                        std::uint64_t seed) {
  train::rng r(seed);
  train::dataset d;
  d.name = "residual-check";
  d.features = features;
  d.classes = classes;
  for (std::size_t i = 0; i < n * features; ++i) d.x.push_back(float(r.normal()));
  for (std::size_t i = 0; i < n; ++i) d.y.push_back(std::uint32_t(r.below(classes)));
  return d;
}

// 5x5x2 -> conv 3 same -> block without projection -> block with a 1x1 s2 projection -> 3x3x4
// -> global_avg_pool -> dense 3 softmax.
using net = network<
    double, input<5, 5, 2>, conv2d<3, 3, 3, ctnn::tanh, 1, same>,
    residual<block<conv2d<3, 3, 3, ctnn::tanh, 1, same>, conv2d<3, 3, 3, identity, 1, same>>,
             no_projection, ctnn::tanh>,
    residual<block<conv2d<4, 3, 3, ctnn::tanh, 2, same>, conv2d<4, 3, 3, identity, 1, same>>,
             conv2d<4, 1, 1, identity, 2>, ctnn::tanh>,
    global_avg_pool, dense<3, softmax>>;

// The blocks take the pass's stateful path (per-row state kept from the forward pass).
static_assert(train::detail::stateful_gradient<train::layer_gradient<net::layer<2>>, double>);
static_assert(train::detail::stateful_gradient<train::layer_gradient<net::layer<3>>, double>);

void check_gradient(std::size_t threads) {
  const train::dataset set = make_set(net::input_size, 3, 7, 5);
  train::options o;
  o.threads = threads;
  o.seed = 3;
  o.init = train::init_scheme::xavier_normal;
  o.bias = train::bias_init::normal;
  train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  std::vector<double> g;
  const double loss = t.gradient(*p, set, g);
  EXPECT_NEAR(loss, t.evaluate(*p, set).loss, 1e-12 * (1 + std::fabs(loss)));
  constexpr double h = 1e-5;
  double largest = 0;
  for (std::size_t j = 0; j < net::parameter_count; ++j) {
    const double keep = p->values[j];
    p->values[j] = keep + h;
    const double up = t.evaluate(*p, set).loss;
    p->values[j] = keep - h;
    const double down = t.evaluate(*p, set).loss;
    p->values[j] = keep;
    ASSERT_NEAR(g[j], (up - down) / (2 * h), 1e-7 + 1e-5 * std::fabs(g[j])) << "parameter " << j;
    largest = std::max(largest, std::fabs(g[j]));
  }
  EXPECT_GT(largest, 1e-3);
}

TEST(trainer_residual, gradient_matches_central_differences_one_thread) {
  check_gradient(1);
}
TEST(trainer_residual, gradient_matches_central_differences_two_threads) {
  check_gradient(2);
}

TEST(trainer_residual, weight_runs_are_the_parts_weights) {
  using L = net::layer<3>;  // body: conv(3->4) 108 + 4, conv(4->4) 144 + 4; projection 12 + 4
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  train::for_each_weight_run<L>(1000, [&](std::size_t at, std::size_t n) {
    runs.push_back({at, n});
  });
  const std::vector<std::pair<std::size_t, std::size_t>> expected{
      {1000, 108}, {1000 + 112, 144}, {1000 + 112 + 148, 12}};
  EXPECT_EQ(runs, expected);
}

TEST(trainer_residual, a_few_epochs_reduce_the_loss) {
  // Labels from a fixed rule of the input (the sign of a weighted sum), learnable.
  train::dataset d = make_set(net::input_size, 3, 192, 11);
  for (std::size_t i = 0; i < d.size(); ++i) {
    double s = 0;
    for (std::size_t k = 0; k < d.features; ++k) s += (k % 3 == 0 ? 1.0 : -0.5) * d.sample(i)[k];
    d.y[i] = s > 0.8 ? 2u : s < -0.8 ? 0u : 1u;
  }
  train::options o;
  o.threads = 2;
  o.batch = 16;
  o.lr = 0.01;
  train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  const double before = t.evaluate(*p, d).loss;
  for (int e = 0; e < 8; ++e) t.train_epoch(*p, d, nullptr);
  const double after = t.evaluate(*p, d).loss;
  EXPECT_LT(after, 0.7 * before) << before << " -> " << after;
}

}  // namespace
