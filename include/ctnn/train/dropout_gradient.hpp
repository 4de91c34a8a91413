// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Training of dropout (dropout.hpp): the layer_gradient contract (identity: the inference
/// function's gradient) plus the trainer's stochastic extension. Host only.
///
/// Stochastic extension (trainer.hpp calls it instead of affine/backward for layer kinds
/// that have `stochastic = true`): `stream` identifies (step key, layer, sample position);
/// value i of that sample is kept iff hash(stream, i) ≥ Num/Den (32-bit fraction of a
/// 64-bit mix: the drop probability is Num/Den rounded up to a multiple of 2^−32), and
///   forward_train:  z[i] = kept ? x[i]·s : +0,        s = Den/(Den − Num) (rounded once)
///   backward_train: grad_x[i] = kept ? grad_z[i]·s : +0
/// so the pair is exactly the derivative of the masked forward pass.
#include <cstddef>
#include <cstdint>

#include "ctnn/dropout.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {
namespace detail {

/// A 64-bit mixing function (splitmix64's finaliser): a bijection with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The stream of one sample in one layer for one step's key.
constexpr std::uint64_t noise_stream(std::uint64_t key, std::size_t layer,
                                     std::uint64_t position) noexcept {
  return mix64(key ^ mix64((std::uint64_t{layer} << 48) ^ (position + 0x9e3779b97f4a7c15ull)));
}

}  // namespace detail

template <class T, class Mode, class In, std::intmax_t Num, std::intmax_t Den, std::size_t Index>
struct layer_gradient<ctnn::detail::dropout_layer<T, Mode, In, Num, Den, Index>> {
  static constexpr std::size_t n = In::size;

  /// The identity's gradient (dropout at inference): grad_x = grad_z.
  static void backward(const T* /*p*/, const T* /*x*/, const T* /*z*/, const T* grad_z,
                       T* /*grad_p*/, T* grad_x) noexcept {
    if (!grad_x) return;
    for (std::size_t i = 0; i < n; ++i) grad_x[i] = grad_z[i];
  }

  static constexpr bool stochastic = true;
  /// A value is dropped iff the top 32 bits of its hash are below this.
  static constexpr std::uint64_t threshold = [] {
    constexpr auto num = static_cast<std::uint64_t>(Num > 0 ? Num : 0);
    constexpr auto den = static_cast<std::uint64_t>(Den > 0 ? Den : 1);
    if constexpr (den < (std::uint64_t{1} << 31))
      return ((num << 32) + den - 1) / den;  // ceil(Num·2^32/Den), exact
    else
      return static_cast<std::uint64_t>(double(num) / double(den) * 4294967296.0);
  }();
  static constexpr T scale = T(Den) / T(Den - Num);

  /// True if value i of the sample with this stream survives.
  static constexpr bool kept(std::uint64_t stream, std::size_t i) noexcept {
    return (detail::mix64(stream + 0x9e3779b97f4a7c15ull * (std::uint64_t{i} + 1)) >> 32) >=
           threshold;
  }

  static void forward_train(const T* x, T* z, std::uint64_t stream) noexcept {
    for (std::size_t i = 0; i < n; ++i) z[i] = kept(stream, i) ? x[i] * scale : T(0);
  }
  static void backward_train(const T* grad_z, T* grad_x, std::uint64_t stream) noexcept {
    for (std::size_t i = 0; i < n; ++i) grad_x[i] = kept(stream, i) ? grad_z[i] * scale : T(0);
  }
};

}  // namespace ctnn::train
