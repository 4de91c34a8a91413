// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// batch_norm<Activation>: batch normalisation per channel (the last dimension of an
/// H × W × C tensor, or each value of a vector), y = act(γ·(x − μ)/√(σ² + ε) + β).
///
/// @code
/// using net = ctnn::network<float, ctnn::input<28, 28>,
///     ctnn::conv2d<32, 3, 3, ctnn::identity, 2, ctnn::same>,  // no activation here…
///     ctnn::batch_norm<ctnn::relu>,                           // …but after the norm
///     ctnn::global_avg_pool, ctnn::dense<10, ctnn::softmax>>;
/// using device = ctnn::folded<net>;  // the batch_norm folded into the conv (folded.hpp)
/// @endcode
///
/// Parameter layout (frozen): γ[C], β[C], running mean μ[C], running variance σ²[C] (4·C
/// values; PyTorch's BatchNorm weight, bias, running_mean, running_var in that order).
/// γ and β are trained (counted as bias_count = 2·C: no weight decay); μ and σ² are state
/// (state_count = 2·C): the trainer never differentiates or optimises them, it replaces them
/// after every step with running averages of the batch statistics (momentum 0.1, the
/// unbiased variance, as PyTorch; train/batch_norm_gradient.hpp). Initial values: γ = 1,
/// β = 0, μ = 0, σ² = 1.
///
/// ε = 1e-5 rounded to the scalar type (PyTorch's default), fixed.
///
/// Inference (frozen, both numeric modes) uses the running statistics: per channel c
///   scale[c] = γ[c] / sqrt(σ²[c] + ε)        (the sum, the root and the quotient each
///                                               rounded once; sqrt correctly rounded)
///   shift[c] = mac(−μ[c], scale[c], β[c])     (fused: one rounding; unfused: two)
///   y[i]     = act(mac(x[i], scale[c], shift[c]))
/// which is exactly scale_shift (scale_shift.hpp) with those values: the fold of a
/// batch_norm that has nothing to fold into. constexpr, noexcept, no heap; the square root
/// is ctnn's own (detail/sqrt.hpp), so the bits are the same everywhere. Each forward pass
/// recomputes scale and shift (C square roots) in 2·C scalars of stack; fold the layer
/// (folded.hpp) for a device, where it then costs nothing.
#include <array>
#include <cstddef>

#include "ctnn/activation.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/detail/sqrt.hpp"
#include "ctnn/scale_shift.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

/// scale and shift of a batch_norm channel from γ, β, μ, σ² (the formulas above).
template <class Mode, class T>
constexpr void batch_norm_scale_shift(T gamma, T beta, T mean, T variance, T epsilon, T& scale,
                                      T& shift) noexcept {
  scale = gamma / soft_sqrt(variance + epsilon);
  shift = mac<Mode>(-mean, scale, beta);
}

template <class T, class Mode, class In, class Activation, std::size_t Index>
struct batch_norm_layer {
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using input_shape = In;
  using output_shape = In;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t channels = In::channels;
  /// Values per channel in one sample (H·W).
  static constexpr std::size_t pixels = In::height * In::width;
  static constexpr std::size_t weight_count = 0;
  /// γ and β: trained, never weight-decayed.
  static constexpr std::size_t bias_count = 2 * channels;
  /// Running mean and variance: set by the trainer, not by the optimiser.
  static constexpr std::size_t state_count = 2 * channels;
  static constexpr std::size_t parameter_count = bias_count + state_count;
  static constexpr std::size_t gamma_offset = 0;
  static constexpr std::size_t beta_offset = channels;
  static constexpr std::size_t mean_offset = 2 * channels;
  static constexpr std::size_t variance_offset = 3 * channels;
  static constexpr std::size_t fan_in = 1;
  static constexpr std::size_t fan_out = 1;
  static constexpr T epsilon = T(1e-5);
  static constexpr double momentum = 0.1;
  /// e.g. "batch_norm(relu)".
  static constexpr auto name = fixed_string("batch_norm(") + Activation::name + ")";

  /// The initial parameters (γ = 1, β = 0, μ = 0, σ² = 1); the trainer uses these instead
  /// of drawing (train/init.hpp).
  static constexpr void initial_parameters(T* p) noexcept {
    for (std::size_t c = 0; c < channels; ++c) {
      p[gamma_offset + c] = T(1);
      p[beta_offset + c] = T(0);
      p[mean_offset + c] = T(0);
      p[variance_offset + c] = T(1);
    }
  }

  /// Channel c's inference scale and shift (the formulas of the file comment).
  static constexpr void scale_shift(const T* p, std::size_t c, T& scale, T& shift) noexcept {
    batch_norm_scale_shift<Mode>(p[gamma_offset + c], p[beta_offset + c], p[mean_offset + c],
                                 p[variance_offset + c], epsilon, scale, shift);
  }

  /// Pre-activation with the running statistics.
  /// It is scale_shift's, on the scales and shifts of the running statistics.
  static constexpr void affine(const T* p, const T* x, T* z) noexcept {
    std::array<T, 2 * channels> folded{};  // scale_shift's layout: scales, then shifts
    for (std::size_t c = 0; c < channels; ++c) scale_shift(p, c, folded[c], folded[channels + c]);
    scale_shift_layer<T, Mode, In, identity, Index>::affine(folded.data(), x, z);
  }

  static constexpr void forward(const T* p, const T* x, T* y) noexcept {
    affine(p, x, y);
    Activation::apply(y, In::size);
  }
};

}  // namespace detail

/// Batch normalisation per channel, then Activation; see the file comment.
template <class Activation = identity>
struct batch_norm {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::batch_norm_layer<T, Mode, In, Activation, Index>;
};

}  // namespace ctnn
