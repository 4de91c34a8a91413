// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The reverse of ctnn-import: a float ctnn checkpoint (its signature and parameters)
/// written as an ONNX model (opset 13) that computes the same function, in ONNX's layouts:
/// the input is NCHW [N, C, H, W] (or [N, features]), conv weights W[KH][KW][C][F] become
/// [F][C][KH][KW], depthwise W[KH][KW][C·M] become [C·M][1][KH][KW], dense layers are Gemm
/// with B = W[In][Out] (transB = 0), and the rows of a dense layer after a flatten of an
/// image are put in CHW order (ONNX's Flatten), the inverse of the importer's permutation.
/// Layers: dense, conv2d, depthwise_conv2d, max/avg_pool2d, global_avg_pool, flatten,
/// batch_norm, residual blocks (the body's nodes, the projection's Conv on the block's
/// input, Add, the activation), with identity, relu, leaky_relu, sigmoid, tanh and softmax;
/// anything else (dropout, double precision) is a one-line data_error. Importing the result
/// with ctnn-import gives back the same architecture and the same parameter bits.
#include <string>

#include "ctnn/train/io/checkpoint_data.hpp"

namespace ctnn::import {

/// The serialised ONNX ModelProto for checkpoint `c` (named `source` in messages).
std::string onnx_of_checkpoint(const ctnn::train::checkpoint_data& c, const std::string& source);

}  // namespace ctnn::import
