// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Fully connected layer: y = act(b + xW).
///
/// Parameter layout (frozen): W as In × Out, input-major (W[i][o] at i·Out + o), then
/// b[Out]. Note W is the transpose of PyTorch's `Linear.weight` (Out × In).
#include <cstddef>
#include <type_traits>

#include "ctnn/activation.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/dense_kernel.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/numerics.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, std::size_t Out, class Activation, std::size_t Index>
struct dense_layer {
  static_assert(check_layer_outputs<Index, Out>::value);
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);
  static_assert(check_vector_input<Index, In::height, In::width, In::channels>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using input_shape = In;
  using output_shape = vector_shape<Out>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t inputs = In::size;
  static constexpr std::size_t outputs = Out;
  static constexpr std::size_t weight_count = inputs * outputs;
  static constexpr std::size_t bias_count = outputs;
  static constexpr std::size_t parameter_count = weight_count + bias_count;
  /// Fan-in and fan-out, for Xavier/He initialisation.
  static constexpr std::size_t fan_in = inputs;
  static constexpr std::size_t fan_out = outputs;
  static constexpr auto name =
      fixed_string("dense(") + to_fixed_string<Out>() + "," + Activation::name + ")";

  /// z = b + xW (pre-activation).
  static constexpr void affine(const T* params, const T* x, T* z) noexcept {
    dense_affine<Mode, inputs, outputs>(params, params + weight_count, x, z);
  }

  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    // At run time the vector kernel applies an elementwise activation to its accumulators
    // before storing them: the same bits, one store and one load fewer per vector
    // (2-16-16-1, x86-64-v3: docs/performance.md).
    if constexpr (simd_mac_available<T, Mode> && vector_activation<Activation>) {
      if (!std::is_constant_evaluated())
        return dense_simd<Mode, inputs, outputs, Activation>(params, params + weight_count, x, y);
    }
    affine(params, x, y);
    Activation::apply(y, outputs);
  }
};

}  // namespace detail

/// Fully connected layer with Out outputs; its input size is the previous layer's output.
template <std::size_t Out, class Activation = identity>
struct dense {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::dense_layer<T, Mode, In, Out, Activation, Index>;
};

}  // namespace ctnn
