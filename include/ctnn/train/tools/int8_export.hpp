// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The trainer's `--export-int8 FILE` step: calibrate on the training data, quantize,
/// compare float and int8 on the test data, write the int8 weights header atomically.
/// It lives in the per-model trainer (not in the model-agnostic ctnn-export) because
/// calibration runs the float model, which only a program compiled for it can.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "ctnn/folded.hpp"
#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data/input_transform.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/export_int8.hpp"
#include "ctnn/train/quantize.hpp"

namespace ctnn::tools {

/// What the command line sets for --export-int8.
struct int8_export_settings {
  std::string out;                                  ///< header to write ("" = no int8 export)
  std::string name_space;                           ///< default: <model type>_int8_weights
  std::string model_header;                         ///< include path written into the header
  std::string model_type;                           ///< the float model's type as C++ text
  std::string source_name;                          ///< checkpoint name, for the header's comment
  std::string program, dataset;                     ///< metadata
  train::quantize_options quantize;                 ///< calibration samples and percentile
  std::optional<train::input_transform> transform;  ///< raw → input, for prepare(raw)
  std::vector<std::string> class_names;             ///< when known
};

/// export_int8 for a model without batch_norm.
template <class Net>
nlohmann::json export_int8_unfolded(const typename Net::parameters& p,
                                    const train::dataset& calibration, const train::dataset* scored,
                                    const int8_export_settings& s) {
  train::quantize_report report;
  report.ranges = train::calibrate<Net>(p, calibration, s.quantize);
  const auto q = train::quantize<Net>(p, report.ranges);
  if (scored != nullptr) train::compare<Net>(p, *q, *scored, 0, report);
  train::int8_export_options opt;
  opt.model_header = s.model_header;
  opt.model_type = s.model_type;
  opt.name_space = s.name_space;
  opt.source_name = s.source_name;
  opt.dataset = s.dataset;
  opt.program = s.program;
  opt.transform = s.transform;
  opt.class_names = s.class_names;
  train::write_file_atomically(s.out, train::export_int8_header<Net>(*q, report, opt));
  std::size_t degenerate = 0;
  for (const auto& r : report.ranges) degenerate += r.degenerate;
  std::fprintf(stderr,
               "int8: wrote %s (%zu weight bytes); on %zu samples: float accuracy %.4f, int8 "
               "accuracy %.4f, top-1 agreement %.4f%s\n",
               s.out.c_str(), quantized<Net>::weight_count, report.evaluated, report.float_accuracy,
               report.int8_accuracy, report.agreement,
               degenerate ? " (some tensors were constant during calibration)" : "");
  nlohmann::json j = {
      {"int8_header", s.out},
      {"int8_calibration_samples", std::min(s.quantize.calibration_samples, calibration.size())},
      {"int8_constant_tensors", degenerate}};
  if (scored != nullptr) {
    j["int8_compared_samples"] = report.evaluated;
    j["float_accuracy"] = report.float_accuracy;
    j["int8_accuracy"] = report.int8_accuracy;
    j["int8_top1_agreement"] = report.agreement;
  }
  return j;
}

/// Quantizes `p`, writes the header, prints the comparison on stderr and returns it as
/// JSON. `calibration` must be the training data in the model's input transform; `scored`
/// (may be null) the labelled data to compare on. Throws std::invalid_argument for bad
/// calibration data and train::data_error if the file cannot be written. A model with
/// batch_norm layers is folded first (folded.hpp): the header holds the int8 form of
/// ctnn::folded<Net>, named so (model type "ctnn::folded<type>"), calibrated and compared
/// as that float model.
template <class Net>
nlohmann::json export_int8(const typename Net::parameters& p, const train::dataset& calibration,
                           const train::dataset* scored, const int8_export_settings& s) {
  if constexpr (!std::is_same_v<folded<Net>, Net>) {
    auto f = std::make_unique<typename folded<Net>::parameters>();
    fold<Net>(p, *f);
    int8_export_settings fs = s;
    fs.model_type = "ctnn::folded<" + s.model_type + ">";
    return export_int8<folded<Net>>(*f, calibration, scored, fs);
  } else {
    return export_int8_unfolded<Net>(p, calibration, scored, s);
  }
}

}  // namespace ctnn::tools
