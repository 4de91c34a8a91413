// SPDX-License-Identifier: MIT
// Optimiser steps and schedules against hand-computed values, through the trainer, on the
// 2-input linear model z = b + w0·x0 + w1·x1 with MSE (so dL/dz = 2(z − t) by hand).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using lin = ctnn::network<double, ctnn::input<2>, ctnn::dense<1, ctnn::identity>>;
using ctnn::train::optimizer_kind;

ctnn::train::dataset one_sample() {  // x = (1, 2), target 1
  ctnn::train::dataset d;
  d.name = "one";
  d.features = 2;
  d.classes = 2;
  d.x = {1.0f, 2.0f};
  d.y = {1};
  return d;
}

struct hand_grad {
  double w0, w1, b;
};
hand_grad grad_at(const lin::parameters& p) {  // W[0][0] = w0, W[1][0] = w1, then b
  const double z = p.values[2] + p.values[0] * 1.0 + p.values[1] * 2.0;
  const double dz = 2.0 * (z - 1.0);
  return {dz * 1.0, dz * 2.0, dz};
}

ctnn::train::options base(optimizer_kind k, double lr) {
  ctnn::train::options o;
  o.optimizer = k;
  o.lr = lr;
  o.batch = 0;
  o.epochs = 100;
  return o;
}

TEST(Optimizer, SgdStepIsLrTimesGradient) {
  // z = 0.1 + 0.5 − 0.5 = 0.1; dL/dz = −1.8; g = (−1.8, −3.6, −1.8).
  lin::parameters p{{0.5, -0.25, 0.1}};
  ctnn::train::trainer<lin> t(base(optimizer_kind::sgd, 0.1));
  t.train_epoch(p, one_sample(), {});
  EXPECT_DOUBLE_EQ(p.values[0], 0.5 + 0.18);
  EXPECT_DOUBLE_EQ(p.values[1], -0.25 + 0.36);
  EXPECT_DOUBLE_EQ(p.values[2], 0.1 + 0.18);
  EXPECT_EQ(t.step(), 1u);
  EXPECT_EQ(t.epoch(), 1u);
}

TEST(Optimizer, WeightDecayAppliesToWeightsNotBiases) {
  lin::parameters p{{0.5, -0.25, 0.1}};
  auto o = base(optimizer_kind::gd, 0.1);
  o.weight_decay = 0.01;
  ctnn::train::trainer<lin> t(o);
  t.train_epoch(p, one_sample(), {});
  EXPECT_NEAR(p.values[0], 0.5 - 0.1 * (-1.8 + 0.01 * 0.5), 1e-15);
  EXPECT_NEAR(p.values[1], -0.25 - 0.1 * (-3.6 + 0.01 * -0.25), 1e-15);
  EXPECT_NEAR(p.values[2], 0.1 - 0.1 * -1.8, 1e-15);
}

TEST(Optimizer, MomentumTwoSteps) {
  lin::parameters p{{0.5, -0.25, 0.1}};
  auto o = base(optimizer_kind::momentum, 0.05);
  o.momentum = 0.9;
  ctnn::train::trainer<lin> t(o);
  lin::parameters want = p;
  const hand_grad g1 = grad_at(want);
  double v[3] = {g1.w0, g1.w1, g1.b};
  for (std::size_t j = 0; j < 3; ++j) want.values[j] -= 0.05 * v[j];
  const hand_grad g2 = grad_at(want);
  const double g2v[3] = {g2.w0, g2.w1, g2.b};
  for (std::size_t j = 0; j < 3; ++j) {
    v[j] = 0.9 * v[j] + g2v[j];
    want.values[j] -= 0.05 * v[j];
  }
  t.train_epoch(p, one_sample(), {});
  t.train_epoch(p, one_sample(), {});
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(p.values[j], want.values[j], 1e-14) << j;
}

TEST(Optimizer, AdamFirstStepMovesEachParameterByLrTimesSign) {
  lin::parameters p{{0.5, -0.25, 0.1}};
  ctnn::train::trainer<lin> t(base(optimizer_kind::adam, 1e-3));
  t.train_epoch(p, one_sample(), {});
  // All gradients are negative: every parameter grows by lr·|g|/(|g| + ε) ≈ lr.
  EXPECT_NEAR(p.values[0] - 0.5, 1e-3, 1e-9);
  EXPECT_NEAR(p.values[1] + 0.25, 1e-3, 1e-9);
  EXPECT_NEAR(p.values[2] - 0.1, 1e-3, 1e-9);
}

TEST(Optimizer, AdamSecondStepByHand) {
  lin::parameters p{{0.5, -0.25, 0.1}};
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  ctnn::train::trainer<lin> t(base(optimizer_kind::adam, lr));
  lin::parameters want = p;
  double m[3] = {}, v[3] = {};
  for (int step = 1; step <= 2; ++step) {
    const hand_grad g = grad_at(want);
    const double gv[3] = {g.w0, g.w1, g.b};
    for (std::size_t j = 0; j < 3; ++j) {
      m[j] = b1 * m[j] + (1 - b1) * gv[j];
      v[j] = b2 * v[j] + (1 - b2) * gv[j] * gv[j];
      const double mhat = m[j] / (1 - std::pow(b1, step));
      const double vhat = v[j] / (1 - std::pow(b2, step));
      want.values[j] -= lr * mhat / (std::sqrt(vhat) + eps);
    }
  }
  t.train_epoch(p, one_sample(), {});
  t.train_epoch(p, one_sample(), {});
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(p.values[j], want.values[j], 1e-12) << j;
}

// apply_update's Adam over many parameters (whole vectors, runs of weights and biases
// that straddle vectors, a range that starts and ends off a vector boundary) against the
// formula in float, one parameter at a time, bit for bit: every path computes the same
// IEEE operations.
TEST(Optimizer, AdamVectorsAsTheFormulaBitForBit) {
  constexpr std::size_t n = 61, begin = 3, end = 58;
  std::vector<unsigned char> decays(n);
  for (std::size_t j = 0; j < n; ++j) decays[j] = (j < 21 || (j >= 24 && j < 45)) ? 1 : 0;
  std::vector<float> w(n), g(n), m(n, 0.0f), v(n, 0.0f);
  for (std::size_t j = 0; j < n; ++j) {
    w[j] = std::sin(float(j) * 0.7f);
    g[j] = std::cos(float(j) * 1.3f) * 5.0f;
  }
  std::vector<float> w_ref = w, m_ref = m, v_ref = v;
  ctnn::train::options o;
  o.optimizer = optimizer_kind::adam;
  o.weight_decay = 0.01;
  for (std::uint64_t t = 1; t <= 3; ++t) {
    const auto c = ctnn::train::make_step_constants<float>(o, 0.003, t, 7);
    ASSERT_TRUE(ctnn::train::apply_update(optimizer_kind::adam, c, w.data(), g.data(),
                                          decays.data(), m.data(), v.data(), begin, end));
    for (std::size_t j = begin; j < end; ++j) {
      float gj = g[j] * c.inv_batch;
      if (decays[j]) gj = gj + c.decay * w_ref[j];
      m_ref[j] = c.beta1 * m_ref[j] + c.one_minus_beta1 * gj;
      v_ref[j] = c.beta2 * v_ref[j] + c.one_minus_beta2 * (gj * gj);
      w_ref[j] = w_ref[j] - c.lr * m_ref[j] / (std::sqrt(v_ref[j]) * c.inv_sqrt_c2 + c.eps);
    }
  }
  EXPECT_EQ(0, std::memcmp(w.data(), w_ref.data(), n * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(m.data(), m_ref.data(), n * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(v.data(), v_ref.data(), n * sizeof(float)));
  // A non-finite gradient inside a vector is reported.
  g[30] = std::numeric_limits<float>::infinity();
  const auto c = ctnn::train::make_step_constants<float>(o, 0.003, 4, 7);
  EXPECT_FALSE(ctnn::train::apply_update(optimizer_kind::adam, c, w.data(), g.data(), decays.data(),
                                         m.data(), v.data(), begin, end));
}

TEST(Schedule, StepAndCosine) {
  ctnn::train::options o;
  o.lr = 0.1;
  o.schedule = ctnn::train::schedule_kind::step;
  o.step_size = 3;
  o.gamma = 0.5;
  EXPECT_EQ(ctnn::train::scheduled_lr(o, 0), 0.1);
  EXPECT_EQ(ctnn::train::scheduled_lr(o, 2), 0.1);
  EXPECT_EQ(ctnn::train::scheduled_lr(o, 3), 0.05);
  EXPECT_EQ(ctnn::train::scheduled_lr(o, 7), 0.025);
  o.schedule = ctnn::train::schedule_kind::cosine;
  o.epochs = 10;
  o.min_lr = 0.001;
  for (std::size_t e = 0; e <= 10; ++e) {
    const double want = 0.001 + (0.1 - 0.001) * (1 + std::cos(M_PI * double(e) / 10)) / 2;
    EXPECT_NEAR(ctnn::train::scheduled_lr(o, e), want, 1e-16) << e;
  }
  o.schedule = ctnn::train::schedule_kind::none;
  EXPECT_EQ(ctnn::train::scheduled_lr(o, 5), 0.1);
}

TEST(Schedule, TrainerUsesTheScheduledRate) {
  lin::parameters p{{0.5, -0.25, 0.1}};
  auto o = base(optimizer_kind::sgd, 0.1);
  o.schedule = ctnn::train::schedule_kind::step;
  o.step_size = 1;
  o.gamma = 0.5;
  ctnn::train::trainer<lin> t(o);
  EXPECT_EQ(t.train_epoch(p, one_sample(), {}).learning_rate, 0.1);
  lin::parameters want = p;
  const hand_grad g = grad_at(want);
  const auto r = t.train_epoch(p, one_sample(), {});
  EXPECT_EQ(r.learning_rate, 0.05);
  EXPECT_NEAR(p.values[2], want.values[2] - 0.05 * g.b, 1e-15);
}

TEST(Options, ParseNames) {
  using namespace ctnn::train;
  EXPECT_EQ(parse_optimizer("adam"), optimizer_kind::adam);
  EXPECT_EQ(parse_optimizer("momentum"), optimizer_kind::momentum);
  EXPECT_EQ(parse_optimizer("gd"), optimizer_kind::gd);
  EXPECT_EQ(parse_optimizer("sgd"), optimizer_kind::sgd);
  EXPECT_FALSE(parse_optimizer("Adam"));
  EXPECT_EQ(parse_schedule("cosine"), schedule_kind::cosine);
  EXPECT_FALSE(parse_schedule("linear"));
  EXPECT_EQ(parse_init("he"), init_scheme::he);
  EXPECT_EQ(parse_init("xavier"), init_scheme::xavier);
  EXPECT_FALSE(parse_init(""));
  EXPECT_EQ(parse_bias_init("normal"), bias_init::normal);
  for (auto k :
       {optimizer_kind::gd, optimizer_kind::sgd, optimizer_kind::momentum, optimizer_kind::adam})
    EXPECT_EQ(parse_optimizer(to_string(k)), k);
}

}  // namespace
