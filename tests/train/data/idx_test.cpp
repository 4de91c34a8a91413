// SPDX-License-Identifier: MIT
#include "ctnn/train/data/idx.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace {

using ctnn::train::data_error;
using ctnn_test::idx1;
using ctnn_test::idx3;
using ctnn_test::scratch_dir;

// 3 images of 2x3 pixels with distinct values, and their labels.
std::vector<unsigned char> pixels() {
  std::vector<unsigned char> p;
  for (int i = 0; i < 18; ++i) p.push_back(static_cast<unsigned char>(i * 14 + 3));
  return p;
}
const std::vector<unsigned char> labels = {7, 0, 9};

// The message must name the file and contain `problem`.
template <class F>
void expect_error(F&& f, const std::string& file, const std::string& problem) {
  try {
    f();
    FAIL() << "no data_error; expected '" << problem << "'";
  } catch (const data_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file), std::string::npos) << what;
    EXPECT_NE(what.find(problem), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

void check_set(const ctnn::train::dataset& d) {
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.features, 6u);
  EXPECT_EQ(d.classes, 10u);
  const auto p = pixels();
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(d.x[i], static_cast<float>(p[i])) << i;
  EXPECT_EQ(d.y, (std::vector<std::uint32_t>{7, 0, 9}));
}

TEST(idx, reads_plain_mnist_layout) {
  scratch_dir dir;
  ctnn_test::write_bytes(dir / "i", idx3(3, 2, 3, pixels()));
  ctnn_test::write_bytes(dir / "l", idx1(labels));
  const auto images = ctnn::train::read_idx_images(dir / "i");
  EXPECT_EQ(images.count, 3u);
  EXPECT_EQ(images.rows, 2u);
  EXPECT_EQ(images.cols, 3u);
  check_set(ctnn::train::load_idx(dir / "i", dir / "l"));
}

TEST(idx, reads_gzipped_files) {
  scratch_dir dir;
  ctnn_test::write_gz(dir / "i.gz", idx3(3, 2, 3, pixels()));
  ctnn_test::write_gz(dir / "l.gz", idx1(labels));
  check_set(ctnn::train::load_idx(dir / "i.gz", dir / "l.gz"));
}

TEST(idx, mnist_directory_prefers_plain_and_falls_back_to_gz) {
  scratch_dir dir;
  ctnn_test::write_bytes(dir / "train-images-idx3-ubyte", idx3(3, 2, 3, pixels()));
  ctnn_test::write_gz(dir / "train-labels-idx1-ubyte.gz", idx1(labels));
  const auto d = ctnn::train::load_mnist_dir(dir.path(), "train");
  check_set(d);
  expect_error([&] { ctnn::train::load_mnist_dir(dir.path(), "t10k"); }, dir.path().string(),
               "neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz");
  expect_error([&] { ctnn::train::load_mnist_dir(dir / "nope", "train"); }, (dir / "nope").string(),
               "not a directory");
}

TEST(idx, wrong_magic) {
  scratch_dir dir;
  auto b = idx3(3, 2, 3, pixels());
  b[3] = 0x01;  // a label file's magic where an image file's belongs
  ctnn_test::write_bytes(dir / "i", b);
  expect_error([&] { ctnn::train::read_idx_images(dir / "i"); }, (dir / "i").string(),
               "wrong magic 0x00000801");
  ctnn_test::write_bytes(dir / "l", idx3(3, 2, 3, pixels()));
  expect_error([&] { ctnn::train::read_idx_labels(dir / "l"); }, (dir / "l").string(),
               "wrong magic 0x00000803");
}

TEST(idx, truncated_and_trailing) {
  scratch_dir dir;
  auto b = idx3(3, 2, 3, pixels());
  b.pop_back();
  ctnn_test::write_bytes(dir / "i", b);
  expect_error([&] { ctnn::train::read_idx_images(dir / "i"); }, (dir / "i").string(),
               "truncated: header says 3 images of 2x3 but the file holds 17 pixel bytes");
  ctnn_test::write_bytes(dir / "h", {0, 0, 8, 3, 0, 0});
  expect_error([&] { ctnn::train::read_idx_images(dir / "h"); }, (dir / "h").string(), "truncated");
  b = idx3(3, 2, 3, pixels());
  b.push_back(0);
  ctnn_test::write_bytes(dir / "t", b);
  expect_error([&] { ctnn::train::read_idx_images(dir / "t"); }, (dir / "t").string(),
               "trailing data");
  auto l = idx1(labels);
  l.pop_back();
  ctnn_test::write_bytes(dir / "l", l);
  expect_error([&] { ctnn::train::read_idx_labels(dir / "l"); }, (dir / "l").string(),
               "truncated: header says 3 labels but the file holds 2");
  // A huge count in the header must not allocate: it is checked against the file size.
  ctnn_test::write_bytes(dir / "big", idx3(0xffffffffu, 0xffffffffu, 0xffffffffu, pixels()));
  expect_error([&] { ctnn::train::read_idx_images(dir / "big"); }, (dir / "big").string(),
               "truncated");
}

TEST(idx, truncated_gzip_stream) {
  scratch_dir dir;
  ctnn_test::write_gz(dir / "i.gz", idx3(3, 2, 3, pixels()));
  auto b = ctnn_test::read_bytes(dir / "i.gz");
  ASSERT_GT(b.size(), 20u);
  b.erase(b.end() - 12, b.end());  // cut into the deflate stream / trailer
  ctnn_test::write_bytes(dir / "cut.gz", b);
  expect_error([&] { ctnn::train::read_idx_images(dir / "cut.gz"); }, (dir / "cut.gz").string(),
               "gzip");
}

TEST(idx, count_mismatch_between_images_and_labels) {
  scratch_dir dir;
  ctnn_test::write_bytes(dir / "i", idx3(3, 2, 3, pixels()));
  ctnn_test::write_bytes(dir / "l", idx1({1, 2}));
  expect_error([&] { ctnn::train::load_idx(dir / "i", dir / "l"); }, (dir / "l").string(),
               "holds 2 labels but");
}

TEST(idx, label_out_of_range) {
  scratch_dir dir;
  ctnn_test::write_bytes(dir / "i", idx3(3, 2, 3, pixels()));
  ctnn_test::write_bytes(dir / "l", idx1({1, 10, 2}));
  expect_error([&] { ctnn::train::load_idx(dir / "i", dir / "l"); }, (dir / "l").string(),
               "label 10 of sample 1 is out of range (expected 0..9)");
}

TEST(idx, empty_and_missing_files) {
  scratch_dir dir;
  ctnn_test::write_bytes(dir / "empty", {});
  expect_error([&] { ctnn::train::read_idx_images(dir / "empty"); }, (dir / "empty").string(),
               "empty file");
  expect_error([&] { ctnn::train::read_idx_labels(dir / "missing"); }, (dir / "missing").string(),
               "no such file");
  expect_error([&] { ctnn::train::read_idx_labels(dir.path()); }, dir.path().string(),
               "is a directory");
}

TEST(idx, fashion_mnist_test_set) {
  const std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir / "t10k-labels-idx1-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto d = ctnn::train::load_mnist_dir(dir, "t10k");
  ASSERT_EQ(d.size(), 10000u);
  EXPECT_EQ(d.features, 784u);
  EXPECT_EQ(d.name, "fashion-mnist/t10k");
  // Published facts about the set: 1000 test images per class, pixels 0..255, and the
  // first test image is an ankle boot (class 9).
  std::array<int, 10> per_class{};
  for (auto y : d.y) ++per_class.at(y);
  for (int c : per_class) EXPECT_EQ(c, 1000);
  EXPECT_EQ(d.y[0], 9u);
  float lo = 255, hi = 0;
  for (float v : d.x) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 255.0f);
}

}  // namespace
