// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of global_avg_pool (layer_gradient.hpp's contract): every input of
/// channel c receives grad_z[c] / (H·W). No parameters. Host only.
#include <cstddef>

#include "ctnn/global_avg_pool.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, std::size_t Index>
struct layer_gradient<ctnn::detail::global_avg_pool_layer<T, Mode, In, Index>> {
  using layer = ctnn::detail::global_avg_pool_layer<T, Mode, In, Index>;

  static void backward(const T* /*p*/, const T* /*x*/, const T* /*z*/, const T* grad_z,
                       T* /*grad_p*/, T* grad_x) noexcept {
    if (!grad_x) return;
    constexpr std::size_t C = layer::channels;
    T g[C];
    for (std::size_t c = 0; c < C; ++c) g[c] = grad_z[c] / T(layer::window_size);
    for (std::size_t i = 0; i < layer::window_size; ++i)
      for (std::size_t c = 0; c < C; ++c) grad_x[i * C + c] = g[c];
  }
};

}  // namespace ctnn::train
