// SPDX-License-Identifier: MIT
// conv2d against hand-computed values and, bit for bit, against the independent naive
// convolution of naive_cnn.hpp over pseudo-random shapes, strides, paddings, filter
// counts (covering every vector tiling), both numeric modes, float and double.
#include "ctnn/conv2d.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ctnn/network.hpp"
#include "naive_cnn.hpp"

namespace {

// ---- hand-computed cases ------------------------------------------------------------

// x = 1..9 (3x3x1), W = [[1, 2], [3, 4]] (kh, kw), b = 0.5.
using net_2x2_valid = ctnn::network<float, ctnn::input<3, 3>, ctnn::conv2d<1, 2, 2>>;
using net_2x2_same =
    ctnn::network<float, ctnn::input<3, 3>, ctnn::conv2d<1, 2, 2, ctnn::identity, 1, ctnn::same>>;
constexpr std::array<float, 9> x_1_to_9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(Conv2d, HandComputedValid) {
  const net_2x2_valid::parameters p{{1, 2, 3, 4, 0.5f}};
  const auto y = net_2x2_valid::forward(p, x_1_to_9);
  // y(0,0) = 1·1 + 2·2 + 3·4 + 4·5 + 0.5, and so on.
  EXPECT_EQ(y, (std::array<float, 4>{37.5f, 47.5f, 67.5f, 77.5f}));
}

TEST(Conv2d, HandComputedSamePadsBottomRight) {
  // Total padding 1 per axis: none at the top/left, one row/column at the bottom/right.
  const net_2x2_same::parameters p{{1, 2, 3, 4, 0.5f}};
  const auto y = net_2x2_same::forward(p, x_1_to_9);
  EXPECT_EQ(y, (std::array<float, 9>{37.5f, 47.5f, 3 + 2 * 0 + 3 * 6 + 0.5f,  //
                                     67.5f, 77.5f, 6 + 3 * 9 + 0.5f,          //
                                     7 + 2 * 8 + 0.5f, 8 + 2 * 9 + 0.5f, 9.5f}));
}

TEST(Conv2d, HandComputedSameStride2) {
  // 4x4 input (1..16), 3x3 kernel of ones, stride 2: out 2x2, padding 1 at bottom/right.
  using net =
      ctnn::network<float, ctnn::input<4, 4>, ctnn::conv2d<1, 3, 3, ctnn::identity, 2, ctnn::same>>;
  static_assert(net::output_size == 4 && net::layer<1>::pad_top == 0);
  net::parameters p{};
  for (std::size_t i = 0; i < 9; ++i) p.values[i] = 1;
  net::input x{};
  for (std::size_t i = 0; i < 16; ++i) x[i] = float(i + 1);
  const auto y = net::forward(p, x);
  EXPECT_EQ(y, (std::array<float, 4>{1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, 3 + 4 + 7 + 8 + 11 + 12,
                                     9 + 10 + 11 + 13 + 14 + 15, 11 + 12 + 15 + 16}));
}

TEST(Conv2d, HandComputedChannelsAndFilters) {
  // 1x1 kernel over 2 channels, 3 filters, stride 1 on a 1x2 image: per-pixel dense.
  using net = ctnn::network<float, ctnn::input<1, 2, 2>, ctnn::conv2d<3, 1, 1, ctnn::relu>>;
  // W[c][f]: c0 -> {1, 2, -3}, c1 -> {4, 5, 6}; b = {0, 1, -10}
  const net::parameters p{{1, 2, -3, 4, 5, 6, 0, 1, -10}};
  const auto y = net::forward(p, {1, 2, 3, -1});
  // pixel 0 (1, 2): {1 + 8, 1 + 2 + 10, -10 - 3 + 12 = -1 -> relu 0}
  // pixel 1 (3, -1): {3 - 4, 1 + 6 - 5, -10 - 9 - 6 -> 0}; relu(-1) = 0
  EXPECT_EQ(y, (std::array<float, 6>{9, 13, 0, 0, 2, 0}));
}

TEST(Conv2d, ShapesCountsAndNames) {
  using net = ctnn::network<float, ctnn::input<28, 28>, ctnn::conv2d<8, 3, 3, ctnn::relu>,
                            ctnn::conv2d<16, 5, 3, ctnn::tanh, 2, ctnn::same>>;
  using l1 = net::layer<1>;
  using l2 = net::layer<2>;
  static_assert(std::is_same_v<l1::output_shape, ctnn::shape<26, 26, 8>>);
  static_assert(std::is_same_v<l2::output_shape, ctnn::shape<13, 13, 16>>);
  static_assert(l1::weight_count == 3 * 3 * 1 * 8 && l1::bias_count == 8);
  static_assert(l2::parameter_count == 5 * 3 * 8 * 16 + 16);
  static_assert(l2::fan_in == 5 * 3 * 8 && l2::fan_out == 5 * 3 * 16);
  // same, 26 -> 13 with K=5, S=2: total padding (13 − 1)·2 + 5 − 26 = 3, 1 on top;
  // K=3: (12)·2 + 3 − 26 = 1, 0 on the left.
  static_assert(l2::pad_top == 1 && l2::pad_left == 0);
  EXPECT_EQ(l1::name.view(), "conv2d(8,3x3,s1,valid,relu)");
  EXPECT_EQ(l2::name.view(), "conv2d(16,5x3,s2,same,tanh)");
  EXPECT_EQ(net::signature,
            "ctnn1|f32|fused|in(28x28x1)|conv2d(8,3x3,s1,valid,relu)|conv2d(16,5x3,s2,same,tanh)");
}

// ---- differential test over pseudo-random configurations ----------------------------

struct config {
  std::size_t h, w, c, f, kh, kw, s;
  bool same;
};

constexpr std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

/// Configuration number I: a deterministic pseudo-random draw; filter counts cycle
/// through values that hit every vector-tile shape (1..5 vectors, remainders).
constexpr config make_config(std::size_t i) {
  constexpr std::size_t filters[] = {1, 3, 7, 8, 9, 16, 17, 24, 32, 40, 5, 12};
  std::uint64_t r = mix(i + 1);
  auto draw = [&r](std::size_t n) {
    r = mix(r);
    return static_cast<std::size_t>(r % n);
  };
  config k{};
  k.h = 1 + draw(10);
  k.w = 1 + draw(20);
  k.c = 1 + draw(4);
  k.f = filters[i % 12];
  k.same = draw(2) == 1;
  k.kh = 1 + draw(k.same ? 4 : (k.h < 4 ? k.h : 4));
  k.kw = 1 + draw(k.same ? 4 : (k.w < 4 ? k.w : 4));
  k.s = 1 + draw(3);
  return k;
}

template <class T, class Mode, std::size_t I>
void check_config() {
  constexpr config k = make_config(I);
  using padding = std::conditional_t<k.same, ctnn::same, ctnn::valid>;
  using net = ctnn::network<T, Mode, ctnn::input<k.h, k.w, k.c>,
                            ctnn::conv2d<k.f, k.kh, k.kw, ctnn::identity, k.s, padding>>;
  const auto params = naive_cnn::random_values<T>(net::parameter_count, 1000 + I);
  const auto xs = naive_cnn::random_values<T>(net::input_size, 2000 + I);
  typename net::parameters p{};
  std::copy(params.begin(), params.end(), p.values.begin());
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward(p, x);

  const naive_cnn::tensor<T> nx{long(k.h), long(k.w), long(k.c), xs};
  const auto ny = naive_cnn::conv2d(nx, params.data(), long(k.f), long(k.kh), long(k.kw), long(k.s),
                                    k.same, std::is_same_v<Mode, ctnn::fused>);
  ASSERT_EQ(ny.v.size(), y.size()) << "config " << I;
  using out = typename net::output_shape;
  EXPECT_EQ(std::size_t(ny.h), out::height);
  EXPECT_EQ(std::size_t(ny.w), out::width);
  EXPECT_TRUE(naive_cnn::same_bits(ny.v.data(), y.data(), y.size()))
      << "config " << I << ": " << k.h << "x" << k.w << "x" << k.c << " f" << k.f << " k" << k.kh
      << "x" << k.kw << " s" << k.s << (k.same ? " same" : " valid");
}

template <class T, class Mode, std::size_t... I>
void check_configs(std::index_sequence<I...>) {
  (check_config<T, Mode, I>(), ...);
}

constexpr std::size_t config_count = 36;

TEST(Conv2d, MatchesNaiveFloatFused) {
  check_configs<float, ctnn::fused>(std::make_index_sequence<config_count>{});
}
TEST(Conv2d, MatchesNaiveFloatUnfused) {
  check_configs<float, ctnn::unfused>(std::make_index_sequence<config_count>{});
}
TEST(Conv2d, MatchesNaiveDoubleFused) {
  check_configs<double, ctnn::fused>(std::make_index_sequence<config_count>{});
}
TEST(Conv2d, MatchesNaiveDoubleUnfused) {
  check_configs<double, ctnn::unfused>(std::make_index_sequence<config_count>{});
}

// A wide image so the multi-pixel vector tiles run many times, with ragged edges.
TEST(Conv2d, MatchesNaiveWideImageSamePadding) {
  using net = ctnn::network<float, ctnn::input<9, 37, 3>,
                            ctnn::conv2d<24, 5, 4, ctnn::identity, 1, ctnn::same>>;
  const auto params = naive_cnn::random_values<float>(net::parameter_count, 7);
  const auto xs = naive_cnn::random_values<float>(net::input_size, 8);
  net::parameters p{};
  std::copy(params.begin(), params.end(), p.values.begin());
  net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward(p, x);
  const auto ny = naive_cnn::conv2d(naive_cnn::tensor<float>{9, 37, 3, xs}, params.data(), 24, 5, 4,
                                    1, true, true);
  EXPECT_TRUE(naive_cnn::same_bits(ny.v.data(), y.data(), y.size()));
}

}  // namespace
