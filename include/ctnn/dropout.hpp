// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// dropout<Num, Den>: during training, each value is zeroed with probability Num/Den and
/// the others are scaled by Den/(Den − Num) (inverted dropout, so the expected value is
/// unchanged); at inference it is the identity.
///
/// @code
/// using net = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
///                           ctnn::dropout<1, 4>,  // rate 0.25 while training
///                           ctnn::dense<10, ctnn::softmax>>;
/// @endcode
///
/// Contract:
/// - The rate is a ratio of integers (like leaky_relu's slope), 0 ≤ Num < Den.
/// - No parameters: the parameter layout of a network is the same with or without it, but
///   it is part of the architecture: the signature lists it as "dropout(Num/Den)", so a
///   checkpoint or weights header of a network with dropout is bound to that network type
///   (re-declare the model without it to drop it from the signature).
/// - Inference: a copy of its input into its output buffer (no arithmetic, the same bits).
///   It takes a slot in the ping-pong workspace like any layer, so activation_bytes counts
///   its output; place it where activations are small (before dense layers) to cost no
///   extra RAM. The int8 form is the same copy, keeping scale and zero point.
/// - Training (train/dropout_gradient.hpp): the keep/drop decisions come from a
///   counter-based hash of (a key the trainer draws from its RNG once per optimiser step,
///   the layer index, the sample's position in the epoch's order, the value's index), so a
///   run is deterministic given the seed, independent of the thread and shard counts, and
///   resumes exactly from a checkpoint. Evaluation (trainer::evaluate) uses the inference
///   forward pass: no dropout.
#include <cstddef>
#include <cstdint>

#include "ctnn/activation.hpp"
#include "ctnn/detail/dropout_checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, std::intmax_t Num, std::intmax_t Den, std::size_t Index>
struct dropout_layer {
  static_assert(check_dropout_rate<Index, Num, Den>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = identity;
  using input_shape = In;
  using output_shape = In;
  static constexpr std::size_t index = Index;
  static constexpr std::intmax_t rate_numerator = Num;
  static constexpr std::intmax_t rate_denominator = Den;
  static constexpr std::size_t weight_count = 0;
  static constexpr std::size_t bias_count = 0;
  static constexpr std::size_t parameter_count = 0;
  static constexpr std::size_t fan_in = 1;
  static constexpr std::size_t fan_out = 1;
  /// e.g. "dropout(1/4)".
  static constexpr auto name =
      fixed_string("dropout(") + to_fixed_string<Num>() + "/" + to_fixed_string<Den>() + ")";

  /// Inference: the identity (a copy).
  static constexpr void affine(const T*, const T* x, T* y) noexcept {
    for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
  }
  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
  }
};

}  // namespace detail

/// Inverted dropout with rate Num/Den while training; the identity at inference.
template <std::intmax_t Num, std::intmax_t Den>
struct dropout {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::dropout_layer<T, Mode, In, Num, Den, Index>;
};

}  // namespace ctnn
