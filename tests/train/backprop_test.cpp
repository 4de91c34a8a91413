// SPDX-License-Identifier: MIT
// The backprop pass on its own (no trainer, no optimiser, no dataset): its loss, correct
// count and gradient against an independent computation written here from the formulas
// (naive dense forward with std::tanh/std::exp, log-sum-exp cross-entropy, central
// differences of that loss), plus the pass's own contract: row strides, n = 0, row
// additivity and the prepared data.
//
// Tolerance of the gradient: |g − g_fd| ≤ 1e-7 + 1e-5·|g| with h = 1e-5 in double (central
// differences: truncation ~h²·|f'''|/6 and rounding ~1e-16·|f|/h, both ≈ 1e-11 here); any
// wrong formula is off by O(|g|).
#include "ctnn/train/backprop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ctnn/ctnn.hpp"

namespace {

constexpr std::size_t n_in = 4, n_h1 = 5, n_h2 = 4, n_out = 3;
using net = ctnn::network<double, ctnn::input<n_in>, ctnn::dense<n_h1, ctnn::tanh>,
                          ctnn::dense<n_h2, ctnn::sigmoid>, ctnn::dense<n_out, ctnn::softmax>>;
using pass = ctnn::train::backprop<net, ctnn::train::cross_entropy>;

// Parameter layout of a dense layer (docs: W[i][o] at i·Out + o, then the Out biases),
// layers one after the other: sizes written out here, not taken from ctnn.
constexpr std::size_t off1 = 0, off2 = off1 + n_in * n_h1 + n_h1, off3 = off2 + n_h1 * n_h2 + n_h2;
constexpr std::size_t n_params = off3 + n_h2 * n_out + n_out;
static_assert(net::parameter_count == n_params);

std::vector<double> dense(const std::vector<double>& p, std::size_t off, std::size_t in,
                          std::size_t out, const std::vector<double>& x) {
  std::vector<double> z(out);
  for (std::size_t o = 0; o < out; ++o) {
    double s = p[off + in * out + o];
    for (std::size_t i = 0; i < in; ++i) s += x[i] * p[off + i * out + o];
    z[o] = s;
  }
  return z;
}

struct naive_out {
  double loss = 0;
  std::uint32_t predicted = 0;
};

/// The network and its cross-entropy for one sample, from the formulas.
naive_out naive(const std::vector<double>& p, const double* row, std::uint32_t label) {
  std::vector<double> a(row, row + n_in);
  a = dense(p, off1, n_in, n_h1, a);
  for (double& v : a) v = std::tanh(v);
  a = dense(p, off2, n_h1, n_h2, a);
  for (double& v : a) v = 1.0 / (1.0 + std::exp(-v));
  const std::vector<double> z = dense(p, off3, n_h2, n_out, a);
  std::uint32_t best = 0;
  for (std::uint32_t o = 1; o < n_out; ++o)
    if (z[o] > z[best]) best = o;
  const double m = z[best];
  double s = 0;
  for (double v : z) s += std::exp(v - m);
  return {m + std::log(s) - z[label], best};
}

double naive_loss(const std::vector<double>& p, const std::vector<double>& x,
                  const std::vector<std::uint32_t>& y) {
  double l = 0;
  for (std::size_t r = 0; r < y.size(); ++r) l += naive(p, x.data() + r * n_in, y[r]).loss;
  return l;
}

struct fixture {
  std::vector<double> params, x;
  std::vector<std::uint32_t> y;
  fixture(std::size_t count, std::uint64_t seed) {
    ctnn::train::rng r(seed);
    for (std::size_t i = 0; i < n_params; ++i) params.push_back(0.7 * r.normal());
    for (std::size_t i = 0; i < count * n_in; ++i) x.push_back(r.normal());
    for (std::size_t i = 0; i < count; ++i) y.push_back(std::uint32_t(r.below(n_out)));
  }
  std::size_t rows() const { return y.size(); }
};

/// One pass over rows [first, first + n) of f (contiguous rows).
pass::result run_pass(const fixture& f, std::size_t first, std::size_t n,
                      std::vector<double>& grad) {
  std::vector<double> prepared(pass::prepared_size);
  pass::prepare(f.params.data(), prepared.data());
  pass bp(n);
  grad.assign(n_params, 0.0);
  return bp.run(f.params.data(), prepared.data(), f.x.data() + first * n_in, n_in, n,
                f.y.data() + first, grad.data());
}

TEST(Backprop, LossAndCorrectMatchANaiveForwardPass) {
  const fixture f(9, 11);
  std::vector<double> grad;
  const pass::result r = run_pass(f, 0, f.rows(), grad);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < f.rows(); ++i)
    correct += naive(f.params, f.x.data() + i * n_in, f.y[i]).predicted == f.y[i];
  EXPECT_NEAR(r.loss, naive_loss(f.params, f.x, f.y), 1e-12);
  EXPECT_EQ(r.correct, correct);
  EXPECT_GT(r.loss, 0.0);
}

TEST(Backprop, GradientMatchesCentralDifferencesOfTheNaiveLoss) {
  const fixture f(7, 3);
  std::vector<double> grad;
  run_pass(f, 0, f.rows(), grad);
  constexpr double h = 1e-5;
  std::size_t nonzero = 0;
  for (std::size_t j = 0; j < n_params; ++j) {
    std::vector<double> p = f.params;
    p[j] = f.params[j] + h;
    const double up = naive_loss(p, f.x, f.y);
    p[j] = f.params[j] - h;
    const double down = naive_loss(p, f.x, f.y);
    const double fd = (up - down) / (2 * h);
    EXPECT_NEAR(grad[j], fd, 1e-7 + 1e-5 * std::fabs(fd)) << "parameter " << j;
    nonzero += std::fabs(fd) > 1e-6;
  }
  EXPECT_GT(nonzero, n_params / 2);  // the check is not vacuous
}

TEST(Backprop, GradientIsTheSumOverRows) {
  const fixture f(10, 5);
  std::vector<double> all, head, tail;
  const pass::result r = run_pass(f, 0, 10, all);
  const pass::result a = run_pass(f, 0, 4, head);
  const pass::result b = run_pass(f, 4, 6, tail);
  EXPECT_NEAR(r.loss, a.loss + b.loss, 1e-12);
  EXPECT_EQ(r.correct, a.correct + b.correct);
  for (std::size_t j = 0; j < n_params; ++j)
    EXPECT_NEAR(all[j], head[j] + tail[j], 1e-12 * (1 + std::fabs(all[j]))) << j;
}

TEST(Backprop, ManyRowsGiveTheBitsOfTheRowByRowSums) {
  // More rows than chunk_rows go through in chunks; every sum still runs over the rows in
  // order. In unfused double a row's gradient is rounded products that the pass adds one
  // row after the other, so the sum of the one-row gradients in row order has the same
  // bits, and so has the sum of the one-row losses.
  using unfused_net =
      ctnn::network<double, ctnn::unfused, ctnn::input<n_in>, ctnn::dense<n_h1, ctnn::tanh>,
                    ctnn::dense<n_h2, ctnn::sigmoid>, ctnn::dense<n_out, ctnn::softmax>>;
  using unfused_pass = ctnn::train::backprop<unfused_net, ctnn::train::cross_entropy>;
  constexpr std::size_t rows = 2 * unfused_pass::chunk_rows + 88;
  const fixture f(rows, 31);
  std::vector<double> prepared(unfused_pass::prepared_size);
  unfused_pass::prepare(f.params.data(), prepared.data());
  unfused_pass bp(rows);
  std::vector<double> all(n_params), one(n_params), sum(n_params, 0.0);
  const unfused_pass::result r =
      bp.run(f.params.data(), prepared.data(), f.x.data(), n_in, rows, f.y.data(), all.data());
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const unfused_pass::result ri = bp.run(f.params.data(), prepared.data(), f.x.data() + i * n_in,
                                           n_in, 1, f.y.data() + i, one.data());
    loss += ri.loss;
    correct += ri.correct;
    for (std::size_t j = 0; j < n_params; ++j) sum[j] += one[j];
  }
  EXPECT_EQ(r.loss, loss);
  EXPECT_EQ(r.correct, correct);
  EXPECT_EQ(all, sum);
}

TEST(Backprop, RowStrideGivesTheSameBitsAsContiguousRows) {
  const fixture f(6, 8);
  std::vector<double> contiguous;
  const pass::result r = run_pass(f, 0, f.rows(), contiguous);
  constexpr std::size_t ld = n_in + 3;  // rows inside a wider table
  std::vector<double> wide(f.rows() * ld, 1e300);
  for (std::size_t i = 0; i < f.rows(); ++i)
    for (std::size_t k = 0; k < n_in; ++k) wide[i * ld + k] = f.x[i * n_in + k];
  std::vector<double> prepared(pass::prepared_size), grad(n_params, 0.0);
  pass::prepare(f.params.data(), prepared.data());
  pass bp(f.rows());
  const pass::result s =
      bp.run(f.params.data(), prepared.data(), wide.data(), ld, f.rows(), f.y.data(), grad.data());
  EXPECT_EQ(s.loss, r.loss);
  EXPECT_EQ(s.correct, r.correct);
  EXPECT_EQ(grad, contiguous);
}

TEST(Backprop, ZeroRowsZeroTheGradient) {
  const fixture f(1, 2);
  std::vector<double> prepared(pass::prepared_size), grad(n_params, 42.0);
  pass::prepare(f.params.data(), prepared.data());
  pass bp(4);
  const pass::result r =
      bp.run(f.params.data(), prepared.data(), f.x.data(), n_in, 0, f.y.data(), grad.data());
  EXPECT_EQ(r.loss, 0.0);
  EXPECT_EQ(r.correct, 0u);
  EXPECT_EQ(grad, std::vector<double>(n_params, 0.0));
}

TEST(Backprop, OnePassIsReusableAcrossRuns) {
  // A second run with other rows overwrites (not accumulates) the gradient.
  const fixture f(8, 21);
  std::vector<double> want;
  run_pass(f, 3, 5, want);
  std::vector<double> prepared(pass::prepared_size), grad(n_params, 0.0);
  pass::prepare(f.params.data(), prepared.data());
  pass bp(8);
  bp.run(f.params.data(), prepared.data(), f.x.data(), n_in, 8, f.y.data(), grad.data());
  bp.run(f.params.data(), prepared.data(), f.x.data() + 3 * n_in, n_in, 5, f.y.data() + 3,
         grad.data());
  EXPECT_EQ(grad, want);
  EXPECT_EQ(bp.capacity(), 8u);
}

TEST(Backprop, ADirtyGradientBufferGivesTheSameBits) {
  // Layers that add their gradient (conv2d) get a zeroed slice, batched dense layers
  // write theirs: whatever the buffer held before, the gradient is the same, bit for bit.
  using cnn =
      ctnn::network<float, ctnn::input<6, 6>, ctnn::conv2d<2, 3, 3, ctnn::relu>, ctnn::flatten,
                    ctnn::dense<12, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;
  using cnn_pass = ctnn::train::backprop<cnn, ctnn::train::cross_entropy>;
  constexpr std::size_t rows = 40;  // ≥ 32: the 12→3 layer's transposed weight gradient
  ctnn::train::rng r(17);
  std::vector<float> params(cnn::parameter_count), x(rows * cnn::input_size);
  for (float& v : params) v = float(0.4 * r.normal());
  for (float& v : x) v = float(r.normal());
  std::vector<std::uint32_t> y(rows);
  for (auto& v : y) v = std::uint32_t(r.below(3));
  std::vector<float> prepared(cnn_pass::prepared_size);
  cnn_pass::prepare(params.data(), prepared.data());
  cnn_pass bp(rows);
  std::vector<float> clean(cnn::parameter_count, 0.0f), dirty(cnn::parameter_count, 0.0f);
  for (float& v : dirty) v = float(r.normal()) * 1e3f;
  bp.run(params.data(), prepared.data(), x.data(), cnn::input_size, rows, y.data(), clean.data());
  bp.run(params.data(), prepared.data(), x.data(), cnn::input_size, rows, y.data(), dirty.data());
  EXPECT_EQ(std::memcmp(clean.data(), dirty.data(), clean.size() * sizeof(float)), 0);
  std::size_t nonzero = 0;
  for (float v : clean) nonzero += v != 0.0f;
  EXPECT_GT(nonzero, cnn::parameter_count / 2);  // not vacuous
}

}  // namespace
