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
#include <type_traits>

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

/// A small anomaly-detection autoencoder that fits the Cortex-M4 bar in fp32 (issue 13:
/// 256 KiB flash, 64 KiB RAM), beside the MLPerf shape above (1.2 MB in fp32): dense
/// 24 → 8 → 24 → 784 on the same 784 inputs, each hidden dense layer followed by batch
/// normalisation and ReLU, a linear output; 39,080 parameters (38,856 dense, 224 batch-norm
/// values of which 112 are running statistics). Trained by `ctnn-train-autoencoder-small`
/// like the big one (`--target input --normal-class K`, docs/training.md). For a device the
/// batch norms fold away: ctnn::folded<autoencoder_small> is the plain dense network
/// autoencoder_small_device, whose 155,424 bytes of fp32 weights leave room in 256 KiB for
/// the code and the firmware example's 50,176 bytes of embedded float test images.
using autoencoder_small =
    ctnn::network<float, ctnn::input<784>, autoencoder_parts::hidden<24>,
                  autoencoder_parts::norm_relu, autoencoder_parts::hidden<8>,
                  autoencoder_parts::norm_relu, autoencoder_parts::hidden<24>,
                  autoencoder_parts::norm_relu, ctnn::dense<784, ctnn::identity>>;
/// What the device runs: autoencoder_small with its batch norms folded into the dense layers.
using autoencoder_small_device =
    ctnn::network<float, ctnn::input<784>, ctnn::dense<24, ctnn::relu>, ctnn::dense<8, ctnn::relu>,
                  ctnn::dense<24, ctnn::relu>, ctnn::dense<784, ctnn::identity>>;

static_assert(autoencoder_small_device::parameter_count ==
              (784 * 24 + 24) + (24 * 8 + 8) + (8 * 24 + 24) + (24 * 784 + 784));
static_assert(autoencoder_small::parameter_count ==
              autoencoder_small_device::parameter_count + 4 * (24 + 8 + 24));
static_assert(std::is_same_v<ctnn::folded<autoencoder_small>, autoencoder_small_device>);
// Workspace: two ping-pong buffers, 24 floats (layers 1 and 3) and 784 (layers 2 and 4).
static_assert(autoencoder_small_device::activation_bytes == (24 + 784) * sizeof(float));
// The fp32 weights stay below 160,000 bytes (the flash bar is 262,144 with code and images).
static_assert(autoencoder_small_device::parameter_bytes <= 160000);

}  // namespace models
