// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The example CNN: a 28×28×1 image (pixel / 255.0f, row-major) → conv 8@3×3 ReLU →
/// max-pool 2 → conv 32@3×3 ReLU (same padding) → max-pool 2 → flatten (6×6×32) → 10
/// softmax outputs; 13,946 parameters (55,784 bytes of float weights). Shared by its
/// trainer (`ctnn-train-cnn`, cross-entropy), the exporter and the firmware. Forward RAM:
/// 26·26·8 + 13·13·8 floats of workspace (activation_bytes = 27,040), no im2col buffer.
#include <ctnn/ctnn.hpp>

namespace models {

using cnn = ctnn::network<float, ctnn::fused, ctnn::input<28, 28>,
                          ctnn::conv2d<8, 3, 3, ctnn::relu>,                  // 26×26×8
                          ctnn::max_pool2d<2>,                                // 13×13×8
                          ctnn::conv2d<32, 3, 3, ctnn::relu, 1, ctnn::same>,  // 13×13×32
                          ctnn::max_pool2d<2>,                                // 6×6×32
                          ctnn::flatten,                                      // 1152
                          ctnn::dense<10, ctnn::softmax>>;

static_assert(cnn::parameter_count == (9 * 8 + 8) + (9 * 8 * 32 + 32) + (1152 * 10 + 10));
static_assert(cnn::activation_bytes == (26 * 26 * 8 + 13 * 13 * 8) * sizeof(float));

}  // namespace models
