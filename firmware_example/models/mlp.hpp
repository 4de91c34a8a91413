// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The example classifier: 784 inputs (a 28×28 image, pixel / 255.0f, row-major), ReLU
/// layers of 128 and 64 units, 10 softmax outputs; 109,386 parameters. Trained by
/// `ctnn-train-mlp` (cross-entropy), shared with the exporter and the firmware.
#include <ctnn/ctnn.hpp>

namespace models {

using mlp = ctnn::network<float, ctnn::fused, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

static_assert(mlp::parameter_count == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);

}  // namespace models
