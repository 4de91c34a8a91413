// SPDX-License-Identifier: MIT
// cross_entropy on a network whose output is not softmax must not compile.
#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

#ifdef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::softmax>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::sigmoid>>;
#endif

int main() {
  ctnn::train::trainer<net, ctnn::train::cross_entropy> t(ctnn::train::options{});
  return static_cast<int>(t.epoch());
}
