// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// scale_shift<Activation>: a per-channel affine map y = act(x·scale[c] + shift[c]) over
/// the last dimension (channels of H × W × C, or each value of a vector). It is what a
/// batch_norm becomes in ctnn::folded<Net> when no dense/conv2d/depthwise_conv2d with the
/// identity activation precedes it (folded.hpp).
///
/// Parameter layout (frozen): scale[C], then shift[C]. Both count as biases (bias_count =
/// 2·C: no weight decay); initial values scale = 1, shift = 0. Forward (frozen):
/// y[i] = act(mac(x[i], scale[c], shift[c])) with c = i mod C; for the values a batch_norm
/// folds to, the same bits as that batch_norm's inference forward pass. constexpr,
/// noexcept, no heap, both numeric modes. int8 form: detail/int8_scale_shift.hpp (TFLite's
/// 1×1 depthwise convolution: a weight, an int32 bias and a requantisation per channel).
#include <cstddef>

#include "ctnn/activation.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, class Activation, std::size_t Index>
struct scale_shift_layer {
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using input_shape = In;
  using output_shape = In;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t channels = In::channels;
  static constexpr std::size_t pixels = In::height * In::width;
  static constexpr std::size_t weight_count = 0;
  static constexpr std::size_t bias_count = 2 * channels;
  static constexpr std::size_t parameter_count = 2 * channels;
  static constexpr std::size_t fan_in = 1;
  static constexpr std::size_t fan_out = 1;
  /// e.g. "scale_shift(relu)".
  static constexpr auto name = fixed_string("scale_shift(") + Activation::name + ")";

  /// scale = 1, shift = 0 (the identity); the trainer uses these instead of drawing.
  static constexpr void initial_parameters(T* p) noexcept {
    for (std::size_t c = 0; c < channels; ++c) {
      p[c] = T(1);
      p[channels + c] = T(0);
    }
  }

  static constexpr void affine(const T* p, const T* x, T* z) noexcept {
    const T* scale = p;
    const T* shift = p + channels;
    for (std::size_t i = 0; i < pixels; ++i)
      for (std::size_t c = 0; c < channels; ++c)
        z[i * channels + c] = mac<Mode>(x[i * channels + c], scale[c], shift[c]);
  }

  static constexpr void forward(const T* p, const T* x, T* y) noexcept {
    affine(p, x, y);
    Activation::apply(y, In::size);
  }
};

}  // namespace detail

/// Per-channel scale and shift, then Activation; see the file comment.
template <class Activation = identity>
struct scale_shift {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::scale_shift_layer<T, Mode, In, Activation, Index>;
};

}  // namespace ctnn
