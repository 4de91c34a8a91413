// SPDX-License-Identifier: MIT
// Finite-difference checks (double) of the conv2d, max_pool2d, avg_pool2d and flatten
// backward passes: per layer, with the scalar L = Σ r·z for a random r (so grad_z = r),
// and through a small CNN via the trainer's gradient() against the loss of the inference
// forward pass.
#include "ctnn/train/conv2d_gradient.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "naive_cnn.hpp"

namespace {

/// Checks layer L's backward pass against central differences of L = Σ r·affine(p, x).
template <class L>
void check_layer(unsigned seed) {
  constexpr std::size_t np = L::parameter_count, nx = L::input_shape::size,
                        nz = L::output_shape::size;
  auto p = naive_cnn::random_values<double>(np, seed);
  auto x = naive_cnn::random_values<double>(nx, seed + 1);
  const auto r = naive_cnn::random_values<double>(nz, seed + 2);
  std::vector<double> z(nz);
  auto objective = [&] {
    L::affine(p.data(), x.data(), z.data());
    double s = 0;
    for (std::size_t i = 0; i < nz; ++i) s += r[i] * z[i];
    return s;
  };
  objective();
  std::vector<double> gp(np, 0.0), gx(nx, -7.0);  // grad_x must be written, not added to
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), z.data(), r.data(), gp.data(),
                                           gx.data());
  const double h = 1e-6;
  auto numeric = [&](std::vector<double>& v, std::size_t i) {
    const double keep = v[i];
    v[i] = keep + h;
    const double up = objective();
    v[i] = keep - h;
    const double down = objective();
    v[i] = keep;
    return (up - down) / (2 * h);
  };
  for (std::size_t i = 0; i < np; ++i)
    ASSERT_NEAR(gp[i], numeric(p, i), 1e-7 * (1 + std::abs(gp[i]))) << L::name.view() << " p" << i;
  for (std::size_t i = 0; i < nx; ++i)
    ASSERT_NEAR(gx[i], numeric(x, i), 1e-7 * (1 + std::abs(gx[i]))) << L::name.view() << " x" << i;
  // grad_p is added to, not overwritten.
  std::vector<double> gp2(np, 1.0);
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), z.data(), r.data(), gp2.data(),
                                           nullptr);
  for (std::size_t i = 0; i < np; ++i) ASSERT_NEAR(gp2[i], gp[i] + 1.0, 1e-12);
}

template <class... Specs>
using layer_of = typename ctnn::network<double, Specs...>::template layer<1>;

TEST(ConvGradient, Conv2dValid) {
  check_layer<layer_of<ctnn::input<6, 5, 3>, ctnn::conv2d<4, 3, 2>>>(1);
}
TEST(ConvGradient, Conv2dSameStrided) {
  check_layer<layer_of<ctnn::input<7, 8, 2>, ctnn::conv2d<5, 3, 4, ctnn::relu, 2, ctnn::same>>>(2);
  check_layer<layer_of<ctnn::input<5, 5, 1>, ctnn::conv2d<9, 5, 5, ctnn::tanh, 1, ctnn::same>>>(3);
}
TEST(ConvGradient, Conv2dUnfused) {
  using net = ctnn::network<double, ctnn::unfused, ctnn::input<4, 6, 3>,
                            ctnn::conv2d<3, 2, 3, ctnn::identity, 3>>;
  check_layer<net::layer<1>>(4);
}
TEST(ConvGradient, MaxPool) {
  check_layer<layer_of<ctnn::input<6, 6, 3>, ctnn::max_pool2d<2>>>(5);
  check_layer<layer_of<ctnn::input<7, 5, 2>, ctnn::max_pool2d<3, 2, 1>>>(6);  // overlapping
}
TEST(ConvGradient, AvgPool) {
  check_layer<layer_of<ctnn::input<6, 6, 3>, ctnn::avg_pool2d<2>>>(7);
  check_layer<layer_of<ctnn::input<7, 5, 2>, ctnn::avg_pool2d<3, 2, 1>>>(8);
}
TEST(ConvGradient, Flatten) {
  check_layer<layer_of<ctnn::input<3, 2, 4>, ctnn::flatten>>(9);
}

}  // namespace
