// SPDX-License-Identifier: MIT
// The int8 form of scale_shift (detail/int8_scale_shift.hpp): against the independent int64
// reference written from TFLite's formulas (tests/support/int8_reference.hpp, affine) on
// random shapes and at the extremes (zero points at both ends, multipliers near 2^31,
// accumulators that saturate, weights ±127, inputs −128/127); a hand-computed case, also in
// constant evaluation; train/quantize.hpp on a lone scale_shift (layout, and the int8 output
// within two steps of the float one); and end to end: a batch_norm with nothing before it,
// folded to a scale_shift and quantized with the conv and dense layers after it, compared
// exactly with the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"
#include "ctnn/folded.hpp"
#include "ctnn/train/quantize.hpp"
#include "int8_cases.hpp"
#include "int8_reference.hpp"
#include "int8_unfold.hpp"

namespace {

using int8_cases::cases;
using int8_cases::int8_case;

template <class I>
std::vector<I> random_ints(std::size_t n, std::mt19937& gen, std::int64_t lo, std::int64_t hi) {
  std::uniform_int_distribution<std::int64_t> dist(lo, hi);
  std::vector<I> v(n);
  for (I& x : v) x = static_cast<I>(dist(gen));
  return v;
}

/// Random int8 parameters for the scale_shift of Net (its one layer), the output of
/// ctnn::quantized<Net> and of the reference compared value by value.
template <class Net, int8_ref::act Act>
void check_against_reference(std::uint32_t seed) {
  using Q = ctnn::quantized<Net>;
  using L = typename Net::template layer<1>;
  constexpr std::size_t C = L::channels;
  constexpr std::size_t k = Act == int8_ref::act::leaky_relu ? 2 : 1;
  static_assert(Q::weight_count == C && Q::bias_count == C && Q::multiplier_count == C * k &&
                Q::shift_count == C * k);
  const int8_ref::shape in{L::input_shape::height, L::input_shape::width, C};
  std::mt19937 gen(seed);
  for (const int8_case& c : cases) {
    auto q = std::make_unique<typename Q::parameters>();
    int8_ref::layer_params lp;
    lp.z_in = c.z_in;
    lp.z_out = c.z_out;
    lp.weights = random_ints<std::int8_t>(C, gen, -127, 127);
    lp.weights[0] = 127;  // the ends of the symmetric range
    if (C > 1) lp.weights[1] = -127;
    for (std::size_t o = 0; o < C; ++o) {
      lp.biases.push_back(random_ints<std::int32_t>(1, gen, c.bias_lo, c.bias_hi)[0]);
      q->weights[o] = lp.weights[o];
      q->biases[o] = static_cast<std::int32_t>(lp.biases[o] - std::int64_t{c.z_in} * lp.weights[o]);
      for (std::size_t j = 0; j < k; ++j) {
        const std::int32_t m = c.near_top
                                   ? random_ints<std::int32_t>(1, gen, 0x7FF00000, 0x7FFFFFFF)[0]
                                   : random_ints<std::int32_t>(1, gen, 1 << 30, 0x7FFFFFFF)[0];
        const int s = random_ints<int>(1, gen, c.shift_lo, c.shift_hi)[0];
        q->multipliers[o * k + j] = m;
        q->shifts[o * k + j] = static_cast<std::int8_t>(s);
        (j == 0 ? lp.positive : lp.negative).push_back({m, s});
      }
    }
    q->zero_points = {static_cast<std::int8_t>(c.z_in), static_cast<std::int8_t>(c.z_out)};
    std::vector<std::int8_t> x = random_ints<std::int8_t>(Net::input_size, gen, -128, 127);
    x[0] = -128;
    x[Net::input_size - 1] = 127;
    typename Q::input xi{};
    std::copy(x.begin(), x.end(), xi.begin());
    const auto y = Q::forward(*q, xi);
    const auto want = int8_ref::affine(in, Act, lp, x);
    ASSERT_EQ(want.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(int{y[i]}, int{want[i]})
          << L::name.view() << " z_in " << c.z_in << " z_out " << c.z_out << " value " << i;
  }
}

TEST(Int8ScaleShift, MatchesTheInt64Reference) {
  using ctnn::input;
  using ctnn::network;
  using ctnn::scale_shift;
  using int8_ref::act;
  check_against_reference<network<float, input<5, 6, 3>, scale_shift<>>, act::identity>(1);
  check_against_reference<network<float, input<7, 5, 4>, scale_shift<ctnn::relu>>, act::relu>(2);
  check_against_reference<network<float, input<9>, scale_shift<ctnn::relu>>, act::relu>(3);
  check_against_reference<network<float, input<2, 3, 16>, scale_shift<>>, act::identity>(4);
  check_against_reference<network<float, input<3, 4, 5>, scale_shift<ctnn::leaky_relu<1, 10>>>,
                          act::leaky_relu>(5);
  check_against_reference<network<float, input<1, 1, 1>, scale_shift<ctnn::relu>>, act::relu>(6);
}

// Hand-computed, in constant evaluation and at run time: W = {3, −2}, b = {4, 1} (folded:
// b' = b − z_in·W = {−2, 5}), z_in = 2, z_out = 5, multiplier 2^30 with shift 0 (m = 1/2).
// x = {10, 20}: acc = b + (x − z_in)·W = {4 + 8·3, 1 + 18·(−2)} = {28, −35}; halved and
// rounded (ties toward +∞: −17.5 → −17) = {14, −17}; + z_out = {19, −12}.
using hand_net = ctnn::network<float, ctnn::input<2>, ctnn::scale_shift<>>;
using hand_q = ctnn::quantized<hand_net>;
constexpr hand_q::parameters hand_params{{3, -2}, {-2, 5}, {1 << 30, 1 << 30},
                                         {0, 0},  {2, 5},  {1.0f, 1.0f}};
static_assert(hand_q::forward(hand_params, {10, 20}) == hand_q::output{19, -12});

TEST(Int8ScaleShift, HandComputedAtRunTime) {
  const hand_q::input x{10, 20};
  EXPECT_EQ(hand_q::forward(hand_params, x), (hand_q::output{19, -12}));
}

TEST(Int8ScaleShift, QuantizeWritesOneWeightAndBiasPerChannel) {
  using net = ctnn::network<float, ctnn::input<3, 3, 4>, ctnn::scale_shift<>>;
  using Q = ctnn::quantized<net>;
  auto p = std::make_unique<net::parameters>();
  // scales: positive, negative, zero, small; shifts of both signs.
  const float scale[4] = {1.5f, -0.75f, 0.0f, 0.125f}, shift[4] = {0.5f, -0.25f, 0.3f, 0.0f};
  for (std::size_t c = 0; c < 4; ++c) {
    p->values[c] = scale[c];
    p->values[4 + c] = shift[c];
  }
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  ctnn::train::dataset d;
  d.features = net::input_size;
  for (std::size_t i = 0; i < 100 * net::input_size; ++i) d.x.push_back(u(gen));
  const auto ranges = ctnn::train::calibrate<net>(*p, d, {});
  const auto q = ctnn::train::quantize<net>(*p, ranges);
  const double s_in = q->scales[0];
  const std::int32_t z_in = q->zero_points[0];
  for (std::size_t c = 0; c < 4; ++c) {
    // s_w = max(|scale|/127, |shift|/(s_in·2^28)) (the bias's headroom rule), so the weight
    // is ±127 (0 for a zero scale) and the bias the shift at scale s_in·s_w, z_in folded in.
    const double s_w = std::max(std::fabs(double(scale[c])) / 127.0,
                                std::fabs(double(shift[c])) / (s_in * 268435456.0));
    const int w = scale[c] > 0 ? 127 : scale[c] < 0 ? -127 : 0;
    EXPECT_EQ(int{q->weights[c]}, w) << c;
    EXPECT_EQ(q->biases[c], std::lround(shift[c] / (s_in * s_w)) - z_in * w) << c;
  }
  // The int8 output within two output steps of the float one.
  int steps_off = 0;
  for (int n = 0; n < 50; ++n) {
    net::input x{};
    for (float& v : x) v = u(gen) * 0.9f;
    const auto yf = net::forward(*p, x);
    const auto yq = Q::dequantize_output(*q, Q::forward(*q, Q::quantize_input(*q, x)));
    for (std::size_t i = 0; i < yf.size(); ++i) {
      const double off = std::fabs(double(yf[i]) - double(yq[i])) / q->scales[1];
      EXPECT_LE(off, 2.0) << n << " " << i;
      steps_off += off > 0.5;
    }
  }
  ::testing::Test::RecordProperty("values_off_by_more_than_half_a_step", steps_off);
}

// ---- End to end: a batch_norm on the input folds to a scale_shift -------------------------

using trained = ctnn::network<float, ctnn::input<6, 6, 2>, ctnn::batch_norm<ctnn::relu>,
                              ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>,
                              ctnn::max_pool2d<2, 2>, ctnn::flatten, ctnn::dense<3>>;
using device = ctnn::folded<trained>;
static_assert(
    std::is_same_v<device, ctnn::network<float, ctnn::input<6, 6, 2>, ctnn::scale_shift<ctnn::relu>,
                                         ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>,
                                         ctnn::max_pool2d<2, 2>, ctnn::flatten, ctnn::dense<3>>>);
using QD = ctnn::quantized<device>;

/// The layers after the scale_shift, for the reference (its input: 6×6×2).
int8_ref::network rest_of_device() {
  using int8_ref::act;
  using int8_ref::kind;
  return {{6, 6, 2},
          {{kind::conv2d, 4, 3, 3, 1, true, act::relu},
           {kind::max_pool, 0, 2, 2, 2},
           {kind::flatten},
           {kind::dense, 3, 1, 1, 1, false, act::identity}}};
}

TEST(Int8ScaleShift, FoldedBatchNormOnTheInputMatchesTheReferenceEndToEnd) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), var(0.2f, 2.0f), gamma(0.5f, 2.0f);
  auto p = std::make_unique<trained::parameters>();
  for (float& v : p->values) v = u(rng);
  for (std::size_t c = 0; c < 2; ++c) {  // batch_norm: γ away from 0, σ² > 0
    p->values[c] = gamma(rng) * (c == 1 ? -1.0f : 1.0f);
    p->values[6 + c] = var(rng);
  }
  auto f = std::make_unique<device::parameters>();
  ctnn::fold<trained>(*p, *f);

  ctnn::train::dataset calibration;
  calibration.features = device::input_size;
  for (std::size_t i = 0; i < 200 * device::input_size; ++i) calibration.x.push_back(u(rng));
  const auto ranges = ctnn::train::calibrate<device>(*f, calibration, {});
  const auto q = ctnn::train::quantize<device>(*f, ranges);

  int8_unfold::cursor at;
  const int8_ref::layer_params first = int8_unfold::layer(*q, 0, 2, 1, false, at);
  const int8_ref::network rest = rest_of_device();
  std::vector<int8_ref::layer_params> lp;
  lp.push_back(int8_unfold::layer(*q, 1, 4, 3 * 3 * 2, false, at));
  lp.emplace_back();  // max pool
  lp.emplace_back();  // flatten
  lp.push_back(int8_unfold::layer(*q, 4, 3, 3 * 3 * 4, true, at));
  EXPECT_EQ(at.weights, q->weights.size());
  EXPECT_EQ(at.biases, q->biases.size());
  EXPECT_EQ(at.multipliers, q->multipliers.size());
  EXPECT_EQ(at.shifts, q->shifts.size());

  int agree = 0, interior = 0;
  constexpr int samples = 200;
  for (int k = 0; k < samples; ++k) {
    device::input xf{};
    for (float& v : xf) v = u(rng);
    QD::input xq = QD::quantize_input(*q, xf);
    const QD::output y = QD::forward(*q, xq);
    const auto after_affine =
        int8_ref::affine({6, 6, 2}, int8_ref::act::relu, first, {xq.begin(), xq.end()});
    const auto want = int8_ref::forward(rest, lp, after_affine).back();
    ASSERT_EQ(want.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(int{y[i]}, int{want[i]}) << k << " " << i;
      interior += y[i] != -128 && y[i] != 127;
    }
    // The int8 model is the trained float model up to quantisation: top-1 agrees mostly.
    agree += device::argmax(trained::forward(*p, xf)) == QD::argmax(y);
  }
  EXPECT_GE(agree, samples * 8 / 10) << agree << " of " << samples;
  EXPECT_GE(interior, samples * 3 * 9 / 10);  // not stuck at the clamps
  ::testing::Test::RecordProperty("top1_agreement", agree);
}

}  // namespace
