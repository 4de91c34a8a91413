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

#include "ctnn/detail/simd.hpp"
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
        std::size_t c0 = 0;
        if constexpr (is_max && vector_channels > 0) {
          max_vectors(x, gz, grad_x, corner);
          c0 = vector_channels;
        }
        for (std::size_t c = c0; c < C; ++c) {
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

 private:
  using simd = ctnn::detail::simd<T>;
  static constexpr std::size_t vector_channels =
      simd::width > 1 ? layer::channels / simd::width* simd::width : 0;

  /// The max branch for channels [0, vector_channels) of the window at `corner`, lane by
  /// lane: the same first maximum (a later tap wins only if greater), then every tap of
  /// the window adds grad_z where it is the winner and +0 elsewhere (a sum that started
  /// at +0 is never −0, so adding +0 changes no bit) — no branch per value.
  static void max_vectors(const T* x, const T* gz, T* grad_x, std::size_t corner) noexcept {
    constexpr std::size_t C = layer::channels, W = In::width, w = simd::width;
    using vec = typename simd::type;
    const vec zero = simd::broadcast(T(0));
    for (std::size_t c = 0; c < vector_channels; c += w) {
      vec best = simd::load(x + corner + c), winner = zero;
      for (std::size_t k = 1; k < PoolH * PoolW; ++k) {
        const vec v = simd::load(x + corner + ((k / PoolW) * W + k % PoolW) * C + c);
        const auto greater = v > best;
        best = greater ? v : best;
        winner = greater ? simd::broadcast(T(k)) : winner;
      }
      const vec g = simd::load(gz + c);
      for (std::size_t k = 0; k < PoolH * PoolW; ++k) {
        T* dst = grad_x + corner + ((k / PoolW) * W + k % PoolW) * C + c;
        simd::store(dst, simd::load(dst) + (winner == simd::broadcast(T(k)) ? g : zero));
      }
    }
  }
};

}  // namespace ctnn::train
