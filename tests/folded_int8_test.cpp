// SPDX-License-Identifier: MIT
// int8 of a folded model: a float network with batch_norm layers is folded
// (ctnn::folded), calibrated and quantized as --export-int8 does, and its int8 forward
// pass is compared exactly with the independent int64 reference
// (tests/support/int8_reference.hpp) run on the same int8 parameters, read back into the
// reference's raw form (biases unfolded from the input zero point). The int8 model also
// has to agree with the float model it came from on most inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"
#include "ctnn/folded.hpp"
#include "ctnn/train/quantize.hpp"
#include "int8_reference.hpp"
#include "int8_unfold.hpp"

namespace {

using trained =
    ctnn::network<float, ctnn::input<6, 6, 2>, ctnn::conv2d<4, 3, 3, ctnn::identity, 1, ctnn::same>,
                  ctnn::batch_norm<ctnn::relu>, ctnn::max_pool2d<2, 2>, ctnn::flatten,
                  ctnn::dense<6>, ctnn::batch_norm<ctnn::relu>, ctnn::dense<3>>;
using device = ctnn::folded<trained>;
static_assert(std::is_same_v<device, ctnn::network<float, ctnn::input<6, 6, 2>,
                                                   ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>,
                                                   ctnn::max_pool2d<2, 2>, ctnn::flatten,
                                                   ctnn::dense<6, ctnn::relu>, ctnn::dense<3>>>);
using Q = ctnn::quantized<device>;

/// The reference's description of `device`.
int8_ref::network reference_network() {
  using int8_ref::act;
  using int8_ref::kind;
  return {{6, 6, 2},
          {{kind::conv2d, 4, 3, 3, 1, true, act::relu},
           {kind::max_pool, 0, 2, 2, 2},
           {kind::flatten},
           {kind::dense, 6, 1, 1, 1, false, act::relu},
           {kind::dense, 3, 1, 1, 1, false, act::identity}}};
}

/// ctnn's int8 parameters in the reference's raw form, layer by layer.
std::vector<int8_ref::layer_params> to_reference(const int8_ref::network& net,
                                                 const Q::parameters& q) {
  std::vector<int8_ref::layer_params> out;
  int8_unfold::cursor at;
  int8_ref::shape in = net.input;
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    const int8_ref::layer& L = net.layers[l];
    out.push_back(int8_unfold::layer(q, l, int8_ref::channels(L), int8_ref::fan_in(L, in),
                                     L.k == int8_ref::kind::dense, at));
    in = int8_ref::output_shape(L, in);
  }
  EXPECT_EQ(at.weights, q.weights.size());
  EXPECT_EQ(at.biases, q.biases.size());
  EXPECT_EQ(at.multipliers, q.multipliers.size());
  EXPECT_EQ(at.shifts, q.shifts.size());
  return out;
}

TEST(FoldedInt8, QuantizedFoldedModelMatchesTheInt64Reference) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), var(0.2f, 2.0f);
  auto p = std::make_unique<trained::parameters>();
  for (float& v : p->values) v = u(rng);
  for (std::size_t I : {trained::parameter_offset<2>, trained::parameter_offset<6>}) {
    const std::size_t C = I == trained::parameter_offset<2> ? 4 : 6;
    for (std::size_t c = 0; c < C; ++c) p->values[I + 3 * C + c] = var(rng);
  }
  auto f = std::make_unique<device::parameters>();
  ctnn::fold<trained>(*p, *f);

  ctnn::train::dataset calibration;
  calibration.features = device::input_size;
  for (std::size_t i = 0; i < 200 * device::input_size; ++i) calibration.x.push_back(u(rng));
  const auto ranges = ctnn::train::calibrate<device>(*f, calibration, {});
  const auto q = ctnn::train::quantize<device>(*f, ranges);

  const int8_ref::network net = reference_network();
  const auto lp = to_reference(net, *q);
  int agree = 0, interior = 0;
  constexpr int samples = 200;
  for (int k = 0; k < samples; ++k) {
    device::input xf{};
    for (float& v : xf) v = u(rng);
    Q::input xq{};
    for (std::size_t i = 0; i < xq.size(); ++i) {
      const long v = std::lround(double(xf[i]) / double(q->scales[0])) + q->zero_points[0];
      xq[i] = static_cast<std::int8_t>(std::clamp(v, -128L, 127L));
    }
    const Q::output y = Q::forward(*q, xq);
    const auto want = int8_ref::forward(net, lp, {xq.begin(), xq.end()}).back();
    ASSERT_EQ(want.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(int{y[i]}, int{want[i]}) << k << " " << i;
      interior += y[i] != -128 && y[i] != 127;
    }
    // The int8 model is the folded float model, up to quantisation: top-1 agrees mostly.
    const auto yt = trained::forward(*p, xf);
    agree += device::argmax(yt) == Q::argmax(y);
  }
  EXPECT_GE(agree, samples * 8 / 10) << agree << " of " << samples;
  // The outputs are not stuck at the clamps (the comparison tests something).
  EXPECT_GE(interior, samples * 3 * 9 / 10);
  ::testing::Test::RecordProperty("top1_agreement", agree);
}

}  // namespace
