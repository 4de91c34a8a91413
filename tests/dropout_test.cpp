// SPDX-License-Identifier: MIT
// dropout: the identity at inference (bits, signature, no parameters, int8 copy); while
// training, the drop rate matches Num/Den, the masks differ between samples, steps and
// layers, and a run is deterministic given the seed, independent of the thread count,
// and resumes exactly from a checkpoint.
#include "ctnn/dropout.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ctnn/dense.hpp"
#include "ctnn/network.hpp"
#include "ctnn/quantized.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/trainer.hpp"
#include "naive_layers.hpp"

namespace {

using net =
    ctnn::network<float, ctnn::input<6>, ctnn::dense<32, ctnn::relu>, ctnn::dropout<1, 4>,
                  ctnn::dense<32, ctnn::relu>, ctnn::dropout<1, 2>, ctnn::dense<3, ctnn::softmax>>;
using plain = ctnn::network<float, ctnn::input<6>, ctnn::dense<32, ctnn::relu>,
                            ctnn::dense<32, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;

TEST(Dropout, InferenceIsTheIdentity) {
  static_assert(net::parameter_count == plain::parameter_count);
  EXPECT_EQ(net::layer<2>::name.view(), "dropout(1/4)");
  const auto ps = naive_layers::random_values<float>(net::parameter_count, 1);
  auto p = std::make_unique<net::parameters>();
  auto q = std::make_unique<plain::parameters>();
  std::copy(ps.begin(), ps.end(), p->values.begin());
  std::copy(ps.begin(), ps.end(), q->values.begin());
  const auto xs = naive_layers::random_values<float>(6, 2);
  net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto a = net::forward(*p, x);
  const auto b = plain::forward(*q, x);
  EXPECT_TRUE(naive_layers::same_bits(a.data(), b.data(), 3));
}

TEST(Dropout, Int8FormIsACopy) {
  using qnet = ctnn::quantized<ctnn::network<float, ctnn::input<5>, ctnn::dropout<1, 3>>>;
  qnet::parameters q{};
  q.scales = {0.5f, 0.5f};
  const qnet::input x{-128, -1, 0, 7, 127};
  EXPECT_EQ(qnet::forward(q, x), x);
}

TEST(Dropout, RateAndIndependence) {
  using L = ctnn::network<double, ctnn::input<4000>, ctnn::dropout<3, 10>>::layer<1>;
  using G = ctnn::train::layer_gradient<L>;
  std::size_t dropped = 0, differ = 0;
  for (std::uint64_t s = 0; s < 25; ++s)
    for (std::size_t i = 0; i < 4000; ++i) {
      dropped += !G::kept(s, i);
      differ += G::kept(s, i) != G::kept(s + 1, i);
    }
  // 100,000 draws at p = 0.3: σ ≈ 145, so ±1,000 is ~7σ.
  EXPECT_NEAR(double(dropped), 30000.0, 1000.0);
  EXPECT_NEAR(double(differ), 100000.0 * 2 * 0.3 * 0.7, 1000.0);
  // Different layers and positions give different streams.
  EXPECT_NE(ctnn::train::detail::noise_stream(1, 2, 3), ctnn::train::detail::noise_stream(1, 4, 3));
  EXPECT_NE(ctnn::train::detail::noise_stream(1, 2, 3), ctnn::train::detail::noise_stream(1, 2, 4));
  // Rate 0 keeps everything.
  using L0 = ctnn::network<double, ctnn::input<100>, ctnn::dropout<0, 1>>::layer<1>;
  for (std::size_t i = 0; i < 100; ++i) EXPECT_TRUE(ctnn::train::layer_gradient<L0>::kept(9, i));
}

ctnn::train::dataset blobs(std::size_t n, unsigned seed) {
  ctnn::train::dataset d;
  d.name = "blobs";
  d.features = 6;
  d.classes = 3;
  d.x = naive_layers::random_values<float>(n * 6, seed, -1.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint32_t>(i % 3);
    d.x[i * 6 + label] += 2.0f;
    d.y.push_back(label);
  }
  return d;
}

std::vector<float> train_run(std::size_t threads, std::size_t shards, std::size_t epochs,
                             ctnn::train::checkpoint_data* resume_from = nullptr,
                             ctnn::train::checkpoint_data* save_to = nullptr,
                             double* last_train_loss = nullptr) {
  ctnn::train::options o;
  o.threads = threads;
  o.shards = shards;
  o.batch = 16;
  o.epochs = epochs;
  o.seed = 42;
  ctnn::train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  if (resume_from) t.restore(*p, *resume_from);
  const auto d = blobs(300, 5);
  while (t.epoch() < epochs) {
    const auto r = t.train_epoch(*p, d, {});
    if (last_train_loss) *last_train_loss = r.train_loss;
    if (save_to && t.epoch() == 2) t.save(*p, *save_to);
  }
  return {p->values.begin(), p->values.end()};
}

TEST(Dropout, DeterministicAcrossThreadsAndResume) {
  const auto a = train_run(1, 1, 4);
  const auto b = train_run(2, 1, 4);
  const auto c3 = train_run(1, 3, 4);
  const auto d3 = train_run(2, 3, 4);
  EXPECT_TRUE(naive_layers::same_bits(c3.data(), d3.data(), c3.size()));
  EXPECT_TRUE(naive_layers::same_bits(a.data(), b.data(), a.size()));
  ctnn::train::checkpoint_data c;
  const auto full = train_run(1, 2, 4, nullptr, &c);
  const auto resumed = train_run(2, 2, 4, &c);
  EXPECT_TRUE(naive_layers::same_bits(full.data(), resumed.data(), full.size()));
}

TEST(Dropout, TrainsAndIsActiveOnlyWhileTraining) {
  ctnn::train::options o;
  o.batch = 16;
  o.seed = 3;
  o.lr = 0.01;
  ctnn::train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  const auto d = blobs(600, 7);
  ctnn::train::epoch_record r;
  for (int e = 0; e < 15; ++e) r = t.train_epoch(*p, d, {});
  const auto ev = t.evaluate(*p, d);
  EXPECT_GT(ev.accuracy, 0.9);
  // With half the second layer dropped, the training loss stays above the clean one.
  EXPECT_GT(r.train_loss, ev.loss);
  // The same weights in the network without dropout predict identically.
  auto q = std::make_unique<plain::parameters>();
  std::copy(p->values.begin(), p->values.end(), q->values.begin());
  ctnn::train::trainer<plain> tp(o);
  EXPECT_EQ(tp.evaluate(*q, d).predicted, ev.predicted);
}

}  // namespace
