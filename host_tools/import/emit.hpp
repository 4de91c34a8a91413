// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The two headers ctnn-import writes for a lowered model (lower.hpp):
/// - the model header: `namespace ns { using name = ctnn::network<float, …>; }`, one layer
///   per line with the ONNX nodes it came from;
/// - the weights header, in exactly the format ctnn-export writes (export.hpp: signature
///   and parameter-count static_asserts, CRC-32 of the little-endian parameter bytes,
///   hexadecimal float literals), made by the same function from the same data.
/// Both are pure functions of their inputs: the same model gives the same bytes.
#include <string>

#include "ctnn/train/io/checkpoint_data.hpp"
#include "lower.hpp"

namespace ctnn::import {

struct emit_options {
  std::string type_name;       ///< qualified model type, e.g. "models::mlp"
  std::string source_name;     ///< the .onnx file's name, for comments
  std::string producer;        ///< e.g. "pytorch 1.13.1"
  std::string mode = "fused";  ///< ctnn's numeric mode: fused or unfused
};

/// "ctnn1|f32|fused|in(1x1x784)|dense(32,relu)|…", as Net::signature spells it.
std::string signature(const model& m, const std::string& mode);

/// The model header's text.
std::string model_header(const model& m, const emit_options& opt);

/// The parameters as ctnn-export's input: signature, float scalars, little-endian bytes.
ctnn::train::checkpoint_data parameters_of(const model& m, const std::string& mode);

/// A ctnn checkpoint of the imported parameters that every ctnn trainer for this type can
/// --resume (fine-tuning in ctnn, or its --export-int8): the parameters, a fresh Adam state
/// (zero moments, epoch and step 0, the trainers' default optimiser), the RNG state of seed
/// 42 (the trainers' default), and metadata naming the model header, type and weights
/// namespace, as a trainer's checkpoint does, so `ctnn-export` takes it as well.
ctnn::train::checkpoint_data checkpoint_of(const model& m, const emit_options& opt,
                                           const std::string& model_include,
                                           const std::string& weights_namespace);

/// The weights header's text (ctnn::train::export_header); it includes `model_include`
/// and binds to opt.type_name in namespace `weights_namespace`.
std::string weights_header(const model& m, const emit_options& opt,
                           const std::string& model_include, const std::string& weights_namespace);

}  // namespace ctnn::import
