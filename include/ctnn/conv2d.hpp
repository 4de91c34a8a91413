// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// 2-D convolution over HWC images: y = act(b + conv(x, W)).
///
/// @code
/// using cnn = ctnn::network<float, ctnn::input<28, 28>,
///     ctnn::conv2d<8, 3, 3, ctnn::relu>,              // 26x26x8
///     ctnn::max_pool2d<2, 2>,                         // 13x13x8
///     ctnn::conv2d<16, 3, 3, ctnn::relu, 1, ctnn::same>,  // 13x13x16
///     ctnn::flatten, ctnn::dense<10, ctnn::softmax>>;
/// @endcode
///
/// Parameter layout (frozen): W[KernelH][KernelW][InChannels][Filters] (filters fastest:
/// W[kh][kw][c][f] at ((kh·KernelW + kw)·InChannels + c)·Filters + f), then b[Filters].
/// This is TensorFlow's HWIO kernel layout; PyTorch's Conv2d.weight is [F][C][KH][KW].
///
/// Output size per axis: `valid`, floor((In − K)/S) + 1; `same`, ceil(In/S) with
/// TensorFlow's padding (total max((out − 1)·S + K − In, 0), the odd extra row/column at
/// the bottom/right). Summation order (frozen): for each output pixel and filter f,
/// b[f], then the taps in kh, kw, c order; padded taps are skipped, not multiplied by
/// zero (detail/conv_kernel.hpp). Same guarantees as dense: constexpr, noexcept, no heap,
/// no buffer beyond the network's ping-pong workspace (no im2col), both numeric modes,
/// identical bits in constant evaluation, on x86-64 (vectorised across filters) and on
/// Cortex-M4.
#include <cstddef>
#include <type_traits>

#include "ctnn/activation.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/conv_checks.hpp"
#include "ctnn/detail/conv_kernel.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/numerics.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {

/// No padding: the kernel only visits positions entirely inside the input.
struct valid {
  static constexpr auto name = detail::fixed_string("valid");
};

/// TensorFlow's "same" padding: output size ceil(In/Stride); the odd extra padding row or
/// column goes at the bottom/right.
struct same {
  static constexpr auto name = detail::fixed_string("same");
};

/// ctnn::valid or ctnn::same.
template <class P>
concept padding = std::is_same_v<P, valid> || std::is_same_v<P, same>;

namespace detail {

template <class T, class Mode, class In, std::size_t Filters, std::size_t KernelH,
          std::size_t KernelW, class Activation, std::size_t Stride, class Padding,
          std::size_t Index>
struct conv2d_layer {
  static_assert(check_conv_filters<Index, Filters>::value);
  static_assert(check_conv_kernel_size<Index, KernelH, KernelW>::value);
  static_assert(check_stride<Index, Stride>::value);
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);
  static_assert(check_padding<Index, Padding, ctnn::padding<Padding>>::value);

  using geometry = conv_geometry<In::height, In::width, In::channels, Filters, KernelH, KernelW,
                                 Stride, std::is_same_v<Padding, same>>;
  static_assert(check_conv_kernel_fits<Index, KernelH, KernelW, geometry::rows::padded,
                                       geometry::cols::padded>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using padding = Padding;
  using input_shape = In;
  using output_shape = shape<geometry::out_h, geometry::out_w, Filters>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t filters = Filters;
  static constexpr std::size_t kernel_height = KernelH;
  static constexpr std::size_t kernel_width = KernelW;
  static constexpr std::size_t stride = Stride;
  /// Padding rows above / columns left of the input (0 for valid).
  static constexpr std::size_t pad_top = geometry::pad_top;
  static constexpr std::size_t pad_left = geometry::pad_left;
  static constexpr std::size_t weight_count = KernelH * KernelW * In::channels * Filters;
  static constexpr std::size_t bias_count = Filters;
  static constexpr std::size_t parameter_count = weight_count + bias_count;
  /// Fan-in and fan-out, for Xavier/He initialisation (as Keras computes them).
  static constexpr std::size_t fan_in = KernelH * KernelW * In::channels;
  static constexpr std::size_t fan_out = KernelH * KernelW * Filters;
  /// e.g. "conv2d(8,3x3,s1,valid,relu)".
  static constexpr auto name = fixed_string("conv2d(") + to_fixed_string<Filters>() + "," +
                               to_fixed_string<KernelH>() + "x" + to_fixed_string<KernelW>() +
                               ",s" + to_fixed_string<Stride>() + "," + Padding::name + "," +
                               Activation::name + ")";

  /// z = b + conv(x, W) (pre-activation).
  static constexpr void affine(const T* params, const T* x, T* z) noexcept {
    conv_affine<Mode, geometry>(params, params + weight_count, x, z);
  }

  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
    Activation::apply(y, output_shape::size);
  }
};

}  // namespace detail

/// Convolution with Filters filters of KernelH × KernelW over all input channels, moved by
/// Stride in both directions, with `valid` or `same` padding; input and output are HWC.
template <std::size_t Filters, std::size_t KernelH, std::size_t KernelW,
          class Activation = identity, std::size_t Stride = 1, class Padding = valid>
struct conv2d {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::conv2d_layer<T, Mode, In, Filters, KernelH, KernelW, Activation, Stride,
                                    Padding, Index>;
};

}  // namespace ctnn
