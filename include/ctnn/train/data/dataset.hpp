// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A labelled (or unlabelled) set of samples in memory, optionally with a float target
/// vector per sample (regression, autoencoders): what the readers produce and the trainer
/// and evaluators consume. Host only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ctnn::train {

/// `size()` samples of `features` floats each, row-major in `x`; `y[i]` is sample i's class
/// in [0, classes) (empty for an unlabelled set, e.g. Kaggle's test.csv). A regression set
/// also has `targets` floats per sample in `t` (size() × targets): what the network's
/// outputs are trained to equal (MSE); it may keep class labels besides (e.g. the class of
/// an autoencoder's image, to split normal from abnormal samples).
struct dataset {
  std::string name;                      ///< e.g. "fashion-mnist/train", for messages
  std::size_t features = 0;              ///< values per sample
  std::size_t classes = 0;               ///< label range; 0 if unlabelled
  std::size_t rows = 0, cols = 0;        ///< image shape when the file states one (IDX), else 0
  std::vector<float> x;                  ///< size() × features
  std::vector<std::uint32_t> y;          ///< labels, or empty
  std::vector<std::string> class_names;  ///< optional, `classes` entries when present
  std::size_t targets = 0;               ///< target values per sample; 0: no targets
  std::vector<float> t;                  ///< size() × targets, or empty

  std::size_t size() const noexcept { return features == 0 ? 0 : x.size() / features; }
  bool labelled() const noexcept { return !y.empty(); }
  bool regression() const noexcept { return targets != 0; }
  const float* sample(std::size_t i) const noexcept { return x.data() + i * features; }
  const float* target(std::size_t i) const noexcept { return t.data() + i * targets; }
};

}  // namespace ctnn::train
