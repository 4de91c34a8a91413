// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The predicted class of an output vector, shared by the float and the int8 networks.
#include <array>
#include <cstddef>

namespace ctnn::detail {

/// Index of the largest value of y, the first one on ties (a NaN is never larger).
template <class T, std::size_t N>
constexpr std::size_t argmax(const std::array<T, N>& y) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < N; ++i)
    if (y[i] > y[best]) best = i;
  return best;
}

}  // namespace ctnn::detail
