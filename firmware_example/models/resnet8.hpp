// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A ResNet-8-style network (MLPerf Tiny's image-classification shape, issue 13) for a
/// 28×28×1 image (pixel / 255.0f, row-major): conv 16@3×3 stride 2 → three residual
/// blocks of two 3×3 convolutions (16, 24, 48 filters; the last two stride by 2 and have a
/// 1×1 stride-2 projection on the skip path, as ResNet's) → global average pool → 10 softmax
/// outputs. No batch norm (the blocks' backward pass is per sample; docs/layers.md). 46,786
/// parameters (187,144 bytes of float weights), 1,890,144 multiply-accumulates per image.
/// Shared by its trainer (`ctnn-train-resnet8`, cross-entropy), the exporter and the
/// firmware.
#include <ctnn/ctnn.hpp>

namespace models {

using resnet8 = ctnn::network<
    float, ctnn::fused, ctnn::input<28, 28>,
    ctnn::conv2d<16, 3, 3, ctnn::relu, 2, ctnn::same>,  // 14×14×16
    ctnn::residual<ctnn::block<ctnn::conv2d<16, 3, 3, ctnn::relu, 1, ctnn::same>,
                               ctnn::conv2d<16, 3, 3, ctnn::identity, 1, ctnn::same>>>,  // 14×14×16
    ctnn::residual<ctnn::block<ctnn::conv2d<24, 3, 3, ctnn::relu, 2, ctnn::same>,
                               ctnn::conv2d<24, 3, 3, ctnn::identity, 1, ctnn::same>>,
                   ctnn::conv2d<24, 1, 1, ctnn::identity, 2>>,  // 7×7×24
    ctnn::residual<ctnn::block<ctnn::conv2d<48, 3, 3, ctnn::relu, 2, ctnn::same>,
                               ctnn::conv2d<48, 3, 3, ctnn::identity, 1, ctnn::same>>,
                   ctnn::conv2d<48, 1, 1, ctnn::identity, 2>>,  // 4×4×48
    ctnn::global_avg_pool,                                      // 48
    ctnn::dense<10, ctnn::softmax>>;

static_assert(resnet8::parameter_count ==
              (9 * 16 + 16) + 2 * (9 * 16 * 16 + 16) +
                  ((9 * 16 * 24 + 24) + (9 * 24 * 24 + 24) + (16 * 24 + 24)) +
                  ((9 * 24 * 48 + 48) + (9 * 48 * 48 + 48) + (24 * 48 + 48)) + (48 * 10 + 10));
// Workspace: two ping-pong buffers of 14×14×16 floats (layers 1, 3, 5 and 2, 4, 6), plus the
// largest block scratch: block 1's body buffer, 14×14×16 (block 2 needs 7×7×24 for its body
// and 7×7×24 for its projection, block 3 4×4×48 twice).
static_assert(resnet8::activation_bytes == 3 * 14 * 14 * 16 * sizeof(float));

}  // namespace models
