// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// What a layer is. A user writes layer *specs* (`dense<64, relu>`, later `conv2d<…>`);
/// the network binds each spec to its scalar type, numeric mode, input shape and
/// position, which yields a *bound layer*: a stateless type with the shapes, the
/// parameter count and a constexpr forward function over raw pointers. Parameters live
/// in the network's flat array, so a layer sees its own slice only.
#include <concepts>
#include <cstddef>

#include "ctnn/numerics.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {

/// A layer spec: has `bind<Scalar, Mode, InputShape, Index>` (Index is the 1-based
/// position in the network, for error messages).
template <class S>
concept layer_spec = requires {
  typename S::layer_spec_tag;
};

/// A bound layer: maps an input_shape tensor to an output_shape tensor with
/// parameter_count parameters (weight_count weights first, then bias_count biases;
/// fan_in/fan_out for initialisers). `affine(p, x, z)` computes the pre-activation,
/// `forward(p, x, y)` = affine then `activation::apply` in place (identity for layers
/// without one). Neither allocates nor throws; `x` never aliases `z`/`y`.
template <class L>
concept bound_layer = requires(const typename L::scalar* cp, typename L::scalar* p) {
  requires shape_type<typename L::input_shape>;
  requires shape_type<typename L::output_shape>;
  typename L::activation;
  { L::parameter_count } -> std::convertible_to<std::size_t>;
  { L::weight_count } -> std::convertible_to<std::size_t>;
  { L::bias_count } -> std::convertible_to<std::size_t>;
  { L::fan_in } -> std::convertible_to<std::size_t>;
  { L::fan_out } -> std::convertible_to<std::size_t>;
  L::name.view();
  L::affine(cp, cp, p);
  L::forward(cp, cp, p);
};

namespace detail {
/// Scratch scalars a bound layer needs besides its input and output buffers (0 unless it
/// declares `scratch_size`, as a residual block does for its body).
template <class L>
inline constexpr std::size_t scratch_size_of = [] {
  if constexpr (requires { L::scratch_size; })
    return std::size_t{L::scratch_size};
  else
    return std::size_t{0};
}();

/// L's forward pass, handing it `scratch` (scratch_size_of<L> scalars) if it needs any.
template <class L, class T>
constexpr void forward_layer(const T* p, const T* x, T* y, T* scratch) noexcept {
  if constexpr (scratch_size_of < L >> 0)
    L::forward(p, x, y, scratch);
  else
    L::forward(p, x, y);
}
}  // namespace detail

}  // namespace ctnn
