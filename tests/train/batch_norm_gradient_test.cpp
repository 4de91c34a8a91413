// SPDX-License-Identifier: MIT
// batch_norm's training (train/batch_norm_gradient.hpp): the shard forward pass against the
// batch statistics computed by hand, the backward pass through the batch statistics against
// central finite differences over a whole shard (every input, γ and β), the running
// averages (shards pooled into the batch's statistics, momentum 0.1, unbiased variance), and
// the inference function's gradient against finite differences of the forward pass.
#include "ctnn/train/batch_norm_gradient.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "ctnn/network.hpp"

namespace {

using net = ctnn::network<double, ctnn::input<2, 2, 3>, ctnn::batch_norm<ctnn::relu>>;
using layer = net::layer<1>;
using grad = ctnn::train::layer_gradient<layer>;
constexpr std::size_t C = 3, P = 4, N = 12;  // channels, pixels, values per sample

std::vector<double> random(std::size_t n, std::uint32_t seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

TEST(BatchNormGradient, ShardForwardNormalisesWithTheShardStatistics) {
  constexpr std::size_t rows = 5;
  const auto x = random(rows * N, 1, -3, 5);
  std::vector<double> p = random(4 * C, 2, 0.5, 2);
  std::vector<double> z(rows * N), stats(grad::stats_size);
  grad::forward_shard(p.data(), x.data(), N, rows, z.data(), stats.data());
  EXPECT_EQ(stats[2 * C], double(rows * P));
  for (std::size_t c = 0; c < C; ++c) {
    double s = 0, ss = 0;
    for (std::size_t i = c; i < x.size(); i += C) s += x[i];
    const double mean = s / double(rows * P);
    for (std::size_t i = c; i < x.size(); i += C) ss += (x[i] - mean) * (x[i] - mean);
    const double var = ss / double(rows * P);
    EXPECT_NEAR(stats[c], mean, 1e-14);
    EXPECT_NEAR(stats[C + c], var, 1e-13);
    for (std::size_t i = c; i < x.size(); i += C)
      EXPECT_NEAR(z[i], p[c] * (x[i] - mean) / std::sqrt(var + 1e-5) + p[C + c], 1e-12);
  }
}

/// L = Σ w·z over the shard, for random weights w.
double shard_loss(const std::vector<double>& p, const std::vector<double>& x, std::size_t rows,
                  const std::vector<double>& w) {
  std::vector<double> z(rows * N), stats(grad::stats_size);
  grad::forward_shard(p.data(), x.data(), N, rows, z.data(), stats.data());
  double l = 0;
  for (std::size_t i = 0; i < z.size(); ++i) l += w[i] * z[i];
  return l;
}

TEST(BatchNormGradient, BackwardThroughTheBatchStatisticsMatchesFiniteDifferences) {
  for (std::size_t rows : {1u, 2u, 5u}) {
    SCOPED_TRACE(rows);
    auto x = random(rows * N, 3 + unsigned(rows), -2, 3);
    auto p = random(4 * C, 4, 0.5, 2);
    for (std::size_t c = 0; c < C; ++c) p[C + c] -= 1;  // β of either sign
    const auto w = random(rows * N, 5, -1, 1);
    std::vector<double> z(rows * N), stats(grad::stats_size), gp(4 * C, 0.0), gx(rows * N);
    grad::forward_shard(p.data(), x.data(), N, rows, z.data(), stats.data());
    grad::backward_shard(p.data(), x.data(), N, rows, w.data(), gp.data(), gx.data(), stats.data());
    const double h = 1e-6;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double keep = x[i];
      x[i] = keep + h;
      const double lp = shard_loss(p, x, rows, w);
      x[i] = keep - h;
      const double lm = shard_loss(p, x, rows, w);
      x[i] = keep;
      EXPECT_NEAR(gx[i], (lp - lm) / (2 * h), 1e-6 * (1 + std::abs(gx[i]))) << "x " << i;
    }
    for (std::size_t j = 0; j < 2 * C; ++j) {  // γ and β
      const double keep = p[j];
      p[j] = keep + h;
      const double lp = shard_loss(p, x, rows, w);
      p[j] = keep - h;
      const double lm = shard_loss(p, x, rows, w);
      p[j] = keep;
      EXPECT_NEAR(gp[j], (lp - lm) / (2 * h), 1e-6 * (1 + std::abs(gp[j]))) << "p " << j;
    }
    // The running statistics get no gradient.
    for (std::size_t j = 2 * C; j < 4 * C; ++j) EXPECT_EQ(gp[j], 0.0);
  }
}

TEST(BatchNormGradient, RunningAveragesPoolTheShardsIntoTheBatch) {
  // Shards of 2, 3 and 0 rows; the pooled statistics are those of all 5 rows.
  const auto x = random(5 * N, 7, -3, 4);
  std::vector<double> p = {1, 1, 1, 0, 0, 0, 0.5, -1, 2, 1.5, 0.25, 3};
  const std::vector<double> before = p;
  std::vector<double> z(5 * N), s0(grad::stats_size), s1(grad::stats_size), s2(grad::stats_size);
  grad::forward_shard(p.data(), x.data(), N, 2, z.data(), s0.data());
  grad::forward_shard(p.data(), x.data() + 2 * N, N, 3, z.data(), s1.data());
  grad::forward_shard(p.data(), x.data(), N, 0, z.data(), s2.data());
  const double* all[] = {s0.data(), s1.data(), s2.data()};
  grad::update_running(p.data(), all, 3);
  for (std::size_t c = 0; c < C; ++c) {
    double s = 0, ss = 0;
    const double m = 5 * P;
    for (std::size_t i = c; i < x.size(); i += C) s += x[i];
    const double mean = s / m;
    for (std::size_t i = c; i < x.size(); i += C) ss += (x[i] - mean) * (x[i] - mean);
    const double unbiased = ss / (m - 1);
    EXPECT_NEAR(p[2 * C + c], 0.9 * before[2 * C + c] + 0.1 * mean, 1e-14);
    EXPECT_NEAR(p[3 * C + c], 0.9 * before[3 * C + c] + 0.1 * unbiased, 1e-13);
    EXPECT_EQ(p[c], before[c]);  // γ, β untouched
    EXPECT_EQ(p[C + c], before[C + c]);
  }
}

TEST(BatchNormGradient, InferenceGradientMatchesFiniteDifferences) {
  auto x = random(N, 11, -2, 2);
  auto p = random(4 * C, 12, 0.5, 2);
  const auto w = random(N, 13, -1, 1);
  auto loss = [&] {
    net::input xi{};
    std::copy(x.begin(), x.end(), xi.begin());
    net::parameters pi{};
    std::copy(p.begin(), p.end(), pi.values.begin());
    std::array<double, N> z{};
    layer::affine(pi.values.data(), xi.data(), z.data());
    double l = 0;
    for (std::size_t i = 0; i < N; ++i) l += w[i] * z[i];
    return l;
  };
  std::vector<double> gp(4 * C, 0.0), gx(N);
  grad::backward(p.data(), x.data(), nullptr, w.data(), gp.data(), gx.data());
  const double h = 1e-6;
  for (std::size_t i = 0; i < N; ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double lp = loss();
    x[i] = keep - h;
    const double lm = loss();
    x[i] = keep;
    EXPECT_NEAR(gx[i], (lp - lm) / (2 * h), 1e-7);
  }
  for (std::size_t j = 0; j < 2 * C; ++j) {
    const double keep = p[j];
    p[j] = keep + h;
    const double lp = loss();
    p[j] = keep - h;
    const double lm = loss();
    p[j] = keep;
    EXPECT_NEAR(gp[j], (lp - lm) / (2 * h), 1e-7);
  }
}

}  // namespace
