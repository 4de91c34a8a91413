// SPDX-License-Identifier: MIT
// Static tests: whole forward passes in constant evaluation, compared with hand-computed
// values, plus sizeof invariants and the concepts. If this file compiles, it passes; it is
// also compiled with clang (the static_test_clang test).
#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "ctnn/ctnn.hpp"
#include "naive_reference.hpp"

namespace {

template <class T, std::size_t N>
constexpr bool equal(const std::array<T, N>& a, const std::array<T, N>& b) {
  for (std::size_t i = 0; i < N; ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

// --- 2-3-1, relu then identity ----------------------------------------------------------
// Layer 1: W1[0] = (1, 2, -1), W1[1] = (0.5, -1, 3), b1 = (0, -2, 0.5); x = (2, 4):
//   z = (0 + 2·1 + 4·0.5, -2 + 2·2 + 4·(-1), 0.5 + 2·(-1) + 4·3) = (4, -2, 10.5)
//   relu: h = (4, 0, 10.5)
// Layer 2: W2 = (0.25, 8, -0.5), b2 = 1: y = 1 + 4·0.25 + 0·8 + 10.5·(-0.5) = -3.25
template <class T, class Mode>
constexpr bool net_2_3_1() {
  using net = ctnn::network<T, Mode, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
  constexpr typename net::parameters p{{1, 2, -1, 0.5, -1, 3, 0, -2, 0.5, 0.25, 8, -0.5, 1}};
  static_assert(net::parameter_count == 13);
  static_assert(net::forward(p, {2, 4})[0] == T(-3.25));
  static_assert(net::predict(p, {2, 4}) == 0);
  // x = (-2, 0): z = (-2, -6, 2.5), h = (0, 0, 2.5), y = 1 - 1.25 = -0.25.
  static_assert(net::forward(p, {-2, 0})[0] == T(-0.25));
  return true;
}
static_assert(net_2_3_1<float, ctnn::fused>());
static_assert(net_2_3_1<float, ctnn::unfused>());
static_assert(net_2_3_1<double, ctnn::fused>());
static_assert(net_2_3_1<double, ctnn::unfused>());

// --- 2-3-2, leaky_relu then softmax ---------------------------------------------------------
// Layer 1 (slope 1/2): W1[0] = (1, -1, 0), W1[1] = (1, 1, 2), b1 = (0, 0, -1); x = (1, -3):
//   z = (1 - 3, -1 - 3, -1 + 0 - 6) = (-2, -4, -7)   -> (-1, -2, -3.5)
// Layer 2: W2[0] = (1, 1), W2[1] = (-1, -1), W2[2] = (2, 2), b2 = (5, 5):
//   z = 5 - 1 + 2 - 7 = -1 for both outputs -> softmax (0.5, 0.5)
template <class T, class Mode>
constexpr bool net_2_3_2() {
  using net = ctnn::network<T, Mode, ctnn::input<2>, ctnn::dense<3, ctnn::leaky_relu<1, 2>>,
                            ctnn::dense<2, ctnn::softmax>>;
  constexpr typename net::parameters p{{1, -1, 0, 1, 1, 2, 0, 0, -1, 1, 1, -1, -1, 2, 2, 5, 5}};
  static_assert(equal(net::forward(p, {1, -3}), {T(0.5), T(0.5)}));
  constexpr auto hidden = [&] {
    std::array<T, 3> h{};
    const typename net::input x{1, -3};
    net::template layer<1>::forward(p.values.data(), x.data(), h.data());
    return h;
  }();
  static_assert(equal(hidden, {T(-1), T(-2), T(-3.5)}));
  return true;
}
static_assert(net_2_3_2<float, ctnn::fused>());
static_assert(net_2_3_2<double, ctnn::unfused>());

// --- tanh, sigmoid and softmax at exactly known points ----------------------------------------
// tanh(0) = 0, sigmoid(0) = 1/2, softmax of (1000, -1000) = (1, 0) without overflow.
template <class T>
constexpr bool known_points() {
  using net = ctnn::network<T, ctnn::input<1>, ctnn::dense<2, ctnn::tanh>,
                            ctnn::dense<2, ctnn::sigmoid>, ctnn::dense<2, ctnn::softmax>>;
  // Layer 1: W = (0, 0), b = (0, 0) -> tanh(0) = (0, 0). Layer 2: b = (0, 0) -> (0.5, 0.5).
  // Layer 3: W2[0] = (2000, -2000), W2[1] = (0, 0), b = 0: z = (1000, -1000) -> (1, 0).
  constexpr typename net::parameters p{{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 2000, -2000, 0, 0, 0, 0}};
  static_assert(equal(net::forward(p, {3}), {T(1), T(0)}));
  return true;
}
static_assert(known_points<float>());
static_assert(known_points<double>());

// --- The constexpr bar: 64-32-16-10 tanh/tanh/softmax, LCG weights -----------------
// (network_test.cpp compares the same constant-evaluated result with the run-time path.)
template <class T, class Mode>
using net_64 = ctnn::network<T, Mode, ctnn::input<64>, ctnn::dense<32, ctnn::tanh>,
                             ctnn::dense<16, ctnn::tanh>, ctnn::dense<10, ctnn::softmax>>;

// Each forward pass is its own constant expression (clang's default -fconstexpr-steps
// allows about one 64-32-16-10 pass per expression).
template <class T, class Mode>
constexpr auto p64 = naive::lcg_parameters<net_64<T, Mode>>(2024);
template <class T, class Mode>
constexpr auto x64 = naive::lcg_input<net_64<T, Mode>>(2024);
template <class T, class Mode>
constexpr auto y64 = net_64<T, Mode>::forward(p64<T, Mode>, x64<T, Mode>);
// Layer by layer by hand (own buffers, no ping-pong), at the offsets computed by hand.
template <class T, class Mode>
constexpr auto h64_1 = [] {
  std::array<T, 32> h{};
  net_64<T, Mode>::template layer<1>::forward(p64<T, Mode>.values.data(), x64<T, Mode>.data(),
                                              h.data());
  return h;
}();
template <class T, class Mode>
constexpr auto h64_2 = [] {
  std::array<T, 16> h{};
  net_64<T, Mode>::template layer<2>::forward(p64<T, Mode>.values.data() + 64 * 32 + 32,
                                              h64_1<T, Mode>.data(), h.data());
  return h;
}();
template <class T, class Mode>
constexpr auto h64_3 = [] {
  std::array<T, 10> h{};
  net_64<T, Mode>::template layer<3>::forward(
      p64<T, Mode>.values.data() + 64 * 32 + 32 + 32 * 16 + 16, h64_2<T, Mode>.data(), h.data());
  return h;
}();

template <class T, class Mode>
constexpr bool net_64_32_16_10() {
  constexpr auto& y = y64<T, Mode>;
  static_assert(equal(y, h64_3<T, Mode>));
  // A probability vector: positive, summing to 1 within a few rounding errors.
  constexpr T sum = [&] {
    T s = 0;
    for (T v : y) s += v;
    return s;
  }();
  static_assert(sum > T(1) - T(16) * std::numeric_limits<T>::epsilon() &&
                sum < T(1) + T(16) * std::numeric_limits<T>::epsilon());
  static_assert([&] {
    for (T v : y)
      if (!(v > T(0) && v < T(1))) return false;
    return true;
  }());
  return true;
}
static_assert(net_64_32_16_10<float, ctnn::fused>());
static_assert(net_64_32_16_10<float, ctnn::unfused>());
static_assert(net_64_32_16_10<double, ctnn::fused>());
static_assert(net_64_32_16_10<double, ctnn::unfused>());
// The LCG data are the same for both modes, the outputs are not (so the mode is exercised).
static_assert(equal(x64<float, ctnn::fused>, x64<float, ctnn::unfused>) &&
              p64<float, ctnn::fused>.values == p64<float, ctnn::unfused>.values);
static_assert(!equal(y64<float, ctnn::fused>, y64<float, ctnn::unfused>));
static_assert(!equal(y64<double, ctnn::fused>, y64<double, ctnn::unfused>));
// The workspace overload (one more full pass).
static_assert(equal(y64<float, ctnn::fused>, [] {
  net_64<float, ctnn::fused>::workspace ws{};
  return net_64<float, ctnn::fused>::forward(p64<float, ctnn::fused>, x64<float, ctnn::fused>, ws);
}()));

// --- sizeof invariants and compile-time facts ---------------------------------------------
template <class Net>
constexpr bool size_invariants() {
  // The values, then padding to parameter_alignment (a cache line on x86).
  constexpr std::size_t align = ctnn::detail::parameter_alignment<typename Net::scalar>;
  static_assert(alignof(typename Net::parameters) == align);
  static_assert(sizeof(typename Net::parameters) ==
                (Net::parameter_bytes + align - 1) / align * align);
  static_assert(sizeof(typename Net::parameters{}.values) == Net::parameter_bytes);
  static_assert(Net::parameter_bytes == Net::parameter_count * sizeof(typename Net::scalar));
  static_assert(sizeof(typename Net::workspace) == Net::activation_bytes);
  static_assert(sizeof(typename Net::input) == Net::input_size * sizeof(typename Net::scalar));
  static_assert(sizeof(typename Net::output) == Net::output_size * sizeof(typename Net::scalar));
  static_assert(std::is_aggregate_v<typename Net::parameters>);
  static_assert(std::is_trivially_copyable_v<typename Net::parameters>);
  static_assert(std::is_standard_layout_v<typename Net::parameters>);
  return true;
}
using mlp = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;
static_assert(size_invariants<mlp>());
static_assert(size_invariants<net_64<double, ctnn::unfused>>());
static_assert(mlp::parameter_count == 109386);
static_assert(mlp::parameter_bytes == 437544);
static_assert(mlp::activation_bytes == 768);  // (max(128, 10) + 64) floats
static_assert(net_64<float, ctnn::fused>::activation_bytes == (32 + 16) * 4);
static_assert(net_64<double, ctnn::fused>::parameter_count ==
              64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
static_assert(mlp::signature ==
              "ctnn1|f32|fused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)");

// --- Concepts and guarantees ------------------------------------------------------------------
static_assert(ctnn::bound_layer<mlp::layer<1>>);
static_assert(ctnn::bound_layer<mlp::layer<3>>);
static_assert(ctnn::layer_spec<ctnn::dense<3, ctnn::tanh>>);
static_assert(!ctnn::layer_spec<int>);
static_assert(ctnn::activation<ctnn::identity> && ctnn::activation<ctnn::relu> &&
              ctnn::activation<ctnn::leaky_relu<>> && ctnn::activation<ctnn::sigmoid> &&
              ctnn::activation<ctnn::tanh> && ctnn::activation<ctnn::softmax>);
static_assert(!ctnn::activation<float> && !ctnn::activation<ctnn::dense<3>>);
static_assert(ctnn::numeric_mode<ctnn::fused> && ctnn::numeric_mode<ctnn::unfused> &&
              !ctnn::numeric_mode<float>);
static_assert(ctnn::shape_type<ctnn::shape<28, 28, 1>> && !ctnn::shape_type<int>);
static_assert(std::is_same_v<ctnn::input<28, 28>::shape, ctnn::shape<28, 28, 1>>);
static_assert(std::is_same_v<ctnn::input<5, 6, 3>::shape, ctnn::shape<5, 6, 3>>);
static_assert(ctnn::shape<5, 6, 3>::size == 90 && !ctnn::shape<5, 6, 3>::is_vector);
static_assert(noexcept(mlp::forward(std::declval<const mlp::parameters&>(),
                                    std::declval<const mlp::input&>())));
static_assert(noexcept(mlp::forward(std::declval<const mlp::parameters&>(),
                                    std::declval<const mlp::input&>(),
                                    std::declval<mlp::workspace&>())));
static_assert(noexcept(mlp::predict(std::declval<const mlp::parameters&>(),
                                    std::declval<const mlp::input&>())));
static_assert(std::is_same_v<decltype(mlp::forward(std::declval<const mlp::parameters&>(),
                                                   std::declval<const mlp::input&>())),
                             std::array<float, 10>>);

}  // namespace

int main() {
  return 0;
}
