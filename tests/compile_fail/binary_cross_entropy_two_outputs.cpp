// SPDX-License-Identifier: MIT
// binary_cross_entropy on two sigmoid outputs must not compile.
#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

#ifdef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<1, ctnn::sigmoid>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<2, ctnn::sigmoid>>;
#endif

int main() {
  ctnn::train::trainer<net, ctnn::train::binary_cross_entropy> t(ctnn::train::options{});
  return static_cast<int>(t.epoch());
}
