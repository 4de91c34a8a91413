// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of scale_shift (the layer_gradient contract of layer_gradient.hpp). Host
/// only. With z[i] = x[i]·scale[c] + shift[c] (c = i mod C):
///   grad_scale[c] += Σ_pixels grad_z·x,  grad_shift[c] += Σ_pixels grad_z  (pixels in order)
///   grad_x[i] = grad_z[i]·scale[c]
#include <cstddef>

#include "ctnn/detail/simd.hpp"
#include "ctnn/scale_shift.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, class Activation, std::size_t Index>
struct layer_gradient<ctnn::detail::scale_shift_layer<T, Mode, In, Activation, Index>> {
  using layer = ctnn::detail::scale_shift_layer<T, Mode, In, Activation, Index>;
  static constexpr std::size_t C = layer::channels, P = layer::pixels;

  /// The contract of layer_gradient.hpp, one sample.
  static void backward(const T* p, const T* x, const T* /*z*/, const T* grad_z, T* grad_p,
                       T* grad_x) noexcept {
    for (std::size_t i = 0; i < P; ++i)
      for (std::size_t c = 0; c < C; ++c) {
        const T g = grad_z[i * C + c];
        grad_p[c] = ctnn::detail::mac<Mode>(g, x[i * C + c], grad_p[c]);
        grad_p[C + c] += g;
      }
    if (!grad_x) return;
    for (std::size_t i = 0; i < P; ++i)
      for (std::size_t c = 0; c < C; ++c) grad_x[i * C + c] = grad_z[i * C + c] * p[c];
  }
};

}  // namespace ctnn::train
