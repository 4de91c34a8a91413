// SPDX-License-Identifier: MIT
#include "ctnn/train/data/preprocess.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace {

ctnn::train::dataset numbered(std::size_t n) {
  ctnn::train::dataset d;
  d.name = "numbered";
  d.features = 2;
  d.classes = 10;
  for (std::size_t i = 0; i < n; ++i) {
    d.x.push_back(static_cast<float>(i));
    d.x.push_back(static_cast<float>(2 * i));
    d.y.push_back(static_cast<std::uint32_t>(i % 10));
  }
  return d;
}

TEST(preprocess, pixel_scaling) {
  ctnn::train::dataset d;
  d.features = 3;
  d.x = {0, 51, 255};
  ctnn::train::scale_pixels(d);
  EXPECT_EQ(d.x, (std::vector<float>{0.0f, 0.2f, 1.0f}));
}

TEST(preprocess, standardisation_uses_training_statistics) {
  ctnn::train::dataset train;
  train.features = 2;
  train.x = {1, 5, 3, 5, 5, 5};  // feature 0: mean 3, population std sqrt(8/3); feature 1 constant
  const auto s = ctnn::train::standardizer::fit(train);
  EXPECT_FLOAT_EQ(s.mean[0], 3.0f);
  EXPECT_FLOAT_EQ(s.stddev[0], static_cast<float>(std::sqrt(8.0 / 3.0)));
  EXPECT_EQ(s.stddev[1], 1.0f);
  ctnn::train::dataset test;
  test.features = 2;
  test.x = {3, 5, 7, 6};
  s.apply(test);
  EXPECT_FLOAT_EQ(test.x[0], 0.0f);
  EXPECT_FLOAT_EQ(test.x[1], 0.0f);
  EXPECT_FLOAT_EQ(test.x[2], static_cast<float>(4 / std::sqrt(8.0 / 3.0)));
  EXPECT_FLOAT_EQ(test.x[3], 1.0f);
  ctnn::train::dataset other;
  other.features = 3;
  EXPECT_THROW(s.apply(other), ctnn::train::data_error);
}

TEST(preprocess, validation_split_is_seeded_disjoint_and_complete) {
  auto train = numbered(100);
  const auto validation = ctnn::train::split_validation(train, 20, 42);
  ASSERT_EQ(validation.size(), 20u);
  ASSERT_EQ(train.size(), 80u);
  // Every sample lands in exactly one set, with its label, and each set keeps the
  // original order.
  std::vector<int> seen(100, 0);
  for (const ctnn::train::dataset* d :
       std::array<const ctnn::train::dataset*, 2>{&train, &validation}) {
    float previous = -1;
    for (std::size_t i = 0; i < d->size(); ++i) {
      const float id = d->x[2 * i];
      EXPECT_EQ(d->x[2 * i + 1], 2 * id);
      EXPECT_EQ(d->y[i], static_cast<std::uint32_t>(id) % 10);
      EXPECT_GT(id, previous);
      previous = id;
      ++seen[static_cast<std::size_t>(id)];
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 100);
  // The same seed picks the same samples; another seed other ones.
  auto again = numbered(100);
  EXPECT_EQ(ctnn::train::split_validation(again, 20, 42).x, validation.x);
  auto other = numbered(100);
  EXPECT_NE(ctnn::train::split_validation(other, 20, 43).x, validation.x);
}

TEST(preprocess, validation_zero_and_too_large) {
  auto train = numbered(10);
  EXPECT_EQ(ctnn::train::split_validation(train, 0, 1).size(), 0u);
  EXPECT_EQ(train.size(), 10u);
  EXPECT_THROW(ctnn::train::split_validation(train, 10, 1), ctnn::train::data_error);
}

TEST(preprocess, model_fit_check) {
  const auto d = numbered(12);
  EXPECT_NO_THROW(ctnn::train::check_fits_model(d, 2, 10));
  try {
    ctnn::train::check_fits_model(d, 784, 10);
    FAIL();
  } catch (const ctnn::train::data_error& e) {
    EXPECT_STREQ(e.what(), "numbered: samples have 2 values but the model expects 784 inputs");
  }
  EXPECT_THROW(ctnn::train::check_fits_model(d, 2, 2), ctnn::train::data_error);
}

}  // namespace
