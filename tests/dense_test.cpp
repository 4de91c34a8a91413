// SPDX-License-Identifier: MIT
// ctnn::dense: the bound layer's facts, the frozen parameter layout, the frozen summation
// order, and the run-time kernel (SIMD where available) against the constexpr scalar
// kernel and a plain loop, bare and with the activation that forward applies in the kernel,
// over shapes that exercise every tile and tail.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/ctnn.hpp"

namespace {

template <class T, class Mode>
struct config {
  using scalar = T;
  using mode = Mode;
};
using configs = ::testing::Types<config<float, ctnn::fused>, config<float, ctnn::unfused>,
                                 config<double, ctnn::fused>, config<double, ctnn::unfused>>;
template <class C>
class dense_typed : public ::testing::Test {};
TYPED_TEST_SUITE(dense_typed, configs);

TEST(dense, bound_layer_facts) {
  using layer = ctnn::dense<5, ctnn::tanh>::bind<double, ctnn::unfused, ctnn::shape<1, 1, 3>, 2>;
  static_assert(ctnn::bound_layer<layer>);
  EXPECT_TRUE((std::is_same_v<layer::scalar, double>));
  EXPECT_TRUE((std::is_same_v<layer::numerics, ctnn::unfused>));
  EXPECT_TRUE((std::is_same_v<layer::activation, ctnn::tanh>));
  EXPECT_TRUE((std::is_same_v<layer::input_shape, ctnn::shape<1, 1, 3>>));
  EXPECT_TRUE((std::is_same_v<layer::output_shape, ctnn::shape<1, 1, 5>>));
  EXPECT_EQ(layer::weight_count, 15u);
  EXPECT_EQ(layer::bias_count, 5u);
  EXPECT_EQ(layer::parameter_count, 20u);
  EXPECT_EQ(layer::fan_in, 3u);
  EXPECT_EQ(layer::fan_out, 5u);
  EXPECT_EQ(layer::name.view(), "dense(5,tanh)");
  EXPECT_EQ((ctnn::dense<7>::bind<float, ctnn::fused, ctnn::shape<1, 1, 2>, 1>::name.view()),
            "dense(7,identity)");
}

// W is In × Out input-major: W[i][o] at i·Out + o, then b[Out]. With one weight set to 1,
// x = e_i and b = 0, the output must be e_o exactly; with W = 0, the output is b.
TYPED_TEST(dense_typed, parameter_layout_is_input_major_then_bias) {
  using T = typename TypeParam::scalar;
  constexpr std::size_t in = 3, out = 11;
  using net = ctnn::network<T, typename TypeParam::mode, ctnn::input<in>, ctnn::dense<out>>;
  for (std::size_t i = 0; i < in; ++i) {
    for (std::size_t o = 0; o < out; ++o) {
      typename net::parameters p{};
      p.values[i * out + o] = 1;
      typename net::input x{};
      x[i] = 1;
      const auto y = net::forward(p, x);
      for (std::size_t k = 0; k < out; ++k)
        ASSERT_EQ(y[k], k == o ? T(1) : T(0)) << "W[" << i << "][" << o << "], output " << k;
    }
  }
  typename net::parameters p{};
  for (std::size_t o = 0; o < out; ++o) p.values[in * out + o] = T(o) + T(0.5);
  const auto y = net::forward(p, {7, -3, 2});
  for (std::size_t o = 0; o < out; ++o) EXPECT_EQ(y[o], T(o) + T(0.5));
}

// The summation order is frozen: b, then x[0]·W[0][o], x[1]·W[1][o], … With B = 2^p (p the
// significand width), b = B and products (1, 1, -B): B + 1 rounds to B (tie to even),
// again B + 1 -> B, then B - B = 0. Any other order gives 2 (e.g. bias last: 1 + 1 - B + B;
// inputs reversed: B - B + 1 + 1). All products are exact, so both modes give 0.
TYPED_TEST(dense_typed, summation_order_is_bias_then_inputs_in_order) {
  using T = typename TypeParam::scalar;
  constexpr std::size_t out = 13;  // a vector tile and a scalar tail
  using net = ctnn::network<T, typename TypeParam::mode, ctnn::input<3>, ctnn::dense<out>>;
  const T big = std::ldexp(T(1), std::numeric_limits<T>::digits);
  ASSERT_EQ(big + T(1), big);
  typename net::parameters p{};
  for (std::size_t o = 0; o < out; ++o) {
    p.values[0 * out + o] = 1;
    p.values[1 * out + o] = 1;
    p.values[2 * out + o] = -big;
    p.values[3 * out + o] = big;
  }
  const auto y = net::forward(p, {1, 1, 1});
  for (std::size_t o = 0; o < out; ++o) EXPECT_EQ(y[o], T(0)) << "output " << o;
}

/// Plain loop in the documented order.
template <class T, class Mode>
std::vector<T> plain_dense(const std::vector<T>& w, const std::vector<T>& b,
                           const std::vector<T>& x) {
  const std::size_t in = x.size(), out = b.size();
  std::vector<T> y(out);
  for (std::size_t o = 0; o < out; ++o) {
    T acc = b[o];
    for (std::size_t i = 0; i < in; ++i) {
      if constexpr (std::is_same_v<Mode, ctnn::fused>) {
        acc = std::fma(w[i * out + o], x[i], acc);
      } else {
        const T prod = w[i * out + o] * x[i];
        acc = acc + prod;
      }
    }
    y[o] = acc;
  }
  return y;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<U>(a[i]) != std::bit_cast<U>(b[i])) return false;
  return true;
}

template <class T, class Mode, std::size_t In, std::size_t Out>
void check_kernel(std::mt19937_64& rng) {
  std::uniform_real_distribution<T> d(-1, 1);
  std::vector<T> w(In * Out), b(Out), x(In), simd(Out), scalar(Out);
  for (int trial = 0; trial < 3; ++trial) {
    for (T& v : w) v = d(rng);
    for (T& v : b) v = d(rng);
    for (T& v : x) v = d(rng);
    ctnn::detail::dense_affine<Mode, In, Out>(w.data(), b.data(), x.data(), simd.data());
    ctnn::detail::dense_scalar<Mode, In, Out>(w.data(), b.data(), x.data(), scalar.data());
    const std::vector<T> want = plain_dense<T, Mode>(w, b, x);
    ASSERT_TRUE(same_bits(simd, want)) << "run-time kernel, In " << In << ", Out " << Out;
    ASSERT_TRUE(same_bits(scalar, want)) << "scalar kernel, In " << In << ", Out " << Out;
    // forward: the vector kernel applies elementwise activations to its accumulators,
    // masked vectors and scalar tails included; each output must be value(plain sum). One
    // activation per shape, rotating with In + Out, so that each meets every tail kind
    // (one per shape keeps this file's compile time down: it is built three times in CI).
    using Act =
        std::tuple_element_t<(In + Out) % 3, std::tuple<ctnn::relu, ctnn::tanh, ctnn::sigmoid>>;
    using layer = typename ctnn::dense<Out, Act>::template bind<T, Mode, ctnn::shape<1, 1, In>, 1>;
    std::vector<T> p(w);
    p.insert(p.end(), b.begin(), b.end());
    std::vector<T> y(Out), act_want(Out);
    layer::forward(p.data(), x.data(), y.data());
    for (std::size_t o = 0; o < Out; ++o) act_want[o] = Act::value(want[o]);
    ASSERT_TRUE(same_bits(y, act_want))
        << "forward, " << Act::name.view() << ", In " << In << ", Out " << Out;
  }
}

// Output counts around every SIMD width (2, 4, 8 lanes) and tile (8 vectors): tails of every
// length, whole tiles, tiles plus remainders.
TYPED_TEST(dense_typed, run_time_kernel_matches_scalar_kernel_and_plain_loop) {
  using T = typename TypeParam::scalar;
  using mode = typename TypeParam::mode;
  std::mt19937_64 rng(42);
  constexpr std::array<std::size_t, 3> ins{1, 5, 33};
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (
        [&] {
          constexpr std::size_t in = ins[K];
          [&]<std::size_t... O>(std::index_sequence<O...>) {
            (check_kernel<T, mode, in, O + 1>(rng), ...);
          }
          (std::make_index_sequence<17>{});
          check_kernel<T, mode, in, 31>(rng);
          check_kernel<T, mode, in, 32>(rng);
          check_kernel<T, mode, in, 33>(rng);
          check_kernel<T, mode, in, 64>(rng);
          check_kernel<T, mode, in, 65>(rng);
          check_kernel<T, mode, in, 72>(rng);
          check_kernel<T, mode, in, 100>(rng);
          check_kernel<T, mode, in, 130>(rng);
        }(),
        ...);
  }
  (std::make_index_sequence<ins.size()>{});
  // Weights past simd_prefetch_min_bytes: the tiles are a function of their own and, when
  // there are several, take the inputs in blocks and apply the activation afterwards (tanh
  // with a shorter last block, sigmoid with whole blocks).
  check_kernel<T, mode, 45, 202>(rng);
  check_kernel<T, mode, 48, 200>(rng);
}

// forward = affine, then the activation in place.
TYPED_TEST(dense_typed, forward_is_affine_then_activation) {
  using T = typename TypeParam::scalar;
  using layer = typename ctnn::dense<21, ctnn::sigmoid>::template bind<T, typename TypeParam::mode,
                                                                       ctnn::shape<1, 1, 6>, 1>;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<T> d(-2, 2);
  std::array<T, layer::parameter_count> p;
  std::array<T, 6> x;
  for (T& v : p) v = d(rng);
  for (T& v : x) v = d(rng);
  std::array<T, 21> z, y;
  layer::affine(p.data(), x.data(), z.data());
  layer::forward(p.data(), x.data(), y.data());
  for (std::size_t o = 0; o < 21; ++o) EXPECT_EQ(y[o], ctnn::detail::sigmoid(z[o])) << o;
}

}  // namespace
