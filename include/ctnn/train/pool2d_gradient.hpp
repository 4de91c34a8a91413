// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward passes of max_pool2d and avg_pool2d (layer_gradient.hpp's contract). Host only.
///
/// max: the whole gradient of an output goes to the input the forward pass chose (the
/// first maximum in kh, kw order; overlapping windows add up). avg: each input of a window
/// receives grad_z / (PoolH·PoolW). No parameters, so grad_p is untouched.
#include <cstddef>
#include <type_traits>

#include "ctnn/pool2d.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, class Op, std::size_t PoolH, std::size_t PoolW,
          std::size_t Stride, std::size_t Index>
struct layer_gradient<ctnn::detail::pool2d_layer<T, Mode, In, Op, PoolH, PoolW, Stride, Index>> {
  using layer = ctnn::detail::pool2d_layer<T, Mode, In, Op, PoolH, PoolW, Stride, Index>;
  static constexpr bool is_max = std::is_same_v<Op, ctnn::detail::max_pool_op>;

  /// The contract of layer_gradient.hpp, one sample.
  static void backward(const T* /*p*/, const T* x, const T* /*z*/, const T* grad_z, T* /*grad_p*/,
                       T* grad_x) noexcept {
    if (!grad_x) return;
    constexpr std::size_t C = layer::channels, W = In::width, step = layer::step;
    for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = T(0);
    for (std::size_t oh = 0; oh < layer::out_h; ++oh)
      for (std::size_t ow = 0; ow < layer::out_w; ++ow) {
        const std::size_t corner = (oh * step * W + ow * step) * C;
        const T* gz = grad_z + (oh * layer::out_w + ow) * C;
        for (std::size_t c = 0; c < C; ++c) {
          if constexpr (is_max) {
            std::size_t best = corner + c;
            for (std::size_t kh = 0; kh < PoolH; ++kh)
              for (std::size_t kw = 0; kw < PoolW; ++kw) {
                const std::size_t i = corner + (kh * W + kw) * C + c;
                if (x[i] > x[best]) best = i;
              }
            grad_x[best] += gz[c];
          } else {
            const T g = gz[c] / T(layer::window_size);
            for (std::size_t kh = 0; kh < PoolH; ++kh)
              for (std::size_t kw = 0; kw < PoolW; ++kw)
                grad_x[corner + (kh * W + kw) * C + c] += g;
          }
        }
      }
  }
};

}  // namespace ctnn::train
