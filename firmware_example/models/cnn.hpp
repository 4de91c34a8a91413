// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The example CNN: a 28×28×1 image (pixel / 255.0f, row-major) → conv 8@3×3 ReLU →
/// max-pool 2 → conv 16@3×3 ReLU → max-pool 2 → flatten (5×5×16) → dense 32 ReLU → 10
/// softmax outputs; 14,410 parameters. Shared by its trainer (`ctnn-train-cnn`, cross-entropy), the
/// exporter and the firmware. Forward RAM: 26·26·8 + 13·13·8 scalars of workspace
/// (activation_bytes), no im2col buffer.
#include <ctnn/ctnn.hpp>

namespace models {

using cnn = ctnn::network<float, ctnn::fused, ctnn::input<28, 28>,
                          ctnn::conv2d<8, 3, 3, ctnn::relu>,   // 26×26×8
                          ctnn::max_pool2d<2>,                 // 13×13×8
                          ctnn::conv2d<16, 3, 3, ctnn::relu>,  // 11×11×16
                          ctnn::max_pool2d<2>,                 // 5×5×16
                          ctnn::flatten,                       // 400
                          ctnn::dense<32, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

static_assert(cnn::parameter_count ==
              (9 * 8 + 8) + (9 * 8 * 16 + 16) + (400 * 32 + 32) + (32 * 10 + 10));

}  // namespace models
