// SPDX-License-Identifier: MIT
// Finite-difference checks (double) of the depthwise_conv2d, global_avg_pool and dropout
// backward passes: per layer with L = Σ r·z for a random r (so grad_z = r); dropout's
// training pair (forward_train/backward_train) against differences of forward_train; and
// a DS-CNN-shaped network with dropout through the trainer's gradient() against
// differences of the loss the same training forward pass gives.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/dropout.hpp"
#include "ctnn/global_avg_pool.hpp"
#include "ctnn/network.hpp"
#include "ctnn/train/trainer.hpp"
#include "naive_layers.hpp"

namespace {

template <class L>
void check_layer(unsigned seed) {
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
  std::vector<double> gp2(np, 1.0);  // grad_p is added to, not overwritten
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), z.data(), r.data(), gp2.data(),
                                           nullptr);
  for (std::size_t i = 0; i < np; ++i) ASSERT_NEAR(gp2[i], gp[i] + 1.0, 1e-12);
}

template <class... Specs>
using layer_of = typename ctnn::network<double, Specs...>::template layer<1>;

TEST(LayersGradient, DepthwiseValid) {
  check_layer<layer_of<ctnn::input<6, 5, 3>, ctnn::depthwise_conv2d<3, 2>>>(1);
}
TEST(LayersGradient, DepthwiseSameStridedMultiplier) {
  check_layer<
      layer_of<ctnn::input<7, 8, 2>, ctnn::depthwise_conv2d<3, 4, ctnn::relu, 2, ctnn::same, 3>>>(
      2);
  check_layer<
      layer_of<ctnn::input<5, 5, 9>, ctnn::depthwise_conv2d<5, 5, ctnn::tanh, 1, ctnn::same>>>(3);
}
TEST(LayersGradient, DepthwiseUnfused) {
  using net = ctnn::network<double, ctnn::unfused, ctnn::input<4, 6, 3>,
                            ctnn::depthwise_conv2d<2, 3, ctnn::identity, 3, ctnn::valid, 2>>;
  check_layer<net::layer<1>>(4);
}
TEST(LayersGradient, GlobalAvgPool) {
  check_layer<layer_of<ctnn::input<3, 4, 5>, ctnn::global_avg_pool>>(5);
  check_layer<layer_of<ctnn::input<1, 1, 3>, ctnn::global_avg_pool>>(6);
}
TEST(LayersGradient, DropoutAtInferenceIsTheIdentity) {
  check_layer<layer_of<ctnn::input<3, 2, 4>, ctnn::dropout<1, 3>>>(7);
}

TEST(LayersGradient, DropoutTrainingPairIsConsistent) {
  using L = layer_of<ctnn::input<64>, ctnn::dropout<3, 8>>;
  using G = ctnn::train::layer_gradient<L>;
  const std::uint64_t stream = 0x1234567;
  auto x = naive_layers::random_values<double>(64, 8);
  const auto r = naive_layers::random_values<double>(64, 9);
  std::vector<double> z(64), gx(64, -1.0);
  auto objective = [&] {
    G::forward_train(x.data(), z.data(), stream);
    double s = 0;
    for (std::size_t i = 0; i < 64; ++i) s += r[i] * z[i];
    return s;
  };
  G::backward_train(r.data(), gx.data(), stream);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < 64; ++i) {
    const double keep = x[i];
    x[i] = keep + 1e-6;
    const double up = objective();
    x[i] = keep - 1e-6;
    const double down = objective();
    x[i] = keep;
    ASSERT_NEAR(gx[i], (up - down) / 2e-6, 1e-8) << i;
    objective();
    if (G::kept(stream, i))
      EXPECT_EQ(z[i], x[i] * (8.0 / 5.0));
    else
      EXPECT_EQ(z[i], 0.0);
    dropped += !G::kept(stream, i);
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(dropped, 64u);
}

ctnn::train::dataset random_set(std::size_t n, std::size_t features, std::size_t classes,
                                unsigned seed) {
  ctnn::train::dataset d;
  d.name = "random";
  d.features = features;
  d.classes = classes;
  d.x = naive_layers::random_values<float>(n * features, seed, 0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) d.y.push_back(static_cast<std::uint32_t>(i % classes));
  return d;
}

// conv stride 2 → depthwise + pointwise → global_avg_pool → dropout → dense softmax.
using ds_net =
    ctnn::network<double, ctnn::input<7, 6, 2>, ctnn::conv2d<4, 3, 3, ctnn::tanh, 2, ctnn::same>,
                  ctnn::depthwise_conv2d<3, 3, ctnn::tanh, 1, ctnn::same, 2>,
                  ctnn::conv2d<5, 1, 1, ctnn::tanh>, ctnn::global_avg_pool, ctnn::dropout<1, 3>,
                  ctnn::dense<3, ctnn::softmax>>;

/// Without dropout's noise (before any step the key is 0, but it is still a mask), the
/// gradient equals differences of the training loss that gradient() itself reports.
TEST(LayersGradient, DsCnnWithDropoutThroughTheTrainer) {
  ctnn::train::options o;
  o.init = ctnn::train::init_scheme::xavier;
  o.bias = ctnn::train::bias_init::normal;
  ctnn::train::trainer<ds_net> t(o);
  auto p = std::make_unique<ds_net::parameters>();
  t.initialise(*p);
  const auto set = random_set(5, ds_net::input_size, 3, 3);
  std::vector<double> grad, scratch;
  t.gradient(*p, set, grad);
  const double h = 1e-6;
  for (std::size_t i = 0; i < ds_net::parameter_count; ++i) {
    const double keep = p->values[i];
    p->values[i] = keep + h;
    const double up = t.gradient(*p, set, scratch);
    p->values[i] = keep - h;
    const double down = t.gradient(*p, set, scratch);
    p->values[i] = keep;
    ASSERT_NEAR(grad[i], (up - down) / (2 * h), 1e-6 * (1 + std::abs(grad[i])))
        << "parameter " << i;
  }
}

/// The same network without dropout: the trainer's gradient against differences of the
/// inference forward pass's loss (evaluate), which dropout would perturb.
TEST(LayersGradient, DsCnnAgainstInferenceLoss) {
  using net =
      ctnn::network<double, ctnn::input<7, 6, 2>, ctnn::conv2d<4, 3, 3, ctnn::tanh, 2, ctnn::same>,
                    ctnn::depthwise_conv2d<3, 3, ctnn::tanh, 1, ctnn::same, 2>,
                    ctnn::conv2d<5, 1, 1, ctnn::tanh>, ctnn::global_avg_pool,
                    ctnn::dense<3, ctnn::softmax>>;
  ctnn::train::options o;
  o.init = ctnn::train::init_scheme::xavier;
  o.bias = ctnn::train::bias_init::normal;
  ctnn::train::trainer<net> t(o);
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  const auto set = random_set(5, net::input_size, 3, 4);
  std::vector<double> grad;
  t.gradient(*p, set, grad);
  const double h = 1e-6;
  for (std::size_t i = 0; i < net::parameter_count; ++i) {
    const double keep = p->values[i];
    p->values[i] = keep + h;
    const double up = t.evaluate(*p, set).loss;
    p->values[i] = keep - h;
    const double down = t.evaluate(*p, set).loss;
    p->values[i] = keep;
    ASSERT_NEAR(grad[i], (up - down) / (2 * h), 1e-6 * (1 + std::abs(grad[i])))
        << "parameter " << i;
  }
}

}  // namespace
