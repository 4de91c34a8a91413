// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// An ONNX graph (onnx_graph.hpp) lowered to ctnn layers, with the parameters converted to
/// ctnn's layouts:
/// - NCHW activations become HWC: the input [N, C, H, W] is `ctnn::input<H, W, C>`.
/// - Conv weights OIHW [F][C][KH][KW] become W[KH][KW][C][F].
/// - Gemm's B (transB = 1, PyTorch's Linear.weight [Out][In]) and MatMul's B [In][Out]
///   become the input-major W[In][Out].
/// - A Flatten (or Reshape to [N, -1]) of a C×H×W tensor numbers its values c·H·W + h·W + w
///   (PyTorch); ctnn's flatten numbers them (h·W + w)·C + c. The next dense layer's rows
///   are permuted accordingly, so the network computes the same function.
/// - Activation nodes become the activation of the preceding dense or conv layer (ctnn has
///   no activation layers). An elementwise activation may be moved before a Flatten, and a
///   monotone one (relu, leaky relu with a non-negative slope, sigmoid, tanh) before a max
///   pool: f(max(x)) = max(f(x)), so `conv → max_pool → relu` imports exactly.
/// - A Conv with group = channels becomes ctnn::depthwise_conv2d (weights [C·M][1][KH][KW]
///   → W[KH][KW][C·M]) and GlobalAveragePool ctnn::global_avg_pool, when the ctnn this tool
///   is built with has them (have_depthwise / have_global_avg_pool); GlobalAveragePool
///   otherwise becomes an avg_pool2d over the whole image (the same bits).
/// - A residual block, x → f(x) → Add(x, f(x)) [→ Relu], with f a chain and optionally a
///   1×1 Conv on the skip (Add(proj(x), f(x))), becomes ctnn::residual<block<f…>, proj,
///   act>: the Add's following activation, if any, is the block's.
/// Only chains of layers and residual blocks are imported: every other tensor feeds
/// exactly one node. Everything else is a
/// data_error naming the node and its operator.
#include <cstddef>
#include <string>
#include <vector>

#include "onnx_graph.hpp"

namespace ctnn::import {

/// One ctnn layer, as C++ (for the model type) and as its signature entry.
struct layer {
  enum class kind {
    dense,
    conv2d,
    depthwise_conv2d,
    max_pool2d,
    avg_pool2d,
    global_avg_pool,
    flatten,
    residual,
    batch_norm
  } what = kind::dense;
  std::size_t units = 0;  ///< dense: outputs; conv2d: filters; depthwise: depth multiplier
  std::size_t kernel_h = 0, kernel_w = 0, stride = 1;
  bool same = false;                              ///< conv2d padding
  std::string activation = "identity";            ///< signature spelling, e.g. "leaky_relu(1/100)"
  std::string activation_cxx = "ctnn::identity";  ///< e.g. "ctnn::leaky_relu<1, 100>"
  bool monotone = true;                           ///< the activation commutes with max pooling
  std::vector<float> parameters;                  ///< W (ctnn layout), then b
  /// residual: the body's layers and the skip's projection (empty: skip=input); their
  /// parameters are also in `parameters`, body first (residual.hpp's frozen layout).
  std::vector<layer> body, projection;
  std::vector<std::string> sources;  ///< the ONNX nodes this layer came from

  /// e.g. "ctnn::conv2d<8, 3, 3, ctnn::relu, 1, ctnn::same>".
  std::string cxx() const;
  /// e.g. "conv2d(8,3x3,s1,same,relu)" (network.hpp's frozen format).
  std::string signature() const;
};

/// The imported network: its input shape (HWC; a vector input is 1×1×N) and layers.
struct model {
  std::size_t height = 1, width = 1, channels = 1;
  bool vector_input = true;
  std::string input_name;
  std::vector<layer> layers;
  std::vector<std::string> notes;  ///< what the import changed (moved activations, dropped nodes)

  std::size_t parameter_count() const;
  /// The input as a ctnn type, e.g. "ctnn::input<28, 28, 1>".
  std::string input_cxx() const;
};

/// Whether this build's ctnn has these layers (the generated headers may use them).
extern const bool have_depthwise;
extern const bool have_global_avg_pool;
extern const bool have_batch_norm;

/// Whether `m` has a batch_norm layer (also inside a residual block's body).
bool has_batch_norm(const model& m);

/// Lowers `g` (see the file comment). Throws ctnn::train::data_error naming g.file and the
/// offending node.
model lower(const graph& g);

/// Num/Den with the smallest Den ≤ max_den such that float(Num)/float(Den) == alpha;
/// false if there is none.
bool exact_ratio(float alpha, long long& num, long long& den, long long max_den = 10000);

}  // namespace ctnn::import
