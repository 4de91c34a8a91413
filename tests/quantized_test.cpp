// SPDX-License-Identifier: MIT
// ctnn::quantized: a randomized differential test against the independent int8 reference
// (tests/support/int8_reference.hpp) over dense, conv2d (valid/same, stride 1/2, channel and filter
// counts off the kernels' 4/16 blocks), pooling and flatten networks, at the extremes (zero
// points −128 and 127, multipliers near 2^31, 2^30, tiny and saturating, ±127 weights);
// then the API around forward: workspace, predict, quantize_input/dequantize_output, crc32
// and activation_bytes.
//
// Tolerance: exact for identity, relu, leaky relu and pooling (pure integer arithmetic on
// both sides). Sigmoid, tanh and softmax: at most one unit, and rarely (at most 1% of those
// outputs, so a systematic bias cannot hide in the tolerance), because the reference computes
// 2^(−t) in double while ctnn rounds a Q30 polynomial to Q16 first (quantization_test.cpp),
// which can move the final rounding to int8 across a boundary. A layer
// after such a layer may then see different inputs, so networks with a hidden sigmoid or
// tanh are compared layer by layer (each ctnn layer on the same input as the reference).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "int8_reference.hpp"

namespace {

// --- The run-time description of a network, read off its spec types ---------------------

template <class A>
struct act_of;
template <>
struct act_of<ctnn::identity> {
  static constexpr int8_ref::act value = int8_ref::act::identity;
};
template <>
struct act_of<ctnn::relu> {
  static constexpr int8_ref::act value = int8_ref::act::relu;
};
template <std::intmax_t N, std::intmax_t D>
struct act_of<ctnn::leaky_relu<N, D>> {
  static constexpr int8_ref::act value = int8_ref::act::leaky_relu;
};
template <>
struct act_of<ctnn::sigmoid> {
  static constexpr int8_ref::act value = int8_ref::act::sigmoid;
};
template <>
struct act_of<ctnn::tanh> {
  static constexpr int8_ref::act value = int8_ref::act::tanh;
};
template <>
struct act_of<ctnn::softmax> {
  static constexpr int8_ref::act value = int8_ref::act::softmax;
};

template <class Spec>
struct describe;
template <std::size_t Out, class A>
struct describe<ctnn::dense<Out, A>> {
  static int8_ref::layer get() {
    return {int8_ref::kind::dense, Out, 1, 1, 1, false, act_of<A>::value};
  }
};
template <std::size_t F, std::size_t KH, std::size_t KW, class A, std::size_t S, class P>
struct describe<ctnn::conv2d<F, KH, KW, A, S, P>> {
  static int8_ref::layer get() {
    return {int8_ref::kind::conv2d, F, KH, KW, S, std::is_same_v<P, ctnn::same>, act_of<A>::value};
  }
};
template <std::size_t PH, std::size_t PW, std::size_t S>
struct describe<ctnn::max_pool2d<PH, PW, S>> {
  static int8_ref::layer get() { return {int8_ref::kind::max_pool, 0, PH, PW, S}; }
};
template <std::size_t PH, std::size_t PW, std::size_t S>
struct describe<ctnn::avg_pool2d<PH, PW, S>> {
  static int8_ref::layer get() { return {int8_ref::kind::avg_pool, 0, PH, PW, S}; }
};
template <>
struct describe<ctnn::flatten> {
  static int8_ref::layer get() { return {int8_ref::kind::flatten}; }
};

template <class Input>
struct input_of;
template <std::size_t N>
struct input_of<ctnn::input<N>> {
  static constexpr int8_ref::shape value{1, 1, N};
};
template <std::size_t H, std::size_t W>
struct input_of<ctnn::input<H, W>> {
  static constexpr int8_ref::shape value{H, W, 1};
};
template <std::size_t H, std::size_t W, std::size_t C>
struct input_of<ctnn::input<H, W, C>> {
  static constexpr int8_ref::shape value{H, W, C};
};

/// A test case: the float network's entries, its int8 model and its run-time description.
template <class Input, class... Specs>
struct net_case {
  using net = ctnn::network<float, Input, Specs...>;
  using q = ctnn::quantized<net>;
  using specs = std::tuple<Specs...>;
  static int8_ref::network describe_all() {
    return {input_of<Input>::value, {describe<Specs>::get()...}};
  }
};

// --- Random spec parameters ----------------------------------------------------------------

/// What a trial stresses.
enum class profile { typical, zero_points_at_ends, extreme_weights, extreme_multipliers };

bool transcendental(int8_ref::act a) {
  return a == int8_ref::act::sigmoid || a == int8_ref::act::tanh || a == int8_ref::act::softmax;
}

struct generator {
  std::mt19937 rng;

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

  std::int32_t zero_point(profile p) {
    const int r = uniform(0, 3);
    if (p == profile::zero_points_at_ends || r == 0) return uniform(0, 1) ? 127 : -128;
    return uniform(-128, 127);
  }

  /// m ≈ target·2^(±2), or (extreme) M at 2^31 − 1 or 2^30, tiny, or saturating.
  int8_ref::multiplier multiplier(double target, profile p) {
    int shift = static_cast<int>(std::floor(std::log2(target))) + 1 + uniform(-2, 2);
    std::int32_t m = std::uniform_int_distribution<std::int32_t>(1 << 30, 0x7FFFFFFF)(rng);
    if (p == profile::extreme_multipliers) {
      switch (uniform(0, 4)) {
        case 0:
          m = 0x7FFFFFFF;
          break;
        case 1:
          m = 1 << 30;
          break;
        case 2:  // everything rounds to 0
          shift = uniform(-31, -24);
          break;
        case 3:  // everything saturates
          shift = uniform(24, 30);
          break;
        default:
          break;
      }
    }
    return {m, std::clamp(shift, -31, 30)};
  }

  /// Random parameters for every layer, and the zero points of every tensor.
  std::vector<int8_ref::layer_params> parameters(const int8_ref::network& net, profile p) {
    std::vector<int8_ref::layer_params> out;
    int8_ref::shape in = net.input;
    std::int32_t z = zero_point(p);
    for (const int8_ref::layer& l : net.layers) {
      int8_ref::layer_params lp;
      lp.z_in = z;
      const std::size_t n = int8_ref::fan_in(l, in), ch = int8_ref::channels(l);
      if (ch == 0) {
        lp.z_out = z;  // pooling and flatten keep the input's quantisation
      } else {
        lp.z_out = l.a == int8_ref::act::sigmoid || l.a == int8_ref::act::softmax ? -128
                   : l.a == int8_ref::act::tanh                                   ? 0
                                                                                  : zero_point(p);
        lp.weights.resize(n * ch);
        for (auto& w : lp.weights)
          w = static_cast<std::int8_t>(p == profile::extreme_weights ? (uniform(0, 1) ? 127 : -127)
                                                                     : uniform(-127, 127));
        const double spread = std::sqrt(static_cast<double>(n)) * 110 * 73;  // σ of Σ(x − z)·w
        const int bias_bound = static_cast<int>(std::min(4 * spread, double(1 << 24)));
        for (std::size_t o = 0; o < ch; ++o) lp.biases.push_back(uniform(-bias_bound, bias_bound));
        // Linear outputs spread over ~±40 units; sigmoid/tanh/softmax inputs over ~±3 (Q16).
        const double target = (transcendental(l.a) ? 3 * 65536.0 : 40.0) / spread;
        const bool leaky = l.a == int8_ref::act::leaky_relu;
        // Dense: one multiplier per layer, a shift per output (the weight scale of output o
        // is the layer's times 2^−k_o); conv: any multiplier per filter.
        const int8_ref::multiplier layer_pos = multiplier(target, p);
        const int8_ref::multiplier layer_neg = multiplier(target / 8, p);
        for (std::size_t c = 0; c < ch; ++c) {
          if (l.k == int8_ref::kind::dense) {
            const int k = uniform(0, 3);
            lp.positive.push_back({layer_pos.m, std::max(layer_pos.shift - k, -31)});
            if (leaky) lp.negative.push_back({layer_neg.m, std::max(layer_neg.shift - k, -31)});
          } else {
            lp.positive.push_back(multiplier(target, p));
            if (leaky) lp.negative.push_back(multiplier(target / 8, p));
          }
        }
      }
      z = lp.z_out;
      out.push_back(std::move(lp));
      in = int8_ref::output_shape(l, in);
    }
    return out;
  }

  std::vector<std::int8_t> input(std::size_t n, bool extreme) {
    std::vector<std::int8_t> x(n);
    for (auto& v : x)
      v = static_cast<std::int8_t>(extreme ? (uniform(0, 1) ? 127 : -128) : uniform(-128, 127));
    return x;
  }
};

/// ctnn's aggregate from the raw spec values: weights as they are (output-major / OHWI),
/// biases with the input zero point folded in (b' = b − z_in·Σ W over all taps), zero points
/// per tensor; with k multipliers per channel (leaky relu 2: positive then negative), a conv
/// layer has multipliers and shifts [f·k + j], a dense layer multipliers [j] (shared by its
/// outputs) and shifts [o·k + j].
template <class Q>
std::unique_ptr<typename Q::parameters> to_ctnn(const int8_ref::network& net,
                                                const std::vector<int8_ref::layer_params>& lp,
                                                std::mt19937& rng) {
  auto p = std::make_unique<typename Q::parameters>();
  std::size_t w = 0, b = 0, m = 0, s = 0;
  p->zero_points[0] = static_cast<std::int8_t>(lp.front().z_in);
  for (std::size_t l = 0; l < lp.size(); ++l) {
    const int8_ref::layer_params& L = lp[l];
    for (std::int8_t v : L.weights) p->weights.at(w++) = v;
    const std::size_t fan = L.biases.empty() ? 0 : L.weights.size() / L.biases.size();
    for (std::size_t o = 0; o < L.biases.size(); ++o) {
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < fan; ++i) sum += L.weights[o * fan + i];
      p->biases.at(b++) = static_cast<std::int32_t>(L.biases[o] - std::int64_t{L.z_in} * sum);
    }
    const bool dense = net.layers[l].k == int8_ref::kind::dense;
    for (std::size_t c = 0; c < L.positive.size(); ++c) {
      if (!dense || c == 0) {
        p->multipliers.at(m++) = L.positive[c].m;
        if (!L.negative.empty()) p->multipliers.at(m++) = L.negative[c].m;
      }
      p->shifts.at(s++) = static_cast<std::int8_t>(L.positive[c].shift);
      if (!L.negative.empty()) p->shifts.at(s++) = static_cast<std::int8_t>(L.negative[c].shift);
    }
    p->zero_points[l + 1] = static_cast<std::int8_t>(L.z_out);
  }
  EXPECT_EQ(w, p->weights.size());
  EXPECT_EQ(b, p->biases.size());
  EXPECT_EQ(m, p->multipliers.size());
  EXPECT_EQ(s, p->shifts.size());
  std::uniform_real_distribution<float> scale(0.001f, 0.1f);
  for (float& v : p->scales) v = scale(rng);
  return p;
}

/// got == want element-wise, or within `tolerance` units.
::testing::AssertionResult close(const std::int8_t* got, const std::vector<std::int8_t>& want,
                                 int tolerance) {
  for (std::size_t i = 0; i < want.size(); ++i)
    if (std::abs(int{got[i]} - int{want[i]}) > tolerance)
      return ::testing::AssertionFailure() << "element " << i << " of " << want.size() << ": got "
                                           << int{got[i]} << ", want " << int{want[i]};
  return ::testing::AssertionSuccess();
}

/// The shape layer I of Net reads: the network's input, or layer I − 1's output.
template <class Net, std::size_t I>
struct input_shape_of_layer {
  using type = typename Net::template layer<I - 1>::output_shape;
};
template <class Net>
struct input_shape_of_layer<Net, 1> {
  using type = typename Net::input_shape;
};

/// Runs layer I of Case's network alone on `x`, through the public API only: as the one
/// layer of a network whose input is layer I's input, with that layer's slice of the
/// parameters (at Q's public offsets) and its two zero points and scales.
template <class Case, std::size_t I>
std::vector<std::int8_t> run_alone(const typename Case::q::parameters& p,
                                   const std::vector<std::int8_t>& x) {
  using Q = typename Case::q;
  using net = typename Case::net;
  using spec = std::tuple_element_t<I - 1, typename Case::specs>;
  using in = typename input_shape_of_layer<net, I>::type;
  using one =
      ctnn::quantized<ctnn::network<float, ctnn::input<in::height, in::width, in::channels>, spec>>;
  auto q = std::make_unique<typename one::parameters>();
  const auto slice = [](const auto& from, std::size_t offset, auto& to) {
    std::copy_n(from.begin() + static_cast<std::ptrdiff_t>(offset), to.size(), to.begin());
  };
  slice(p.weights, Q::template weight_offset<I>, q->weights);
  slice(p.biases, Q::template bias_offset<I>, q->biases);
  slice(p.multipliers, Q::template multiplier_offset<I>, q->multipliers);
  slice(p.shifts, Q::template shift_offset<I>, q->shifts);
  slice(p.zero_points, I - 1, q->zero_points);
  slice(p.scales, I - 1, q->scales);
  typename one::input xi{};
  std::copy(x.begin(), x.end(), xi.begin());
  const typename one::output y = one::forward(*q, xi);
  return {y.begin(), y.end()};
}

/// Trials × inputs random comparisons of one network against the reference.
template <class Case>
void differential(unsigned seed, int trials, int inputs_per_trial, int min_interior_percent = 10) {
  using Q = typename Case::q;
  const int8_ref::network net = Case::describe_all();
  ASSERT_EQ(net.layers.size(), Q::layer_count);
  bool hidden_transcendental = false;
  for (std::size_t l = 0; l + 1 < net.layers.size(); ++l)
    hidden_transcendental |=
        net.layers[l].a == int8_ref::act::sigmoid || net.layers[l].a == int8_ref::act::tanh;
  const int last_tolerance = transcendental(net.layers.back().a) ? 1 : 0;
  generator g{std::mt19937(seed)};
  int off_by_one = 0, tolerant_outputs = 0;    // in sigmoid/tanh/softmax layers
  int interior = 0, total = 0;                 // outputs off −128, 127 and z_out
  std::uint64_t digest = 0xcbf29ce484222325u;  // of every ctnn output, to compare builds
  for (int t = 0; t < trials; ++t) {
    const auto prof = static_cast<profile>(t % 4);
    SCOPED_TRACE(::testing::Message() << "trial " << t << ", profile " << static_cast<int>(prof));
    const auto lp = g.parameters(net, prof);
    const auto p = to_ctnn<Q>(net, lp, g.rng);
    for (int k = 0; k < inputs_per_trial; ++k) {
      const std::vector<std::int8_t> xv =
          g.input(Q::input_size, k == 0 && prof != profile::typical);
      typename Q::input x{};
      std::copy(xv.begin(), xv.end(), x.begin());
      const auto want = int8_ref::forward(net, lp, xv);
      // Layer by layer, each ctnn layer fed the ctnn output before it.
      std::vector<std::int8_t> in = xv;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto one = [&](auto index) {
          constexpr std::size_t L = decltype(index)::value;
          const int8_ref::shape shape_in = [&] {
            int8_ref::shape s = net.input;
            for (std::size_t l = 0; l + 1 < L; ++l) s = int8_ref::output_shape(net.layers[l], s);
            return s;
          }();
          const auto ref = int8_ref::forward_layer(net.layers[L - 1], shape_in, lp[L - 1], in);
          const std::vector<std::int8_t> got = run_alone<Case, L>(*p, in);
          ASSERT_EQ(got.size(), ref.size());
          const bool tolerant = transcendental(net.layers[L - 1].a);
          EXPECT_TRUE(close(got.data(), ref, tolerant ? 1 : 0)) << "layer " << L;
          if (tolerant) {
            for (std::size_t i = 0; i < ref.size(); ++i) off_by_one += got[i] != ref[i];
            tolerant_outputs += static_cast<int>(ref.size());
          }
          in = got;
        };
        (one(std::integral_constant<std::size_t, I + 1>{}), ...);
      }
      (std::make_index_sequence<Q::layer_count>{});
      // The whole network.
      const typename Q::output y = Q::forward(*p, x);
      if (!hidden_transcendental) {
        EXPECT_TRUE(close(y.data(), want.back(), last_tolerance));
      }
      EXPECT_TRUE(close(y.data(), {in.begin(), in.end()}, 0)) << "forward != its layers";
      for (const std::int8_t v : y) {
        interior += v != -128 && v != 127 && v != p->zero_points.back();
        digest = (digest ^ static_cast<std::uint8_t>(v)) * 0x100000001b3u;  // FNV-1a
      }
      total += static_cast<int>(y.size());
      if (::testing::Test::HasFailure()) return;
    }
  }
  // The one-unit tolerance is for rare rounding boundaries, not for a systematic bias.
  EXPECT_LE(off_by_one, tolerant_outputs / 100 + 2) << "of " << tolerant_outputs;
  ::testing::Test::RecordProperty("outputs_off_by_one", off_by_one);
  ::testing::Test::RecordProperty("output_digest_" + std::to_string(seed), std::to_string(digest));
  // The random parameters must keep enough outputs off the clamps to test anything.
  EXPECT_GE(interior, total * min_interior_percent / 100) << interior << " of " << total;
}

// --- The networks --------------------------------------------------------------------------

using ctnn::avg_pool2d;
using ctnn::conv2d;
using ctnn::dense;
using ctnn::flatten;
using ctnn::input;
using ctnn::max_pool2d;
using ctnn::same;
using ctnn::valid;

TEST(QuantizedDense, LinearReluLeaky) {
  // 20 inputs: one 16-wide AVX2 block and a tail; 7 outputs: a 4-row block and 3 single rows.
  differential<
      net_case<input<20>, dense<7, ctnn::relu>, dense<5>, dense<3, ctnn::leaky_relu<1, 8>>>>(1, 60,
                                                                                             4);
  differential<
      net_case<input<45>, dense<16, ctnn::leaky_relu<1, 10>>, dense<9, ctnn::relu>, dense<1>>>(
      2, 60, 4);
  differential<net_case<input<3>, dense<2>>>(3, 80, 4);
}

TEST(QuantizedDense, SigmoidTanhSoftmax) {
  differential<net_case<input<33>, dense<6, ctnn::sigmoid>>>(4, 80, 4);
  differential<net_case<input<17>, dense<5, ctnn::tanh>>>(5, 80, 4);
  differential<net_case<input<50>, dense<10, ctnn::relu>, dense<7, ctnn::softmax>>>(6, 60, 4);
  differential<net_case<input<4>, dense<1, ctnn::softmax>>>(7, 20, 2, 0);  // always 127
  // Hidden sigmoid and tanh: compared layer by layer.
  differential<
      net_case<input<24>, dense<12, ctnn::tanh>, dense<8, ctnn::sigmoid>, dense<5, ctnn::softmax>>>(
      8, 60, 4);
}

TEST(QuantizedConv, ValidStrideOne) {
  differential<net_case<input<7, 6, 3>, conv2d<5, 3, 3, ctnn::relu>, flatten, dense<4>>>(10, 40, 3);
  differential<net_case<input<6, 6, 16>, conv2d<9, 3, 3, ctnn::leaky_relu<1, 4>>>>(11, 30, 3);
}

TEST(QuantizedConv, SameStrideOne) {
  // C = 5, F = 6; an even kernel (4x4: padding 1 before, 2 after) and a 1x1 kernel.
  differential<
      net_case<input<6, 7, 5>, conv2d<6, 3, 3, ctnn::leaky_relu<1, 4>, 1, same>,
               conv2d<3, 4, 4, ctnn::relu, 1, same>, conv2d<4, 1, 1, ctnn::identity, 1, same>>>(
      12, 40, 3);
  differential<net_case<input<6, 6, 16>, conv2d<9, 3, 3, ctnn::relu, 1, same>>>(13, 30, 3);
}

TEST(QuantizedConv, StrideTwo) {
  // Same with stride 2 (9 → 5, 8 → 4), then a 2x2 kernel whose padding is all after.
  differential<net_case<input<9, 8>, conv2d<7, 3, 3, ctnn::identity, 2, same>,
                        conv2d<4, 2, 2, ctnn::relu, 2, same>, flatten, dense<3, ctnn::softmax>>>(
      14, 40, 3);
  differential<net_case<input<11, 10, 4>, conv2d<8, 3, 3, ctnn::relu, 2, valid>, max_pool2d<2>,
                        flatten, dense<6, ctnn::softmax>>>(15, 40, 3);
  differential<net_case<input<8, 9, 3>, conv2d<5, 5, 3, ctnn::leaky_relu<1, 3>, 2, same>>>(16, 40,
                                                                                           3);
}

TEST(QuantizedConv, SigmoidAndTanh) {
  differential<net_case<input<5, 5, 2>, conv2d<3, 3, 3, ctnn::sigmoid, 1, same>>>(17, 60, 3);
  differential<net_case<input<6, 5, 3>, conv2d<5, 3, 2, ctnn::tanh, 1, valid>>>(18, 60, 3);
  differential<net_case<input<6, 6, 2>, conv2d<4, 3, 3, ctnn::tanh, 1, same>, max_pool2d<2>,
                        flatten, dense<3>>>(19, 40, 3);
}

TEST(QuantizedPool, MaxAvgFlatten) {
  // Pooling straight on the input: avg windows of 6 (ties possible), 9 and 4 values.
  differential<
      net_case<input<9, 7, 5>, avg_pool2d<3, 2, 2>, max_pool2d<2, 3, 1>, flatten, dense<3>>>(20, 60,
                                                                                             4);
  differential<net_case<input<9, 9, 3>, avg_pool2d<3>, avg_pool2d<2, 2, 1>, flatten>>(21, 60, 4);
  differential<net_case<input<6, 6, 1>, max_pool2d<2>, flatten>>(22, 30, 4);
}

TEST(QuantizedNetwork, MixedCnn) {
  differential<net_case<input<12, 12, 3>, conv2d<8, 3, 3, ctnn::relu, 1, same>, max_pool2d<2>,
                        conv2d<5, 4, 4, ctnn::leaky_relu<1, 16>, 1, same>, avg_pool2d<2, 2, 1>,
                        conv2d<3, 1, 1, ctnn::tanh>>>(30, 16, 2);
  differential<net_case<input<10, 10>, conv2d<6, 3, 3, ctnn::relu>, max_pool2d<2>,
                        conv2d<10, 3, 3, ctnn::relu, 1, same>, avg_pool2d<2>, flatten,
                        dense<7, ctnn::relu>, dense<4, ctnn::softmax>>>(31, 16, 2);
}

// --- The API around forward ----------------------------------------------------------------

using small_cnn = ctnn::network<float, input<8, 8>, conv2d<4, 3, 3, ctnn::relu>, max_pool2d<2>,
                                flatten, dense<5>>;
using q_small_cnn = ctnn::quantized<small_cnn>;

std::unique_ptr<q_small_cnn::parameters> small_cnn_parameters(unsigned seed, profile prof) {
  using c = net_case<input<8, 8>, conv2d<4, 3, 3, ctnn::relu>, max_pool2d<2>, flatten, dense<5>>;
  static_assert(std::is_same_v<c::q, q_small_cnn>);
  generator g{std::mt19937(seed)};
  const int8_ref::network net = c::describe_all();
  return to_ctnn<q_small_cnn>(net, g.parameters(net, prof), g.rng);
}

TEST(QuantizedApi, ActivationBytesArePingPongSizesPlusTheLargestColumn) {
  // Layer outputs: conv 6x6x4 = 144, pool 3x3x4 = 36, flatten 36, dense 5.
  // Odd layers (1, 3): max(144, 36) = 144; even layers (2, 4): max(36, 5) = 36; the conv's
  // column of one output pixel: 3·3·1 = 9 bytes.
  static_assert(q_small_cnn::odd_buffer_size == 144);
  static_assert(q_small_cnn::even_buffer_size == 36);
  static_assert(q_small_cnn::scratch_bytes == 9);
  static_assert(q_small_cnn::activation_bytes == 144 + 36 + 9);
  static_assert(sizeof(q_small_cnn::workspace) == 189);
  static_assert(q_small_cnn::input_size == 64 && q_small_cnn::output_size == 5);
  using mlp = ctnn::quantized<ctnn::network<float, input<10>, dense<7>, dense<3>, dense<9>>>;
  static_assert(mlp::activation_bytes == 9 + 3);  // odd: max(7, 9); even: 3; no column
  // Two convolutions: the larger column, 3·3·6 = 54 (the first's is 2·2·2 = 8).
  using two = ctnn::quantized<
      ctnn::network<float, input<7, 7, 2>, conv2d<6, 2, 2>, conv2d<3, 3, 3, ctnn::relu, 2, same>>>;
  static_assert(two::scratch_bytes == 54);
  static_assert(two::activation_bytes == 6 * 6 * 6 + 3 * 3 * 3 + 54);
}

TEST(QuantizedApi, WorkspaceAndPredict) {
  std::mt19937 rng(99);
  for (int t = 0; t < 40; ++t) {
    const auto p =
        small_cnn_parameters(static_cast<unsigned>(100 + t), static_cast<profile>(t % 4));
    q_small_cnn::input x{};
    for (auto& v : x)
      v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    q_small_cnn::workspace ws;
    ws.fill(static_cast<std::int8_t>(t * 37));  // stale contents must not matter
    const auto with = q_small_cnn::forward(*p, x, ws);
    const auto without = q_small_cnn::forward(*p, x);
    EXPECT_EQ(with, without);
    const std::size_t best = static_cast<std::size_t>(
        std::max_element(without.begin(), without.end()) - without.begin());  // first maximum
    EXPECT_EQ(q_small_cnn::predict(*p, x), best);
    EXPECT_EQ(q_small_cnn::predict(*p, x, ws), best);
    EXPECT_EQ(q_small_cnn::argmax(without), best);
  }
  // Ties: the first largest.
  EXPECT_EQ(q_small_cnn::argmax({3, 9, -1, 9, 9}), 1u);
  EXPECT_EQ(q_small_cnn::argmax({-128, -128, -128, -128, -128}), 0u);
}

TEST(QuantizedApi, QuantizeInputAndDequantizeOutput) {
  using q = ctnn::quantized<ctnn::network<float, input<6>, dense<2>>>;
  q::parameters p{};
  p.scales = {0.5f, 0.25f};
  p.zero_points = {-3, 10};
  // x/s = (2, −2.5, 200, 0.5, −2000, −1.5), rounded half away from zero
  //     = (2, −3, 200, 1, −2000, −2); + z = (−1, −6, 197, −2, −2003, −5), clamped:
  const std::array<float, 6> x{1.0f, -1.25f, 100.0f, 0.25f, -1000.0f, -0.75f};
  EXPECT_EQ(q::quantize_input(p, x), (q::input{-1, -6, 127, -2, -128, -5}));
  const std::array<double, 6> xd{1.0, -1.25, 100.0, 0.25, -1000.0, -0.75};
  EXPECT_EQ(q::quantize_input(p, xd), (q::input{-1, -6, 127, -2, -128, -5}));
  // s_out·(q − z_out): 0.25·(14 − 10) = 1, 0.25·(−128 − 10) = −34.5.
  const std::array<float, 2> r = q::dequantize_output(p, {14, -128});
  EXPECT_EQ(r[0], 1.0f);
  EXPECT_EQ(r[1], -34.5f);
}

template <class T, std::size_t N>
void append_le(std::vector<unsigned char>& bytes, const std::array<T, N>& a) {
  for (const T v : a) {
    using word = std::conditional_t<sizeof(T) == 1, std::uint8_t, std::uint32_t>;
    const auto w = static_cast<std::uint32_t>(std::bit_cast<word>(v));
    for (std::size_t k = 0; k < sizeof(T); ++k)
      bytes.push_back(static_cast<unsigned char>(w >> (8 * k)));
  }
}

TEST(QuantizedApi, Crc32IsOverTheConcatenatedLittleEndianBytes) {
  const unsigned char check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  ASSERT_EQ(ctnn::crc32(check, sizeof check), 0xCBF43926u);  // the CRC-32 check value
  for (unsigned seed : {1u, 2u, 3u}) {
    const auto p = small_cnn_parameters(seed, profile::typical);
    std::vector<unsigned char> bytes;
    append_le(bytes, p->weights);
    append_le(bytes, p->biases);
    append_le(bytes, p->multipliers);
    append_le(bytes, p->shifts);
    append_le(bytes, p->zero_points);
    append_le(bytes, p->scales);
    // weights 36 + 180, biases 9·4, multipliers (4 + 1)·4, shifts 4 + 5, zero points 5,
    // scales 5·4.
    ASSERT_EQ(bytes.size(), 216u + 36 + 20 + 9 + 5 + 20);
    EXPECT_EQ(ctnn::crc32(*p), ctnn::crc32(bytes.data(), bytes.size()));
    // Any change to any array changes the CRC.
    auto copy = std::make_unique<q_small_cnn::parameters>(*p);
    copy->scales[2] = std::nextafter(copy->scales[2], 1.0f);
    EXPECT_NE(ctnn::crc32(*copy), ctnn::crc32(*p));
  }
}

}  // namespace
