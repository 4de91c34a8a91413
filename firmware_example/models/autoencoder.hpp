// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The MLPerf Tiny anomaly-detection autoencoder's shape with 784 inputs (a 28×28 image,
/// pixel / 255.0f, row-major) instead of 640: dense 128 ×4 → 8 → 128 ×4 → 784, each hidden
/// dense layer followed by batch normalisation and ReLU, and a linear output that
/// reconstructs the input; 307,000 parameters (302,872 dense, 4,128 batch-norm values of
/// which 2,064 are running statistics). Trained by `ctnn-train-autoencoder` with the MSE
/// against its input on one Fashion-MNIST class (`--target input --normal-class K`); the
/// reconstruction error is the anomaly score (docs/training.md). For a device the batch
/// norms fold into the dense layers (ctnn::folded<models::autoencoder>, 302,872 parameters).
#include <ctnn/batch_norm.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/folded.hpp>  // the exported int8 header names ctnn::folded<models::autoencoder>

namespace models {

namespace autoencoder_parts {
/// A hidden layer: dense without activation, then batch norm and ReLU (the Keras model's
/// Dense → BatchNormalization → ReLU).
template <std::size_t Units>
using hidden = ctnn::dense<Units, ctnn::identity>;
using norm_relu = ctnn::batch_norm<ctnn::relu>;
}  // namespace autoencoder_parts

using autoencoder = ctnn::network<
    float, ctnn::input<784>, autoencoder_parts::hidden<128>, autoencoder_parts::norm_relu,
    autoencoder_parts::hidden<128>, autoencoder_parts::norm_relu, autoencoder_parts::hidden<128>,
    autoencoder_parts::norm_relu, autoencoder_parts::hidden<128>, autoencoder_parts::norm_relu,
    autoencoder_parts::hidden<8>, autoencoder_parts::norm_relu, autoencoder_parts::hidden<128>,
    autoencoder_parts::norm_relu, autoencoder_parts::hidden<128>, autoencoder_parts::norm_relu,
    autoencoder_parts::hidden<128>, autoencoder_parts::norm_relu, autoencoder_parts::hidden<128>,
    autoencoder_parts::norm_relu, ctnn::dense<784, ctnn::identity>>;

static_assert(autoencoder::parameter_count ==
              (784 * 128 + 128) + 3 * (128 * 128 + 128) + (128 * 8 + 8) + (8 * 128 + 128) +
                  3 * (128 * 128 + 128) + (128 * 784 + 784) + 4 * (8 * 128 + 8));

}  // namespace models
