// SPDX-License-Identifier: MIT
// A network mixing conv → pool → conv → pool → flatten → dense, run through
// Net::forward and compared bit for bit with the naive layers composed by hand; the
// buffer rule (activation_bytes, no im2col buffer) checked by hand; and constant
// evaluation against run time.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"
#include "naive_cnn.hpp"

namespace {

template <class T, class Mode>
using cnn =
    ctnn::network<T, Mode, ctnn::input<12, 12, 1>, ctnn::conv2d<8, 3, 3, ctnn::relu>,  // 10x10x8
                  ctnn::max_pool2d<2>,                                                 // 5x5x8
                  ctnn::conv2d<16, 3, 3, ctnn::relu, 1, ctnn::same>,                   // 5x5x16
                  ctnn::max_pool2d<2>,                                                 // 2x2x16
                  ctnn::flatten,                                                       // 64
                  ctnn::dense<10>>;

// Layer sizes 800, 200, 400, 64, 64, 10: odd layers (1, 3, 5) need 800 scalars, even
// ones (2, 4, 6) 200. No buffer beyond the two (no im2col).
static_assert(cnn<float, ctnn::fused>::odd_buffer_size == 800);
static_assert(cnn<float, ctnn::fused>::even_buffer_size == 200);
static_assert(cnn<float, ctnn::fused>::activation_bytes == 1000 * sizeof(float));
static_assert(cnn<float, ctnn::fused>::parameter_count ==
              (9 * 8 + 8) + (9 * 8 * 16 + 16) + (64 * 10 + 10));
static_assert(cnn<float, ctnn::fused>::parameter_offset<3> == 80);
static_assert(cnn<float, ctnn::fused>::parameter_offset<6> == 80 + 1168);

template <class T, class Mode>
void check_cnn(unsigned seed) {
  using net = cnn<T, Mode>;
  constexpr bool fused = std::is_same_v<Mode, ctnn::fused>;
  const auto params = naive_cnn::random_values<T>(net::parameter_count, seed, -0.5, 0.5);
  const auto xs = naive_cnn::random_values<T>(net::input_size, seed + 1, 0.0, 1.0);
  typename net::parameters p{};
  std::copy(params.begin(), params.end(), p.values.begin());
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  typename net::workspace ws{};
  const auto y = net::forward(p, x, ws);

  const T* pp = params.data();
  auto a = naive_cnn::conv2d(naive_cnn::tensor<T>{12, 12, 1, xs}, pp, 8, 3, 3, 1, false, fused);
  naive_cnn::relu(a);
  a = naive_cnn::pool2d(a, 2, 2, 2, false);
  a = naive_cnn::conv2d(a, pp + net::template parameter_offset<3>, 16, 3, 3, 1, true, fused);
  naive_cnn::relu(a);
  a = naive_cnn::pool2d(a, 2, 2, 2, false);
  a = naive_cnn::dense(a, pp + net::template parameter_offset<6>, 10, fused);
  ASSERT_EQ(a.v.size(), y.size());
  EXPECT_TRUE(naive_cnn::same_bits(a.v.data(), y.data(), y.size()));
}

TEST(CnnNetwork, MatchesNaiveComposition) {
  for (unsigned seed = 1; seed < 6; ++seed) {
    check_cnn<float, ctnn::fused>(seed);
    check_cnn<float, ctnn::unfused>(seed);
    check_cnn<double, ctnn::fused>(seed);
    check_cnn<double, ctnn::unfused>(seed);
  }
}

TEST(CnnNetwork, Signature) {
  EXPECT_EQ((cnn<float, ctnn::unfused>::signature),
            "ctnn1|f32|unfused|in(12x12x1)|conv2d(8,3x3,s1,valid,relu)|max_pool2d(2x2,s2)|"
            "conv2d(16,3x3,s1,same,relu)|max_pool2d(2x2,s2)|flatten|dense(10,identity)");
}

// ---- constant evaluation ------------------------------------------------------------

// Hand-computed, evaluated by the compiler: x = 1..9 (3x3), W = [[1, 2], [3, 4]], b = 0.5.
using tiny = ctnn::network<float, ctnn::input<3, 3>, ctnn::conv2d<1, 2, 2, ctnn::relu>,
                           ctnn::max_pool2d<2, 2, 1>, ctnn::flatten>;
constexpr tiny::parameters tiny_params{{1, 2, 3, 4, 0.5f}};
static_assert(tiny::forward(tiny_params, {1, 2, 3, 4, 5, 6, 7, 8, 9})[0] == 77.5f);
using tiny_avg = ctnn::network<double, ctnn::unfused, ctnn::input<2, 2, 2>, ctnn::avg_pool2d<2>>;
static_assert(tiny_avg::forward({}, {1, 10, 2, 20, 3, 30, 5, 40}) ==
              std::array<double, 2>{2.75, 25});

// A mixed network with pseudo-random (LCG) parameters: constexpr and run-time bits agree.
template <class T, class Mode>
using small_cnn =
    ctnn::network<T, Mode, ctnn::input<4, 5, 2>, ctnn::conv2d<5, 3, 3, ctnn::tanh, 1, ctnn::same>,
                  ctnn::avg_pool2d<2>, ctnn::conv2d<8, 2, 2, ctnn::relu>, ctnn::flatten,
                  ctnn::dense<3, ctnn::softmax>>;

// Filter counts that use the scalar path's 16-wide tile and its remainders (40 = 16 + 16
// + 8, 17 = 16 + 1): what the Cortex-M4 runs, checked here through constant evaluation.
template <class T, class Mode>
using wide_cnn =
    ctnn::network<T, Mode, ctnn::input<5, 4, 3>, ctnn::conv2d<40, 3, 3, ctnn::relu, 1, ctnn::same>,
                  ctnn::conv2d<17, 2, 2, ctnn::identity, 2>, ctnn::flatten>;

template <class Net>
constexpr typename Net::parameters lcg_parameters() {
  typename Net::parameters p{};
  std::uint32_t s = 12345;
  for (auto& v : p.values) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<typename Net::scalar>(static_cast<int>(s >> 8) % 2001 - 1000) /
        typename Net::scalar(1500);
  }
  return p;
}
template <class Net>
constexpr typename Net::input lcg_input() {
  typename Net::input x{};
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = typename Net::scalar(static_cast<int>((i * 37) % 17)) / typename Net::scalar(16);
  return x;
}

template <class Net>
void check_constexpr_matches_runtime() {
  static constexpr auto p = lcg_parameters<Net>();
  static constexpr auto x = lcg_input<Net>();
  static constexpr auto at_compile_time = Net::forward(p, x);
  const auto px = p;  // run time: no constant folding through the volatile-free copy
  volatile std::size_t sink = 0;
  auto xr = x;
  xr[sink] = x[sink];
  const auto at_run_time = Net::forward(px, xr);
  EXPECT_TRUE(naive_cnn::same_bits(at_compile_time.data(), at_run_time.data(), Net::output_size));
}

TEST(CnnNetwork, ConstexprMatchesRunTime) {
  check_constexpr_matches_runtime<small_cnn<float, ctnn::fused>>();
  check_constexpr_matches_runtime<small_cnn<float, ctnn::unfused>>();
  check_constexpr_matches_runtime<small_cnn<double, ctnn::fused>>();
  check_constexpr_matches_runtime<wide_cnn<float, ctnn::fused>>();
  check_constexpr_matches_runtime<wide_cnn<float, ctnn::unfused>>();
}

}  // namespace
