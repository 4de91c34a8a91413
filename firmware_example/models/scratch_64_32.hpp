// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The two-hidden-layer "neural network from scratch" notebook's network, layers
/// [784, 64, 32, 10]: 784 inputs (a 28×28 image, pixel / 255), ReLU layers of 64 and 32
/// units, 10 softmax outputs; 52,650 parameters. Trained by `ctnn-train-scratch-64-32`
/// (docs/from_scratch.md; the NumPy copy is in benchmarks/from_scratch/).
#include <ctnn/ctnn.hpp>

namespace models {

using scratch_64_32 =
    ctnn::network<float, ctnn::fused, ctnn::input<784>, ctnn::dense<64, ctnn::relu>,
                  ctnn::dense<32, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

static_assert(scratch_64_32::parameter_count == 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10);

}  // namespace models
