// SPDX-License-Identifier: MIT
// libFuzzer target: the Kaggle CSV reader (include/ctnn/train/data/csv.hpp). The input is the
// file as is; 10 classes.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ctnn/train/data/csv.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ctnn_fuzz::memory_file file("fuzz-csv");
  const std::string& path = file.hold(data, size);
  ctnn_fuzz::expect_only_data_error([&] {
    const ctnn::train::dataset d = ctnn::train::read_kaggle_csv(path, 10);
    ctnn_fuzz::require(d.features > 0 && d.size() > 0 && d.x.size() == d.size() * d.features,
                       "read_kaggle_csv: rows are not whole samples");
    ctnn_fuzz::require(d.y.empty() || d.y.size() == d.size(), "read_kaggle_csv: label count");
    for (std::uint32_t y : d.y) ctnn_fuzz::require(y < 10, "read_kaggle_csv: label out of range");
    for (float v : d.x) ctnn_fuzz::require(std::isfinite(v), "read_kaggle_csv: non-finite value");
  });
  return 0;
}
