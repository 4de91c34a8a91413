// SPDX-License-Identifier: MIT
// scale_shift: a hand-computed value, the layout, and bit for bit against a naive
// per-channel std::fma / multiply-add (float and double, fused and unfused).
#include "ctnn/scale_shift.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>
#include <vector>

#include "ctnn/network.hpp"
#include "naive_layers.hpp"

namespace {

TEST(ScaleShift, HandComputed) {
  using net = ctnn::network<float, ctnn::input<2, 1, 2>, ctnn::scale_shift<ctnn::relu>>;
  static_assert(net::parameter_count == 4);
  static_assert(net::layer<1>::bias_count == 4 && net::layer<1>::weight_count == 0);
  EXPECT_EQ(net::signature, "ctnn1|f32|fused|in(2x1x2)|scale_shift(relu)");
  // scale [2, −1], shift [1, 0.5]: (3, 4) → (7, 0), (−1, 0.25) → (0, 0.25).
  const auto y = net::forward({{2, -1, 1, 0.5f}}, {3, 4, -1, 0.25f});
  EXPECT_EQ(y, (net::output{7, 0, 0, 0.25f}));
}

template <class T, class Mode, std::size_t H, std::size_t W, std::size_t C>
void check_against_naive(std::uint32_t seed) {
  using net = ctnn::network<T, Mode, ctnn::input<H, W, C>, ctnn::scale_shift<>>;
  const auto pv = naive_layers::random_values<T>(2 * C, seed, -2.0, 2.0);
  typename net::parameters p{};
  std::copy(pv.begin(), pv.end(), p.values.begin());
  const auto xs = naive_layers::random_values<T>(net::input_size, seed + 1, -4.0, 4.0);
  typename net::input x{};
  std::copy(xs.begin(), xs.end(), x.begin());
  const auto y = net::forward(p, x);
  std::vector<T> want(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    want[i] = naive_layers::mac(std::is_same_v<Mode, ctnn::fused>, xs[i], pv[i % C], pv[C + i % C]);
  EXPECT_TRUE(naive_layers::same_bits(want.data(), y.data(), y.size()));
}

TEST(ScaleShift, BitExactAgainstNaive) {
  for (std::uint32_t seed = 1; seed <= 9; seed += 4) {
    check_against_naive<float, ctnn::fused, 3, 4, 5>(seed);
    check_against_naive<float, ctnn::unfused, 3, 4, 5>(seed);
    check_against_naive<double, ctnn::fused, 1, 1, 9>(seed);
    check_against_naive<double, ctnn::unfused, 2, 2, 17>(seed);
  }
}

}  // namespace
