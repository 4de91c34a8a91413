// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The compact firmware model: the single declaration shared by the trainer, the exporter
/// and the firmware. 784 inputs (a 28×28 Fashion-MNIST image, pixel / 255.0f, row-major),
/// 32 hidden ReLU units, 10 softmax outputs: 25,450 parameters (~99 KiB of float weights
/// in flash), 168 bytes of workspace, 25,408 multiply-accumulates per inference.
#include <ctnn/ctnn.hpp>

namespace models {

using mlp_small = ctnn::network<float, ctnn::fused, ctnn::input<784>, ctnn::dense<32, ctnn::relu>,
                                ctnn::dense<10, ctnn::softmax>>;

static_assert(mlp_small::parameter_count == 784 * 32 + 32 + 32 * 10 + 10);

}  // namespace models
