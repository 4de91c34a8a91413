// SPDX-License-Identifier: MIT
// The code of docs/from_scratch.md, compiled and run as a test so the page cannot rot.
// A classic "neural network from scratch" notebook, step by step, in ctnn.
#include <cstdio>
#include <memory>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/data/synthetic.hpp"
#include "ctnn/train/init.hpp"
#include "ctnn/train/loss.hpp"
#include "ctnn/train/report/metrics.hpp"
#include "ctnn/train/trainer.hpp"

// [1] The architecture: [2, 16, 16, 1], tanh hidden layers, sigmoid output.
using net = ctnn::network<float, ctnn::input<2>, ctnn::dense<16, ctnn::tanh>,
                          ctnn::dense<16, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  namespace tr = ctnn::train;
  // [2] Data: two interleaving half-moons, 1000 points for training, 500 for testing.
  const tr::dataset train = tr::make_moons(1000, 0.1, /*seed=*/1);
  const tr::dataset test = tr::make_moons(500, 0.1, /*seed=*/2);

  // [3] Initialisation: Xavier/Glorot weights, zero biases, seeded.
  auto params = std::make_unique<net::parameters>();
  tr::initialise<net>(*params, tr::init_scheme::xavier, tr::bias_init::zero, /*seed=*/42);

  // [4] Forward propagation of one sample: the inference code the firmware runs.
  const net::output a = net::forward(*params, {train.x[0], train.x[1]});

  // [5] Loss: binary cross-entropy of that output against its label.
  const double loss0 =
      tr::loss_ops<net, tr::binary_cross_entropy>::value_from_output(a.data(), train.y[0]);

  // [6] Backpropagation + [7] gradient descent: full batch (batch = 0), lr 0.5.
  tr::options o;
  o.optimizer = tr::optimizer_kind::gd;
  o.batch = 0;  // the whole training set per step: the notebook's full-batch algorithm
  o.lr = 0.5;
  o.epochs = 2000;        // full batch: one step per "epoch"
  tr::trainer<net> t(o);  // trains the parameters of step [3] as they are
  std::vector<float> grad;
  const double before = t.gradient(*params, train, grad);  // mean loss and dL/dθ
  for (std::size_t i = 0; i < o.epochs; ++i) {
    const tr::epoch_record r = t.train_epoch(*params, train, nullptr);
    if (r.diverged) return 1;
  }

  // [8] Accuracy and [9] confusion matrix on the test set (inference forward inside).
  const tr::eval_record e = t.evaluate(*params, test);
  const tr::confusion_matrix cm(2, e.predicted, test.y);
  std::printf("first-sample loss %.4f; mean loss %.4f -> %.4f; test accuracy %.3f\n", loss0, before,
              e.loss, e.accuracy);
  std::printf("%s", tr::classification_report(cm).to_string({"upper", "lower"}).c_str());
  // The page promises a model that separates the moons: fail loudly if it does not.
  return e.accuracy > 0.95 && e.loss < before ? 0 : 1;
}
