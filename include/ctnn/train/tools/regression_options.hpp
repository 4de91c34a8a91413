// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The trainer command line's float targets (issue 13): `--target-columns LIST` (CSV
/// regression), `--target input` (autoencoders: each sample's target is its own input, after
/// --scale and --standardize) and `--normal-class K` (anomaly detection: train on class K
/// only; score each evaluated set's class-K samples against the others by the ROC AUC of
/// their reconstruction error). Host only; used by trainer_main.hpp.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data/targets.hpp"
#include "ctnn/train/loss.hpp"
#include "ctnn/train/records.hpp"
#include "ctnn/train/report/regression_metrics.hpp"

namespace ctnn::tools {

/// What the command line says about targets.
struct target_settings {
  std::string target = "label";               ///< --target label|input
  std::string columns;                        ///< --target-columns (CSV)
  std::optional<std::uint32_t> normal_class;  ///< --normal-class K

  /// True for a regression run (MSE against float target vectors).
  bool regression() const noexcept { return target == "input" || !columns.empty(); }
};

/// Refuses contradictory or impossible target options before any data is read (exit 1):
/// `csv` is whether the data comes from --csv, `inputs`/`outputs` the model's sizes and
/// `loss` the --loss given ("" if none).
inline void check_target_options(const target_settings& t, bool csv, std::size_t inputs,
                                 std::size_t outputs, const std::string& loss) {
  if (t.target != "label" && t.target != "input")
    throw std::invalid_argument("--target " + t.target + ": expected label or input");
  if (t.target == "input" && !t.columns.empty())
    throw std::invalid_argument(
        "give either --target input (reconstruct the inputs) or --target-columns (targets "
        "from the CSV), not both: --target input and --target-columns");
  if (!t.columns.empty() && !csv)
    throw std::invalid_argument("--target-columns reads --csv FILE's columns; give --csv");
  if (t.target == "input" && inputs != outputs)
    throw std::invalid_argument("--target input needs as many outputs as inputs: this model has " +
                                std::to_string(inputs) + " inputs and " + std::to_string(outputs) +
                                " outputs");
  if (t.regression() && !loss.empty() && loss != "mse")
    throw std::invalid_argument("--loss " + loss +
                                " is a class-label loss; float targets (--target input, "
                                "--target-columns) train with --loss mse");
  if (t.normal_class && !t.regression())
    throw std::invalid_argument(
        "--normal-class needs float targets: an autoencoder (--target input) or "
        "--target-columns, whose reconstruction error scores the samples");
}

/// A regression set's figures and, with a normal class, its anomaly scores.
struct regression_figures {
  double mse = 0, mae = 0;  ///< over the whole set
  std::size_t samples = 0;
  bool anomaly = false;                     ///< normal class given and both parts present
  double auc = 0;                           ///< ROC AUC of the per-sample MSE, normal vs rest
  double normal_mse = 0, abnormal_mse = 0;  ///< mean per-sample MSE of each part
  std::size_t normal = 0, abnormal = 0;     ///< samples in each part
};

/// Evaluates `set` with `evaluate(set)` → eval_record (a trainer's evaluate): MSE, MAE and,
/// if `normal_class` is given and `set` has samples of that class and of others, the AUC.
template <class Evaluate>
regression_figures regression_scores_of(Evaluate&& evaluate, const train::dataset& set,
                                        std::optional<std::uint32_t> normal_class) {
  const train::eval_record all = evaluate(set);
  regression_figures f;
  f.mse = all.loss;
  f.mae = all.mae;
  f.samples = all.samples;
  if (!normal_class || !set.labelled()) return f;
  std::vector<double> normal, abnormal;
  for (std::size_t i = 0; i < set.size(); ++i)
    (set.y[i] == *normal_class ? normal : abnormal).push_back(all.errors[i]);
  if (normal.empty() || abnormal.empty()) return f;
  f.anomaly = true;
  f.auc = train::roc_auc(normal, abnormal);
  f.normal = normal.size();
  f.abnormal = abnormal.size();
  for (double e : normal) f.normal_mse += e / double(normal.size());
  for (double e : abnormal) f.abnormal_mse += e / double(abnormal.size());
  return f;
}

/// The figures as JSON keys named after the set (`kind`: train, validation or test), e.g.
/// test_mse, test_mae, test_auc, test_normal_mse.
inline void add_regression_json(nlohmann::json& j, const std::string& kind,
                                const regression_figures& f) {
  j[kind + "_samples"] = f.samples;
  j[kind + "_mse"] = f.mse;
  j[kind + "_mae"] = f.mae;
  if (!f.anomaly) return;
  j[kind + "_auc"] = f.auc;
  j[kind + "_normal_mse"] = f.normal_mse;
  j[kind + "_abnormal_mse"] = f.abnormal_mse;
  j[kind + "_normal_samples"] = f.normal;
  j[kind + "_abnormal_samples"] = f.abnormal;
}

}  // namespace ctnn::tools
