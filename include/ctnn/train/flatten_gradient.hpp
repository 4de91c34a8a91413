// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of flatten (layer_gradient.hpp's contract): a copy. Host only.
#include <cstddef>

#include "ctnn/flatten.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, std::size_t Index>
struct layer_gradient<ctnn::detail::flatten_layer<T, Mode, In, Index>> {
  /// grad_x = grad_z; no parameters.
  static void backward(const T* /*p*/, const T* /*x*/, const T* /*z*/, const T* grad_z,
                       T* /*grad_p*/, T* grad_x) noexcept {
    if (!grad_x) return;
    for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = grad_z[i];
  }
};

}  // namespace ctnn::train
