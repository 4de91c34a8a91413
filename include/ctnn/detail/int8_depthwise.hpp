// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 form of depthwise_conv2d (bound by partial specialisation on the float layer,
/// as int8_layers.hpp does for dense and conv2d; int8_layers.hpp includes this header).
///
/// Parameter layout (frozen; train/quantize.hpp writes it): weights W[o][kh][kw]
/// output-major (o = c·M + m: each output channel's KH·KW taps contiguous; PyTorch's
/// Conv2d(groups=C).weight order, the transpose of the float layout), symmetric in
/// [−127, 127] with a scale per output channel; biases b'[o] = b[o] − z_in·Σ_taps W[o][…]
/// (int32, scale s_in·s_w[o], the input zero point folded in); a requantisation multiplier
/// and shift per output channel and activation slot ([o·k + j], as conv2d).
/// Arithmetic (TFLite's DEPTHWISE_CONV_2D with single rounding):
///   acc[o] = b'[o] + Σ_{taps inside} x[ih][iw][o / M]·W[o][kh][kw] + z_in·Σ_{padded taps}
///   W[o][kh][kw]
/// so padded taps hold the input zero point (the real value 0), then the activation's
/// epilogue (int8_layers.hpp) requantises acc with multiplier o.
#include <cstddef>
#include <cstdint>

#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/detail/int8_layers.hpp"

namespace ctnn::detail {

template <class T, class Mode, class In, std::size_t KH, std::size_t KW, class A,
          std::size_t Stride, class Padding, std::size_t M, std::size_t Index>
struct int8_layer<depthwise_conv2d_layer<T, Mode, In, KH, KW, A, Stride, Padding, M, Index>> {
  using float_layer = depthwise_conv2d_layer<T, Mode, In, KH, KW, A, Stride, Padding, M, Index>;
  using geometry = typename float_layer::geometry;
  using epilogue = int8_epilogue<A>;
  static_assert(check_int8_activation<Index, A, epilogue::supported>::value);
  static_assert(check_int8_softmax_on_dense<Index, epilogue::elementwise>::value);
  static constexpr std::size_t C = In::channels, H = In::height, W = In::width, O = C * M;
  static constexpr std::size_t taps = KH * KW;  ///< weights per output channel
  static_assert(check_int8_fan_in<Index, taps>::value);
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = taps * O;
  static constexpr std::size_t bias_count = O;
  static constexpr std::size_t multiplier_count = O * epilogue::multipliers;
  static constexpr std::size_t shift_count = multiplier_count;
  static constexpr std::size_t fan_in = taps;
  static constexpr std::size_t out_h = geometry::out_h, out_w = geometry::out_w;

  static constexpr void forward(const int8_slice& p, const std::int8_t* x,
                                std::int8_t* y) noexcept {
    constexpr std::size_t k = epilogue::multipliers;
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        conv_window win{};
        clip_axis<H, KH, Stride, geometry::pad_top>(oh, win.kh0, win.kh1);
        clip_axis<W, KW, Stride, geometry::pad_left>(ow, win.kw0, win.kw1);
        const bool border = win.kh0 > 0 || win.kh1 < KH || win.kw0 > 0 || win.kw1 < KW;
        // Top-left input of the window, in unpadded coordinates (valid taps only).
        const std::size_t row0 = oh * Stride + win.kh0 - geometry::pad_top;
        const std::size_t col0 = ow * Stride + win.kw0 - geometry::pad_left;
        const std::int8_t* corner = x + (row0 * W + col0) * C;
        std::int8_t* out = y + (oh * out_w + ow) * O;
        for (std::size_t o = 0; o < O; ++o) {
          const std::int8_t* wo = p.weights + o * taps;
          const std::int8_t* xc = corner + o / M;
          std::int32_t acc = p.biases[o];
          for (std::size_t kh = win.kh0; kh < win.kh1; ++kh) {
            const std::int8_t* xr = xc + (kh - win.kh0) * W * C;
            const std::int8_t* wr = wo + kh * KW;
            for (std::size_t kw = win.kw0; kw < win.kw1; ++kw)
              acc += std::int32_t{xr[(kw - win.kw0) * C]} * std::int32_t{wr[kw]};
          }
          if (border && p.input_zero_point != 0) {
            std::int32_t padded = 0;
            for (std::size_t kh = 0; kh < KH; ++kh)
              for (std::size_t kw = 0; kw < KW; ++kw)
                if (kh < win.kh0 || kh >= win.kh1 || kw < win.kw0 || kw >= win.kw1)
                  padded += wo[kh * KW + kw];
            acc += p.input_zero_point * padded;
          }
          out[o] =
              epilogue::apply(acc, p.multipliers + o * k, p.shifts + o * k, p.output_zero_point);
        }
      }
  }
};

}  // namespace ctnn::detail
