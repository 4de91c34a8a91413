// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A DS-CNN-style network (MLPerf Tiny's keyword-spotting shape, issue 13) for a 28×28×1
/// image (pixel / 255.0f, row-major): conv 32@3×3 stride 2 → four depthwise-separable
/// blocks (depthwise 3×3 + pointwise 1×1 conv, ReLU; the second block strides by 2) →
/// global average pool → 10 softmax outputs. No batch norm yet (issue 13 item). 14,378
/// parameters (57,512 bytes of float weights), 886,560 multiply-accumulates per image;
/// 90.64% Fashion-MNIST test accuracy with its trainer's defaults, 90.37% in int8
/// (docs/layers.md). Shared by its trainer (`ctnn-train-ds-cnn`, cross-entropy) and the
/// exporter.
#include <ctnn/ctnn.hpp>

namespace models {

using ds_cnn = ctnn::network<float, ctnn::fused, ctnn::input<28, 28>,
                             ctnn::conv2d<32, 3, 3, ctnn::relu, 2, ctnn::same>,        // 14×14×32
                             ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>,  // 14×14×32
                             ctnn::conv2d<32, 1, 1, ctnn::relu>,                       // 14×14×32
                             ctnn::depthwise_conv2d<3, 3, ctnn::relu, 2, ctnn::same>,  // 7×7×32
                             ctnn::conv2d<64, 1, 1, ctnn::relu>,                       // 7×7×64
                             ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>,  // 7×7×64
                             ctnn::conv2d<64, 1, 1, ctnn::relu>,                       // 7×7×64
                             ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>,  // 7×7×64
                             ctnn::conv2d<64, 1, 1, ctnn::relu>,                       // 7×7×64
                             ctnn::global_avg_pool,                                    // 64
                             ctnn::dense<10, ctnn::softmax>>;

static_assert(ds_cnn::parameter_count == (9 * 32 + 32) + (9 * 32 + 32) + (32 * 32 + 32) +
                                             (9 * 32 + 32) + (32 * 64 + 64) +
                                             2 * ((9 * 64 + 64) + (64 * 64 + 64)) + (64 * 10 + 10));
// Two ping-pong buffers of 14×14×32 floats each.
static_assert(ds_cnn::activation_bytes == 2 * 14 * 14 * 32 * sizeof(float));

}  // namespace models
