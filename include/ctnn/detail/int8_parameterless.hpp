// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 forms of global_avg_pool and dropout (bound by partial specialisation on the
/// float layer; int8_layers.hpp includes this header). Both keep their input's scale and
/// zero point (train/quantize.hpp writes them equal) and have no parameters.
/// - global_avg_pool: per channel, the raw int8 values summed in int32 in (h, w) order,
///   then divided by n = H·W rounding half away from zero: (s ± ⌊n/2⌋) / n with C++'s
///   truncating division, as TFLite's AVERAGE_POOL_2D and MEAN reference kernels do when
///   input and output share scale and zero point. |s| ≤ 128·H·W, far inside int32.
/// - dropout: the identity, a copy.
#include <cstddef>
#include <cstdint>

#include "ctnn/detail/int8_layers.hpp"
#include "ctnn/dropout.hpp"
#include "ctnn/global_avg_pool.hpp"

namespace ctnn::detail {

template <class T, class Mode, class In, std::size_t Index>
struct int8_layer<global_avg_pool_layer<T, Mode, In, Index>> {
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = 0, bias_count = 0;
  static constexpr std::size_t multiplier_count = 0, shift_count = 0, fan_in = 0;

  static constexpr void forward(const int8_slice&, const std::int8_t* x, std::int8_t* y) noexcept {
    constexpr std::size_t C = In::channels, n = In::height * In::width;
    std::int32_t sum[C];
    for (std::size_t c = 0; c < C; ++c) sum[c] = x[c];
    for (std::size_t i = 1; i < n; ++i)
      for (std::size_t c = 0; c < C; ++c) sum[c] += x[i * C + c];
    for (std::size_t c = 0; c < C; ++c)
      y[c] = static_cast<std::int8_t>(divide_half_away(sum[c], static_cast<std::int32_t>(n)));
  }
};

template <class T, class Mode, class In, std::intmax_t Num, std::intmax_t Den, std::size_t Index>
struct int8_layer<dropout_layer<T, Mode, In, Num, Den, Index>> {
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = 0, bias_count = 0;
  static constexpr std::size_t multiplier_count = 0, shift_count = 0, fan_in = 0;
  static constexpr void forward(const int8_slice&, const std::int8_t* x, std::int8_t* y) noexcept {
    for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
  }
};

}  // namespace ctnn::detail
