// SPDX-License-Identifier: MIT
#include "ctnn/train/report/metrics.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace {

// Hand-made example: 3 classes, 10 samples.
//   true:  0 0 0 0 1 1 1 2 2 2
//   pred:  0 0 1 2 1 1 0 2 2 2
const std::vector<std::uint32_t> truth = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
const std::vector<std::uint32_t> pred = {0, 0, 1, 2, 1, 1, 0, 2, 2, 2};

TEST(metrics, accuracy) {
  EXPECT_DOUBLE_EQ(ctnn::train::accuracy(pred, truth), 0.7);
  EXPECT_THROW(ctnn::train::accuracy({1}, {}), std::invalid_argument);
}

TEST(metrics, confusion_matrix_counts) {
  const ctnn::train::confusion_matrix m(3, pred, truth);
  const std::uint64_t expected[3][3] = {{2, 1, 1}, {1, 2, 0}, {0, 0, 3}};
  for (std::size_t t = 0; t < 3; ++t)
    for (std::size_t p = 0; p < 3; ++p) EXPECT_EQ(m.at(t, p), expected[t][p]) << t << "," << p;
  EXPECT_EQ(m.total(), 10u);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.7);
  EXPECT_NE(m.to_string().find("       0 1 2\n    0  2 1 1\n    1  1 2 0\n    2  0 0 3\n"),
            std::string::npos)
      << m.to_string();
}

TEST(metrics, classification_report_by_hand) {
  const ctnn::train::classification_report r(ctnn::train::confusion_matrix(3, pred, truth));
  // class 0: tp 2, predicted 3, support 4 → p 2/3, r 1/2, f1 4/7
  // class 1: tp 2, predicted 3, support 3 → p 2/3, r 2/3, f1 2/3
  // class 2: tp 3, predicted 4, support 3 → p 3/4, r 1,   f1 6/7
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[0].f1, 4.0 / 7);
  EXPECT_DOUBLE_EQ(r.classes[1].f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.classes[2].precision, 0.75);
  EXPECT_DOUBLE_EQ(r.classes[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[2].f1, 6.0 / 7);
  EXPECT_EQ(r.classes[0].support, 4u);
  EXPECT_NEAR(r.macro.f1, (4.0 / 7 + 2.0 / 3 + 6.0 / 7) / 3, 1e-15);
  EXPECT_NEAR(r.weighted.recall, 0.7, 1e-15);  // weighted recall is accuracy
  const std::string text = r.to_string({"cat", "dog", "emu"});
  EXPECT_NE(text.find("         emu    0.7500    1.0000    0.8571         3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("    accuracy                        0.7000        10\n"), std::string::npos)
      << text;
}

TEST(metrics, empty_class_scores_zero_not_nan) {
  const ctnn::train::classification_report r(ctnn::train::confusion_matrix(3, {0, 0}, {0, 1}));
  EXPECT_EQ(r.classes[2].precision, 0.0);
  EXPECT_EQ(r.classes[2].recall, 0.0);
  EXPECT_EQ(r.classes[1].f1, 0.0);
}

TEST(metrics, history_csv) {
  ctnn_test::scratch_dir dir;
  std::vector<ctnn::train::history_row> rows(2);
  rows[0] = {1, 0.5, 0.75, NAN, NAN, 0.001, 1.25};
  rows[1] = {2, 0.25, 0.875, 0.3, 0.8, 0.001, 1.5, 0.35, 0.75};
  ctnn::train::write_history_csv(dir / "h.csv", rows);
  std::ifstream in(dir / "h.csv");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text,
            "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,"
            "seconds,test_loss,test_accuracy\n1,0.5,0.75,,,0.001,1.25,,\n"
            "2,0.25,0.875,0.3,0.8,0.001,1.5,0.35,0.75\n");
}

TEST(metrics, regression_history_csv) {
  ctnn_test::scratch_dir dir;
  std::vector<ctnn::train::history_row> rows(2);
  rows[0].epoch = 1;
  rows[0].train_loss = 0.5;
  rows[0].train_mae = 0.625;
  rows[0].learning_rate = 0.001;
  rows[0].seconds = 1.25;
  rows[1] = rows[0];
  rows[1].epoch = 2;
  rows[1].validation_loss = 0.25;
  rows[1].validation_mae = 0.375;
  rows[1].test_loss = 0.125;
  rows[1].test_mae = 0.5;
  rows[1].test_accuracy = 0.75;  // not a regression figure: not written
  ctnn::train::write_history_csv(dir / "h.csv", rows, ctnn::train::history_kind::regression);
  std::ifstream in(dir / "h.csv");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text,
            "epoch,train_mse,train_mae,validation_mse,validation_mae,learning_rate,seconds,"
            "test_mse,test_mae\n1,0.5,0.625,,,0.001,1.25,,\n"
            "2,0.5,0.625,0.25,0.375,0.001,1.25,0.125,0.5\n");
}

}  // namespace
