// SPDX-License-Identifier: MIT
#include "ctnn/train/data/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_files.hpp"

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
  EXPECT_EQ(error_of(f), p + ": empty file (expected a header line or a first row)");
  ctnn_test::write_text(f, "label,pixel0\n");
  EXPECT_EQ(error_of(f), p + ": no data rows after the header");
  ctnn_test::write_text(f, "label\n1\n");
  EXPECT_EQ(error_of(f), p + ":1: no feature columns");
  EXPECT_EQ(error_of(dir / "missing.csv"), (dir / "missing.csv").string() + ": no such file");
}

// read_csv with options (--label-column, --csv-header, --delimiter).
ctnn::train::dataset read(const std::filesystem::path& p, const ctnn::train::csv_options& o,
                          ctnn::train::csv_layout* layout = nullptr) {
  return ctnn::train::read_csv(p, o, layout);
}

std::string read_error(const std::filesystem::path& p, const ctnn::train::csv_options& o) {
  try {
    read(p, o);
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(csv, label_column_by_name_or_number_anywhere) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "a.csv", "width,height,species,mass\n1.5,-2,1,300\n0.25,4e3,0,7\n");
  ctnn::train::csv_options o;
  o.label_column = "species";
  ctnn::train::csv_layout layout;
  auto d = read(dir / "a.csv", o, &layout);
  EXPECT_EQ(d.features, 3u);
  EXPECT_EQ(d.x, (std::vector<float>{1.5f, -2, 300, 0.25f, 4000, 7}));  // any finite value
  EXPECT_EQ(d.y, (std::vector<std::uint32_t>{1, 0}));
  EXPECT_TRUE(layout.has_header);
  EXPECT_EQ(layout.label_index, 2u);
  EXPECT_FALSE(layout.kaggle);  // not Kaggle-shaped: no implicit ÷255
  o.label_column = "3";
  EXPECT_EQ(read(dir / "a.csv", o).y, d.y);
  o.label_column = "none";
  EXPECT_FALSE(read(dir / "a.csv", o).labelled());
  EXPECT_EQ(read(dir / "a.csv", o).features, 4u);
  o.label_column = "auto";  // no column named label
  EXPECT_EQ(read_error(dir / "a.csv", o),
            (dir / "a.csv").string() +
                ": has no column named 'label': choose the label with --label-column NAME|N (or "
                "none)");
  o.label_column = "5";
  EXPECT_EQ(
      read_error(dir / "a.csv", o),
      (dir / "a.csv").string() + ": --label-column 5: the file has 4 columns (numbered from 1)");
}

TEST(csv, target_columns_by_name_or_number_in_output_order) {
  scratch_dir dir;
  const auto f = dir / "r.csv";
  ctnn_test::write_text(f, "x1,y_b,x2,label,y_a\n1,2,3,0,4\n5,6.5,7,1,-8\n");
  ctnn::train::csv_options o;
  o.target_columns = "y_a, y_b";  // order of the outputs, not of the file; blanks trimmed
  o.classes = 2;
  ctnn::train::csv_layout layout;
  auto d = read(f, o, &layout);
  EXPECT_EQ(d.features, 2u);
  EXPECT_EQ(d.x, (std::vector<float>{1, 3, 5, 7}));
  EXPECT_EQ(d.targets, 2u);
  EXPECT_TRUE(d.regression());
  EXPECT_EQ(d.t, (std::vector<float>{4, 2, -8, 6.5f}));
  EXPECT_EQ(d.y, (std::vector<std::uint32_t>{0, 1}));  // "auto" still finds `label`
  EXPECT_EQ(layout.target_indices, (std::vector<std::size_t>{4, 1}));
  o.target_columns = "5,2";
  auto by_number = read(f, o);
  EXPECT_EQ(by_number.t, d.t);
  EXPECT_EQ(by_number.x, d.x);
  // Targets without any label column: "auto" finds none and the set is unlabelled.
  ctnn_test::write_text(f, "a,b,y\n1,2,3\n4,5,6\n");
  o.target_columns = "y";
  d = read(f, o);
  EXPECT_FALSE(d.labelled());
  EXPECT_EQ(d.x, (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(d.t, (std::vector<float>{3, 6}));
  // No header: by number only.
  ctnn_test::write_text(f, "1,2,3\n4,5,6\n");
  o.target_columns = "1";
  o.label_column = "none";
  d = read(f, o);
  EXPECT_EQ(d.x, (std::vector<float>{2, 3, 5, 6}));
  EXPECT_EQ(d.t, (std::vector<float>{1, 4}));
}

TEST(csv, target_column_errors) {
  scratch_dir dir;
  const auto f = dir / "r.csv";
  const std::string p = f.string();
  ctnn_test::write_text(f, "x,label,y\n1,0,2\n3,1,z\n");
  ctnn::train::csv_options o;
  o.classes = 2;
  o.target_columns = "w";
  EXPECT_EQ(read_error(f, o), p + ": has no column named 'w' (--target-columns)");
  o.target_columns = "4";
  EXPECT_EQ(read_error(f, o), p + ": --target-columns 4: the file has 3 columns (numbered from 1)");
  o.target_columns = "0";
  EXPECT_EQ(read_error(f, o), p + ": --target-columns 0: the file has 3 columns (numbered from 1)");
  o.target_columns = "label";
  EXPECT_EQ(read_error(f, o),
            p + ": --target-columns label is the label column: a column is a class label or a "
                "target");
  o.target_columns = "y,3";
  EXPECT_EQ(read_error(f, o), p + ": --target-columns names column 3 twice");
  o.target_columns = "y,";
  EXPECT_EQ(read_error(f, o), p + ": --target-columns 'y,' has an empty entry");
  o.target_columns = "y";
  EXPECT_EQ(read_error(f, o), p + ":3: column 3 (y): 'z' is not a finite number");
  o.target_columns = "x,y";
  ctnn_test::write_text(f, "x,label,y\n1,0,2\n");
  EXPECT_EQ(read_error(f, o), p + ":1: no feature columns");
  ctnn_test::write_text(f, "1,0,2\n");
  o.header = ctnn::train::csv_header::no;
  o.label_column = "none";
  o.target_columns = "y";
  EXPECT_EQ(read_error(f, o),
            p + ": has no header line, so no column named 'y': give the target columns by number "
                "(from 1)");
}

TEST(csv, header_detection_and_delimiters) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "n.csv", "1;0.5;2\n0;-1;3\n");
  ctnn::train::csv_options o;
  o.delimiter = ';';
  o.label_column = "1";
  ctnn::train::csv_layout layout;
  auto d = read(dir / "n.csv", o, &layout);  // auto: every cell is a number, so no header
  EXPECT_FALSE(layout.has_header);
  EXPECT_EQ(d.x, (std::vector<float>{0.5f, 2, -1, 3}));
  EXPECT_EQ(d.y, (std::vector<std::uint32_t>{1, 0}));
  o.header = ctnn::train::csv_header::yes;  // the first row is taken as names
  EXPECT_EQ(read(dir / "n.csv", o).size(), 1u);
  o.header = ctnn::train::csv_header::no;
  ctnn_test::write_text(dir / "h.csv", "label;x;y\n1;2;3\n");
  EXPECT_EQ(read_error(dir / "h.csv", o),
            (dir / "h.csv").string() + ":1: column 1: 'label' is not a class number");
  o.label_column = "auto";
  EXPECT_EQ(read_error(dir / "n.csv", o),
            (dir / "n.csv").string() +
                ": has no header line, so no column named 'label': give the label's column "
                "number with --label-column N (or --csv-header yes)");
  // Tabs: an empty first cell stays a cell (and is reported as empty).
  ctnn_test::write_text(dir / "t.tsv", "a\tlabel\tb\n1\t2\t3\n\t1\t2\n");
  o = {};
  o.delimiter = *ctnn::train::parse_delimiter("tab");
  EXPECT_EQ(read_error(dir / "t.tsv", o), (dir / "t.tsv").string() + ":3: column 1 (a) is empty");
  EXPECT_FALSE(ctnn::train::parse_delimiter("|"));
  EXPECT_EQ(ctnn::train::parse_csv_header("auto"), ctnn::train::csv_header::automatic);
  EXPECT_FALSE(ctnn::train::parse_csv_header("maybe"));
}

TEST(csv, kaggle_layout_checks_pixels_and_optional_labels) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "k.csv", "label,pixel0\n1,300\n");
  ctnn::train::csv_options o;
  ctnn::train::csv_layout layout;
  EXPECT_EQ(read_error(dir / "k.csv", o),
            (dir / "k.csv").string() +
                ":2: column 2 (pixel0): '300' is outside 0..255 (8-bit pixel values are "
                "expected; give --scale for other data)");
  o.pixels = ctnn::train::csv_pixel_check::never;  // --scale given: any value
  EXPECT_EQ(read(dir / "k.csv", o, &layout).x, (std::vector<float>{300}));
  EXPECT_TRUE(layout.kaggle);
  // The file to predict: the label column is optional (by name, or by count for a number).
  ctnn_test::write_text(dir / "p.csv", "pixel0\n7\n");
  o.label_optional = true;
  EXPECT_FALSE(read(dir / "p.csv", o).labelled());
  ctnn_test::write_text(dir / "q.csv", "5,6\n7,8\n");
  o.label_column = "2";
  o.features = 2;
  EXPECT_FALSE(read(dir / "q.csv", o).labelled());
  o.features = 1;
  EXPECT_EQ(read(dir / "q.csv", o).y, (std::vector<std::uint32_t>{6, 8}));
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
