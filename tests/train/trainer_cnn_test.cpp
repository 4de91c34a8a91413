// SPDX-License-Identifier: MIT
// CNNs through the trainer: the gradient of a whole CNN (every loss) against finite
// differences of the inference forward pass's loss, in double; and a tiny CNN learning a
// synthetic image task with every optimiser.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"
// The layer_gradient specialisations must be visible where the trainer is instantiated.
#include "ctnn/train/conv2d_gradient.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "ctnn/train/trainer.hpp"
#include "naive_cnn.hpp"

namespace {

ctnn::train::dataset random_set(std::size_t n, std::size_t features, std::size_t classes,
                                unsigned seed) {
  ctnn::train::dataset d;
  d.name = "random";
  d.features = features;
  d.classes = classes;
  d.x = naive_cnn::random_values<float>(n * features, seed, 0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) d.y.push_back(static_cast<std::uint32_t>(i % classes));
  return d;
}

/// trainer::gradient (backprop through every layer) against central differences of
/// trainer::evaluate's mean loss (the inference forward pass).
template <class Net, class Loss>
void check_network_gradient(std::size_t classes) {
  ctnn::train::options o;
  o.init = ctnn::train::init_scheme::xavier;
  o.bias = ctnn::train::bias_init::normal;
  ctnn::train::trainer<Net, Loss> t(o);
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);
  const auto set = random_set(5, Net::input_size, classes, 3);
  std::vector<double> grad;
  t.gradient(*p, set, grad);
  const double h = 1e-6;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
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

template <class Out>
using grad_cnn =
    ctnn::network<double, ctnn::input<7, 6, 2>, ctnn::conv2d<3, 3, 3, ctnn::tanh, 1, ctnn::same>,
                  ctnn::max_pool2d<2>, ctnn::conv2d<4, 2, 2, ctnn::leaky_relu<1, 10>>,
                  ctnn::avg_pool2d<2, 1>, ctnn::flatten, Out>;

TEST(ConvTraining, NetworkGradientCrossEntropy) {
  check_network_gradient<grad_cnn<ctnn::dense<3, ctnn::softmax>>, ctnn::train::cross_entropy>(3);
}
TEST(ConvTraining, NetworkGradientBinaryCrossEntropy) {
  check_network_gradient<grad_cnn<ctnn::dense<1, ctnn::sigmoid>>,
                         ctnn::train::binary_cross_entropy>(2);
}
TEST(ConvTraining, NetworkGradientMeanSquaredError) {
  check_network_gradient<grad_cnn<ctnn::dense<3, ctnn::tanh>>, ctnn::train::mean_squared_error>(3);
}

/// 10x10 images: a short horizontal (class 0), vertical (1) or diagonal (2) stroke at a
/// random place, on noise.
ctnn::train::dataset strokes(std::size_t n, unsigned seed) {
  ctnn::train::dataset d;
  d.name = "strokes";
  d.features = 100;
  d.classes = 3;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> noise(0.0f, 0.3f);
  std::uniform_int_distribution<int> pos(0, 6);
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint32_t>(gen() % 3);
    std::vector<float> img(100);
    for (float& v : img) v = noise(gen);
    const int r = pos(gen), c = pos(gen);
    for (int k = 0; k < 4; ++k) {
      const int rr = label == 0 ? r : r + k, cc = label == 1 ? c : c + k;
      img[static_cast<std::size_t>(rr * 10 + cc)] = 1.0f;
    }
    d.x.insert(d.x.end(), img.begin(), img.end());
    d.y.push_back(label);
  }
  return d;
}

using tiny_cnn = ctnn::network<float, ctnn::input<10, 10>, ctnn::conv2d<6, 3, 3, ctnn::relu>,
                               ctnn::max_pool2d<2>, ctnn::conv2d<8, 3, 3, ctnn::relu>,
                               ctnn::flatten, ctnn::dense<3, ctnn::softmax>>;

void check_learns(ctnn::train::optimizer_kind kind, double lr, std::size_t batch,
                  std::size_t epochs) {
  const auto train = strokes(1200, 1), test = strokes(300, 2);
  ctnn::train::options o;
  o.optimizer = kind;
  o.lr = lr;
  o.batch = batch;
  o.epochs = epochs;
  o.threads = 2;
  ctnn::train::trainer<tiny_cnn> t(o);
  auto p = std::make_unique<tiny_cnn::parameters>();
  t.initialise(*p);
  const double before = t.evaluate(*p, test).loss;
  const auto fit = t.fit(*p, train, nullptr, {}, {});
  ASSERT_FALSE(fit.diverged);
  const auto after = t.evaluate(*p, test);
  EXPECT_LT(after.loss, 0.5 * before) << ctnn::train::to_string(kind);
  EXPECT_GE(after.accuracy, 0.9) << ctnn::train::to_string(kind);
}

TEST(ConvTraining, LearnsStrokesAdam) {
  check_learns(ctnn::train::optimizer_kind::adam, 3e-3, 32, 8);
}
TEST(ConvTraining, LearnsStrokesSgd) {
  check_learns(ctnn::train::optimizer_kind::sgd, 0.05, 16, 12);
}
TEST(ConvTraining, LearnsStrokesMomentum) {
  check_learns(ctnn::train::optimizer_kind::momentum, 0.01, 16, 10);
}
TEST(ConvTraining, LearnsStrokesFullBatchGd) {
  check_learns(ctnn::train::optimizer_kind::gd, 0.5, 0, 150);
}

TEST(ConvTraining, SameBitsForAnyThreadCount) {
  const auto train = strokes(200, 5);
  std::vector<float> result[2];
  for (std::size_t threads : {1u, 2u}) {
    ctnn::train::options o;
    o.threads = threads;
    o.epochs = 2;
    o.batch = 32;
    ctnn::train::trainer<tiny_cnn> t(o);
    auto p = std::make_unique<tiny_cnn::parameters>();
    t.initialise(*p);
    t.fit(*p, train, nullptr, {}, {});
    result[threads - 1].assign(p->values.begin(), p->values.end());
  }
  EXPECT_TRUE(naive_cnn::same_bits(result[0].data(), result[1].data(), result[0].size()));
}

}  // namespace
