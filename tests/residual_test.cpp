// SPDX-License-Identifier: MIT
// ctnn::residual: the float forward pass against an independent naive composition (naive
// convolutions, an addition, ReLU) in both numeric modes, bit for bit; the parameter layout
// and the workspace constant by hand; the int8 form against the int64 reference of TFLite's
// ADD (support/int8_reference.hpp), at the extremes.
#include "ctnn/residual.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "int8_reference.hpp"
#include "naive_cnn.hpp"

namespace {

using ctnn::block;
using ctnn::conv2d;
using ctnn::identity;
using ctnn::relu;
using ctnn::residual;
using ctnn::same;

// 6x6x3 -> block (3x3 conv relu, 3x3 conv) + input, relu -> 6x6x3
//       -> block (3x3 conv s2 relu, 3x3 conv) + 1x1 conv s2 projection, identity -> 3x3x5
template <class T, class Mode>
using two_blocks = ctnn::network<
    T, Mode, ctnn::input<6, 6, 3>,
    residual<block<conv2d<3, 3, 3, relu, 1, same>, conv2d<3, 3, 3, identity, 1, same>>>,
    residual<block<conv2d<5, 3, 3, relu, 2, same>, conv2d<5, 3, 3, identity, 1, same>>,
             conv2d<5, 1, 1, identity, 2>, identity>>;

// Parameter counts by hand: conv(3->3, 3x3) 81 + 3; conv(3->5, 3x3) 135 + 5;
// conv(5->5, 3x3) 225 + 5; conv(3->5, 1x1) 15 + 5.
constexpr std::size_t block1_params = 84 + 84, block2_params = 140 + 230 + 20;

template <class P>
struct residual_float : ::testing::Test {};
template <class T, class Mode>
struct config {
  using scalar = T;
  using mode = Mode;
};
using configs = ::testing::Types<config<float, ctnn::fused>, config<float, ctnn::unfused>,
                                 config<double, ctnn::fused>, config<double, ctnn::unfused>>;
TYPED_TEST_SUITE(residual_float, configs);

TYPED_TEST(residual_float, forward_matches_a_naive_composition_bit_for_bit) {
  using T = typename TypeParam::scalar;
  using net = two_blocks<T, typename TypeParam::mode>;
  constexpr bool fused = std::is_same_v<typename TypeParam::mode, ctnn::fused>;
  static_assert(net::parameter_count == block1_params + block2_params);
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    auto p = std::make_unique<typename net::parameters>();
    const auto values = naive_cnn::random_values<T>(net::parameter_count, seed, -0.5, 0.5);
    std::copy(values.begin(), values.end(), p->values.begin());
    const auto xv = naive_cnn::random_values<T>(net::input_size, seed + 100);
    typename net::input x{};
    std::copy(xv.begin(), xv.end(), x.begin());

    // Block 1: y1 = relu(x + conv(relu(conv(x)))).
    const T* w = p->values.data();
    naive_cnn::tensor<T> t0{6, 6, 3, xv};
    auto a = naive_cnn::conv2d(t0, w, 3, 3, 3, 1, true, fused);
    naive_cnn::relu(a);
    auto y1 = naive_cnn::conv2d(a, w + 84, 3, 3, 3, 1, true, fused);
    for (std::size_t i = 0; i < y1.v.size(); ++i) y1.v[i] = t0.v[i] + y1.v[i];
    naive_cnn::relu(y1);
    // Block 2: y2 = conv1x1_s2(y1) + conv(relu(conv_s2(y1))), no activation.
    const T* w2 = w + block1_params;
    auto b = naive_cnn::conv2d(y1, w2, 5, 3, 3, 2, true, fused);
    naive_cnn::relu(b);
    auto f = naive_cnn::conv2d(b, w2 + 140, 5, 3, 3, 1, true, fused);
    const auto s = naive_cnn::conv2d(y1, w2 + 370, 5, 1, 1, 2, false, fused);
    ASSERT_EQ(f.v.size(), net::output_size);
    for (std::size_t i = 0; i < f.v.size(); ++i) f.v[i] = s.v[i] + f.v[i];

    typename net::workspace ws{};
    const auto y = net::forward(*p, x, ws);
    EXPECT_TRUE(naive_cnn::same_bits(y.data(), f.v.data(), net::output_size)) << "seed " << seed;
    // The bound_layer interface (scratch on the stack) gives the same bits.
    std::vector<T> mid(net::template layer_size<1>), out(net::output_size);
    net::template layer<1>::forward(p->values.data(), x.data(), mid.data());
    net::template layer<2>::forward(p->values.data() + block1_params, mid.data(), out.data());
    EXPECT_TRUE(naive_cnn::same_bits(out.data(), f.v.data(), net::output_size));
  }
}

TEST(residual, workspace_is_the_ping_pong_buffers_plus_the_largest_block_scratch) {
  using net = two_blocks<float, ctnn::fused>;
  // Ping-pong: layer 1 writes 6x6x3 = 108 (odd); layer 2 is the output (3x3x5 = 45, even).
  static_assert(net::odd_buffer_size == 108 && net::even_buffer_size == 45);
  // Block 1: body layer 1's output 6x6x3 = 108 (the last body layer writes the block's
  // output); no projection. Block 2: body layer 1's 3x3x5 = 45, plus the projection's
  // output 45.
  static_assert(net::layer<1>::scratch_size == 108);
  static_assert(net::layer<2>::scratch_size == 45 + 45);
  static_assert(net::scratch_size == 108);
  static_assert(net::activation_size == 108 + 45 + 108);
  static_assert(net::activation_bytes == (108 + 45 + 108) * sizeof(float));
  // A one-layer body without a projection writes straight into the output: no scratch.
  using flat = ctnn::network<float, ctnn::input<4>, residual<block<ctnn::dense<4>>>>;
  static_assert(flat::scratch_size == 0 && flat::activation_size == 4);
  // Three body layers: odd (layers 1, 3 but 3 is the last) 7, even (layer 2) 5.
  using deep =
      ctnn::network<float, ctnn::input<4>,
                    residual<block<ctnn::dense<7, relu>, ctnn::dense<5, relu>, ctnn::dense<4>>>>;
  static_assert(deep::layer<1>::body_odd_size == 7 && deep::layer<1>::body_even_size == 5);
  static_assert(deep::activation_size == 4 + 7 + 5);
  SUCCEED();
}

TEST(residual, signature_lists_the_body_the_skip_and_the_activation) {
  using net = two_blocks<float, ctnn::fused>;
  EXPECT_EQ(std::string_view(net::signature),
            "ctnn1|f32|fused|in(6x6x3)|residual(conv2d(3,3x3,s1,same,relu);conv2d(3,3x3,s1,same,"
            "identity),skip=input,relu)|residual(conv2d(5,3x3,s2,same,relu);conv2d(5,3x3,s1,"
            "same,identity),skip=conv2d(5,1x1,s2,valid,identity),identity)");
}

// ---- int8 --------------------------------------------------------------------------------

// One block per network, so that the quantized parameters are the block's slice alone.
using q_plain = ctnn::network<
    float, ctnn::input<5, 5, 2>,
    residual<block<conv2d<4, 3, 3, relu, 1, same>, conv2d<2, 3, 3, identity, 1, same>>>>;
using q_projected = ctnn::network<
    float, ctnn::input<5, 5, 2>,
    residual<block<conv2d<4, 3, 3, relu, 2, same>, conv2d<4, 3, 3, identity, 1, same>>,
             conv2d<4, 1, 1, identity, 2>, identity>>;

struct conv_case {
  std::size_t filters, k, stride;
  bool same;
  bool relu;
};

/// Random int8 parameters written once into ctnn's slice (folded biases) and once into the
/// reference's (raw biases), with the given zero points (input, body outputs, projection,
/// block output) and the ADD's multipliers. Marks the int8 outputs seen.
template <class Net>
void check_block(std::uint32_t seed, const std::vector<std::int32_t>& zps, bool extreme,
                 std::array<bool, 256>& seen) {
  using Q = ctnn::quantized<Net>;
  using L = typename Q::template layer<1>;
  constexpr bool projected = Net::template layer<1>::has_projection;
  std::mt19937 gen(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(gen);
  };
  const std::int32_t z_in = zps[0];
  const std::int32_t z_out = zps.back();
  std::vector<conv_case> convs;
  if (projected)
    convs = {{4, 3, 2, true, true}, {4, 3, 1, true, false}, {4, 1, 2, false, false}};
  else
    convs = {{4, 3, 1, true, true}, {2, 3, 1, true, false}};
  auto q = std::make_unique<typename Q::parameters>();
  q->zero_points = {static_cast<std::int8_t>(z_in), static_cast<std::int8_t>(z_out)};
  int8_ref::shape in{5, 5, 2};
  std::vector<int8_ref::layer> layers;
  std::vector<int8_ref::layer_params> params;
  std::vector<int8_ref::shape> inputs;
  std::size_t wo = 0, bo = 0, mo = 0;
  int8_ref::shape cur = in;
  for (std::size_t l = 0; l < convs.size(); ++l) {
    const conv_case& c = convs[l];
    const bool is_projection = projected && l == 2;
    const int8_ref::shape lin = is_projection ? in : cur;
    int8_ref::layer rl{int8_ref::kind::conv2d,
                       c.filters,
                       c.k,
                       c.k,
                       c.stride,
                       c.same,
                       c.relu ? int8_ref::act::relu : int8_ref::act::identity};
    int8_ref::layer_params rp;
    rp.z_in = l == 0 || is_projection ? z_in : zps[l];
    rp.z_out = zps[l + 1];
    const std::size_t taps = c.k * c.k * lin.c;
    for (std::size_t f = 0; f < c.filters; ++f) {
      std::int64_t sum = 0;
      for (std::size_t t = 0; t < taps; ++t) {
        const auto v =
            static_cast<std::int8_t>(extreme ? (uniform(0, 1) ? 127 : -127) : uniform(-127, 127));
        rp.weights.push_back(v);
        q->weights[wo++] = v;
        sum += v;
      }
      const auto b = static_cast<std::int32_t>(uniform(-5000, 5000));
      rp.biases.push_back(b);
      q->biases[bo++] = static_cast<std::int32_t>(b - std::int64_t{rp.z_in} * sum);
      const int8_ref::multiplier m{
          static_cast<std::int32_t>(extreme ? 2147483647 : uniform(1 << 30, 2147483647)),
          static_cast<int>(l == 1 ? uniform(-8, -6) : uniform(-13, -11))};
      rp.positive.push_back(m);
      q->multipliers[mo] = m.m;
      q->shifts[mo++] = static_cast<std::int8_t>(m.shift);
    }
    layers.push_back(rl);
    params.push_back(rp);
    inputs.push_back(lin);
    if (!is_projection) cur = int8_ref::output_shape(rl, lin);
  }
  // Inner zero points after the biases: body outputs, then the projection's.
  ASSERT_EQ(bo, L::zero_point_offset);
  for (std::size_t k = 1; k + 1 < zps.size(); ++k) q->biases[bo++] = zps[k];
  ASSERT_EQ(bo, Q::bias_count);
  // The ADD: skip and body multipliers at most 1/2 (shift ≤ 0), output ~2^−21.
  int8_ref::multiplier add[3];
  for (std::size_t j = 0; j < 3; ++j) {
    add[j].m = static_cast<std::int32_t>(extreme ? 2147483647 : uniform(1 << 30, 2147483647));
    add[j].shift = static_cast<int>(j < 2 ? uniform(-3, 0) : uniform(-22, -20));
    q->multipliers[mo] = add[j].m;
    q->shifts[mo++] = static_cast<std::int8_t>(add[j].shift);
  }
  ASSERT_EQ(mo, Q::multiplier_count);
  ASSERT_EQ(wo, Q::weight_count);

  for (int sample = 0; sample < 4; ++sample) {
    typename Q::input x{};
    std::vector<std::int8_t> xr(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      xr[i] = x[i] =
          static_cast<std::int8_t>(extreme ? (uniform(0, 1) ? 127 : -128) : uniform(-128, 127));
    // Reference: body layers in order, the projection (or the input), then ADD.
    std::vector<std::int8_t> h = xr;
    const std::size_t body = projected ? 2 : convs.size();
    for (std::size_t l = 0; l < body; ++l)
      h = int8_ref::forward_layer(layers[l], inputs[l], params[l], h);
    std::vector<std::int8_t> skip = xr;
    std::int32_t z_skip = z_in;
    if (projected) {
      skip = int8_ref::forward_layer(layers[2], in, params[2], xr);
      z_skip = zps[3];
    }
    const std::vector<std::int8_t> expected =
        int8_ref::add(skip, z_skip, add[0], h, zps[body], add[1], add[2], z_out,
                      std::is_same_v<typename Net::template layer<1>::activation, relu>);
    typename Q::workspace ws{};
    const auto y = Q::forward(*q, x, ws);
    ASSERT_EQ(expected.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(int{y[i]}, int{expected[i]})
          << "seed " << seed << " sample " << sample << " i " << i;
      seen[static_cast<std::size_t>(y[i] + 128)] = true;
    }
  }
}

TEST(residual_int8, block_without_projection_matches_the_reference_add) {
  std::array<bool, 256> seen{};
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<std::int32_t> zp(-128, 127);
    // The body's ReLU output sits low (as calibration puts it: real 0 near −128), so that
    // the second convolution sees varied inputs.
    std::uniform_int_distribution<std::int32_t> low(-128, -100);
    check_block<q_plain>(seed, {zp(gen), low(gen), zp(gen), low(gen)}, false, seen);
  }
  // The cases exercise the arithmetic, not only the clamps.
  EXPECT_GE(std::count(seen.begin(), seen.end(), true), 64);
}

TEST(residual_int8, block_with_projection_matches_the_reference_add) {
  std::array<bool, 256> seen{};
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 gen(seed + 1000);
    std::uniform_int_distribution<std::int32_t> zp(-128, 127);
    std::uniform_int_distribution<std::int32_t> low(-128, -100);
    check_block<q_projected>(seed, {zp(gen), low(gen), zp(gen), zp(gen), zp(gen)}, false, seen);
  }
  // The cases exercise the arithmetic, not only the clamps.
  EXPECT_GE(std::count(seen.begin(), seen.end(), true), 64);
}

TEST(residual_int8, extremes_zero_points_at_the_ends_and_the_largest_multipliers) {
  std::array<bool, 256> seen{};
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    check_block<q_plain>(seed, {-128, 127, -128, 127}, true, seen);
    check_block<q_plain>(seed, {127, -128, 127, -128}, true, seen);
    check_block<q_projected>(seed, {-128, 127, -128, 127, -128}, true, seen);
    check_block<q_projected>(seed, {127, -128, 127, -128, 127}, true, seen);
  }
}

TEST(residual_int8, workspace_holds_the_body_buffers_the_columns_and_the_projection) {
  using Q = ctnn::quantized<q_projected>;
  using L = Q::layer<1>;
  // Body layer 1 writes 3x3x4 = 36 bytes; the largest column is body layer 2's 3·3·4 = 36
  // (layer 1's is 3·3·2 = 18, the projection's 2); the projection's output is 36.
  static_assert(L::body_odd_bytes == 36 && L::body_even_bytes == 0);
  static_assert(L::layers_scratch_bytes == 36);
  static_assert(L::scratch_bytes == 36 + 36 + 36);
  static_assert(Q::activation_bytes == 36 + 0 + 108);  // output ping-pong 3x3x4, no even
  // Weights, biases (+ 4 inner zero points... body 2 and projection 1), multipliers (+3).
  static_assert(Q::weight_count == 4 * 18 + 4 * 36 + 4 * 2);
  static_assert(Q::bias_count == 4 + 4 + 4 + 3);
  static_assert(Q::multiplier_count == 4 + 4 + 4 + 3 && Q::shift_count == Q::multiplier_count);
  SUCCEED();
}

}  // namespace
