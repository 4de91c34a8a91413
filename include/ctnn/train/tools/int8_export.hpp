// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The trainer's `--export-int8 FILE` step: calibrate on the training data, quantize,
/// compare float and int8 on the test data, write the int8 weights header atomically.
/// It lives in the per-model trainer (not in the model-agnostic ctnn-export) because
/// calibration runs the float model, which only a program compiled for it can.
#include <cstdint>
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
#include "ctnn/train/report/regression_metrics.hpp"

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
  std::optional<std::uint32_t> normal_class;        ///< --normal-class: AUC on a regression set
};

/// Float and int8 outputs of a regression set `d` (float targets) against its targets: the
/// MSE of each and, if `normal_class` is given and `d` holds it and other classes, the ROC
/// AUC of each's per-sample MSE (class normal_class normal, the others abnormal). The int8
/// output is dequantized (x = s·(q − z)) before it is compared.
template <class Net>
nlohmann::json compare_regression(const typename Net::parameters& p,
                                  const typename quantized<Net>::parameters& q,
                                  const train::dataset& d,
                                  std::optional<std::uint32_t> normal_class) {
  using Q = quantized<Net>;
  auto x = std::make_unique<typename Net::input>();
  auto ws = std::make_unique<typename Net::workspace>();
  auto qws = std::make_unique<typename Q::workspace>();
  train::regression_scores float_scores, int8_scores;
  std::vector<double> float_error[2], int8_error[2];  // [0] normal, [1] abnormal
  for (std::size_t s = 0; s < d.size(); ++s) {
    for (std::size_t i = 0; i < Net::input_size; ++i)
      (*x)[i] = static_cast<typename Net::scalar>(d.sample(s)[i]);
    typename Net::output y;
    Net::forward_raw(p.values.data(), x->data(), ws->data(), y.data());
    const auto qy = Q::dequantize_output(q, Q::forward(q, Q::quantize_input(q, *x), *qws));
    train::regression_scores fs, is;
    fs.add(y.data(), d.target(s), Net::output_size);
    is.add(qy.data(), d.target(s), Net::output_size);
    float_scores.merge(fs);
    int8_scores.merge(is);
    if (normal_class && d.labelled()) {
      const std::size_t part = d.y[s] == *normal_class ? 0 : 1;
      float_error[part].push_back(fs.mse());
      int8_error[part].push_back(is.mse());
    }
  }
  nlohmann::json j = {{"int8_compared_samples", d.size()},
                      {"float_mse", float_scores.mse()},
                      {"int8_mse", int8_scores.mse()}};
  std::fprintf(stderr, "int8: on %zu samples: float MSE %.6f, int8 MSE %.6f", d.size(),
               float_scores.mse(), int8_scores.mse());
  if (!float_error[0].empty() && !float_error[1].empty()) {
    j["float_auc"] = train::roc_auc(float_error[0], float_error[1]);
    j["int8_auc"] = train::roc_auc(int8_error[0], int8_error[1]);
    std::fprintf(stderr, "; reconstruction AUC (class %u normal): float %.4f, int8 %.4f",
                 unsigned(*normal_class), j["float_auc"].get<double>(),
                 j["int8_auc"].get<double>());
  }
  std::fprintf(stderr, "\n");
  return j;
}

/// export_int8 for a model without batch_norm.
template <class Net>
nlohmann::json export_int8_unfolded(const typename Net::parameters& p,
                                    const train::dataset& calibration, const train::dataset* scored,
                                    const int8_export_settings& s) {
  train::quantize_report report;
  report.ranges = train::calibrate<Net>(p, calibration, s.quantize);
  const auto q = train::quantize<Net>(p, report.ranges);
  const bool regression = scored != nullptr && scored->regression();
  if (scored != nullptr && !regression) train::compare<Net>(p, *q, *scored, 0, report);
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
  if (regression || scored == nullptr)
    std::fprintf(stderr, "int8: wrote %s (%zu weight bytes)%s\n", s.out.c_str(),
                 quantized<Net>::weight_count,
                 degenerate ? " (some tensors were constant during calibration)" : "");
  else
    std::fprintf(stderr,
                 "int8: wrote %s (%zu weight bytes); on %zu samples: float accuracy %.4f, int8 "
                 "accuracy %.4f, top-1 agreement %.4f%s\n",
                 s.out.c_str(), quantized<Net>::weight_count, report.evaluated,
                 report.float_accuracy, report.int8_accuracy, report.agreement,
                 degenerate ? " (some tensors were constant during calibration)" : "");
  nlohmann::json j = {
      {"int8_header", s.out},
      {"int8_calibration_samples", std::min(s.quantize.calibration_samples, calibration.size())},
      {"int8_constant_tensors", degenerate}};
  if (regression) {
    j.update(compare_regression<Net>(p, *q, *scored, s.normal_class));
  } else if (scored != nullptr) {
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
