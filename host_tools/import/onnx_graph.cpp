// SPDX-License-Identifier: MIT
#include "onnx_graph.hpp"

#include <onnx/onnx_pb.h>

#include <climits>
#include <cstring>
#include <set>
#include <utility>

#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/file_checks.hpp"

namespace ctnn::import {
namespace {

using ctnn::train::data_error;

/// Largest number of elements in one tensor (2^28 floats: 1 GiB, beyond any file we read).
constexpr std::int64_t max_elements = std::int64_t{1} << 28;

template <class T>
std::vector<T> from_raw(const std::string& raw, std::size_t count) {
  std::vector<T> v(count);
  if (count > 0) std::memcpy(v.data(), raw.data(), count * sizeof(T));  // little-endian host
  return v;
}

tensor convert_tensor(const onnx::TensorProto& t, const std::string& what,
                      const std::string& file) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw data_error(file, what +
                               " keeps its data in an external file; re-export with the "
                               "weights inside the model (torch.onnx.export does so below 2 GB)");
  tensor r;
  std::int64_t count = 1;
  for (const std::int64_t d : t.dims()) {
    if (d < 0 || d > max_elements || count * std::max<std::int64_t>(d, 1) > max_elements)
      throw data_error(file, what + " has an invalid or too large dimension " + std::to_string(d));
    r.dims.push_back(d);
    count *= d;
  }
  const auto n = static_cast<std::size_t>(count);
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: {
      if (raw ? t.raw_data().size() != n * 4 : static_cast<std::size_t>(t.float_data_size()) != n)
        throw data_error(file, what + ": its dimensions hold " + std::to_string(n) +
                                   " values but its data does not (truncated or mismatched)");
      r.floats = raw ? from_raw<float>(t.raw_data(), n)
                     : std::vector<float>(t.float_data().begin(), t.float_data().end());
      return r;
    }
    case onnx::TensorProto::INT64: {
      if (raw ? t.raw_data().size() != n * 8 : static_cast<std::size_t>(t.int64_data_size()) != n)
        throw data_error(file, what + ": its dimensions hold " + std::to_string(n) +
                                   " values but its data does not (truncated or mismatched)");
      r.is_float = false;
      r.ints = raw ? from_raw<std::int64_t>(t.raw_data(), n)
                   : std::vector<std::int64_t>(t.int64_data().begin(), t.int64_data().end());
      return r;
    }
    default:
      throw data_error(file, what + " has ONNX data type " + std::to_string(t.data_type()) +
                                 "; ctnn-import reads float32 (and int64 shapes) only");
  }
}

value_info convert_value_info(const onnx::ValueInfoProto& v) {
  value_info r;
  r.name = v.name();
  if (!v.has_type() || !v.type().has_tensor_type()) return r;
  const auto& t = v.type().tensor_type();
  r.elem_type = t.elem_type();
  if (!t.has_shape()) return r;
  r.has_shape = true;
  for (const auto& d : t.shape().dim()) {
    r.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    r.dim_names.push_back(d.has_dim_param() ? d.dim_param() : "");
  }
  return r;
}

attributes convert_attributes(const onnx::NodeProto& n) {
  attributes a;
  for (const auto& at : n.attribute()) {
    switch (at.type()) {
      case onnx::AttributeProto::INT:
        a.ints[at.name()] = at.i();
        break;
      case onnx::AttributeProto::FLOAT:
        a.floats[at.name()] = at.f();
        break;
      case onnx::AttributeProto::INTS:
        a.int_lists[at.name()] = {at.ints().begin(), at.ints().end()};
        break;
      case onnx::AttributeProto::STRING:
        a.strings[at.name()] = at.s();
        break;
      default:
        a.unsupported.push_back(at.name());
    }
  }
  return a;
}

}  // namespace

std::int64_t node::int_attr(const std::string& key, std::int64_t fallback) const {
  const auto it = attrs.ints.find(key);
  return it == attrs.ints.end() ? fallback : it->second;
}
float node::float_attr(const std::string& key, float fallback) const {
  const auto it = attrs.floats.find(key);
  return it == attrs.floats.end() ? fallback : it->second;
}
std::vector<std::int64_t> node::ints_attr(const std::string& key,
                                          std::vector<std::int64_t> fallback) const {
  const auto it = attrs.int_lists.find(key);
  return it == attrs.int_lists.end() ? std::move(fallback) : it->second;
}
std::string node::string_attr(const std::string& key, std::string fallback) const {
  const auto it = attrs.strings.find(key);
  return it == attrs.strings.end() ? std::move(fallback) : it->second;
}
std::string node::label() const {
  return "node '" + name + "' (" + op_type + ")";
}

graph parse_onnx(const void* data, std::size_t size, const std::string& file) {
  if (size == 0) throw data_error(file, "is empty, not an ONNX model");
  if (size > static_cast<std::size_t>(INT_MAX)) throw data_error(file, "is too large to parse");
  onnx::ModelProto m;
  if (!m.ParseFromArray(data, static_cast<int>(size)))
    throw data_error(file,
                     "is not a valid ONNX model (protobuf parse failed: truncated or not "
                     "an .onnx file)");
  if (!m.has_graph() || m.graph().node_size() == 0)
    throw data_error(file, "holds no graph (is it an ONNX model?)");

  graph g;
  g.file = file;
  g.producer = m.producer_name() + (m.producer_version().empty() ? "" : " " + m.producer_version());
  bool have_opset = false;
  for (const auto& o : m.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      g.opset = o.version();
      have_opset = true;
    }
  }
  if (!have_opset) throw data_error(file, "declares no default-domain (ai.onnx) opset");
  if (g.opset < min_opset || g.opset > max_opset)
    throw data_error(file, "uses opset " + std::to_string(g.opset) + "; ctnn-import reads opsets " +
                               std::to_string(min_opset) + " to " + std::to_string(max_opset) +
                               " (re-export with opset_version in that range)");

  const auto& gp = m.graph();
  for (const auto& t : gp.initializer()) {
    if (t.name().empty()) throw data_error(file, "has an initializer without a name");
    g.constants[t.name()] = convert_tensor(t, "initializer '" + t.name() + "'", file);
  }
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& n = gp.node(i);
    node r;
    r.name = n.name().empty() ? "#" + std::to_string(i) : n.name();
    r.op_type = n.op_type();
    r.domain = n.domain();
    r.inputs = {n.input().begin(), n.input().end()};
    r.outputs = {n.output().begin(), n.output().end()};
    if (r.op_type == "Constant" && (r.domain.empty() || r.domain == "ai.onnx")) {
      if (r.outputs.size() != 1) throw data_error(file, r.label() + " must have one output");
      tensor c;
      bool found = false;
      for (const auto& at : n.attribute()) {
        if (at.name() == "value" && at.type() == onnx::AttributeProto::TENSOR) {
          c = convert_tensor(at.t(), r.label(), file);
          found = true;
        } else if (at.name() == "value_ints" && at.type() == onnx::AttributeProto::INTS) {
          c.is_float = false;
          c.ints = {at.ints().begin(), at.ints().end()};
          c.dims = {static_cast<std::int64_t>(c.ints.size())};
          found = true;
        } else if (at.name() == "value_int" && at.type() == onnx::AttributeProto::INT) {
          c.is_float = false;
          c.ints = {at.i()};
          found = true;
        } else if (at.name() == "value_float" && at.type() == onnx::AttributeProto::FLOAT) {
          c.floats = {at.f()};
          found = true;
        }
      }
      if (!found)
        throw data_error(file, r.label() + ": only tensor, int(s) and float values are supported");
      g.constants[r.outputs[0]] = std::move(c);
      continue;
    }
    r.attrs = convert_attributes(n);
    g.nodes.push_back(std::move(r));
  }
  for (const auto& v : gp.input())
    if (!g.constants.count(v.name())) g.inputs.push_back(convert_value_info(v));
  for (const auto& v : gp.output()) g.outputs.push_back(convert_value_info(v));
  return g;
}

graph read_onnx(const std::filesystem::path& path, std::uint64_t max_bytes) {
  const ctnn::train::input_file in(path);
  const std::vector<unsigned char> bytes = in.read_all(max_bytes);
  return parse_onnx(bytes.data(), bytes.size(), path.string());
}

}  // namespace ctnn::import
