// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The input transform a network is trained with, from raw feature values (as in the data
/// file) to the network's input: x = raw · scale (or raw / divisor), then, when
/// standardised, (x − mean[i]) / std[i]. The trainer records it in the checkpoint and the
/// exporters write it into the weights header as a constexpr `prepare(raw)`, which performs
/// the same float operations in the same order, so firmware feeds the network exactly the
/// values it was trained on. Host only.
#include <cstddef>
#include <vector>

#include "ctnn/train/data/dataset.hpp"

namespace ctnn::train {

struct input_transform {
  float scale = 1;    ///< x = raw · scale (an exactly rounded float product), unless divisor
  float divisor = 0;  ///< if > 0: x = raw / divisor (8-bit pixels: 255, a true division)
  std::vector<float> mean, stddev;  ///< per feature, when standardised; else empty

  /// The default for 8-bit pixels (IDX images, the Kaggle CSV): raw / 255.
  static input_transform pixels() {
    input_transform t;
    t.scale = 1.0f / 255.0f;
    t.divisor = 255.0f;
    return t;
  }
  bool scales() const noexcept { return divisor > 0 || scale != 1.0f; }
  bool standardized() const noexcept { return !mean.empty(); }

  /// Applies the scaling step (not the standardisation) to every value of `d`.
  void apply_scale(dataset& d) const noexcept {
    if (divisor > 0)
      for (float& v : d.x) v /= divisor;
    else if (scale != 1.0f)
      for (float& v : d.x) v *= scale;
  }
};

}  // namespace ctnn::train
