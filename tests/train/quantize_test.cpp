// SPDX-License-Identifier: MIT
// train/quantize.hpp: calibration ranges, the quantized layout and values of a dense layer
// computed by hand, the documented fallbacks and refusals.
#include "ctnn/train/quantize.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "ctnn/ctnn.hpp"

namespace {

using net = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::relu>>;
using q = ctnn::quantized<net>;

// W input-major: W[0] = (0.5, -1), W[1] = (0.25, 0.75); b = (0.1, -0.2).
constexpr net::parameters params{{0.5f, -1.0f, 0.25f, 0.75f, 0.1f, -0.2f}};

ctnn::train::dataset two_samples() {
  ctnn::train::dataset d;
  d.features = 2;
  d.x = {1, 0, 0, 1};  // outputs: relu(0.6, -1.2) = (0.6, 0); relu(0.35, 0.55)
  return d;
}

TEST(quantize, calibration_ranges_contain_zero_and_cover_every_value) {
  const auto r = ctnn::train::calibrate<net>(params, two_samples(), {});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].lo, 0.0);
  EXPECT_EQ(r[0].hi, 1.0);
  EXPECT_EQ(r[1].lo, 0.0);
  EXPECT_EQ(r[1].hi, static_cast<double>(0.1f + 0.5f));
  EXPECT_FALSE(r[0].degenerate || r[1].degenerate);
}

TEST(quantize, dense_layout_scales_biases_and_shifts_by_hand) {
  const auto r = ctnn::train::calibrate<net>(params, two_samples(), {});
  const auto p = ctnn::train::quantize<net>(params, r);
  // Input [0, 1]: s = 1/255, z = -128. Output [0, 0.6]: s = 0.6/255, z = -128.
  EXPECT_EQ(p->scales[0], static_cast<float>(1.0 / 255));
  EXPECT_EQ(p->zero_points[0], -128);
  EXPECT_EQ(p->scales[1], static_cast<float>(static_cast<double>(0.1f + 0.5f) / 255));
  EXPECT_EQ(p->zero_points[1], -128);
  // Layer scale S = max|W|/127 = 1/127 (output 1); output 0 needs only 0.5/127 = S/2.
  // Weights output-major: round(W / s_w).
  EXPECT_EQ(p->weights, (std::array<std::int8_t, 4>{127, 64, -127, 95}));  // 63.5 rounds up
  // b' = round(b / (s_in s_w)) - z_in ΣW: 6477 + 128·191 and -6477 + 128·(-32).
  EXPECT_EQ(p->biases, (std::array<std::int32_t, 2>{30925, -10573}));
  // One multiplier for S, a shift per output: output 0 is one more to the right.
  // m = s_in·S/s_out from the scales as stored (floats), S exact in double.
  const double m =
      static_cast<double>(p->scales[0]) * (1.0 / 127) / static_cast<double>(p->scales[1]);
  const auto expected = ctnn::quantize_multiplier(m);
  EXPECT_EQ(p->multipliers[0], expected.multiplier);
  EXPECT_EQ(p->shifts[0], expected.shift - 1);
  EXPECT_EQ(p->shifts[1], expected.shift);
  // x = (1, 0) → q = (127, -128): acc0 = 30925 + 127·127 - 128·64 = 38862 (= 0.6 real),
  // the top of the output range: 127; acc1 < 0 → relu → the zero point.
  EXPECT_EQ(q::forward(*p, q::input{127, -128}), (q::output{127, -128}));
}

TEST(quantize, constant_tensor_gets_the_unit_range_and_is_reported) {
  ctnn::train::dataset zeros;
  zeros.features = 2;
  zeros.x = {0, 0, 0, 0};
  const auto r = ctnn::train::calibrate<net>(params, zeros, {});
  EXPECT_TRUE(r[0].degenerate);
  EXPECT_EQ(r[0].hi - r[0].lo, 1.0);
  const auto p = ctnn::train::quantize<net>(params, r);
  EXPECT_EQ(p->scales[0], static_cast<float>(1.0 / 255));
}

TEST(quantize, refusals) {
  ctnn::train::dataset empty;
  empty.features = 2;
  EXPECT_THROW(ctnn::train::calibrate<net>(params, empty, {}), std::invalid_argument);
  ctnn::train::dataset wide = two_samples();
  wide.features = 1;
  EXPECT_THROW(ctnn::train::calibrate<net>(params, wide, {}), std::invalid_argument);
  ctnn::train::quantize_options bad;
  bad.percentile = 40;
  EXPECT_THROW(ctnn::train::calibrate<net>(params, two_samples(), bad), std::invalid_argument);
  net::parameters nan = params;
  nan.values[3] = std::numeric_limits<float>::quiet_NaN();
  const auto r = ctnn::train::calibrate<net>(params, two_samples(), {});
  EXPECT_THROW(ctnn::train::quantize<net>(nan, r), std::invalid_argument);
}

TEST(quantize, percentile_clips_the_tails) {
  ctnn::train::dataset d;
  d.features = 2;
  for (int i = 0; i < 1000; ++i) {
    d.x.push_back(i == 0 ? 1.0f : 0.5f);  // one outlier in input 0
    d.x.push_back(0.0f);
  }
  ctnn::train::quantize_options o;
  o.percentile = 99.0;
  const auto r = ctnn::train::calibrate<net>(params, d, o);
  // Layer output 0 is 0.1 + 0.5·x: 0.35 everywhere but the outlier's 0.6.
  EXPECT_EQ(r[1].hi, static_cast<double>(0.1f + 0.5f * 0.5f));
  const auto all = ctnn::train::calibrate<net>(params, d, {});
  EXPECT_EQ(all[1].hi, static_cast<double>(0.1f + 0.5f));
}

}  // namespace
