// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// global_avg_pool: the mean of each channel over the whole image, H × W × C → the vector
/// 1 × 1 × C (so a dense layer can follow without flatten).
///
/// @code
/// using head = ctnn::network<float, ctnn::input<7, 7, 64>, ctnn::global_avg_pool,  // 64
///                            ctnn::dense<10, ctnn::softmax>>;
/// @endcode
///
/// Order (frozen): per channel, the values in (h, w) row-major order are summed starting
/// from the first one, then the sum is divided by H·W (a true division, not a multiply by
/// a reciprocal): the same bits as avg_pool2d<H, W>. No parameters. The channel loop is
/// innermost and contiguous, so compilers vectorise it without changing any result.
/// constexpr, noexcept, no heap, identical bits everywhere. int8 form (int8_layers.hpp):
/// the raw int8 values summed in int32, divided by H·W rounding half away from zero
/// (TFLite's AVERAGE_POOL_2D/MEAN reference), keeping the input's scale and zero point.
#include <cstddef>

#include "ctnn/activation.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, std::size_t Index>
struct global_avg_pool_layer {
  using scalar = T;
  using numerics = Mode;
  using activation = identity;
  using input_shape = In;
  using output_shape = vector_shape<In::channels>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t channels = In::channels;
  static constexpr std::size_t window_size = In::height * In::width;
  static constexpr std::size_t weight_count = 0;
  static constexpr std::size_t bias_count = 0;
  static constexpr std::size_t parameter_count = 0;
  static constexpr std::size_t fan_in = window_size;
  static constexpr std::size_t fan_out = 1;
  static constexpr auto name = fixed_string("global_avg_pool");

  /// The whole layer (no pre-activation).
  static constexpr void affine(const T*, const T* x, T* y) noexcept {
    constexpr std::size_t C = channels;
    for (std::size_t c = 0; c < C; ++c) y[c] = x[c];
    for (std::size_t i = 1; i < window_size; ++i) {
      const T* v = x + i * C;
      for (std::size_t c = 0; c < C; ++c) y[c] = y[c] + v[c];
    }
    for (std::size_t c = 0; c < C; ++c) y[c] = y[c] / T(window_size);
  }

  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
  }
};

}  // namespace detail

/// Mean over height and width, per channel: H × W × C → C.
struct global_avg_pool {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::global_avg_pool_layer<T, Mode, In, Index>;
};

}  // namespace ctnn
