// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// An ONNX model read into plain data: nodes, constant tensors, the graph's input and
/// output. The only part of ctnn-import that sees protobuf; everything after it
/// (lower.hpp, emit.hpp) works on these structs.
///
/// The file is hostile input: read_onnx() accepts only a regular file of at most
/// `max_bytes`, refuses a protobuf parse failure, a missing or unsupported opset, external
/// tensor data, tensor types other than float32 and int64, and tensors whose dimensions do
/// not match their data. Every failure is one data_error naming the file.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ctnn::import {

/// The default opset range whose operator semantics ctnn-import implements.
inline constexpr std::int64_t min_opset = 9;
inline constexpr std::int64_t max_opset = 18;
/// Largest .onnx file read (ctnn targets microcontrollers: real models are far smaller).
inline constexpr std::uint64_t max_model_bytes = 256u << 20;

/// A constant tensor (initializer or Constant node): float32 or int64 values, row-major.
struct tensor {
  std::vector<std::int64_t> dims;
  bool is_float = true;
  std::vector<float> floats;       ///< when is_float
  std::vector<std::int64_t> ints;  ///< otherwise
  std::size_t size() const { return is_float ? floats.size() : ints.size(); }
};

/// One node's attributes, by kind (other kinds are listed in `unsupported`).
struct attributes {
  std::map<std::string, std::int64_t> ints;
  std::map<std::string, float> floats;
  std::map<std::string, std::vector<std::int64_t>> int_lists;
  std::map<std::string, std::string> strings;
  std::vector<std::string> unsupported;
};

struct node {
  std::string name;  ///< the node's name, or "#<index>" if it has none
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;  ///< "" for an omitted optional input
  std::vector<std::string> outputs;
  attributes attrs;

  std::int64_t int_attr(const std::string& key, std::int64_t fallback) const;
  float float_attr(const std::string& key, float fallback) const;
  std::vector<std::int64_t> ints_attr(const std::string& key,
                                      std::vector<std::int64_t> fallback) const;
  std::string string_attr(const std::string& key, std::string fallback) const;
  /// "node 'fc1' (Gemm)", for messages.
  std::string label() const;
};

/// A graph input or output: its element type and dimensions (-1 for a symbolic or unknown
/// dimension, whose name is kept in `dim_names`).
struct value_info {
  std::string name;
  std::int32_t elem_type = 0;
  bool has_shape = false;
  std::vector<std::int64_t> dims;
  std::vector<std::string> dim_names;
};

struct graph {
  std::string file;  ///< the model's file name, for messages
  std::string producer;
  std::int64_t opset = 0;
  std::vector<node> nodes;  ///< in file order, Constant nodes removed (see constants)
  std::map<std::string, tensor> constants;
  std::vector<value_info> inputs;  ///< graph inputs that are not initializers
  std::vector<value_info> outputs;
};

/// Reads and checks `path` (see the file comment). Throws ctnn::train::data_error.
graph read_onnx(const std::filesystem::path& path, std::uint64_t max_bytes = max_model_bytes);

/// Parses an in-memory model (for read_onnx and for tests); `file` names it in messages.
graph parse_onnx(const void* data, std::size_t size, const std::string& file);

}  // namespace ctnn::import
