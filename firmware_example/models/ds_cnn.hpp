// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A DS-CNN-style network (MLPerf Tiny's keyword-spotting shape, issue 13) for a 28×28×1
/// image (pixel / 255.0f, row-major): conv 32@3×3 stride 2 → four depthwise-separable
/// blocks (depthwise 3×3 + pointwise 1×1 conv, ReLU; the second block strides by 2) →
/// global average pool → 10 softmax outputs, without batch norm (`ds_cnn`) and with it
/// (`ds_cnn_bn`, below). 14,378
/// parameters (57,512 bytes of float weights), 886,560 multiply-accumulates per image;
/// 90.64% Fashion-MNIST test accuracy with its trainer's defaults, 90.37% in int8
/// (docs/layers.md). Shared by its trainer (`ctnn-train-ds-cnn`, cross-entropy) and the
/// exporter.
#include <ctnn/batch_norm.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/folded.hpp>
#include <type_traits>

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

/// The same network with a batch_norm after every conv, depthwise and pointwise layer (each
/// of those with the identity activation, the ReLU after the norm: MLPerf Tiny's DS-CNN
/// order), trained by `ctnn-train-ds-cnn-bn` (92.28% Fashion-MNIST test accuracy with its
/// defaults, int8 92.20%; docs/layers.md). 16,170 parameters, of which 896 are the
/// running statistics (4·C per batch_norm: γ, β, mean, variance). For a device it is
/// folded: `ctnn::folded<ds_cnn_bn>` is exactly `ds_cnn` (every batch_norm folds into the
/// layer before it and gives it its ReLU), so the firmware and the int8 form are those of
/// ds_cnn with other values (docs/layers.md).
using ds_cnn_bn = ctnn::network<
    float, ctnn::fused, ctnn::input<28, 28>, ctnn::conv2d<32, 3, 3, ctnn::identity, 2, ctnn::same>,
    ctnn::batch_norm<ctnn::relu>, ctnn::depthwise_conv2d<3, 3, ctnn::identity, 1, ctnn::same>,
    ctnn::batch_norm<ctnn::relu>, ctnn::conv2d<32, 1, 1>, ctnn::batch_norm<ctnn::relu>,
    ctnn::depthwise_conv2d<3, 3, ctnn::identity, 2, ctnn::same>, ctnn::batch_norm<ctnn::relu>,
    ctnn::conv2d<64, 1, 1>, ctnn::batch_norm<ctnn::relu>,
    ctnn::depthwise_conv2d<3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<ctnn::relu>,
    ctnn::conv2d<64, 1, 1>, ctnn::batch_norm<ctnn::relu>,
    ctnn::depthwise_conv2d<3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<ctnn::relu>,
    ctnn::conv2d<64, 1, 1>, ctnn::batch_norm<ctnn::relu>, ctnn::global_avg_pool,
    ctnn::dense<10, ctnn::softmax>>;

static_assert(ds_cnn_bn::parameter_count == ds_cnn::parameter_count + 4 * (4 * 32 + 5 * 64));
static_assert(std::is_same_v<ctnn::folded<ds_cnn_bn>, ds_cnn>);

}  // namespace models
