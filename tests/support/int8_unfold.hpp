// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// ctnn's int8 parameters (ctnn::quantized_parameters) in the raw form of the independent
/// reference (int8_reference.hpp), one layer at a time: weights as they are (OHWI /
/// output-major), biases with the input zero point unfolded (b = b' + z_in·Σ W), one
/// multiplier per channel (conv filter, depthwise or scale_shift channel) or a dense
/// layer's one multiplier, with a shift per output.
#include <cstddef>
#include <cstdint>

#include "int8_reference.hpp"

namespace int8_unfold {

/// Where the next layer's values start in each of ctnn's flat arrays. After the last
/// layer each equals its array's size (the tests check it).
struct cursor {
  std::size_t weights = 0, biases = 0, multipliers = 0, shifts = 0;
};

/// The layer whose input is tensor `tensor`: `channels` outputs of `fan` weights each.
template <class Parameters>
int8_ref::layer_params layer(const Parameters& q, std::size_t tensor, std::size_t channels,
                             std::size_t fan, bool dense, cursor& at) {
  int8_ref::layer_params lp;
  lp.z_in = q.zero_points[tensor];
  lp.z_out = q.zero_points[tensor + 1];
  for (std::size_t i = 0; i < channels * fan; ++i) lp.weights.push_back(q.weights.at(at.weights++));
  for (std::size_t o = 0; o < channels; ++o) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < fan; ++i) sum += lp.weights[o * fan + i];
    lp.biases.push_back(
        static_cast<std::int32_t>(q.biases.at(at.biases++) + std::int64_t{lp.z_in} * sum));
  }
  const std::size_t m0 = at.multipliers;
  for (std::size_t o = 0; o < channels; ++o) {
    const std::int32_t m = dense ? q.multipliers.at(m0) : q.multipliers.at(at.multipliers++);
    lp.positive.push_back({m, q.shifts.at(at.shifts++)});
  }
  if (dense && channels > 0) at.multipliers = m0 + 1;
  return lp;
}

}  // namespace int8_unfold
