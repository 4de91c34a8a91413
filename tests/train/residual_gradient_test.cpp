// SPDX-License-Identifier: MIT
// train/residual_gradient.hpp: finite-difference checks (double) of a residual block's
// backward pass with and without a projection (and with a block nested in a body), per
// layer with L = Σ r·z for a random r (so grad_z = r): every parameter and every input;
// forward_state gives the inference pass's bits; grad_p is added to, grad_x written.
#include "ctnn/train/residual_gradient.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/conv2d_gradient.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/global_avg_pool_gradient.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "naive_layers.hpp"

namespace {

using ctnn::block;
using ctnn::conv2d;
using ctnn::residual;
using ctnn::same;

template <class L>
void check_block(unsigned seed) {
  using G = ctnn::train::layer_gradient<L>;
  constexpr std::size_t np = L::parameter_count, nx = L::input_shape::size,
                        nz = L::output_shape::size;
  auto p = naive_layers::random_values<double>(np, seed);
  auto x = naive_layers::random_values<double>(nx, seed + 1);
  const auto r = naive_layers::random_values<double>(nz, seed + 2);
  std::vector<double> z(nz);
  auto objective = [&] {
    L::affine(p.data(), x.data(), z.data());
    double s = 0;
    for (std::size_t i = 0; i < nz; ++i) s += r[i] * z[i];
    return s;
  };
  objective();
  // forward_state: the inference affine's bits.
  std::vector<double> zs(nz), state(G::state_size);
  G::forward_state(p.data(), x.data(), zs.data(), state.data());
  ASSERT_TRUE(naive_layers::same_bits(zs.data(), z.data(), nz));

  std::vector<double> gp(np, 0.0), gx(nx, -7.0);  // grad_x must be written, not added to
  G::backward(p.data(), x.data(), z.data(), r.data(), gp.data(), gx.data());
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
    ASSERT_NEAR(gp[i], numeric(p, i), 1e-6 * (1 + std::abs(gp[i]))) << L::name.view() << " p" << i;
  for (std::size_t i = 0; i < nx; ++i)
    ASSERT_NEAR(gx[i], numeric(x, i), 1e-6 * (1 + std::abs(gx[i]))) << L::name.view() << " x" << i;
  // The state path gives the same bits; grad_p is added to; no grad_x wanted.
  std::vector<double> gp2(np, 1.0), gx2(nx);
  G::backward_state(p.data(), x.data(), z.data(), state.data(), r.data(), gp2.data(), gx2.data());
  ASSERT_TRUE(naive_layers::same_bits(gx2.data(), gx.data(), nx));
  for (std::size_t i = 0; i < np; ++i) ASSERT_NEAR(gp2[i], gp[i] + 1.0, 1e-12);
  std::vector<double> gp3(np, 0.0);
  G::backward(p.data(), x.data(), z.data(), r.data(), gp3.data(), nullptr);
  ASSERT_TRUE(naive_layers::same_bits(gp3.data(), gp.data(), np));
}

template <class Spec, std::size_t H, std::size_t W, std::size_t C>
using bound = typename Spec::template bind<double, ctnn::fused, ctnn::shape<H, W, C>, 1>;

TEST(residual_gradient, block_without_projection_matches_finite_differences) {
  using spec = residual<
      block<conv2d<3, 3, 3, ctnn::relu, 1, same>, conv2d<2, 3, 3, ctnn::identity, 1, same>>>;
  for (unsigned seed = 1; seed <= 3; ++seed) check_block<bound<spec, 4, 4, 2>>(seed);
}

TEST(residual_gradient, block_with_projection_matches_finite_differences) {
  using spec = residual<
      block<conv2d<4, 3, 3, ctnn::relu, 2, same>, conv2d<4, 3, 3, ctnn::identity, 1, same>>,
      conv2d<4, 1, 1, ctnn::identity, 2>, ctnn::identity>;
  for (unsigned seed = 1; seed <= 3; ++seed) check_block<bound<spec, 5, 5, 2>>(seed);
}

TEST(residual_gradient, nested_block_and_vector_layers_match_finite_differences) {
  using inner = residual<block<ctnn::dense<5, ctnn::tanh>, ctnn::dense<6>>>;
  using spec =
      residual<block<ctnn::dense<6, ctnn::sigmoid>, inner>, ctnn::dense<6>, ctnn::identity>;
  for (unsigned seed = 1; seed <= 3; ++seed) check_block<bound<spec, 1, 1, 4>>(seed);
}

}  // namespace
