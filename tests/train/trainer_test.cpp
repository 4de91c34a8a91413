// SPDX-License-Identifier: MIT
// The training engine end to end on small synthetic sets: learning, determinism across
// thread counts, exact resume, divergence, early stopping, errors.
#include "ctnn/train/trainer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "ctnn/ctnn.hpp"

namespace {

using ctnn::train::dataset;
using ctnn::train::optimizer_kind;
using ctnn::train::options;

// XOR of the signs of two coordinates, with noise-free uniform points in [−1, 1]².
dataset xor_set(std::size_t n, std::uint64_t seed) {
  ctnn::train::rng r(seed);
  dataset d;
  d.name = "xor";
  d.features = 2;
  d.classes = 2;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = 2 * r.uniform() - 1, b = 2 * r.uniform() - 1;
    d.x.push_back(float(a));
    d.x.push_back(float(b));
    d.y.push_back((a > 0) != (b > 0) ? 1u : 0u);
  }
  return d;
}

// Three Gaussian blobs in 8 dimensions, labels 0..2.
dataset blobs(std::size_t n, std::uint64_t seed) {
  ctnn::train::rng r(seed);
  dataset d;
  d.name = "blobs";
  d.features = 8;
  d.classes = 3;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::uint32_t>(r.below(3));
    for (std::size_t f = 0; f < 8; ++f) d.x.push_back(float((f % 3 == c ? 2.0 : 0.0) + r.normal()));
    d.y.push_back(c);
  }
  return d;
}

using moons_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<16, ctnn::tanh>,
                                ctnn::dense<16, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;
using blob_net = ctnn::network<float, ctnn::input<8>, ctnn::dense<32, ctnn::relu>,
                               ctnn::dense<16, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;

TEST(Trainer, LearnsXorWithBinaryCrossEntropy) {
  const dataset train = xor_set(2000, 1), test = xor_set(500, 2);
  options o;
  o.epochs = 60;
  o.batch = 32;
  o.lr = 0.01;
  o.init = ctnn::train::init_scheme::xavier;
  ctnn::train::trainer<moons_net> t(o);
  auto p = std::make_unique<moons_net::parameters>();
  t.initialise(*p);
  const auto first = t.train_epoch(*p, train, {});
  const auto fit = t.fit(*p, train, nullptr, {}, {});
  EXPECT_EQ(fit.history.size(), 59u);
  EXPECT_LT(fit.history.back().train_loss, first.train_loss / 3);
  EXPECT_GT(t.evaluate(*p, test).accuracy, 0.95);
}

TEST(Trainer, EvaluateUsesTheInferenceForwardPass) {
  const dataset test = blobs(300, 3);
  options o;
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  const auto ev = t.evaluate(*p, test);
  std::size_t correct = 0;
  double loss = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    blob_net::input x;
    std::copy_n(test.sample(i), 8, x.begin());
    EXPECT_EQ(ev.predicted[i], blob_net::predict(*p, x));
    correct += blob_net::predict(*p, x) == test.y[i];
    loss -= std::log(double(blob_net::forward(*p, x)[test.y[i]]));
  }
  EXPECT_DOUBLE_EQ(ev.accuracy, double(correct) / 300);
  EXPECT_NEAR(ev.loss, loss / 300, 1e-12);
}

std::unique_ptr<blob_net::parameters> run(options o, std::size_t epochs, const dataset& d) {
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  for (std::size_t e = 0; e < epochs; ++e) t.train_epoch(*p, d, {});
  return p;
}

TEST(Trainer, ThreadCountNeverChangesTheBits) {
  const dataset d = blobs(1000, 4);
  options o;
  o.batch = 50;
  o.shards = 4;
  o.threads = 1;
  const auto one = run(o, 3, d);
  o.threads = 2;
  const auto two = run(o, 3, d);
  o.threads = 3;
  const auto three = run(o, 3, d);
  EXPECT_EQ(one->values, two->values);
  EXPECT_EQ(one->values, three->values);
  // The run did train: parameters moved away from their initial values.
  EXPECT_NE(one->values, run(o, 0, d)->values);
}

void check_resume(optimizer_kind k) {
  const dataset d = blobs(700, 5);
  options o;
  o.optimizer = k;
  o.lr = k == optimizer_kind::adam ? 1e-3 : 0.05;
  o.batch = 64;
  o.epochs = 5;
  o.threads = 2;
  const auto straight = run(o, 5, d);

  ctnn::train::checkpoint_data c;
  {
    ctnn::train::trainer<blob_net> t(o);
    auto p = std::make_unique<blob_net::parameters>();
    t.initialise(*p);
    for (int e = 0; e < 2; ++e) t.train_epoch(*p, d, {});
    t.save(*p, c);
  }
  EXPECT_EQ(c.epoch, 2u);
  EXPECT_EQ(c.signature, blob_net::signature);
  EXPECT_EQ(c.optimizer_slots, ctnn::train::optimizer_slots(k));
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.restore(*p, c);
  EXPECT_EQ(t.epoch(), 2u);
  const auto fit = t.fit(*p, d, nullptr, {}, {});
  EXPECT_EQ(fit.history.size(), 3u);
  EXPECT_EQ(p->values, straight->values) << ctnn::train::to_string(k);
}

TEST(Trainer, ResumeIsExactAdam) {
  check_resume(optimizer_kind::adam);
}
TEST(Trainer, ResumeIsExactMomentum) {
  check_resume(optimizer_kind::momentum);
}
TEST(Trainer, ResumeIsExactSgd) {
  check_resume(optimizer_kind::sgd);
}

TEST(Trainer, RestoreRefusesForeignCheckpoints) {
  options o;
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  ctnn::train::checkpoint_data c;
  t.save(*p, c);
  {
    ctnn::train::checkpoint_data other = c;
    other.signature = std::string(moons_net::signature);
    try {
      t.restore(*p, other);
      FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("architecture"), std::string::npos) << e.what();
    }
  }
  {
    options m = o;
    m.optimizer = optimizer_kind::momentum;
    ctnn::train::trainer<blob_net> tm(m);
    EXPECT_THROW(tm.restore(*p, c), std::invalid_argument);
  }
  {
    ctnn::train::checkpoint_data cut = c;
    cut.optimizer_state.resize(cut.optimizer_state.size() / 2);
    EXPECT_THROW(t.restore(*p, cut), std::invalid_argument);
  }
}

TEST(Trainer, DivergenceIsReportedAndUndone) {
  using reg = ctnn::network<float, ctnn::input<8>, ctnn::dense<3, ctnn::identity>>;
  dataset d = blobs(200, 6);
  for (auto& x : d.x) x *= 1e6f;
  options o;
  o.optimizer = optimizer_kind::sgd;
  o.lr = 1e6;
  o.batch = 20;
  ctnn::train::trainer<reg, ctnn::train::mean_squared_error> t(o);
  reg::parameters p;
  t.initialise(p);
  const reg::parameters before = p;
  const auto r = t.train_epoch(p, d, {});
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(p.values, before.values);
  EXPECT_EQ(t.epoch(), 0u);
  EXPECT_EQ(t.step(), 0u);
  const auto fit = t.fit(p, d, nullptr, {}, {});
  EXPECT_TRUE(fit.diverged);
}

TEST(Trainer, EarlyStoppingKeepsTheBestParameters) {
  // Random labels: the network memorises the training set, so validation loss rises.
  dataset train = blobs(200, 7), val = blobs(200, 8);
  ctnn::train::rng r(9);
  for (auto& y : train.y) y = static_cast<std::uint32_t>(r.below(3));
  for (auto& y : val.y) y = static_cast<std::uint32_t>(r.below(3));
  options o;
  o.epochs = 200;
  o.batch = 10;
  o.lr = 1e-2;
  o.patience = 3;
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  const auto fit = t.fit(*p, train, &val, {}, {});
  ASSERT_TRUE(fit.stopped_early);
  ASSERT_GE(fit.best_epoch, 1u);
  EXPECT_EQ(fit.history.size(), fit.best_epoch + 3);
  double best = 1e300;
  for (const auto& h : fit.history) {
    EXPECT_TRUE(h.has_validation);
    best = std::min(best, h.validation_loss);
  }
  EXPECT_EQ(fit.history[fit.best_epoch - 1].validation_loss, best);
  EXPECT_EQ(t.evaluate(*p, val).loss, best);
}

TEST(Trainer, FullBatchTakesOneStepPerEpochAndCallbacksReportProgress) {
  const dataset d = blobs(130, 10);
  options o;
  o.batch = 0;
  o.optimizer = optimizer_kind::gd;
  o.lr = 0.1;
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  std::size_t calls = 0;
  ctnn::train::batch_progress last;
  t.train_epoch(*p, d, [&](const ctnn::train::batch_progress& b) {
    ++calls;
    last = b;
  });
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(last.batches, 1u);
  EXPECT_EQ(last.samples, 130u);
  EXPECT_EQ(t.step(), 1u);

  options m;
  m.batch = 32;
  ctnn::train::trainer<blob_net> tm(m);
  tm.initialise(*p);
  calls = 0;
  const auto r = tm.train_epoch(*p, d, [&](const ctnn::train::batch_progress& b) {
    ++calls;
    EXPECT_EQ(b.batch, calls);
    last = b;
  });
  EXPECT_EQ(calls, 5u);  // 32 + 32 + 32 + 32 + 2
  EXPECT_EQ(last.batches, 5u);
  EXPECT_EQ(last.samples, 130u);
  EXPECT_DOUBLE_EQ(last.loss, r.train_loss);
  EXPECT_DOUBLE_EQ(last.accuracy, r.train_accuracy);
  EXPECT_GT(r.samples_per_second, 0);
  EXPECT_EQ(r.epoch, 1u);
}

TEST(Trainer, BadDatasetsAreRefusedWithTheirName) {
  options o;
  ctnn::train::trainer<blob_net> t(o);
  auto p = std::make_unique<blob_net::parameters>();
  t.initialise(*p);
  dataset wrong = xor_set(10, 1);
  wrong.name = "wrong-width";
  try {
    t.train_epoch(*p, wrong, {});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "wrong-width: samples have 2 features but the network expects 8");
  }
  dataset bad_label = blobs(10, 1);
  bad_label.name = "bad-label";
  bad_label.y[4] = 3;
  try {
    t.train_epoch(*p, bad_label, {});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "bad-label: label 3 of sample 4 is out of range for a network with 3 classes");
  }
  dataset empty;
  empty.name = "empty";
  empty.features = 8;
  EXPECT_THROW(t.train_epoch(*p, empty, {}), std::invalid_argument);
}

}  // namespace
