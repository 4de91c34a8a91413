// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// 2-D pooling over HWC images, each channel on its own: max_pool2d and avg_pool2d.
///
/// Windows of PoolH × PoolW, moved by Stride in both directions, without padding: the
/// output is floor((In − Pool)/Stride) + 1 per axis. Order (frozen): the window's values
/// are visited kh-major, then kw. Max keeps the first of equal values (`v > m`; a NaN
/// never replaces a number). Average sums in that order, starting from the first value,
/// then divides by PoolH·PoolW (a true division, not a multiply by a reciprocal).
/// No parameters; constexpr, noexcept, no heap, identical bits everywhere.
#include <cstddef>

#include "ctnn/activation.hpp"
#include "ctnn/detail/conv_checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

struct max_pool_op {
  static constexpr auto name = fixed_string("max_pool2d");
  template <class T>
  static constexpr T combine(T m, T v) noexcept {
    return v > m ? v : m;
  }
  template <class T>
  static constexpr T finish(T m, std::size_t) noexcept {
    return m;
  }
};

struct avg_pool_op {
  static constexpr auto name = fixed_string("avg_pool2d");
  template <class T>
  static constexpr T combine(T s, T v) noexcept {
    return s + v;
  }
  template <class T>
  static constexpr T finish(T s, std::size_t n) noexcept {
    return s / T(n);
  }
};

template <class T, class Mode, class In, class Op, std::size_t PoolH, std::size_t PoolW,
          std::size_t Stride, std::size_t Index>
struct pool2d_layer {
  static_assert(check_pool_window_size<Index, PoolH, PoolW>::value);
  static_assert(check_stride<Index, Stride>::value);
  static_assert(check_pool_window_fits<Index, PoolH, PoolW, In::height, In::width>::value);

  static constexpr std::size_t step = Stride > 0 ? Stride : 1;
  static constexpr bool fits =
      PoolH >= 1 && PoolW >= 1 && PoolH <= In::height && PoolW <= In::width;
  static constexpr std::size_t out_h = fits ? (In::height - PoolH) / step + 1 : 1;
  static constexpr std::size_t out_w = fits ? (In::width - PoolW) / step + 1 : 1;
  static constexpr std::size_t channels = In::channels;

  using scalar = T;
  using numerics = Mode;
  using activation = identity;
  using operation = Op;
  using input_shape = In;
  using output_shape = shape<out_h, out_w, channels>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t pool_height = PoolH;
  static constexpr std::size_t pool_width = PoolW;
  static constexpr std::size_t stride = Stride;
  static constexpr std::size_t window_size = PoolH * PoolW;
  static constexpr std::size_t weight_count = 0;
  static constexpr std::size_t bias_count = 0;
  static constexpr std::size_t parameter_count = 0;
  /// No parameters to initialise; the window size, for completeness.
  static constexpr std::size_t fan_in = window_size;
  static constexpr std::size_t fan_out = 1;
  /// e.g. "max_pool2d(2x2,s2)".
  static constexpr auto name = Op::name + "(" + to_fixed_string<PoolH>() + "x" +
                               to_fixed_string<PoolW>() + ",s" + to_fixed_string<Stride>() + ")";

  /// Pooling has no pre-activation: affine is the whole layer. The channel loop is
  /// innermost and contiguous, so compilers vectorise it without changing any result.
  static constexpr void affine(const T*, const T* x, T* y) noexcept {
    constexpr std::size_t C = channels, W = In::width;
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        T* out = y + (oh * out_w + ow) * C;
        const T* corner = x + (oh * step * W + ow * step) * C;
        for (std::size_t c = 0; c < C; ++c) out[c] = corner[c];
        for (std::size_t kh = 0; kh < PoolH; ++kh)
          for (std::size_t kw = kh == 0 ? 1 : 0; kw < PoolW; ++kw) {
            const T* v = corner + (kh * W + kw) * C;
            for (std::size_t c = 0; c < C; ++c) out[c] = Op::combine(out[c], v[c]);
          }
        for (std::size_t c = 0; c < C; ++c) out[c] = Op::finish(out[c], window_size);
      }
  }

  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
  }
};

}  // namespace detail

/// Maximum of each PoolH × PoolW window, per channel.
template <std::size_t PoolH, std::size_t PoolW = PoolH, std::size_t Stride = PoolH>
struct max_pool2d {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::pool2d_layer<T, Mode, In, detail::max_pool_op, PoolH, PoolW, Stride, Index>;
};

/// Mean of each PoolH × PoolW window, per channel.
template <std::size_t PoolH, std::size_t PoolW = PoolH, std::size_t Stride = PoolH>
struct avg_pool2d {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::pool2d_layer<T, Mode, In, detail::avg_pool_op, PoolH, PoolW, Stride, Index>;
};

}  // namespace ctnn
