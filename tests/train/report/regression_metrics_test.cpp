// SPDX-License-Identifier: MIT
#include "ctnn/train/report/regression_metrics.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using ctnn::train::roc_auc;

TEST(regression_metrics, mse_and_mae_by_hand) {
  // Errors 1, −2, 0.5, 0: squares 1, 4, 0.25, 0 → 5.25 / 4; |·| 1, 2, 0.5, 0 → 3.5 / 4.
  const std::vector<float> a = {1, 0, 2.5f, 3}, t = {0, 2, 2, 3};
  EXPECT_DOUBLE_EQ(ctnn::train::mean_squared(a, t), 5.25 / 4);
  EXPECT_DOUBLE_EQ(ctnn::train::mean_absolute(a, t), 3.5 / 4);
  ctnn::train::regression_scores s, first, second;
  first.add(a.data(), t.data(), 2);
  second.add(a.data() + 2, t.data() + 2, 2);
  s.merge(first);
  s.merge(second);
  EXPECT_EQ(s.values, 4u);
  EXPECT_DOUBLE_EQ(s.mse(), 5.25 / 4);
  EXPECT_DOUBLE_EQ(s.mae(), 3.5 / 4);
  EXPECT_EQ(ctnn::train::regression_scores{}.mse(), 0.0);
  EXPECT_THROW(ctnn::train::mean_squared({1}, {1, 2}), std::invalid_argument);
}

TEST(regression_metrics, auc_with_ties_by_hand) {
  // Normal {0.1, 0.35, 0.4, 0.8}, abnormal {0.35, 0.9}. Pairs (abnormal, normal): 0.35 beats
  // 0.1 (1), ties 0.35 (1/2), loses to 0.4 and 0.8; 0.9 beats all four. (1.5 + 4) / 8.
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.4, 0.35, 0.8}, {0.35, 0.9}), 5.5 / 8);
  // A tie group spanning both sets and both ends: normal {1, 1, 2}, abnormal {1, 2, 2}:
  // abnormal 1: ties two (1); each abnormal 2 beats two, ties one (2.5 each). 6 / 9.
  EXPECT_DOUBLE_EQ(roc_auc({1, 1, 2}, {1, 2, 2}), 6.0 / 9);
  EXPECT_EQ(roc_auc({0, 1}, {2, 3}), 1.0);
  EXPECT_EQ(roc_auc({2, 3}, {0, 1}), 0.0);
  EXPECT_EQ(roc_auc({5, 5, 5}, {5}), 0.5);
}

TEST(regression_metrics, auc_equals_the_pairwise_count) {
  // An independent O(n·m) count on scores with many ties (integers 0..9).
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> score(0, 9);
  std::vector<double> normal(301), abnormal(157);
  for (double& v : normal) v = score(gen);
  for (double& v : abnormal) v = score(gen) + 2;
  std::uint64_t twice = 0;
  for (double a : abnormal)
    for (double n : normal) twice += a > n ? 2 : a == n ? 1 : 0;
  EXPECT_DOUBLE_EQ(roc_auc(normal, abnormal), double(twice) / (2.0 * 301 * 157));
}

TEST(regression_metrics, auc_refusals) {
  EXPECT_THROW(roc_auc({}, {1}), std::invalid_argument);
  EXPECT_THROW(roc_auc({1}, {}), std::invalid_argument);
  EXPECT_THROW(roc_auc({1, NAN}, {2}), std::invalid_argument);
}

}  // namespace
