// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Regression and anomaly-detection metrics: mean squared and mean absolute error over
/// every output of every sample, and the ROC AUC of anomaly scores (e.g. an autoencoder's
/// reconstruction error) between a normal and an abnormal set. Host only.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace ctnn::train {

/// MSE and MAE: means over all `values` outputs seen (sample count × outputs), in double.
struct regression_scores {
  double squared_sum = 0, absolute_sum = 0;
  std::size_t values = 0;

  /// Adds one sample's `n` outputs `a` against their targets `t`.
  template <class A, class T>
  void add(const A* a, const T* t, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      const double d = double(a[i]) - double(t[i]);
      squared_sum += d * d;
      absolute_sum += d < 0 ? -d : d;
    }
    values += n;
  }
  void merge(const regression_scores& o) noexcept {
    squared_sum += o.squared_sum;
    absolute_sum += o.absolute_sum;
    values += o.values;
  }
  /// Mean squared error (0 with nothing added).
  double mse() const noexcept { return values == 0 ? 0.0 : squared_sum / double(values); }
  /// Mean absolute error (0 with nothing added).
  double mae() const noexcept { return values == 0 ? 0.0 : absolute_sum / double(values); }
};

/// The mean squared error of `predicted` against `targets` (same length; 0 if empty).
inline double mean_squared(const std::vector<float>& predicted, const std::vector<float>& targets) {
  if (predicted.size() != targets.size())
    throw std::invalid_argument("mean_squared: predictions and targets differ in number");
  regression_scores s;
  s.add(predicted.data(), targets.data(), predicted.size());
  return s.mse();
}

/// The mean absolute error of `predicted` against `targets` (same length; 0 if empty).
inline double mean_absolute(const std::vector<float>& predicted,
                            const std::vector<float>& targets) {
  if (predicted.size() != targets.size())
    throw std::invalid_argument("mean_absolute: predictions and targets differ in number");
  regression_scores s;
  s.add(predicted.data(), targets.data(), predicted.size());
  return s.mae();
}

/// The area under the ROC curve of anomaly scores, a higher score meaning "more abnormal":
/// the probability that a random abnormal sample scores above a random normal one, ties
/// counting one half (the Mann–Whitney U statistic over n·m). Exact: midranks are kept as
/// integers (twice the rank), so the only rounding is the final division. Throws
/// std::invalid_argument if either set is empty or a score is NaN.
inline double roc_auc(const std::vector<double>& normal, const std::vector<double>& abnormal) {
  if (normal.empty() || abnormal.empty())
    throw std::invalid_argument("roc_auc: needs at least one normal and one abnormal score");
  std::vector<std::pair<double, bool>> all;  // (score, abnormal)
  all.reserve(normal.size() + abnormal.size());
  for (double v : normal) all.emplace_back(v, false);
  for (double v : abnormal) all.emplace_back(v, true);
  for (const auto& [v, is_abnormal] : all)
    if (std::isnan(v)) throw std::invalid_argument("roc_auc: a score is NaN");
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Twice the sum of the abnormal samples' midranks: a tie group at 1-based ranks
  // p..p+g−1 has midrank p + (g−1)/2, twice that is 2p + g − 1.
  std::uint64_t twice_rank_sum = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    std::uint64_t abnormal_in_group = 0;
    while (j < all.size() && all[j].first == all[i].first) abnormal_in_group += all[j++].second;
    const std::uint64_t g = j - i, p = i + 1;
    twice_rank_sum += abnormal_in_group * (2 * p + g - 1);
    i = j;
  }
  const std::uint64_t m = abnormal.size(), n = normal.size();
  const std::uint64_t twice_u = twice_rank_sum - m * (m + 1);  // 2·(R − m(m+1)/2)
  return double(twice_u) / (2.0 * double(n) * double(m));
}

}  // namespace ctnn::train
