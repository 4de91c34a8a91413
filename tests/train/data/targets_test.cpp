// SPDX-License-Identifier: MIT
#include "ctnn/train/data/targets.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ctnn/train/data/preprocess.hpp"

namespace {

using ctnn::train::data_error;
using ctnn::train::dataset;

/// 4 samples of 2 features, labels 0, 2, 0, 1 (of 3 classes), targets 10·i and 10·i + 1.
dataset four() {
  dataset d;
  d.name = "four";
  d.features = 2;
  d.classes = 3;
  d.x = {0, 1, 2, 3, 4, 5, 6, 7};
  d.y = {0, 2, 0, 1};
  d.targets = 2;
  d.t = {0, 1, 10, 11, 20, 21, 30, 31};
  return d;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(targets, inputs_as_targets_copy_the_features) {
  dataset d = four();
  d.targets = 0;
  d.t.clear();
  EXPECT_FALSE(d.regression());
  ctnn::train::use_inputs_as_targets(d);
  EXPECT_TRUE(d.regression());
  EXPECT_EQ(d.targets, 2u);
  EXPECT_EQ(d.t, d.x);
  EXPECT_EQ(d.target(3)[1], 7.0f);
}

TEST(targets, fit_check_names_counts) {
  const dataset d = four();
  EXPECT_NO_THROW(ctnn::train::check_targets_fit_model(d, 2));
  EXPECT_EQ(error_of([&] { ctnn::train::check_targets_fit_model(d, 3); }),
            "four: has 2 target values per sample but the model has 3 outputs");
  dataset labels_only = four();
  labels_only.targets = 0;
  labels_only.t.clear();
  EXPECT_EQ(error_of([&] { ctnn::train::check_targets_fit_model(labels_only, 2); }),
            "four: has no targets (give the target columns, or use the inputs as targets) but a "
            "regression needs 2 per sample");
}

TEST(targets, class_subsets_keep_features_labels_and_targets) {
  const dataset d = four();
  const dataset zeros = ctnn::train::samples_of_class(d, 0);
  EXPECT_EQ(zeros.name, "four/class0");
  EXPECT_EQ(zeros.x, (std::vector<float>{0, 1, 4, 5}));
  EXPECT_EQ(zeros.y, (std::vector<std::uint32_t>{0, 0}));
  EXPECT_EQ(zeros.t, (std::vector<float>{0, 1, 20, 21}));
  const auto [normal, abnormal] = ctnn::train::split_by_class(d, 2);
  EXPECT_EQ(normal.x, (std::vector<float>{2, 3}));
  EXPECT_EQ(abnormal.x, (std::vector<float>{0, 1, 4, 5, 6, 7}));
  EXPECT_EQ(abnormal.y, (std::vector<std::uint32_t>{0, 0, 1}));
  EXPECT_EQ(abnormal.t, (std::vector<float>{0, 1, 20, 21, 30, 31}));
  EXPECT_EQ(abnormal.targets, 2u);
}

TEST(targets, class_subset_refusals) {
  const dataset d = four();
  EXPECT_EQ(error_of([&] { ctnn::train::samples_of_class(d, 3); }),
            "four: class 3 is out of range (0..2)");
  dataset no_ones = d;
  no_ones.y = {0, 2, 0, 0};
  EXPECT_EQ(error_of([&] { ctnn::train::samples_of_class(no_ones, 1); }),
            "four: has no sample of class 1");
  dataset all_zero = d;
  all_zero.y = {0, 0, 0, 0};
  EXPECT_EQ(error_of([&] { ctnn::train::split_by_class(all_zero, 0); }),
            "four: has only samples of class 0, so nothing abnormal to score");
  dataset unlabelled = d;
  unlabelled.y.clear();
  EXPECT_EQ(error_of([&] { ctnn::train::samples_of_class(unlabelled, 0); }),
            "four: has no class labels, so no samples of class 0 to choose");
}

TEST(targets, validation_split_moves_targets_with_their_samples) {
  dataset d = four();
  const dataset v = ctnn::train::split_validation(d, 2, 7);
  ASSERT_EQ(v.size(), 2u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(v.targets, 2u);
  EXPECT_EQ(d.targets, 2u);
  for (const dataset* s : std::vector<const dataset*>{&d, &v})
    for (std::size_t i = 0; i < s->size(); ++i) {
      // Sample k has features 2k, 2k + 1 and targets 10k, 10k + 1.
      const float k = s->sample(i)[0] / 2;
      EXPECT_EQ(s->target(i)[0], 10 * k);
      EXPECT_EQ(s->target(i)[1], 10 * k + 1);
    }
}

}  // namespace
