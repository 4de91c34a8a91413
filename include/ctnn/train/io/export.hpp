// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The exporter: turns a checkpoint into a C++ header of `constexpr` parameters bound to
/// the model type. Host only.
///
/// The header is a pure function of the checkpoint and the options (no timestamps, no
/// locale): the same checkpoint always gives the same bytes. Values are written as
/// hexadecimal floating literals, so every bit round-trips. The header checks the model's
/// signature and its parameter count with static_asserts before the values (so weights of
/// another architecture fail with a sentence, not with "too many initializers"), and carries the
/// CRC-32 of the parameters' bytes for the firmware to verify at boot. It runs no constexpr loop
/// over its values, so 110k parameters compile in seconds.
///
/// It also carries the model's input contract: the input transform used in training (see
/// data/input_transform.hpp) as constants and a constexpr `prepare(raw)` that applies it,
/// and the class names when the trainer knew them.
///
/// A model with batch_norm layers (its signature lists "batch_norm(", inside residual blocks
/// too) is exported folded:
/// `trained_model` is the checkpoint's type and `trained_weights` its values (checked
/// against its signature and count as above); `model` is ctnn::folded<trained_model> and
/// `weights` its parameters, computed by ctnn::fold in constant evaluation, so the header
/// needs no program compiled for the model and the device runs the folded network (see
/// folded.hpp). `crc32` is then the CRC of the folded values, computed at compile time.
#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ctnn/train/data/input_transform.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"

namespace ctnn::train {

struct export_options {
  std::string model_header;   ///< include path of the model header, e.g. "models/mlp.hpp"
  std::string model_type;     ///< the model's type, e.g. "ctnn_models::mlp"
  std::string name_space;     ///< namespace of the generated objects, e.g. "ctnn_weights::mlp"
  std::string source_name;    ///< shown in the header's first comment (checkpoint file name)
  std::string dataset;        ///< metadata: data set the weights were trained on
  double test_accuracy = -1;  ///< metadata: fraction in [0, 1], or < 0 if unknown
  input_transform transform;  ///< written as constants and prepare(raw)
  std::vector<std::string> class_names;  ///< written as class_names when not empty
};

namespace detail {

/// Shortest hexadecimal literal for v that reads back as the same bits.
template <class T>
std::string hex_literal(T v) {
  char buf[64];
  const bool negative = std::signbit(v);
  const auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::hex);
  std::string s = negative ? "-0x" : "0x";
  s.append(buf, r.ptr);
  if constexpr (sizeof(T) == 4) s += 'f';
  return s;
}

template <class T>
void append_values(std::string& out, const checkpoint_data& c, const std::string& file) {
  const std::size_t n = c.parameters.size() / sizeof(T);
  for (std::size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, c.parameters.data() + i * sizeof(T), sizeof(T));
    if (!std::isfinite(v))
      throw data_error(file, "parameter " + std::to_string(i) +
                                 " is not finite (the run diverged); refusing to export it");
    out += i % 6 == 0 ? "\n    " : " ";
    out += hex_literal(v);
    out += ',';
  }
}

inline std::string escape(std::string_view s) {
  std::string r;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') r += '\\';
    if (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f) r += ch;
  }
  return r;
}

/// The input transform as constants and `constexpr prepare(raw)`, for the generated header's
/// namespace. `result` is the C++ type prepare returns (an array of `scalar`, sized
/// `input_size`, both C++ expressions valid in the header).
inline void append_input_contract(std::string& h, const input_transform& t,
                                  const std::vector<std::string>& class_names,
                                  const std::string& input_size, const std::string& scalar) {
  h += "/// The input transform used in training: x = raw " +
       std::string(t.divisor > 0 ? "/ input_divisor" : "· input_scale") +
       (t.standardized() ? ", then (x − input_mean[i]) / input_std[i]" : "") +
       ". prepare(raw) applies it\n/// with the trainer's float operations, so the network gets "
       "the values it was trained on.\n";
  h += "inline constexpr float input_scale = " + hex_literal(t.scale) + ";\n";
  h += "inline constexpr float input_divisor = " + hex_literal(t.divisor) + ";  // 0: none\n";
  h += "inline constexpr bool input_standardized = " +
       std::string(t.standardized() ? "true" : "false") + ";\n";
  if (t.standardized()) {
    auto array = [&h](const char* name, const std::vector<float>& values) {
      h += "inline constexpr std::array<float, " + std::to_string(values.size()) + "> " + name +
           " = {";
      for (std::size_t i = 0; i < values.size(); ++i) {
        h += i % 6 == 0 ? "\n    " : " ";
        h += hex_literal(values[i]);
        h += ',';
      }
      h += "\n};\n";
    };
    array("input_mean", t.mean);
    array("input_std", t.stddev);
    h += "static_assert(input_mean.size() == " + input_size +
         ", \"ctnn: the standardisation has another input size than the model\");\n";
  }
  h += "/// Raw feature values, as in the training data → the model's input.\n";
  h += "constexpr std::array<" + scalar + ", " + input_size + "> prepare(const std::array<float, " +
       input_size + ">& raw) noexcept {\n";
  h += "  std::array<" + scalar + ", " + input_size + "> x{};\n";
  h += "  for (std::size_t i = 0; i < x.size(); ++i) {\n";
  if (t.divisor > 0)
    h += "    float v = raw[i] / input_divisor;\n";
  else if (t.scale != 1.0f)
    h += "    float v = raw[i] * input_scale;\n";
  else
    h += "    float v = raw[i];\n";
  if (t.standardized()) h += "    v = (v - input_mean[i]) / input_std[i];\n";
  h += "    x[i] = static_cast<" + scalar + ">(v);\n  }\n  return x;\n}\n";
  if (!class_names.empty()) {
    h += "/// The class of each output index.\n";
    h += "inline constexpr std::array<std::string_view, " + std::to_string(class_names.size()) +
         "> class_names = {";
    for (std::size_t i = 0; i < class_names.size(); ++i)
      h += (i ? ", \"" : "\"") + escape(class_names[i]) + "\"";
    h += "};\n";
  }
}

}  // namespace detail

/// The header's text. Throws data_error (naming opt.source_name) if the checkpoint's
/// parameters are not finite or its scalar size is not 4 or 8.
inline std::string export_header(const checkpoint_data& c, const export_options& opt) {
  if (c.scalar_bytes != 4 && c.scalar_bytes != 8)
    throw data_error(opt.source_name, "unsupported scalar size " + std::to_string(c.scalar_bytes));
  const std::size_t count = c.parameters.size() / c.scalar_bytes;
  const auto crc = static_cast<std::uint32_t>(
      ::crc32(0, c.parameters.data(), static_cast<uInt>(c.parameters.size())));
  char crc_hex[16];
  const auto crc_end = std::to_chars(crc_hex, crc_hex + sizeof crc_hex, crc, 16).ptr;

  std::string h;
  h.reserve(count * 18 + 2048);
  h += "// SPDX-License-Identifier: MIT\n";
  h += "// Generated by ctnn-export from " + detail::escape(opt.source_name) +
       ". Do not edit: re-export instead.\n";
  h += "// clang-format off\n";
  h += "#pragma once\n\n#include <array>\n#include <cstddef>\n#include <cstdint>\n"
       "#include <string_view>\n\n";
  // A model with batch_norm layers is exported folded (ctnn/folded.hpp): the trained
  // values are `trained_weights` of the trained type, `model` is ctnn::folded<trained type>
  // and `weights` its parameters, folded in constant evaluation (the same bits as
  // ctnn::fold at run time), so the device runs the folded model and the trained values
  // are never odr-used. `crc32` is then computed at compile time over the folded values.
  const bool fold = c.signature.find("batch_norm(") != std::string::npos;
  const std::string trained = fold ? "trained_model" : "model";
  h += "#include \"ctnn/parameters.hpp\"\n#include \"ctnn/network.hpp\"\n";
  if (fold) h += "#include \"ctnn/crc32.hpp\"\n#include \"ctnn/folded.hpp\"\n";
  h += "#include \"" + detail::escape(opt.model_header) + "\"\n\n";
  h += "namespace " + opt.name_space + " {\n\n";
  h += "using " + trained + " = " + opt.model_type + ";\n";
  if (fold)
    h += "/// The device model: the trained one with its batch_norm layers folded.\n"
         "using model = ctnn::folded<trained_model>;\n";
  h += "\n/// The architecture these weights were trained for.\n";
  h += "inline constexpr std::string_view signature = \"" + detail::escape(c.signature) + "\";\n";
  h += "static_assert(ctnn::weights_match<" + trained + ", " + trained +
       "::signature == signature>);\n\n";
  h += "inline constexpr std::size_t " + std::string(fold ? "trained_" : "") +
       "parameter_count = " + std::to_string(count) + ";\n";
  h += "static_assert(" + trained + "::parameter_count == " + (fold ? "trained_" : "") +
       "parameter_count, \"ctnn: these weights hold " + std::to_string(count) +
       " parameters but the model type has another count: export a checkpoint of this "
       "model\");\n";
  if (fold) {
    h += "inline constexpr std::size_t parameter_count = model::parameter_count;\n";
    h += "/// CRC-32 (zlib) of the trained parameters' little-endian bytes (the checkpoint's).\n";
    h += "inline constexpr std::uint32_t trained_crc32 = 0x" + std::string(crc_hex, crc_end) +
         "u;\n";
  } else {
    h += "/// CRC-32 (zlib) of the parameters' little-endian bytes; check at boot with\n"
         "/// ctnn::crc32(weights.values) == crc32 (ctnn/crc32.hpp).\n";
    h += "inline constexpr std::uint32_t crc32 = 0x" + std::string(crc_hex, crc_end) + "u;\n";
  }
  h += "inline constexpr std::string_view dataset = \"" + detail::escape(opt.dataset) + "\";\n";
  if (opt.test_accuracy >= 0) {
    char acc[32];
    const auto r = std::to_chars(acc, acc + sizeof acc, opt.test_accuracy);
    h += "/// Test accuracy measured by the trainer (fraction).\n";
    h += "inline constexpr double test_accuracy = " + std::string(acc, r.ptr) + ";\n";
  }
  h += '\n';
  detail::append_input_contract(h, opt.transform, opt.class_names, "model::input_size",
                                "model::scalar");
  h +=
      "\ninline constexpr " + trained + "::parameters " + (fold ? "trained_" : "") + "weights = {{";
  if (c.scalar_bytes == 4)
    detail::append_values<float>(h, c, opt.source_name);
  else
    detail::append_values<double>(h, c, opt.source_name);
  h += "\n}};\n";
  if (fold) {
    h += "\n/// The folded parameters (ctnn::fold in constant evaluation).\n";
    h += "inline constexpr model::parameters weights = [] {\n"
         "  model::parameters folded{};\n"
         "  ctnn::fold<trained_model>(trained_weights, folded);\n"
         "  return folded;\n"
         "}();\n";
    h += "/// CRC-32 (zlib) of the folded parameters' little-endian bytes; check at boot with\n"
         "/// ctnn::crc32(weights.values) == crc32 (ctnn/crc32.hpp).\n";
    h += "inline constexpr std::uint32_t crc32 = ctnn::crc32(weights.values);\n";
  }
  h += "\n}  // namespace " + opt.name_space + "\n// clang-format on\n";
  return h;
}

}  // namespace ctnn::train
