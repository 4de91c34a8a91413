// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// flatten: an H × W × C image becomes the vector 1 × 1 × (H·W·C), in HWC order (channels
/// fastest), so a dense layer can follow a convolution. A plain copy: no parameters.
#include <cstddef>

#include "ctnn/activation.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, std::size_t Index>
struct flatten_layer {
  using scalar = T;
  using numerics = Mode;
  using activation = identity;
  using input_shape = In;
  using output_shape = vector_shape<In::size>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t weight_count = 0;
  static constexpr std::size_t bias_count = 0;
  static constexpr std::size_t parameter_count = 0;
  static constexpr std::size_t fan_in = 1;
  static constexpr std::size_t fan_out = 1;
  static constexpr auto name = fixed_string("flatten");

  static constexpr void affine(const T*, const T* x, T* y) noexcept {
    for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
  }
  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
  }
};

}  // namespace detail

/// Reshapes the previous layer's H × W × C output into a vector of H·W·C values.
struct flatten {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::flatten_layer<T, Mode, In, Index>;
};

}  // namespace ctnn
