// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Preparing a dataset for training: pixel scaling, optional standardisation with
/// statistics of the training set only, a seeded validation split, and the check that a
/// dataset fits a model. Host only.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data/synthetic.hpp"
#include "ctnn/train/data_error.hpp"

namespace ctnn::train {

/// x ← x · factor (e.g. 1/255 for 8-bit pixels). The product of a float by the float
/// `factor` is exact-rounded, so every platform gets the same bits.
inline void scale(dataset& d, float factor) noexcept {
  for (float& v : d.x) v *= factor;
}

/// Pixel scaling to [0, 1]: x / 255 (a true division, as PyTorch's ToTensor does).
inline void scale_pixels(dataset& d) noexcept {
  for (float& v : d.x) v /= 255.0f;
}

/// Per-feature standardisation x' = (x − mean) / std. Fit it on the training set and
/// apply the same statistics to validation and test sets (never refit on them). A
/// constant feature (std 0, e.g. MNIST's border pixels) gets std 1, so it becomes 0.
struct standardizer {
  std::vector<float> mean, stddev;

  /// Statistics of `d`, accumulated in double in sample order (deterministic).
  static standardizer fit(const dataset& d) {
    standardizer s;
    const std::size_t n = d.size(), f = d.features;
    std::vector<double> sum(f, 0.0), sum_sq(f, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < f; ++j) {
        const double v = d.x[i * f + j];
        sum[j] += v;
        sum_sq[j] += v * v;
      }
    s.mean.resize(f);
    s.stddev.resize(f);
    for (std::size_t j = 0; j < f; ++j) {
      const double m = n == 0 ? 0.0 : sum[j] / static_cast<double>(n);
      const double var = n == 0 ? 0.0 : std::max(0.0, sum_sq[j] / static_cast<double>(n) - m * m);
      const double sd = std::sqrt(var);
      s.mean[j] = static_cast<float>(m);
      s.stddev[j] = sd > 1e-12 ? static_cast<float>(sd) : 1.0f;
    }
    return s;
  }

  /// Applies the statistics to `d` (which must have as many features).
  void apply(dataset& d) const {
    if (d.features != mean.size())
      throw data_error(d.name, "has " + std::to_string(d.features) +
                                   " features but the standardisation was fitted on " +
                                   std::to_string(mean.size()));
    const std::size_t f = d.features;
    for (std::size_t i = 0; i < d.size(); ++i)
      for (std::size_t j = 0; j < f; ++j) d.x[i * f + j] = (d.x[i * f + j] - mean[j]) / stddev[j];
  }
};

/// Moves `count` samples chosen at random (seeded) out of `train` into the returned
/// validation set (with their labels and targets); both keep the remaining samples in their
/// original order. count 0 returns an empty set and leaves `train` untouched.
inline dataset split_validation(dataset& train, std::size_t count, std::uint64_t seed) {
  dataset validation;
  validation.name = train.name + "/validation";
  validation.features = train.features;
  validation.classes = train.classes;
  validation.class_names = train.class_names;
  validation.targets = train.targets;
  if (count == 0) return validation;
  const std::size_t n = train.size();
  if (count >= n)
    throw data_error(train.name, "--validation " + std::to_string(count) +
                                     " leaves no training samples (the set holds " +
                                     std::to_string(n) + ")");
  // Partial Fisher–Yates: the first `count` entries of a seeded permutation.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  detail::data_rng rng(seed ^ 0x76616c6964617465ull);  // "validate": a stream of its own
  for (std::size_t i = 0; i < count; ++i) std::swap(order[i], order[i + rng.below(n - i)]);
  std::vector<bool> chosen(n, false);
  for (std::size_t i = 0; i < count; ++i) chosen[order[i]] = true;

  dataset rest;
  rest.name = train.name;
  rest.features = train.features;
  rest.classes = train.classes;
  rest.class_names = train.class_names;
  rest.targets = train.targets;
  const std::size_t f = train.features, k = train.targets;
  for (std::size_t i = 0; i < n; ++i) {
    dataset& to = chosen[i] ? validation : rest;
    to.x.insert(to.x.end(), train.x.begin() + static_cast<std::ptrdiff_t>(i * f),
                train.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * f));
    if (train.labelled()) to.y.push_back(train.y[i]);
    to.t.insert(to.t.end(), train.t.begin() + static_cast<std::ptrdiff_t>(i * k),
                train.t.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
  }
  train = std::move(rest);
  return validation;
}

/// Throws data_error (naming the dataset) unless `d` fits a model with `inputs` inputs
/// and `classes` classes (labels must be < classes; pass 0 to skip the label check).
inline void check_fits_model(const dataset& d, std::size_t inputs, std::size_t classes) {
  if (d.features != inputs)
    throw data_error(d.name, "samples have " + std::to_string(d.features) +
                                 " values but the model expects " + std::to_string(inputs) +
                                 " inputs");
  if (classes == 0) return;
  for (std::size_t i = 0; i < d.y.size(); ++i)
    if (d.y[i] >= classes)
      throw data_error(d.name, "label " + std::to_string(d.y[i]) + " of sample " +
                                   std::to_string(i) + " is out of range for a model with " +
                                   std::to_string(classes) + " classes");
}

}  // namespace ctnn::train
