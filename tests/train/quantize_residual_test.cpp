// SPDX-License-Identifier: MIT
// train/quantize.hpp on residual blocks: the calibrated ranges of the block's output and of
// its inner tensors by hand, the inner zero points and TFLite's ADD multipliers from the
// scales, and a calibrated network with a projection whose int8 outputs stay within a few
// output steps of the float ones.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/quantize.hpp"

namespace {

using ctnn::block;
using ctnn::dense;
using ctnn::residual;

// y = relu(x + g(relu(h(x)))) with h = identity (W = I, b = 0), g: W = diag(−1, 2), b = 0.
using net = ctnn::network<float, ctnn::input<2>, residual<block<dense<2, ctnn::relu>, dense<2>>>>;
constexpr net::parameters params{{1, 0, 0, 1, 0, 0, -1, 0, 0, 2, 0, 0}};

ctnn::train::dataset two_samples() {
  ctnn::train::dataset d;
  d.features = 2;
  // (1, −1): h = (1, 0), g = (−1, 0), y = relu(0, −1) = (0, 0).
  // (0.5, 2): h = (0.5, 2), g = (−0.5, 4), y = relu(0, 6) = (0, 6).
  d.x = {1, -1, 0.5f, 2};
  return d;
}

TEST(quantize_residual, ranges_of_the_block_then_of_its_inner_tensors) {
  const auto r = ctnn::train::calibrate<net>(params, two_samples(), {});
  ASSERT_EQ(r.size(), 2u + 2u);  // input, block output, then body outputs 1 and 2
  EXPECT_EQ(r[0].lo, -1.0);
  EXPECT_EQ(r[0].hi, 2.0);
  EXPECT_EQ(r[1].lo, 0.0);
  EXPECT_EQ(r[1].hi, 6.0);
  EXPECT_EQ(r[2].lo, 0.0);
  EXPECT_EQ(r[2].hi, 2.0);
  EXPECT_EQ(r[3].lo, -1.0);
  EXPECT_EQ(r[3].hi, 4.0);
}

TEST(quantize_residual, inner_zero_points_and_add_multipliers_from_the_scales) {
  using Q = ctnn::quantized<net>;
  using L = Q::layer<1>;
  const auto r = ctnn::train::calibrate<net>(params, two_samples(), {});
  const auto q = ctnn::train::quantize<net>(params, r);
  // Input [−1, 2]: s = 3/255, z = round(−128 + 85) = −43. Output [0, 6]: 6/255, −128.
  EXPECT_EQ(q->scales[0], static_cast<float>(3.0 / 255));
  EXPECT_EQ(q->zero_points[0], -43);
  EXPECT_EQ(q->scales[1], static_cast<float>(6.0 / 255));
  EXPECT_EQ(q->zero_points[1], -128);
  // Body outputs: [0, 2] -> z = −128; [−1, 4]: s = 5/255, z = round(−128 + 51) = −77.
  EXPECT_EQ(q->biases[L::zero_point_offset], -128);
  EXPECT_EQ(q->biases[L::zero_point_offset + 1], -77);
  // ADD: skip = the input (3/255), body = 5/255; common 2·max = 10/255.
  const double s_skip = static_cast<double>(q->scales[0]);
  const double s_body = static_cast<double>(static_cast<float>(5.0 / 255));
  const double s_out = static_cast<double>(q->scales[1]);
  const double twice = 2 * std::max(s_skip, s_body);
  const double real[3] = {s_skip / twice, s_body / twice, twice / (1048576.0 * s_out)};
  for (std::size_t j = 0; j < 3; ++j) {
    // m·2^(shift − 31) represents the real multiplier to 31 bits.
    const double represented = q->multipliers[L::add_multiplier_offset + j] *
                               std::ldexp(1.0, q->shifts[L::add_shift_offset + j] - 31);
    EXPECT_NEAR(represented, real[j], real[j] * 1e-9) << j;
  }
  EXPECT_EQ(q->shifts[L::add_shift_offset + 2], -19);  // 10/6/2^20 = 1.67·2^−20
  // x = (0.5, 2) -> q = (−43 + 43, −43 + 170) = (0, 127); real y = (0, 6) -> (−128, 127).
  const auto y = Q::forward(*q, Q::quantize_input(*q, std::array<float, 2>{0.5f, 2}));
  EXPECT_EQ(int{y[0]}, -128);
  EXPECT_EQ(int{y[1]}, 127);
}

using projected =
    ctnn::network<float, ctnn::input<6, 6, 2>, ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>,
                  residual<block<ctnn::conv2d<6, 3, 3, ctnn::relu, 2, ctnn::same>,
                                 ctnn::conv2d<6, 3, 3, ctnn::identity, 1, ctnn::same>>,
                           ctnn::conv2d<6, 1, 1, ctnn::identity, 2>>,
                  ctnn::global_avg_pool, dense<3>>;

TEST(quantize_residual, calibrated_network_with_a_projection_follows_the_float_one) {
  using Q = ctnn::quantized<projected>;
  auto p = std::make_unique<projected::parameters>();
  std::mt19937 gen(7);
  std::normal_distribution<float> w(0, 0.3f);
  for (auto& v : p->values) v = w(gen);
  ctnn::train::dataset d;
  d.features = projected::input_size;
  std::uniform_real_distribution<float> u(0, 1);
  for (std::size_t i = 0; i < 200 * d.features; ++i) d.x.push_back(u(gen));
  const auto r = ctnn::train::calibrate<projected>(*p, d, {});
  // 5 network tensors, then the block's body outputs (2) and projection output (1).
  ASSERT_EQ(r.size(), 5u + 3u);
  const auto q = ctnn::train::quantize<projected>(*p, r);
  const double step = static_cast<double>(q->scales[4]);
  double worst = 0;
  for (std::size_t s = 0; s < 50; ++s) {
    projected::input x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = d.sample(s)[i];
    const auto yf = projected::forward(*p, x);
    const auto yq = Q::dequantize_output(*q, Q::forward(*q, Q::quantize_input(*q, x)));
    for (std::size_t o = 0; o < yf.size(); ++o)
      worst = std::max(worst, std::fabs(static_cast<double>(yf[o] - yq[o])));
  }
  // Eight tensors each rounded once: a few output steps, not more.
  EXPECT_LT(worst, 6 * step);
  EXPECT_GT(step, 0.0);
  EXPECT_THROW(ctnn::train::quantize<projected>(*p, {r.begin(), r.begin() + 5}),
               std::invalid_argument);
}

// A block nested in a body: its inner tensors follow its parent's in the range list.
using nested = ctnn::network<
    float, ctnn::input<6>,
    residual<block<dense<8, ctnn::relu>, residual<block<dense<8, ctnn::relu>, dense<8>>>>, dense<8>,
             ctnn::identity>,
    dense<3>>;

TEST(quantize_residual, nested_blocks_calibrate_and_follow_the_float_network) {
  using Q = ctnn::quantized<nested>;
  auto p = std::make_unique<nested::parameters>();
  std::mt19937 gen(3);
  std::normal_distribution<float> w(0, 0.4f);
  for (auto& v : p->values) v = w(gen);
  ctnn::train::dataset d;
  d.features = nested::input_size;
  std::uniform_real_distribution<float> u(-1, 1);
  for (std::size_t i = 0; i < 300 * d.features; ++i) d.x.push_back(u(gen));
  const auto r = ctnn::train::calibrate<nested>(*p, d, {});
  // 3 network tensors; the outer block's body outputs (2) and projection (1); the nested
  // block's body outputs (2).
  ASSERT_EQ(r.size(), 3u + 3u + 2u);
  // Order: outer body outputs (relu dense, then the nested block: relu), the outer
  // projection (identity: negative values), the nested body (relu, then identity).
  EXPECT_EQ(r[3].lo, 0.0);
  EXPECT_EQ(r[4].lo, 0.0);
  EXPECT_LT(r[5].lo, 0.0);
  EXPECT_EQ(r[6].lo, 0.0);
  EXPECT_LT(r[7].lo, 0.0);
  const auto q = ctnn::train::quantize<nested>(*p, r);
  const double step = static_cast<double>(q->scales[2]);
  double worst = 0;
  for (std::size_t s = 0; s < 100; ++s) {
    nested::input x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = d.sample(s)[i];
    const auto yf = nested::forward(*p, x);
    const auto yq = Q::dequantize_output(*q, Q::forward(*q, Q::quantize_input(*q, x)));
    for (std::size_t o = 0; o < yf.size(); ++o)
      worst = std::max(worst, std::fabs(static_cast<double>(yf[o] - yq[o])));
  }
  EXPECT_LT(worst, 6 * step);
}

}  // namespace
