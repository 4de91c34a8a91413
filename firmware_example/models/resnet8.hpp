// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A ResNet-8-style network (MLPerf Tiny's image-classification shape, issue 13) for a
/// 28×28×1 image (pixel / 255.0f, row-major): conv 16@3×3 stride 2 → three residual
/// blocks of two 3×3 convolutions (16, 24, 48 filters; the last two stride by 2 and have a
/// 1×1 stride-2 projection on the skip path, as ResNet's) → global average pool → 10 softmax
/// outputs, without batch norm (`resnet8`) and with it (`resnet8_bn`, below). 46,786
/// parameters (187,144 bytes of float weights), 1,890,144 multiply-accumulates per image.
/// Shared by its trainer (`ctnn-train-resnet8`, cross-entropy), the exporter and the
/// firmware.
#include <ctnn/batch_norm.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/folded.hpp>
#include <type_traits>

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

/// The same network with a batch_norm after every convolution of the stem and the blocks'
/// bodies (MLPerf Tiny's ResNet-8 order: conv → batch norm → relu; the projections have
/// none), trained by `ctnn-train-resnet8-bn` (docs/layers.md). 4·C parameters per
/// batch_norm (γ, β, running mean and variance). For a device it is folded:
/// `ctnn::folded<resnet8_bn>` is exactly `resnet8` (every batch_norm folds into the
/// convolution before it and gives it its activation), so the firmware and the int8 form
/// are resnet8's with other values.
using resnet8_bn = ctnn::network<
    float, ctnn::fused, ctnn::input<28, 28>, ctnn::conv2d<16, 3, 3, ctnn::identity, 2, ctnn::same>,
    ctnn::batch_norm<ctnn::relu>,
    ctnn::residual<ctnn::block<
        ctnn::conv2d<16, 3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<ctnn::relu>,
        ctnn::conv2d<16, 3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<ctnn::identity>>>,
    ctnn::residual<ctnn::block<ctnn::conv2d<24, 3, 3, ctnn::identity, 2, ctnn::same>,
                               ctnn::batch_norm<ctnn::relu>,
                               ctnn::conv2d<24, 3, 3, ctnn::identity, 1, ctnn::same>,
                               ctnn::batch_norm<ctnn::identity>>,
                   ctnn::conv2d<24, 1, 1, ctnn::identity, 2>>,
    ctnn::residual<ctnn::block<ctnn::conv2d<48, 3, 3, ctnn::identity, 2, ctnn::same>,
                               ctnn::batch_norm<ctnn::relu>,
                               ctnn::conv2d<48, 3, 3, ctnn::identity, 1, ctnn::same>,
                               ctnn::batch_norm<ctnn::identity>>,
                   ctnn::conv2d<48, 1, 1, ctnn::identity, 2>>,
    ctnn::global_avg_pool, ctnn::dense<10, ctnn::softmax>>;

static_assert(resnet8::parameter_count ==
              (9 * 16 + 16) + 2 * (9 * 16 * 16 + 16) +
                  ((9 * 16 * 24 + 24) + (9 * 24 * 24 + 24) + (16 * 24 + 24)) +
                  ((9 * 24 * 48 + 48) + (9 * 48 * 48 + 48) + (24 * 48 + 48)) + (48 * 10 + 10));
// Workspace: two ping-pong buffers of 14×14×16 floats (layers 1, 3, 5 and 2, 4, 6), plus the
// largest block scratch: block 1's body buffer, 14×14×16 (block 2 needs 7×7×24 for its body
// and 7×7×24 for its projection, block 3 4×4×48 twice).
static_assert(resnet8::activation_bytes == 3 * 14 * 14 * 16 * sizeof(float));
static_assert(resnet8_bn::parameter_count ==
              resnet8::parameter_count + 4 * (16 + 2 * 16 + 2 * 24 + 2 * 48));
static_assert(std::is_same_v<ctnn::folded<resnet8_bn>, resnet8>);

}  // namespace models
