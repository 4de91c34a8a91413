// SPDX-License-Identifier: MIT
// Inference builds and runs with -fno-exceptions -fno-rtti (as firmware does); no GoogleTest
// here, whose library is built with both.
#include <array>
#include <cstdio>
#include <utility>

#include "ctnn/ctnn.hpp"

#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "no_exceptions_test must be compiled with -fno-exceptions -fno-rtti"
#endif

namespace {

template <class T, class Mode>
int check() {
  using net = ctnn::network<T, Mode, ctnn::input<2>, ctnn::dense<3, ctnn::relu>,
                            ctnn::dense<2, ctnn::softmax>>;
  static_assert(noexcept(net::forward(std::declval<const typename net::parameters&>(),
                                      std::declval<const typename net::input&>())));
  static_assert(noexcept(net::predict(std::declval<const typename net::parameters&>(),
                                      std::declval<const typename net::input&>())));
  // Layer 1: W1[0] = (1, 0, -1), W1[1] = (2, 1, 1), b1 = (0, 0.5, 0); x = (1, 0.5):
  //   z = (1 + 1, 0.5 + 0 + 0.5, -1 + 0.5) = (2, 1, -0.5) -> relu (2, 1, 0)
  // Layer 2: W2[0] = (1, 1), W2[1] = (-2, -2), W2[2] = (5, 9), b2 = (0, 0):
  //   z = (2 - 2 + 0, 2 - 2 + 0) = (0, 0) -> softmax (0.5, 0.5)
  const typename net::parameters p{{1, 0, -1, 2, 1, 1, 0, 0.5, 0, 1, 1, -2, -2, 5, 9, 0, 0}};
  const auto y = net::forward(p, {1, 0.5});
  if (y[0] != T(0.5) || y[1] != T(0.5)) {
    std::printf("no_exceptions_test: got (%g, %g), want (0.5, 0.5)\n", double(y[0]), double(y[1]));
    return 1;
  }
  return 0;
}

/// The int8 model under -fno-exceptions -fno-rtti: noexcept, and a hand-computed result.
int check_int8() {
  using net = ctnn::network<float, ctnn::input<2>, ctnn::dense<1, ctnn::relu>>;
  using q = ctnn::quantized<net>;
  static_assert(
      noexcept(q::forward(std::declval<const q::parameters&>(), std::declval<const q::input&>())));
  // acc = 10 + 3·2 + 4·(-1) = 12; requantise by 2^30·2^(0-31) = 1/2 → 6; + z_out (-128).
  constexpr q::parameters p{{3, 4}, {10}, {1 << 30}, {0}, {0, -128}, {1.0f, 1.0f}};
  const auto y = q::forward(p, {2, -1});
  if (y[0] != -122) {
    std::printf("no_exceptions_test: int8 got %d, want -122\n", int{y[0]});
    return 1;
  }
  return 0;
}

}  // namespace

int main() {
  const int failures = check<float, ctnn::fused>() + check<float, ctnn::unfused>() +
                       check<double, ctnn::fused>() + check<double, ctnn::unfused>() + check_int8();
  std::printf("no_exceptions_test: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
