// SPDX-License-Identifier: MIT
// The int8 forms of depthwise_conv2d, global_avg_pool and dropout against the independent
// 64-bit reference of naive_layers.hpp, written from TFLite's formulas (padding holds the
// input zero point, single-rounding requantisation, AVERAGE_POOL's rounding), at the
// extremes: zero points at both ends, multipliers near 2^31, accumulators that saturate;
// constant evaluation against run time; and train/quantize.hpp on a float model with these
// layers (per-channel scales, layout, and the int8 output against the float one).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/quantize.hpp"
#include "int8_cases.hpp"
#include "naive_layers.hpp"

namespace {

using int8_cases::cases;
using int8_cases::int8_case;

template <class Net, bool Relu>
void check_depthwise(std::uint32_t seed) {
  using Q = ctnn::quantized<Net>;
  using L = typename Net::template layer<1>;
  constexpr std::size_t O = L::output_channels, taps = L::kernel_height * L::kernel_width;
  const naive_layers::dw_shape g{long(L::input_shape::height),
                                 long(L::input_shape::width),
                                 long(L::channels),
                                 long(L::kernel_height),
                                 long(L::kernel_width),
                                 long(L::stride),
                                 long(L::depth_multiplier),
                                 std::is_same_v<typename L::padding, ctnn::same>};
  for (const int8_case& k : cases) {
    seed += 17;
    auto q = std::make_unique<typename Q::parameters>();
    const auto w = naive_layers::random_ints<std::int8_t>(Q::weight_count, seed, -127, 127);
    const auto b = naive_layers::random_ints<std::int64_t>(O, seed + 1, k.bias_lo, k.bias_hi);
    const auto m =
        k.near_top ? naive_layers::random_ints<std::int32_t>(O, seed + 2, 0x7FF00000, 0x7FFFFFFF)
                   : naive_layers::random_ints<std::int32_t>(O, seed + 2, 1 << 30, 0x7FFFFFFF);
    const auto s = naive_layers::random_ints<std::int32_t>(O, seed + 3, k.shift_lo, k.shift_hi);
    const auto x = naive_layers::random_ints<std::int8_t>(Q::input_size, seed + 4, -128, 127);
    std::copy(w.begin(), w.end(), q->weights.begin());
    for (std::size_t o = 0; o < O; ++o) {
      std::int64_t sum = 0;
      for (std::size_t t = 0; t < taps; ++t) sum += w[o * taps + t];
      q->biases[o] = static_cast<std::int32_t>(b[o] - k.z_in * sum);  // folded, as exported
      q->multipliers[o] = m[o];
      q->shifts[o] = static_cast<std::int8_t>(s[o]);
    }
    q->zero_points = {static_cast<std::int8_t>(k.z_in), static_cast<std::int8_t>(k.z_out)};
    typename Q::input xi{};
    std::copy(x.begin(), x.end(), xi.begin());
    const auto y = Q::forward(*q, xi);
    const auto ref = naive_layers::depthwise_int8(
        g, x, w, b, std::vector<std::int32_t>(m.begin(), m.end()), s, k.z_in, k.z_out, Relu);
    ASSERT_EQ(ref.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(int(y[i]), int(ref[i])) << L::name.view() << " z_in " << k.z_in << " output " << i;
  }
}

TEST(Int8Depthwise, MatchesReference) {
  check_depthwise<ctnn::network<float, ctnn::input<5, 6, 3>, ctnn::depthwise_conv2d<3, 3>>, false>(
      1);
  check_depthwise<ctnn::network<float, ctnn::input<7, 5, 4>,
                                ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>>,
                  true>(2);
  check_depthwise<ctnn::network<float, ctnn::input<8, 9, 2>,
                                ctnn::depthwise_conv2d<5, 3, ctnn::identity, 2, ctnn::same, 3>>,
                  false>(3);
  check_depthwise<ctnn::network<float, ctnn::input<6, 6, 16>,
                                ctnn::depthwise_conv2d<3, 3, ctnn::relu, 2, ctnn::same>>,
                  true>(4);
  check_depthwise<ctnn::network<float, ctnn::input<4, 7, 5>,
                                ctnn::depthwise_conv2d<2, 4, ctnn::relu, 3, ctnn::valid, 2>>,
                  true>(5);
  check_depthwise<ctnn::network<float, ctnn::input<1, 1, 6>, ctnn::depthwise_conv2d<1, 1>>, false>(
      6);
}

TEST(Int8GlobalAvgPool, MatchesReference) {
  using Q = ctnn::quantized<ctnn::network<float, ctnn::input<4, 6, 7>, ctnn::global_avg_pool>>;
  typename Q::parameters q{};
  q.scales = {0.1f, 0.1f};
  for (std::uint32_t seed = 0; seed < 20; ++seed) {
    const auto x = naive_layers::random_ints<std::int8_t>(Q::input_size, seed, -128, 127);
    Q::input xi{};
    std::copy(x.begin(), x.end(), xi.begin());
    const auto y = Q::forward(q, xi);
    const auto ref = naive_layers::global_avg_pool_int8(4, 6, 7, x);
    for (std::size_t c = 0; c < 7; ++c) ASSERT_EQ(int(y[c]), int(ref[c])) << seed << " " << c;
  }
  // Extremes and ties: all −128, all 127, and sums of ±12 over 24 values (±0.5: away from 0).
  Q::input lo{}, hi{}, tie{};
  lo.fill(-128);
  hi.fill(127);
  for (std::size_t i = 0; i < 12; ++i) {
    tie[i * 7] = 1;       // channel 0: +12 / 24 → 1
    tie[i * 7 + 1] = -1;  // channel 1: −12 / 24 → −1
    tie[i * 7 + 2] = 2;   // channel 2: 24 / 24 → 1
  }
  tie[3] = 11;  // channel 3: 11 / 24 → 0
  EXPECT_EQ(Q::forward(q, lo), (Q::output{-128, -128, -128, -128, -128, -128, -128}));
  EXPECT_EQ(Q::forward(q, hi), (Q::output{127, 127, 127, 127, 127, 127, 127}));
  EXPECT_EQ(Q::forward(q, tie), (Q::output{1, -1, 1, 0, 0, 0, 0}));
}

TEST(Int8Layers, ConstantEvaluationMatchesRunTime) {
  using Q =
      ctnn::quantized<ctnn::network<float, ctnn::input<5, 5, 3>,
                                    ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same, 2>,
                                    ctnn::global_avg_pool>>;
  constexpr auto q = [] {
    typename Q::parameters p{};
    for (std::size_t i = 0; i < p.weights.size(); ++i)
      p.weights[i] = static_cast<std::int8_t>(int(i * 37 % 255) - 127);
    for (std::size_t i = 0; i < p.biases.size(); ++i) p.biases[i] = int(i * 101) - 300;
    for (std::size_t i = 0; i < p.multipliers.size(); ++i) p.multipliers[i] = 1500000000 + int(i);
    for (std::size_t i = 0; i < p.shifts.size(); ++i) p.shifts[i] = -7;
    p.zero_points = {-3, -128, -128};
    return p;
  }();
  constexpr auto x = [] {
    typename Q::input v{};
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<std::int8_t>(int(i * 53 % 256) - 128);
    return v;
  }();
  constexpr auto at_compile_time = Q::forward(q, x);
  volatile std::size_t zero = 0;
  auto xr = x;
  xr[zero] = x[zero];
  EXPECT_EQ(Q::forward(q, xr), at_compile_time);
}

// ---- train/quantize.hpp ------------------------------------------------------------------

using float_model = ctnn::network<float, ctnn::input<6, 7, 3>,
                                  ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same, 2>,
                                  ctnn::conv2d<5, 1, 1, ctnn::relu>, ctnn::global_avg_pool,
                                  ctnn::dropout<1, 4>, ctnn::dense<4, ctnn::identity>>;

TEST(QuantizeLayers, PerChannelScalesLayoutAndAgreement) {
  using Q = ctnn::quantized<float_model>;
  auto p = std::make_unique<float_model::parameters>();
  const auto ps = naive_layers::random_values<float>(float_model::parameter_count, 21, -0.5, 0.5);
  std::copy(ps.begin(), ps.end(), p->values.begin());
  // Channel o of the depthwise layer gets weights of magnitude ~(o + 1): scales must differ.
  using L1 = float_model::layer<1>;
  for (std::size_t t = 0; t < 9; ++t)
    for (std::size_t o = 0; o < L1::output_channels; ++o)
      p->values[t * L1::output_channels + o] *= float(o + 1);
  ctnn::train::dataset d;
  d.name = "random";
  d.features = float_model::input_size;
  d.x = naive_layers::random_values<float>(200 * d.features, 22, 0.0, 1.0);
  const auto ranges = ctnn::train::calibrate<float_model>(*p, d, {});
  const auto q = ctnn::train::quantize<float_model>(*p, ranges);
  // Output-major int8 layout with a scale per output channel: each channel's largest
  // weight becomes ±127 at index o·9 + t.
  for (std::size_t o = 0; o < L1::output_channels; ++o) {
    std::size_t top = 0;
    for (std::size_t t = 1; t < 9; ++t)
      if (std::fabs(p->values[t * L1::output_channels + o]) >
          std::fabs(p->values[top * L1::output_channels + o]))
        top = t;
    EXPECT_EQ(std::abs(int(q->weights[o * 9 + top])), 127) << "channel " << o;
  }
  // Parameterless layers keep their input's quantisation.
  EXPECT_EQ(q->scales[3], q->scales[2]);
  EXPECT_EQ(q->zero_points[4], q->zero_points[3]);
  // The int8 model follows the float one: within a few output steps on every sample.
  double worst = 0;
  for (std::size_t s = 0; s < 200; ++s) {
    float_model::input x{};
    std::copy_n(d.sample(s), float_model::input_size, x.begin());
    const auto yf = float_model::forward(*p, x);
    const auto yq = Q::dequantize_output(*q, Q::forward(*q, Q::quantize_input(*q, x)));
    for (std::size_t i = 0; i < 4; ++i)
      worst = std::max(worst, std::fabs(double(yf[i]) - double(yq[i])) / q->scales[5]);
  }
  EXPECT_LT(worst, 4.0) << "worst error in output quantisation steps";
}

}  // namespace
