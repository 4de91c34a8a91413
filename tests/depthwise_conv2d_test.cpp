// SPDX-License-Identifier: MIT
// depthwise_conv2d against hand-computed values and, bit for bit, against the independent
// naive implementation of naive_layers.hpp over pseudo-random shapes, strides, paddings,
// channel counts (every vector tiling and tail), depth multipliers, both numeric modes,
// float and double; and constant evaluation against run time.
#include "ctnn/depthwise_conv2d.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/network.hpp"
#include "naive_layers.hpp"

namespace {

// ---- hand-computed cases ------------------------------------------------------------

TEST(DepthwiseConv2d, HandComputedTwoChannels) {
  // 3x3x2 input: channel 0 = 1..9, channel 1 = 10·(1..9); 2x2 kernels, valid.
  using net = ctnn::network<float, ctnn::input<3, 3, 2>, ctnn::depthwise_conv2d<2, 2>>;
  static_assert(net::output_size == 2 * 2 * 2 && net::parameter_count == 2 * 2 * 2 + 2);
  // W[kh][kw][c]: channel 0 = [[1, 2], [3, 4]], channel 1 = [[0, 1], [0, 0]]; b = {0.5, -1}.
  const net::parameters p{{1, 0, 2, 1, 3, 0, 4, 0, 0.5f, -1}};
  net::input x{};
  for (std::size_t i = 0; i < 9; ++i) {
    x[2 * i] = float(i + 1);
    x[2 * i + 1] = 10 * float(i + 1);
  }
  const auto y = net::forward(p, x);
  // channel 0 as conv2d's 2x2 hand case; channel 1 picks x(ih, iw + 1)·1 − 1.
  EXPECT_EQ(y, (std::array<float, 8>{37.5f, 19, 47.5f, 29, 67.5f, 49, 77.5f, 59}));
}

TEST(DepthwiseConv2d, HandComputedDepthMultiplierSameStride2) {
  // 4x4x1 input 1..16, 3x3 kernels, stride 2, same: out 2x2, padding only bottom/right.
  // M = 2: kernel 0 all ones, kernel 1 only the centre tap (·2); b = {0, 100}.
  using net = ctnn::network<float, ctnn::input<4, 4>,
                            ctnn::depthwise_conv2d<3, 3, ctnn::identity, 2, ctnn::same, 2>>;
  static_assert(net::output_size == 2 * 2 * 2 && net::layer<1>::pad_top == 0);
  net::parameters p{};
  for (std::size_t t = 0; t < 9; ++t) p.values[t * 2] = 1;
  p.values[4 * 2 + 1] = 2;
  p.values[18 + 1] = 100;
  net::input x{};
  for (std::size_t i = 0; i < 16; ++i) x[i] = float(i + 1);
  const auto y = net::forward(p, x);
  EXPECT_EQ(y,
            (std::array<float, 8>{1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, 100 + 2 * 6,
                                  3 + 4 + 7 + 8 + 11 + 12, 100 + 2 * 8, 9 + 10 + 11 + 13 + 14 + 15,
                                  100 + 2 * 14, 11 + 12 + 15 + 16, 100 + 2 * 16}));
}

TEST(DepthwiseConv2d, ShapesCountsAndNames) {
  using net = ctnn::network<float, ctnn::input<28, 28, 3>, ctnn::depthwise_conv2d<3, 3, ctnn::relu>,
                            ctnn::depthwise_conv2d<5, 3, ctnn::tanh, 2, ctnn::same, 4>>;
  using l1 = net::layer<1>;
  using l2 = net::layer<2>;
  static_assert(std::is_same_v<l1::output_shape, ctnn::shape<26, 26, 3>>);
  static_assert(std::is_same_v<l2::output_shape, ctnn::shape<13, 13, 12>>);
  static_assert(l1::weight_count == 3 * 3 * 3 && l1::bias_count == 3);
  static_assert(l2::parameter_count == 5 * 3 * 12 + 12);
  static_assert(l2::fan_in == 5 * 3 && l2::fan_out == 5 * 3 * 4);
  static_assert(l2::pad_top == 1 && l2::pad_left == 0);  // as conv2d's same rule
  EXPECT_EQ(l1::name.view(), "depthwise_conv2d(3x3,s1,valid,m1,relu)");
  EXPECT_EQ(l2::name.view(), "depthwise_conv2d(5x3,s2,same,m4,tanh)");
  EXPECT_EQ(net::signature,
            "ctnn1|f32|fused|in(28x28x3)|depthwise_conv2d(3x3,s1,valid,m1,relu)|"
            "depthwise_conv2d(5x3,s2,same,m4,tanh)");
}

// With one input channel and M filters, depthwise equals conv2d with M filters (the
// layouts coincide: W[kh][kw][0·M + m] = W[kh][kw][c = 0][f = m]).
TEST(DepthwiseConv2d, OneChannelEqualsConv2d) {
  using dw = ctnn::network<float, ctnn::input<9, 11>,
                           ctnn::depthwise_conv2d<3, 4, ctnn::relu, 2, ctnn::same, 12>>;
  using cv =
      ctnn::network<float, ctnn::input<9, 11>, ctnn::conv2d<12, 3, 4, ctnn::relu, 2, ctnn::same>>;
  static_assert(dw::parameter_count == cv::parameter_count);
  const auto ps = naive_layers::random_values<float>(dw::parameter_count, 5);
  const auto xs = naive_layers::random_values<float>(dw::input_size, 6);
  dw::parameters p{};
  cv::parameters q{};
  std::copy(ps.begin(), ps.end(), p.values.begin());
  std::copy(ps.begin(), ps.end(), q.values.begin());
  dw::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  EXPECT_EQ(dw::forward(p, x), cv::forward(q, x));
}

// ---- constant evaluation ------------------------------------------------------------

template <class T, class Mode>
using constexpr_net = ctnn::network<T, Mode, ctnn::input<5, 6, 19>,
                                    ctnn::depthwise_conv2d<3, 3, ctnn::identity, 1, ctnn::same>>;

template <class Net>
constexpr typename Net::parameters constexpr_params() {
  typename Net::parameters p{};
  for (std::size_t i = 0; i < Net::parameter_count; ++i)
    p.values[i] = typename Net::scalar((int(i * 37 % 23) - 11)) / typename Net::scalar(7);
  return p;
}
template <class Net>
constexpr typename Net::input constexpr_input() {
  typename Net::input x{};
  for (std::size_t i = 0; i < Net::input_size; ++i)
    x[i] = typename Net::scalar((int(i * 53 % 31) - 15)) / typename Net::scalar(9);
  return x;
}

template <class T, class Mode>
void check_constexpr_matches_runtime() {
  using net = constexpr_net<T, Mode>;
  constexpr auto p = constexpr_params<net>();
  constexpr auto x = constexpr_input<net>();
  constexpr auto at_compile_time = net::forward(p, x);
  volatile std::size_t zero = 0;  // keeps the run-time call at run time
  auto xr = x;
  xr[zero] = x[zero];
  const auto at_run_time = net::forward(p, xr);
  EXPECT_TRUE(
      naive_layers::same_bits(at_compile_time.data(), at_run_time.data(), net::output_size));
}

TEST(DepthwiseConv2d, ConstantEvaluationMatchesRunTime) {
  check_constexpr_matches_runtime<float, ctnn::fused>();
  check_constexpr_matches_runtime<float, ctnn::unfused>();
  check_constexpr_matches_runtime<double, ctnn::fused>();
  check_constexpr_matches_runtime<double, ctnn::unfused>();
}

// ---- differential test over pseudo-random configurations ----------------------------

struct config {
  std::size_t h, w, c, kh, kw, s, m;
  bool same;
};

constexpr std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

/// Configuration number I: channel counts cycle through values that hit every vector
/// chunk shape (1..5 vectors of 4 or 8, remainders); every fourth has M > 1.
constexpr config make_config(std::size_t i) {
  constexpr std::size_t channels[] = {1, 3, 7, 8, 9, 16, 17, 24, 32, 40, 5, 12, 33, 64};
  std::uint64_t r = mix(i + 7);
  auto draw = [&r](std::size_t n) {
    r = mix(r);
    return static_cast<std::size_t>(r % n);
  };
  config k{};
  k.h = 1 + draw(9);
  k.w = 1 + draw(14);
  k.c = channels[i % 14];
  k.m = i % 4 == 3 ? 2 + draw(2) : 1;
  k.same = draw(2) == 1;
  k.kh = 1 + draw(k.same ? 5 : (k.h < 5 ? k.h : 5));
  k.kw = 1 + draw(k.same ? 5 : (k.w < 5 ? k.w : 5));
  k.s = 1 + draw(3);
  return k;
}

template <class T, class Mode, std::size_t I>
void check_config() {
  constexpr config k = make_config(I);
  using padding = std::conditional_t<k.same, ctnn::same, ctnn::valid>;
  using net = ctnn::network<T, Mode, ctnn::input<k.h, k.w, k.c>,
                            ctnn::depthwise_conv2d<k.kh, k.kw, ctnn::identity, k.s, padding, k.m>>;
  const auto params = naive_layers::random_values<T>(net::parameter_count, 1000 + I);
  const auto xs = naive_layers::random_values<T>(net::input_size, 2000 + I);
  auto p = std::make_unique<typename net::parameters>();
  std::copy(params.begin(), params.end(), p->values.begin());
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward(*p, x);
  const naive_layers::dw_shape g{long(k.h),  long(k.w), long(k.c), long(k.kh),
                                 long(k.kw), long(k.s), long(k.m), k.same};
  const auto ny = naive_layers::depthwise(g, xs, params.data(), std::is_same_v<Mode, ctnn::fused>);
  ASSERT_EQ(ny.size(), y.size()) << "config " << I;
  using out = typename net::output_shape;
  EXPECT_EQ(std::size_t(g.out_h()), out::height);
  EXPECT_EQ(std::size_t(g.out_w()), out::width);
  EXPECT_TRUE(naive_layers::same_bits(ny.data(), y.data(), y.size()))
      << "config " << I << ": " << k.h << "x" << k.w << "x" << k.c << " k" << k.kh << "x" << k.kw
      << " s" << k.s << " m" << k.m << (k.same ? " same" : " valid");
}

template <class T, class Mode, std::size_t... I>
void check_configs(std::index_sequence<I...>) {
  (check_config<T, Mode, I>(), ...);
}

constexpr std::size_t config_count = 42;

TEST(DepthwiseConv2d, MatchesNaiveFloatFused) {
  check_configs<float, ctnn::fused>(std::make_index_sequence<config_count>{});
}
TEST(DepthwiseConv2d, MatchesNaiveFloatUnfused) {
  check_configs<float, ctnn::unfused>(std::make_index_sequence<config_count>{});
}
TEST(DepthwiseConv2d, MatchesNaiveDoubleFused) {
  check_configs<double, ctnn::fused>(std::make_index_sequence<config_count>{});
}
TEST(DepthwiseConv2d, MatchesNaiveDoubleUnfused) {
  check_configs<double, ctnn::unfused>(std::make_index_sequence<config_count>{});
}

// The vector path against the scalar kernel directly, on a layer large enough to run many
// chunks, with negative zeros and signed inputs (an FMA with a zero product keeps −0).
TEST(DepthwiseConv2d, VectorPathMatchesScalarKernel) {
  using net = ctnn::network<float, ctnn::input<13, 17, 44>,
                            ctnn::depthwise_conv2d<3, 3, ctnn::identity, 1, ctnn::same>>;
  using L = net::layer<1>;
  auto params = naive_layers::random_values<float>(net::parameter_count, 11);
  auto xs = naive_layers::random_values<float>(net::input_size, 12);
  for (std::size_t i = 0; i < xs.size(); i += 7) xs[i] = -0.0f;
  for (std::size_t i = L::weight_count; i < params.size(); i += 3) params[i] = -0.0f;
  std::vector<float> fast(net::output_size), slow(net::output_size);
  L::affine(params.data(), xs.data(), fast.data());
  ctnn::detail::depthwise_scalar<ctnn::fused, L::geometry, 1>(
      params.data(), params.data() + L::weight_count, xs.data(), slow.data());
  EXPECT_TRUE(naive_layers::same_bits(fast.data(), slow.data(), fast.size()));
}

}  // namespace
