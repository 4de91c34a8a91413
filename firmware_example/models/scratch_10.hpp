// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The smallest "neural network from scratch" notebook's network: 784 inputs (a 28×28
/// image, pixel / 255), 10 ReLU units, 10 softmax outputs; 7,960 parameters. Trained by
/// `ctnn-train-scratch-10` (docs/from_scratch.md; the NumPy copy is in
/// benchmarks/from_scratch/).
#include <ctnn/ctnn.hpp>

namespace models {

using scratch_10 = ctnn::network<float, ctnn::fused, ctnn::input<784>, ctnn::dense<10, ctnn::relu>,
                                 ctnn::dense<10, ctnn::softmax>>;

static_assert(scratch_10::parameter_count == 784 * 10 + 10 + 10 * 10 + 10);

}  // namespace models
