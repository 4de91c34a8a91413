// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The sigmoid "neural network from scratch" notebook's network: 784 inputs (a 28×28
/// image, pixel / 255), 64 sigmoid units, 10 softmax outputs; 50,890 parameters. Trained by
/// `ctnn-train-scratch-64` (docs/from_scratch.md; the NumPy copy is in
/// benchmarks/from_scratch/).
#include <ctnn/ctnn.hpp>

namespace models {

using scratch_64 = ctnn::network<float, ctnn::fused, ctnn::input<784>,
                                 ctnn::dense<64, ctnn::sigmoid>, ctnn::dense<10, ctnn::softmax>>;

static_assert(scratch_64::parameter_count == 784 * 64 + 64 + 64 * 10 + 10);

}  // namespace models
