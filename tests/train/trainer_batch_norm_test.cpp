// SPDX-License-Identifier: MIT
// batch_norm in the training engine (trainer.hpp, backprop.hpp): the running averages
// after a step against statistics computed by hand from the data (one shard and pooled
// shards; Adam with weight decay never moves them), the engine's gradient through the
// batch statistics against central differences of its own training loss, results
// independent of the thread count, a resumed run bit-identical to the uninterrupted one,
// and learning (the inference pass with the running statistics classifies the blobs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using ctnn::train::dataset;
using ctnn::train::options;

dataset blobs(std::size_t n, std::uint64_t seed, double noise = 1.0) {
  ctnn::train::rng r(seed);
  dataset d;
  d.name = "blobs";
  d.features = 4;
  d.classes = 3;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::uint32_t>(r.below(3));
    for (std::size_t f = 0; f < 4; ++f)
      d.x.push_back(float(3.0 + (f % 3 == c ? 2.0 : 0.0) + noise * (1 + double(f)) * r.normal()));
    d.y.push_back(c);
  }
  return d;
}

// batch_norm first: its input is the data, so its statistics can be computed by hand.
using net = ctnn::network<float, ctnn::input<4>, ctnn::batch_norm<>, ctnn::dense<8, ctnn::relu>,
                          ctnn::batch_norm<ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;

// The same batch_norm first in a residual block's body: it sees the data too.
using block_net = ctnn::network<
    float, ctnn::input<4>,
    ctnn::residual<ctnn::block<ctnn::batch_norm<>, ctnn::dense<4, ctnn::relu>, ctnn::dense<4>>>,
    ctnn::dense<3, ctnn::softmax>>;

/// One step over 60 samples (one shard and three pooled): Net's parameters 8…15, the
/// running mean and variance of its first batch_norm (4 channels, at the start of the
/// slice), are the batch's statistics, computed by hand; γ was trained.
template <class Net>
void expect_running_averages_of_the_batch() {
  const dataset d = blobs(60, 1);
  for (std::size_t shards : {1u, 3u}) {
    SCOPED_TRACE(shards);
    options o;
    o.batch = 0;  // one step over all 60 samples
    o.epochs = 1;
    o.shards = shards;
    o.weight_decay = 0.1;  // Adam with decay: must not touch the running statistics
    o.lr = 0.05;
    ctnn::train::trainer<Net> t(o);
    auto p = std::make_unique<typename Net::parameters>();
    t.initialise(*p);
    const typename Net::parameters before = *p;
    t.train_epoch(*p, d, {});
    for (std::size_t c = 0; c < 4; ++c) {
      double s = 0, ss = 0;
      for (std::size_t i = 0; i < 60; ++i) s += d.x[i * 4 + c];
      const double mean = s / 60;
      for (std::size_t i = 0; i < 60; ++i) ss += (d.x[i * 4 + c] - mean) * (d.x[i * 4 + c] - mean);
      EXPECT_NEAR(p->values[8 + c], 0.1 * mean, 1e-6 * std::abs(mean));
      EXPECT_NEAR(p->values[12 + c], 0.9 + 0.1 * ss / 59, 1e-6);
      EXPECT_NE(p->values[c], before.values[c]);
    }
  }
}

TEST(TrainerBatchNorm, RunningAveragesAfterAStepAreTheBatchStatistics) {
  expect_running_averages_of_the_batch<net>();
}

TEST(TrainerBatchNorm, RunningAveragesInsideABlockAreTheBatchStatistics) {
  expect_running_averages_of_the_batch<block_net>();
}

/// The trainer's gradient (through the batch statistics: `d` is one shard) against central
/// differences of its own training loss, parameter by parameter; returns the largest |g|.
template <class Net>
double expect_gradient_is_central_differences(ctnn::train::trainer<Net>& t,
                                              typename Net::parameters& p, const dataset& d) {
  std::vector<double> g, scratch;
  t.gradient(p, d, g);
  const double h = 1e-6;
  double largest = 0;
  for (std::size_t j = 0; j < Net::parameter_count; ++j) {
    const double keep = p.values[j];
    p.values[j] = keep + h;
    const double lp = t.gradient(p, d, scratch);
    p.values[j] = keep - h;
    const double lm = t.gradient(p, d, scratch);
    p.values[j] = keep;
    EXPECT_NEAR(g[j], (lp - lm) / (2 * h), 1e-6 * (1 + std::abs(g[j]))) << "parameter " << j;
    largest = std::max(largest, std::abs(g[j]));
  }
  return largest;
}

TEST(TrainerBatchNorm, GradientThroughTheBatchStatisticsMatchesFiniteDifferences) {
  using dnet = ctnn::network<double, ctnn::input<3, 3, 2>, ctnn::conv2d<3, 2, 2>,
                             ctnn::batch_norm<ctnn::tanh>, ctnn::flatten, ctnn::dense<4>,
                             ctnn::batch_norm<>, ctnn::dense<3, ctnn::softmax>>;
  dataset d;
  d.name = "random";
  d.features = 18;
  d.classes = 3;
  ctnn::train::rng r(3);
  for (std::size_t i = 0; i < 6; ++i) {
    for (std::size_t f = 0; f < 18; ++f) d.x.push_back(float(r.normal()));
    d.y.push_back(static_cast<std::uint32_t>(i % 3));
  }
  options o;
  o.shards = 1;  // the whole set is one shard: the loss is a function of all its rows
  ctnn::train::trainer<dnet> t(o);
  auto p = std::make_unique<dnet::parameters>();
  t.initialise(*p);
  for (std::size_t j = 0; j < dnet::parameter_count; ++j)  // γ, β away from 1, 0
    p->values[j] += 0.3 * r.normal();
  // Running variances must stay positive (they do not enter the training loss anyway).
  const std::size_t bn1 = dnet::parameter_offset<2>, bn2 = dnet::parameter_offset<5>;
  for (std::size_t c = 0; c < 3; ++c) p->values[bn1 + 9 + c] = 1.0;
  for (std::size_t c = 0; c < 4; ++c) p->values[bn2 + 12 + c] = 1.0;
  expect_gradient_is_central_differences(t, *p, d);
}

// batch_norm inside residual blocks (ResNet's conv → batch_norm → relu; a projection; a
// nested block with its own batch_norm): the blocks train with the batch statistics of the
// shard (residual_gradient.hpp's shard path), checked through the whole engine.
using res_net = ctnn::network<
    double, ctnn::input<4, 4, 2>, ctnn::conv2d<3, 3, 3, ctnn::identity, 1, ctnn::same>,
    ctnn::batch_norm<ctnn::relu>,
    ctnn::residual<
        ctnn::block<ctnn::conv2d<3, 3, 3, ctnn::identity, 1, ctnn::same>,
                    ctnn::batch_norm<ctnn::tanh>,
                    ctnn::conv2d<3, 3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<>>,
        ctnn::no_projection, ctnn::tanh>,
    ctnn::residual<
        ctnn::block<ctnn::conv2d<4, 3, 3, ctnn::identity, 2, ctnn::same>,
                    ctnn::batch_norm<ctnn::tanh>,
                    ctnn::residual<ctnn::block<ctnn::conv2d<4, 1, 1>, ctnn::batch_norm<>>,
                                   ctnn::no_projection, ctnn::tanh>>,
        ctnn::conv2d<4, 1, 1, ctnn::identity, 2>, ctnn::tanh>,
    ctnn::global_avg_pool, ctnn::dense<3, ctnn::softmax>>;
static_assert(ctnn::train::detail::shard_state_gradient<
              ctnn::train::layer_gradient<res_net::layer<3>>, double>);
static_assert(ctnn::train::detail::shard_state_gradient<
              ctnn::train::layer_gradient<res_net::layer<4>>, double>);
static_assert(!ctnn::train::detail::stateful_gradient<
              ctnn::train::layer_gradient<res_net::layer<4>>, double>);

TEST(TrainerBatchNorm, InsideResidualBlocksGradientMatchesFiniteDifferences) {
  dataset d;
  d.name = "random";
  d.features = res_net::input_size;
  d.classes = 3;
  ctnn::train::rng r(5);
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t f = 0; f < d.features; ++f) d.x.push_back(float(r.normal()));
    d.y.push_back(static_cast<std::uint32_t>(i % 3));
  }
  options o;
  o.shards = 1;  // the whole set is one shard: the loss is a function of all its rows
  ctnn::train::trainer<res_net> t(o);
  auto p = std::make_unique<res_net::parameters>();
  t.initialise(*p);
  // γ, β away from 1, 0 (the running statistics do not enter the training loss).
  for (auto& v : p->values) v += 0.3 * r.normal();
  EXPECT_GT(expect_gradient_is_central_differences(t, *p, d), 1e-3);
}

TEST(TrainerBatchNorm, InsideBlocksThreadsDoNotChangeTheBits) {
  const dataset d = blobs(200, 6);
  options o;
  o.batch = 32;
  o.shards = 4;
  auto run = [&](std::size_t threads) {
    o.threads = threads;
    ctnn::train::trainer<block_net> t(o);
    auto p = std::make_unique<block_net::parameters>();
    t.initialise(*p);
    for (int e = 0; e < 2; ++e) t.train_epoch(*p, d, {});
    return *p;
  };
  const block_net::parameters one = run(1), two = run(2);
  EXPECT_EQ(std::memcmp(one.values.data(), two.values.data(), sizeof(one.values)), 0);
}

TEST(TrainerBatchNorm, InsideBlocksLearnsAndEvaluatesWithTheRunningStatistics) {
  const dataset train_set = blobs(1500, 5, 0.3), test_set = blobs(500, 6, 0.3);
  options o;
  o.batch = 32;
  o.lr = 0.01;
  ctnn::train::trainer<block_net> t(o);
  auto p = std::make_unique<block_net::parameters>();
  t.initialise(*p);
  for (int e = 0; e < 8; ++e) t.train_epoch(*p, train_set, {});
  EXPECT_GT(t.evaluate(*p, test_set).accuracy, 0.95);
  // The block's batch_norm tracks the data's means (as in the test below).
  for (std::size_t f = 0; f < 4; ++f) EXPECT_NEAR(p->values[8 + f], 3.67, 0.2) << f;
}

net::parameters train(const options& o, const dataset& d, std::size_t epochs) {
  ctnn::train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  for (std::size_t e = 0; e < epochs; ++e) t.train_epoch(*p, d, {});
  return *p;
}

TEST(TrainerBatchNorm, ThreadsDoNotChangeTheBitsAndResumeIsExact) {
  const dataset d = blobs(300, 4);
  options o;
  o.batch = 32;
  o.shards = 4;
  o.threads = 1;
  const net::parameters one = train(o, d, 3);
  o.threads = 2;
  const net::parameters two = train(o, d, 3);
  EXPECT_EQ(std::memcmp(one.values.data(), two.values.data(), sizeof(one.values)), 0);

  // 2 epochs, checkpoint, a new trainer restored from it, 1 more epoch.
  auto p = std::make_unique<net::parameters>();
  ctnn::train::checkpoint_data c;
  {
    ctnn::train::trainer<net> t(o);
    t.initialise(*p);
    for (int e = 0; e < 2; ++e) t.train_epoch(*p, d, {});
    t.save(*p, c);
  }
  auto q = std::make_unique<net::parameters>();
  ctnn::train::trainer<net> t(o);
  t.restore(*q, c);
  t.train_epoch(*q, d, {});
  EXPECT_EQ(std::memcmp(one.values.data(), q->values.data(), sizeof(one.values)), 0);
}

TEST(TrainerBatchNorm, LearnsAndEvaluatesWithTheRunningStatistics) {
  const dataset train_set = blobs(1500, 5, 0.3), test_set = blobs(500, 6, 0.3);
  options o;
  o.batch = 32;
  o.epochs = 8;
  o.lr = 0.01;
  ctnn::train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  for (std::size_t e = 0; e < o.epochs; ++e) t.train_epoch(*p, train_set, {});
  const auto ev = t.evaluate(*p, test_set);
  EXPECT_GT(ev.accuracy, 0.95);
  // The running means of the first batch_norm track the data's means: 3, plus 2 for a
  // third of the samples (the class whose feature it is; feature 3 is class 0's too).
  for (std::size_t f = 0; f < 4; ++f) EXPECT_NEAR(p->values[8 + f], 3.67, 0.2) << f;
}

}  // namespace
