// SPDX-License-Identifier: MIT
#include "ctnn/train/data/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools_test_util.hpp"

namespace {

using ctnn::train::data_error;
using ctnn_test::scratch_dir;

std::string error_of(const std::filesystem::path& p) {
  try {
    ctnn::train::read_kaggle_csv(p);
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(csv, reads_labelled_train_csv) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "train.csv",
                        "label,pixel0,pixel1,pixel2\r\n3,0,128,255\r\n0,1,2,3\r\n\r\n");
  const auto d = ctnn::train::read_kaggle_csv(dir / "train.csv");
  EXPECT_EQ(d.features, 3u);
  EXPECT_EQ(d.classes, 10u);
  EXPECT_EQ(d.x, (std::vector<float>{0, 128, 255, 1, 2, 3}));
  EXPECT_EQ(d.y, (std::vector<std::uint32_t>{3, 0}));
}

TEST(csv, reads_unlabelled_test_csv) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "test.csv", "pixel0,pixel1\n5,6\n7,8\n");
  const auto d = ctnn::train::read_kaggle_csv(dir / "test.csv");
  EXPECT_EQ(d.features, 2u);
  EXPECT_FALSE(d.labelled());
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.x, (std::vector<float>{5, 6, 7, 8}));
}

TEST(csv, errors_name_file_line_and_column) {
  scratch_dir dir;
  const auto f = dir / "bad.csv";
  const std::string p = f.string();
  ctnn_test::write_text(f, "label,pixel0,pixel1\n1,2,3\n4,x5,6\n");
  EXPECT_EQ(error_of(f), p + ":3: column 2 (pixel0): 'x5' is not a finite number");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n1,2\n");
  EXPECT_EQ(error_of(f), p + ":2: expected 3 cells, found 2");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n1,2,3,4\n");
  EXPECT_EQ(error_of(f), p + ":2: expected 3 cells, found 4");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n1,,3\n");
  EXPECT_EQ(error_of(f), p + ":2: column 2 (pixel0) is empty");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n10,2,3\n");
  EXPECT_EQ(error_of(f), p + ":2: label 10 is out of range (expected 0..9)");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n-1,2,3\n");
  EXPECT_EQ(error_of(f), p + ":2: column 1 (label): '-1' is not a class number");
  ctnn_test::write_text(f, "label,pixel0,pixel1\n1.5,2,3\n");
  EXPECT_EQ(error_of(f), p + ":2: column 1 (label): '1.5' is not a class number");
  ctnn_test::write_text(f, "label,pixel0\n1,inf\n");
  EXPECT_EQ(error_of(f), p + ":2: column 2 (pixel0): 'inf' is not a finite number");
  ctnn_test::write_text(f, "");
  EXPECT_EQ(error_of(f), p + ": empty file (expected a header line)");
  ctnn_test::write_text(f, "label,pixel0\n");
  EXPECT_EQ(error_of(f), p + ": no data rows after the header");
  ctnn_test::write_text(f, "label\n1\n");
  EXPECT_EQ(error_of(f), p + ":1: header names no pixel columns");
  EXPECT_EQ(error_of(dir / "missing.csv"), (dir / "missing.csv").string() + ": no such file");
}

TEST(csv, writes_kaggle_submission) {
  scratch_dir dir;
  ctnn::train::write_submission(dir / "sub.csv", {4, 0, 9});
  std::ifstream in(dir / "sub.csv");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text, "ImageId,Label\n1,4\n2,0\n3,9\n");
  try {
    ctnn::train::write_submission(dir / "no" / "such" / "dir.csv", {1});
    FAIL() << "expected data_error";
  } catch (const data_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create"), std::string::npos);
  }
}

}  // namespace
