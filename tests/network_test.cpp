// SPDX-License-Identifier: MIT
// ctnn::network: forward passes against hand-computed values, the compile-time facts, and
// a randomized differential test against the naive reference (tests/support/naive_reference.hpp).
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "naive_reference.hpp"

namespace {

template <class T>
using bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

/// Bit-for-bit equality of two arrays of n scalars, with the first difference in hex.
template <class T>
::testing::AssertionResult same_bits(const T* got, const T* want, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (std::bit_cast<bits_t<T>>(got[i]) != std::bit_cast<bits_t<T>>(want[i])) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "element %zu of %zu: got %a, want %a", i, n,
                    static_cast<double>(got[i]), static_cast<double>(want[i]));
      return ::testing::AssertionFailure() << buf;
    }
  }
  return ::testing::AssertionSuccess();
}

template <class T, std::size_t N>
::testing::AssertionResult same_bits(const std::array<T, N>& got, const std::vector<T>& want) {
  if (want.size() != N) return ::testing::AssertionFailure() << "size " << want.size();
  return same_bits(got.data(), want.data(), N);
}

template <class T, std::size_t N>
::testing::AssertionResult same_bits(const std::array<T, N>& got, const std::array<T, N>& want) {
  return same_bits(got.data(), want.data(), N);
}

/// Index of the first largest value.
template <class T>
std::size_t argmax(const std::vector<T>& v) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

/// Independent FNV-1a 64 (offset basis 14695981039346656037, prime 1099511628211).
std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// ---------------------------------------------------------------------------------------
// Hand-computed forward passes, for float and double, fused and unfused. All inputs,
// weights and intermediate results are exactly representable (small dyadic rationals), so
// both modes must give exactly these values.

template <class T, class Mode>
struct config {
  using scalar = T;
  using mode = Mode;
};
using configs = ::testing::Types<config<float, ctnn::fused>, config<float, ctnn::unfused>,
                                 config<double, ctnn::fused>, config<double, ctnn::unfused>>;

template <class C>
class network_hand : public ::testing::Test {};
TYPED_TEST_SUITE(network_hand, configs);

TYPED_TEST(network_hand, relu_then_identity) {
  using T = typename TypeParam::scalar;
  using net = ctnn::network<T, typename TypeParam::mode, ctnn::input<2>, ctnn::dense<3, ctnn::relu>,
                            ctnn::dense<2>>;
  static_assert(net::parameter_count == 2 * 3 + 3 + 3 * 2 + 2);
  // Layer 1: W1[0] = (1, -2, 0.5), W1[1] = (3, 1, 2), b1 = (0.5, 1, -0.25); x = (1, 0.5).
  //   z = (0.5 + 1·1 + 0.5·3, 1 + 1·(-2) + 0.5·1, -0.25 + 1·0.5 + 0.5·2)
  //     = (3, -0.5, 1.25);  relu: h = (3, 0, 1.25).
  // Layer 2: W2[0] = (0.5, -1), W2[1] = (4, 2), W2[2] = (2, 0.25), b2 = (-1, 0.125).
  //   y0 = -1 + 3·0.5 + 0·4 + 1.25·2 = -1 + 1.5 + 0 + 2.5 = 3
  //   y1 = 0.125 + 3·(-1) + 0·2 + 1.25·0.25 = 0.125 - 3 + 0 + 0.3125 = -2.5625
  const typename net::parameters p{{1, -2, 0.5, 3, 1, 2, 0.5, 1, -0.25,  //
                                    0.5, -1, 4, 2, 2, 0.25, -1, 0.125}};
  const typename net::input x{1, 0.5};
  const std::array<T, 2> want{3, -2.5625};
  const auto y = net::forward(p, x);
  EXPECT_TRUE(same_bits(y, want));
  EXPECT_EQ(net::predict(p, x), 0u);
  // predict takes the first maximum, and follows the outputs: swap the output columns.
  const typename net::parameters q{{1, -2, 0.5, 3, 1, 2, 0.5, 1, -0.25,  //
                                    -1, 0.5, 2, 4, 0.25, 2, 0.125, -1}};
  EXPECT_EQ(net::predict(q, x), 1u);

  typename net::workspace ws;
  ws.fill(T(12345));  // stale contents must not matter
  EXPECT_EQ(net::predict(q, x, ws), 1u);
  ws.fill(T(12345));
  static_assert(std::is_same_v<typename net::parameters::network, net>);
  EXPECT_TRUE(same_bits(net::forward(p, x, ws), y));
  std::array<T, 2> raw{};
  net::forward_raw(p.values.data(), x.data(), ws.data(), raw.data());
  EXPECT_TRUE(same_bits(raw, y));
}

TYPED_TEST(network_hand, leaky_relu_then_softmax) {
  using T = typename TypeParam::scalar;
  using net = ctnn::network<T, typename TypeParam::mode, ctnn::input<3>,
                            ctnn::dense<2, ctnn::leaky_relu<1, 4>>, ctnn::dense<3, ctnn::softmax>>;
  // Layer 1: W1[0] = (1, -1), W1[1] = (2, 0.5), W1[2] = (-1, 1), b1 = (0, 0.25); x = (1, -2, 0.5)
  //   z0 = 0 + 1·1 + (-2)·2 + 0.5·(-1) = -3.5     -> leaky (slope 1/4): -0.875
  //   z1 = 0.25 + 1·(-1) + (-2)·0.5 + 0.5·1 = -1.25 -> -0.3125
  // Layer 2: every column (4, -8) with bias 1: z = 1 + (-0.875)·4 + (-0.3125)·(-8) = 0 for all
  //   three outputs; softmax: exp(0 - 0) = 1 each, sum 3, each output 1/3 (T(1)/T(3)).
  const typename net::parameters p{{1, -1, 2, 0.5, -1, 1, 0, 0.25,  //
                                    4, 4, 4, -8, -8, -8, 1, 1, 1}};
  const typename net::input x{1, -2, 0.5};
  const T third = T(1) / T(3);
  const std::array<T, 3> want{third, third, third};
  EXPECT_TRUE(same_bits(net::forward(p, x), want));
  EXPECT_EQ(net::predict(p, x), 0u);  // ties: the first

  // The hidden layer alone (through layer<1>::forward).
  std::array<T, 2> h{};
  net::template layer<1>::forward(p.values.data(), x.data(), h.data());
  EXPECT_TRUE(same_bits(h, std::array<T, 2>{-0.875, -0.3125}));
  // Pre-activation (affine) keeps the negative values unscaled.
  net::template layer<1>::affine(p.values.data(), x.data(), h.data());
  EXPECT_TRUE(same_bits(h, std::array<T, 2>{-3.5, -1.25}));
}

TYPED_TEST(network_hand, softmax_of_huge_logits) {
  using T = typename TypeParam::scalar;
  using net =
      ctnn::network<T, typename TypeParam::mode, ctnn::input<1>, ctnn::dense<4, ctnn::softmax>>;
  // z = x·W + b = (1000, -1000, 0, 1000) for x = 1. After subtracting the maximum 1000:
  // exp(0, -2000, -1000, 0) = (1, 0, 0, 1) (e^-1000 underflows to 0 in both types), sum 2.
  const typename net::parameters p{{1000, -1000, 0, 1000, 0, 0, 0, 0}};
  const std::array<T, 4> want{0.5, 0, 0, 0.5};
  EXPECT_TRUE(same_bits(net::forward(p, {1}), want));
  // All logits -1000: no underflow to 0/0; each output is 1/4.
  const typename net::parameters q{{0, 0, 0, 0, -1000, -1000, -1000, -1000}};
  EXPECT_TRUE(same_bits(net::forward(q, {1}), std::array<T, 4>{0.25, 0.25, 0.25, 0.25}));
}

TYPED_TEST(network_hand, tanh_then_sigmoid_at_zero) {
  using T = typename TypeParam::scalar;
  using net = ctnn::network<T, typename TypeParam::mode, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                            ctnn::dense<2, ctnn::sigmoid>>;
  // Layer 1: W1 = ((1, 2, -1), (2, 4, -2)), b1 = (0, 0, 0), x = (2, -1): z = (0, 0, 0),
  //   tanh(0) = 0. Layer 2: z = b2 = (0, 0): sigmoid(0) = 1/(1 + 1) = 0.5 exactly.
  const typename net::parameters p{{1, 2, -1, 2, 4, -2, 0, 0, 0, 3, -3, 5, 7, 11, 13, 0, 0}};
  EXPECT_TRUE(same_bits(net::forward(p, {2, -1}), std::array<T, 2>{0.5, 0.5}));
}

// The numeric mode is observable: with w = x = 1 + e, b = -1, the exact value of
// b + w·x is 2e + e². e = 2^-(p/2 + 1) (float: 2^-13, double: 2^-27), so e² is below half an
// ulp of 1 + 2e: unfused rounds w·x to 1 + 2e and gives exactly 2e; fused rounds once and
// gives 2e + e², which is representable. 19 outputs cover the vector tiles and the scalar
// tail. If the compiler contracted the unfused a·b + c into an FMA (no -ffp-contract=off),
// the unfused case would fail.
TYPED_TEST(network_hand, fused_and_unfused_differ_as_documented) {
  using T = typename TypeParam::scalar;
  using mode = typename TypeParam::mode;
  constexpr std::size_t out = 19;
  using net = ctnn::network<T, mode, ctnn::input<1>, ctnn::dense<out>>;
  const T e = std::ldexp(T(1), -(std::numeric_limits<T>::digits / 2 + 1));
  typename net::parameters p{};
  for (std::size_t o = 0; o < out; ++o) {
    p.values[o] = T(1) + e;
    p.values[out + o] = T(-1);
  }
  const T want = std::is_same_v<mode, ctnn::fused> ? T(2) * e + e * e : T(2) * e;
  ASSERT_NE(T(2) * e + e * e, T(2) * e);
  const auto y = net::forward(p, {T(1) + e});
  for (std::size_t o = 0; o < out; ++o) EXPECT_EQ(y[o], want) << "output " << o;
  // The same in constant evaluation (soft FMA / plain multiply-add).
  constexpr auto ce = [] {
    const T ee = T(1) / T(std::uint64_t{1} << (std::numeric_limits<T>::digits / 2 + 1));
    typename net::parameters pp{};
    for (std::size_t o = 0; o < out; ++o) {
      pp.values[o] = T(1) + ee;
      pp.values[out + o] = T(-1);
    }
    return net::forward(pp, {T(1) + ee});
  }();
  EXPECT_TRUE(same_bits(ce, y));
}

// ---------------------------------------------------------------------------------------
// Compile-time facts of the 784-128-64-10 network, checked by hand.

template <class T, class Mode = ctnn::fused>
using mlp = ctnn::network<T, Mode, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

TEST(network_constants, mlp_784_128_64_10) {
  using net = mlp<float>;
  // 784·128 + 128 = 100,480; 128·64 + 64 = 8,256; 64·10 + 10 = 650; total 109,386.
  EXPECT_EQ(net::parameter_count, 109386u);
  EXPECT_EQ(net::parameter_bytes, 109386u * 4u);
  EXPECT_EQ(mlp<double>::parameter_bytes, 109386u * 8u);
  EXPECT_EQ(net::layer_count, 3u);
  EXPECT_EQ(net::input_size, 784u);
  EXPECT_EQ(net::output_size, 10u);
  EXPECT_EQ(net::layer_size<0>, 784u);
  EXPECT_EQ(net::layer_size<1>, 128u);
  EXPECT_EQ(net::layer_size<2>, 64u);
  EXPECT_EQ(net::layer_size<3>, 10u);
  EXPECT_EQ(net::parameter_offset<1>, 0u);
  EXPECT_EQ(net::parameter_offset<2>, 100480u);
  EXPECT_EQ(net::parameter_offset<3>, 100480u + 8256u);
  EXPECT_EQ(net::layer<1>::parameter_count, 100480u);
  EXPECT_EQ(net::layer<1>::weight_count, 784u * 128u);
  EXPECT_EQ(net::layer<1>::bias_count, 128u);
  EXPECT_EQ(net::layer<3>::fan_in, 64u);
  EXPECT_EQ(net::layer<3>::fan_out, 10u);
  // Odd layers 1, 3 write buffer A: max(128, 10) = 128; even layer 2 writes B: 64.
  EXPECT_EQ(net::odd_buffer_size, 128u);
  EXPECT_EQ(net::even_buffer_size, 64u);
  EXPECT_EQ(net::activation_size, 192u);
  EXPECT_EQ(net::activation_bytes, 768u);
  EXPECT_EQ(mlp<double>::activation_bytes, 1536u);
  EXPECT_EQ(sizeof(net::parameters{}.values), net::parameter_bytes);
  // 784-128-64-10's 109,386 floats: 437,544 bytes, padded to a multiple of 64 on x86.
  EXPECT_EQ(sizeof(net::parameters), alignof(net::parameters) == 64 ? 437568u : 437544u);
  EXPECT_EQ(sizeof(net::workspace), net::activation_bytes);
  EXPECT_TRUE((std::is_same_v<net::input_shape, ctnn::shape<1, 1, 784>>));
  EXPECT_TRUE((std::is_same_v<net::layer<2>::input_shape, ctnn::shape<1, 1, 128>>));
  EXPECT_TRUE((std::is_same_v<net::layer<2>::output_shape, ctnn::shape<1, 1, 64>>));
  EXPECT_TRUE((std::is_same_v<net::output_shape, ctnn::shape<1, 1, 10>>));
  EXPECT_TRUE((std::is_same_v<net::layer<3>::activation, ctnn::softmax>));
  EXPECT_TRUE(ctnn::bound_layer<net::layer<1>>);
  EXPECT_TRUE((std::is_same_v<net::scalar, float>));
  EXPECT_TRUE((std::is_same_v<net::numerics, ctnn::fused>));  // the default mode
  EXPECT_TRUE(
      (std::is_same_v<
          net, ctnn::network<float, ctnn::fused, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                             ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>>));
}

TEST(network_constants, buffers_of_a_five_layer_net) {
  // Layers 1..5 with outputs 7, 30, 12, 3, 40: odd layers (1, 3, 5) -> max(7, 12, 40) = 40;
  // even layers (2, 4) -> max(30, 3) = 30.
  using net = ctnn::network<double, ctnn::input<100>, ctnn::dense<7>, ctnn::dense<30>,
                            ctnn::dense<12>, ctnn::dense<3>, ctnn::dense<40>>;
  EXPECT_EQ(net::odd_buffer_size, 40u);
  EXPECT_EQ(net::even_buffer_size, 30u);
  EXPECT_EQ(net::activation_bytes, 70u * 8u);
  // One layer: only buffer A is used, and the last layer writes the output directly.
  using one = ctnn::network<float, ctnn::input<5>, ctnn::dense<9>>;
  EXPECT_EQ(one::odd_buffer_size, 9u);
  EXPECT_EQ(one::even_buffer_size, 0u);
  EXPECT_EQ(one::parameter_count, 5u * 9u + 9u);
}

TEST(network_signature, exact_strings) {
  EXPECT_EQ(mlp<float>::signature,
            "ctnn1|f32|fused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)");
  EXPECT_EQ((mlp<double, ctnn::unfused>::signature),
            "ctnn1|f64|unfused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)");
  using small =
      ctnn::network<double, ctnn::unfused, ctnn::input<3>, ctnn::dense<5, ctnn::leaky_relu<>>,
                    ctnn::dense<1, ctnn::sigmoid>, ctnn::dense<2, ctnn::leaky_relu<-3, 7>>,
                    ctnn::dense<12, ctnn::tanh>, ctnn::dense<1>>;
  EXPECT_EQ(small::signature,
            "ctnn1|f64|unfused|in(1x1x3)|dense(5,leaky_relu(1/100))|dense(1,sigmoid)|"
            "dense(2,leaky_relu(-3/7))|dense(12,tanh)|dense(1,identity)");
}

TEST(network_signature, hash_is_fnv1a_64) {
  // Published FNV-1a 64 test vectors, to check the independent implementation above.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(mlp<float>::signature_hash, fnv1a64(mlp<float>::signature));
  EXPECT_EQ(
      mlp<float>::signature_hash,
      fnv1a64("ctnn1|f32|fused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)"));
  EXPECT_EQ((mlp<double, ctnn::unfused>::signature_hash),
            fnv1a64((mlp<double, ctnn::unfused>::signature)));
  EXPECT_NE(mlp<float>::signature_hash, (mlp<float, ctnn::unfused>::signature_hash));
  EXPECT_NE(mlp<float>::signature_hash, mlp<double>::signature_hash);
  static_assert(mlp<float>::signature_hash == ctnn::detail::fnv1a64(mlp<float>::signature));
}

// ---------------------------------------------------------------------------------------
// Differential tests against the naive reference.

template <class T, class Mode, std::size_t In, class... Specs>
struct arch {
  using net = ctnn::network<T, Mode, ctnn::input<In>, Specs...>;
  static naive::architecture describe() {
    return {In, {naive::describe_spec<Specs>::get()...}, std::is_same_v<Mode, ctnn::fused>};
  }
};

/// Random parameters (weights ±1/sqrt(fan-in), biases ±0.5) and inputs (±2).
template <class Net>
void randomize(std::mt19937_64& rng, typename Net::parameters& p) {
  std::size_t k = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I + 1>;
          using T = typename Net::scalar;
          std::uniform_real_distribution<T> w(-1, 1), b(-0.5, 0.5);
          const T scale = T(1) / std::sqrt(T(L::fan_in));
          for (std::size_t j = 0; j < L::weight_count; ++j) p.values[k++] = w(rng) * scale;
          for (std::size_t j = 0; j < L::bias_count; ++j) p.values[k++] = b(rng);
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
  ASSERT_EQ(k, Net::parameter_count);
}

template <class Net>
void randomize(std::mt19937_64& rng, typename Net::input& x) {
  std::uniform_real_distribution<typename Net::scalar> d(-2, 2);
  for (auto& v : x) v = d(rng);
}

/// Layer by layer at run time: affine (SIMD where available) == dense_scalar == naive.
template <class Net, std::size_t I = 1>
void check_layers(const typename Net::parameters& p, const std::vector<typename Net::scalar>& x,
                  const naive::architecture& a) {
  using L = typename Net::template layer<I>;
  using T = typename Net::scalar;
  const T* lp = p.values.data() + Net::template parameter_offset<I>;
  std::vector<T> simd(L::outputs), scalar(L::outputs);
  L::affine(lp, x.data(), simd.data());
  ctnn::detail::dense_scalar<typename Net::numerics, L::inputs, L::outputs>(
      lp, lp + L::weight_count, x.data(), scalar.data());
  ASSERT_TRUE(same_bits(simd.data(), scalar.data(), L::outputs)) << "layer " << I;
  naive::architecture one{L::inputs, {a.layers[I - 1]}, a.fused};
  one.layers[0].activation = naive::act::identity;
  ASSERT_TRUE(same_bits(simd.data(), naive::forward(one, lp, x).data(), L::outputs))
      << "layer " << I << " (affine)";
  std::vector<T> y(L::outputs);
  L::forward(lp, x.data(), y.data());
  one.layers[0] = a.layers[I - 1];
  const std::vector<T> want = naive::forward(one, lp, x);
  ASSERT_TRUE(same_bits(y.data(), want.data(), L::outputs)) << "layer " << I << " (forward)";
  if constexpr (I < Net::layer_count) check_layers<Net, I + 1>(p, y, a);
}

template <class A>
class differential : public ::testing::Test {};
using random_archs = ::testing::Types<
    arch<float, ctnn::fused, 36, ctnn::dense<14, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<13, ctnn::tanh>, ctnn::dense<54, ctnn::leaky_relu<1, 10>>>,
    arch<double, ctnn::fused, 7, ctnn::dense<15, ctnn::sigmoid>, ctnn::dense<23, ctnn::sigmoid>,
         ctnn::dense<1, ctnn::leaky_relu<-3, 7>>>,
    arch<float, ctnn::unfused, 64, ctnn::dense<8, ctnn::sigmoid>, ctnn::dense<14, ctnn::sigmoid>,
         ctnn::dense<68, ctnn::tanh>>,
    arch<double, ctnn::unfused, 62, ctnn::dense<24, ctnn::tanh>, ctnn::dense<4, ctnn::tanh>,
         ctnn::dense<3, ctnn::relu>>,
    arch<float, ctnn::fused, 50, ctnn::dense<40, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<27, ctnn::leaky_relu<-3, 7>>>,
    arch<double, ctnn::fused, 47, ctnn::dense<43, ctnn::softmax>, ctnn::dense<49, ctnn::relu>,
         ctnn::dense<33, ctnn::tanh>>,
    arch<float, ctnn::unfused, 56, ctnn::dense<68, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<3, ctnn::tanh>, ctnn::dense<38, ctnn::relu>>,
    arch<double, ctnn::unfused, 37, ctnn::dense<43, ctnn::tanh>,
         ctnn::dense<68, ctnn::leaky_relu<1, 10>>, ctnn::dense<32, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<34, ctnn::sigmoid>>,
    arch<float, ctnn::fused, 37, ctnn::dense<32, ctnn::leaky_relu<1, 10>>,
         ctnn::dense<61, ctnn::softmax>, ctnn::dense<3, ctnn::softmax>>,
    arch<double, ctnn::fused, 13, ctnn::dense<41, ctnn::identity>,
         ctnn::dense<51, ctnn::leaky_relu<-3, 7>>, ctnn::dense<62, ctnn::identity>>,
    arch<float, ctnn::unfused, 48, ctnn::dense<12, ctnn::tanh>, ctnn::dense<10, ctnn::tanh>>,
    arch<double, ctnn::unfused, 40, ctnn::dense<21, ctnn::identity>,
         ctnn::dense<52, ctnn::softmax>>,
    arch<float, ctnn::fused, 21, ctnn::dense<30, ctnn::sigmoid>, ctnn::dense<42, ctnn::relu>,
         ctnn::dense<1, ctnn::leaky_relu<1, 10>>, ctnn::dense<18, ctnn::softmax>>,
    arch<double, ctnn::fused, 6, ctnn::dense<70, ctnn::sigmoid>, ctnn::dense<62, ctnn::sigmoid>,
         ctnn::dense<62, ctnn::leaky_relu<1, 10>>, ctnn::dense<57, ctnn::sigmoid>>,
    arch<float, ctnn::unfused, 45, ctnn::dense<22, ctnn::relu>>,
    arch<double, ctnn::unfused, 17, ctnn::dense<11, ctnn::identity>,
         ctnn::dense<35, ctnn::leaky_relu<-3, 7>>, ctnn::dense<2, ctnn::tanh>>,
    arch<float, ctnn::fused, 26, ctnn::dense<42, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<2, ctnn::relu>, ctnn::dense<49, ctnn::sigmoid>>,
    arch<double, ctnn::fused, 21, ctnn::dense<4, ctnn::identity>,
         ctnn::dense<8, ctnn::leaky_relu<1, 10>>, ctnn::dense<42, ctnn::softmax>,
         ctnn::dense<42, ctnn::leaky_relu<1, 10>>>,
    arch<float, ctnn::unfused, 63, ctnn::dense<61, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<58, ctnn::sigmoid>>,
    arch<double, ctnn::unfused, 42, ctnn::dense<1, ctnn::tanh>,
         ctnn::dense<6, ctnn::leaky_relu<1, 10>>>,
    arch<float, ctnn::fused, 39, ctnn::dense<49, ctnn::sigmoid>, ctnn::dense<15, ctnn::relu>,
         ctnn::dense<18, ctnn::tanh>>,
    arch<double, ctnn::fused, 35, ctnn::dense<3, ctnn::leaky_relu<-3, 7>>>,
    arch<float, ctnn::unfused, 18, ctnn::dense<65, ctnn::leaky_relu<1, 10>>>,
    arch<double, ctnn::unfused, 46, ctnn::dense<5, ctnn::leaky_relu<-3, 7>>,
         ctnn::dense<13, ctnn::leaky_relu<1, 10>>, ctnn::dense<59, ctnn::tanh>>,
    arch<float, ctnn::fused, 53, ctnn::dense<47, ctnn::identity>,
         ctnn::dense<62, ctnn::leaky_relu<-3, 7>>>,
    arch<double, ctnn::fused, 12, ctnn::dense<18, ctnn::tanh>, ctnn::dense<13, ctnn::identity>>,
    arch<float, ctnn::unfused, 36, ctnn::dense<24, ctnn::identity>, ctnn::dense<68, ctnn::identity>,
         ctnn::dense<31, ctnn::identity>, ctnn::dense<64, ctnn::identity>>,
    arch<double, ctnn::unfused, 59, ctnn::dense<9, ctnn::identity>, ctnn::dense<18, ctnn::softmax>,
         ctnn::dense<27, ctnn::leaky_relu<1, 10>>, ctnn::dense<32, ctnn::relu>>,
    arch<float, ctnn::fused, 8, ctnn::dense<17, ctnn::tanh>>,
    arch<double, ctnn::fused, 1, ctnn::dense<30, ctnn::identity>, ctnn::dense<28, ctnn::relu>,
         ctnn::dense<46, ctnn::softmax>>,
    arch<float, ctnn::unfused, 70, ctnn::dense<8, ctnn::leaky_relu<1, 10>>>,
    arch<double, ctnn::unfused, 25, ctnn::dense<21, ctnn::tanh>, ctnn::dense<32, ctnn::softmax>>,
    arch<float, ctnn::fused, 47, ctnn::dense<20, ctnn::leaky_relu<-3, 7>>>,
    arch<double, ctnn::fused, 19, ctnn::dense<57, ctnn::identity>, ctnn::dense<37, ctnn::tanh>>,
    arch<float, ctnn::unfused, 57, ctnn::dense<49, ctnn::softmax>, ctnn::dense<43, ctnn::softmax>,
         ctnn::dense<14, ctnn::identity>>,
    arch<double, ctnn::unfused, 6, ctnn::dense<35, ctnn::sigmoid>,
         ctnn::dense<21, ctnn::leaky_relu<-3, 7>>, ctnn::dense<52, ctnn::softmax>>,
    arch<float, ctnn::fused, 9, ctnn::dense<42, ctnn::softmax>, ctnn::dense<39, ctnn::sigmoid>,
         ctnn::dense<37, ctnn::sigmoid>, ctnn::dense<2, ctnn::tanh>>,
    arch<double, ctnn::fused, 5, ctnn::dense<59, ctnn::relu>>,
    arch<float, ctnn::unfused, 9, ctnn::dense<60, ctnn::identity>, ctnn::dense<3, ctnn::identity>,
         ctnn::dense<12, ctnn::sigmoid>, ctnn::dense<41, ctnn::leaky_relu<-3, 7>>>,
    arch<double, ctnn::unfused, 45, ctnn::dense<68, ctnn::sigmoid>, ctnn::dense<9, ctnn::relu>,
         ctnn::dense<22, ctnn::identity>>>;
TYPED_TEST_SUITE(differential, random_archs);

TYPED_TEST(differential, run_time_matches_naive_reference) {
  using net = typename TypeParam::net;
  using T = typename net::scalar;
  const naive::architecture a = TypeParam::describe();
  ASSERT_EQ(a.parameter_count(), net::parameter_count);
  std::mt19937_64 rng(net::signature_hash);
  auto p = std::make_unique<typename net::parameters>();
  typename net::input x;
  typename net::workspace ws;
  for (int trial = 0; trial < 20; ++trial) {
    randomize<net>(rng, *p);
    randomize<net>(rng, x);
    const std::vector<T> xv(x.begin(), x.end());
    const std::vector<T> want = naive::forward(a, p->values.data(), xv);
    const auto y = net::forward(*p, x);
    ASSERT_TRUE(same_bits(y, want)) << net::signature << ", trial " << trial;
    ASSERT_TRUE(same_bits(net::forward(*p, x, ws), want)) << "workspace overload";
    typename net::output raw;
    net::forward_raw(p->values.data(), x.data(), ws.data(), raw.data());
    ASSERT_TRUE(same_bits(raw, want)) << "forward_raw";
    ASSERT_EQ(net::predict(*p, x), argmax(want));
    check_layers<net>(*p, xv, a);
  }
}

TYPED_TEST(differential, constant_evaluation_matches_run_time) {
  using net = typename TypeParam::net;
  using T = typename net::scalar;
  // The whole forward pass in constant evaluation (scalar path, soft FMA) ...
  static constexpr typename net::parameters p = naive::lcg_parameters<net>(net::signature_hash);
  static constexpr typename net::input x = naive::lcg_input<net>(net::signature_hash);
  static constexpr typename net::output compile_time = net::forward(p, x);
  // ... and at run time (SIMD path, hardware FMA) and in the naive reference.
  typename net::parameters rp = p;
  typename net::input rx = x;
  EXPECT_TRUE(same_bits(net::forward(rp, rx), compile_time)) << net::signature;
  const std::vector<T> want =
      naive::forward(TypeParam::describe(), rp.values.data(), std::vector<T>(rx.begin(), rx.end()));
  EXPECT_TRUE(same_bits(compile_time, want));
}

template <class C>
class mlp_differential : public ::testing::Test {};
TYPED_TEST_SUITE(mlp_differential, configs);

TYPED_TEST(mlp_differential, forward_784_128_64_10_matches_naive_reference) {
  using T = typename TypeParam::scalar;
  using net = mlp<T, typename TypeParam::mode>;
  const naive::architecture a{
      784,
      {{128, naive::act::relu}, {64, naive::act::relu}, {10, naive::act::softmax}},
      std::is_same_v<typename TypeParam::mode, ctnn::fused>};
  std::mt19937_64 rng(7);
  auto p = std::make_unique<typename net::parameters>();
  typename net::input x;
  for (int trial = 0; trial < 3; ++trial) {
    randomize<net>(rng, *p);
    randomize<net>(rng, x);
    const std::vector<T> xv(x.begin(), x.end());
    const std::vector<T> want = naive::forward(a, p->values.data(), xv);
    ASSERT_TRUE(same_bits(net::forward(*p, x), want)) << "trial " << trial;
    EXPECT_EQ(net::predict(*p, x), argmax(want));
    check_layers<net>(*p, xv, a);
  }
}

// The large constexpr case: 64-32-16-10 tanh/tanh/softmax with LCG weights,
// evaluated in constant evaluation here (also in network_static_test.cpp) and at run time.
template <class T, class Mode>
using net_64 = ctnn::network<T, Mode, ctnn::input<64>, ctnn::dense<32, ctnn::tanh>,
                             ctnn::dense<16, ctnn::tanh>, ctnn::dense<10, ctnn::softmax>>;

TYPED_TEST(mlp_differential, constexpr_64_32_16_10_matches_run_time) {
  using net = net_64<typename TypeParam::scalar, typename TypeParam::mode>;
  static constexpr typename net::parameters p = naive::lcg_parameters<net>(2024);
  static constexpr typename net::input x = naive::lcg_input<net>(2024);
  static constexpr typename net::output compile_time = net::forward(p, x);
  static constexpr std::size_t compile_time_class = net::predict(p, x);
  const typename net::parameters rp = p;
  const typename net::input rx = x;
  EXPECT_TRUE(same_bits(net::forward(rp, rx), compile_time));
  EXPECT_EQ(net::predict(rp, rx), compile_time_class);
}

}  // namespace
