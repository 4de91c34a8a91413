// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Float targets for regression and autoencoders: "target = input", the check that a
/// regression set fits a model's outputs, and the class subsets of anomaly detection (train
/// on the normal class; score normal against abnormal samples). Host only.
///
/// @code
/// dataset train = load_mnist_dir(dir, "train", 10), test = load_mnist_dir(dir, "t10k", 10);
/// train = samples_of_class(train, 0);   // "normal": class 0 only
/// use_inputs_as_targets(train);         // an autoencoder reconstructs its input
/// auto [normal, abnormal] = split_by_class(test, 0);
/// @endcode
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"

namespace ctnn::train {

/// Makes every sample's target its own input (t = x, after any scaling and
/// standardisation applied to x so far): the autoencoder's reconstruction target.
inline void use_inputs_as_targets(dataset& d) {
  d.targets = d.features;
  d.t = d.x;
}

/// Throws data_error (naming the dataset) unless `d` has exactly `outputs` targets per
/// sample: a regression set for a model with `outputs` outputs.
inline void check_targets_fit_model(const dataset& d, std::size_t outputs) {
  if (!d.regression())
    throw data_error(d.name,
                     "has no targets (give the target columns, or use the inputs as "
                     "targets) but a regression needs " +
                         std::to_string(outputs) + " per sample");
  if (d.targets != outputs)
    throw data_error(d.name, "has " + std::to_string(d.targets) +
                                 " target values per sample but the model has " +
                                 std::to_string(outputs) + " outputs");
  if (d.t.size() != d.size() * d.targets)
    throw data_error(d.name, "has " + std::to_string(d.t.size()) + " target values for " +
                                 std::to_string(d.size()) + " samples of " +
                                 std::to_string(d.targets));
}

/// The samples of `d` for which keep[i] (features, label and targets), in order, named `name`.
inline dataset select_samples(const dataset& d, const std::vector<bool>& keep, std::string name) {
  dataset r;
  r.name = std::move(name);
  r.features = d.features;
  r.classes = d.classes;
  r.rows = d.rows;
  r.cols = d.cols;
  r.class_names = d.class_names;
  r.targets = d.targets;
  const std::size_t f = d.features, k = d.targets;
  for (std::size_t i = 0; i < d.size() && i < keep.size(); ++i) {
    if (!keep[i]) continue;
    r.x.insert(r.x.end(), d.x.begin() + static_cast<std::ptrdiff_t>(i * f),
               d.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * f));
    if (d.labelled()) r.y.push_back(d.y[i]);
    r.t.insert(r.t.end(), d.t.begin() + static_cast<std::ptrdiff_t>(i * k),
               d.t.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
  }
  return r;
}

/// The samples of `d` whose label is `normal` ("<name>/class<K>"). Throws data_error if `d`
/// is unlabelled, `normal` is not one of its classes or no sample has that label.
inline dataset samples_of_class(const dataset& d, std::uint32_t normal) {
  if (!d.labelled())
    throw data_error(d.name, "has no class labels, so no samples of class " +
                                 std::to_string(normal) + " to choose");
  if (d.classes != 0 && normal >= d.classes)
    throw data_error(d.name, "class " + std::to_string(normal) + " is out of range (0.." +
                                 std::to_string(d.classes - 1) + ")");
  std::vector<bool> keep(d.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    keep[i] = d.y[i] == normal;
    if (keep[i]) ++kept;
  }
  if (kept == 0) throw data_error(d.name, "has no sample of class " + std::to_string(normal));
  return select_samples(d, keep, d.name + "/class" + std::to_string(normal));
}

/// (samples of class `normal`, all other samples): the normal and the abnormal set of
/// anomaly detection. Throws data_error if `d` is unlabelled or either part is empty.
inline std::pair<dataset, dataset> split_by_class(const dataset& d, std::uint32_t normal) {
  dataset n = samples_of_class(d, normal);
  std::vector<bool> other(d.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    other[i] = d.y[i] != normal;
    if (other[i]) ++kept;
  }
  if (kept == 0)
    throw data_error(d.name, "has only samples of class " + std::to_string(normal) +
                                 ", so nothing abnormal to score");
  return {std::move(n), select_samples(d, other, d.name + "/not-class" + std::to_string(normal))};
}

}  // namespace ctnn::train
