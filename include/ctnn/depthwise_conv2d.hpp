// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Depthwise 2-D convolution over HWC images: each input channel c is convolved with its
/// own DepthMultiplier kernels, y[oh][ow][c·M + m] = act(b[c·M + m] + Σ_{kh,kw}
/// W[kh][kw][c·M + m]·x[ih][iw][c]). With a 1×1 conv2d after it, the "depthwise separable"
/// block of MobileNet and DS-CNN.
///
/// @code
/// using ds = ctnn::network<float, ctnn::input<28, 28, 8>,
///     ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>,  // 28x28x8, 80 parameters
///     ctnn::conv2d<16, 1, 1, ctnn::relu>>;                       // pointwise: 28x28x16
/// @endcode
///
/// Parameter layout (frozen): W[KernelH][KernelW][C·M] (output channel o = c·M + m
/// fastest: W[kh][kw][o] at (kh·KernelW + kw)·C·M + o), then b[C·M]. This is TensorFlow's
/// depthwise kernel [KH][KW][C][M] flattened; PyTorch's Conv2d(groups=C).weight is
/// [C·M][1][KH][KW].
///
/// Output size per axis and padding exactly as conv2d (`valid`: floor((In − K)/S) + 1;
/// `same`: ceil(In/S), TensorFlow's padding with the odd extra row/column at the
/// bottom/right). Summation order (frozen): b[o], then the taps in kh, kw order; padded
/// taps are skipped (detail/depthwise_kernel.hpp). constexpr, noexcept, no heap, no buffer
/// beyond the network's ping-pong workspace, both numeric modes, identical bits in constant
/// evaluation, on x86-64 (vectorised across channels when M = 1) and on Cortex-M.
/// Initialisation fans: fan_in = KH·KW (the taps one output sees), fan_out = KH·KW·M.
/// int8 form: detail/int8_depthwise.hpp.
#include <cstddef>
#include <type_traits>

#include "ctnn/activation.hpp"
#include "ctnn/conv2d.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/conv_kernel.hpp"
#include "ctnn/detail/depthwise_checks.hpp"
#include "ctnn/detail/depthwise_kernel.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/numerics.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {

template <class T, class Mode, class In, std::size_t KernelH, std::size_t KernelW, class Activation,
          std::size_t Stride, class Padding, std::size_t M, std::size_t Index>
struct depthwise_conv2d_layer {
  static_assert(check_depthwise_kernel_size<Index, KernelH, KernelW>::value);
  static_assert(check_depthwise_stride<Index, Stride>::value);
  static_assert(check_depth_multiplier<Index, M>::value);
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);
  static_assert(check_depthwise_padding<Index, Padding, ctnn::padding<Padding>>::value);

  using geometry = conv_geometry<In::height, In::width, In::channels, In::channels * M, KernelH,
                                 KernelW, Stride, std::is_same_v<Padding, same>>;
  static_assert(check_depthwise_kernel_fits<Index, KernelH, KernelW, geometry::rows::padded,
                                            geometry::cols::padded>::value);

  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using padding = Padding;
  using input_shape = In;
  static constexpr std::size_t channels = In::channels;
  static constexpr std::size_t depth_multiplier = M;
  static constexpr std::size_t output_channels = In::channels * M;
  using output_shape = shape<geometry::out_h, geometry::out_w, output_channels>;
  static constexpr std::size_t index = Index;
  static constexpr std::size_t kernel_height = KernelH;
  static constexpr std::size_t kernel_width = KernelW;
  static constexpr std::size_t stride = Stride;
  /// Padding rows above / columns left of the input (0 for valid).
  static constexpr std::size_t pad_top = geometry::pad_top;
  static constexpr std::size_t pad_left = geometry::pad_left;
  static constexpr std::size_t weight_count = KernelH * KernelW * output_channels;
  static constexpr std::size_t bias_count = output_channels;
  static constexpr std::size_t parameter_count = weight_count + bias_count;
  /// Fan-in and fan-out, for Xavier/He initialisation: one output sees KH·KW inputs.
  static constexpr std::size_t fan_in = KernelH * KernelW;
  static constexpr std::size_t fan_out = KernelH * KernelW * M;
  /// e.g. "depthwise_conv2d(3x3,s1,same,m1,relu)".
  static constexpr auto name = fixed_string("depthwise_conv2d(") + to_fixed_string<KernelH>() +
                               "x" + to_fixed_string<KernelW>() + ",s" + to_fixed_string<Stride>() +
                               "," + Padding::name + ",m" + to_fixed_string<M>() + "," +
                               Activation::name + ")";

  /// z = b + depthwise(x, W) (pre-activation).
  static constexpr void affine(const T* params, const T* x, T* z) noexcept {
    depthwise_affine<Mode, geometry, (M > 0 ? M : 1)>(params, params + weight_count, x, z);
  }

  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    affine(params, x, y);
    Activation::apply(y, output_shape::size);
  }
};

}  // namespace detail

/// Depthwise convolution with KernelH × KernelW kernels, DepthMultiplier of them per input
/// channel, moved by Stride in both directions, `valid` or `same` padding; HWC in and out,
/// C·DepthMultiplier output channels.
template <std::size_t KernelH, std::size_t KernelW, class Activation = identity,
          std::size_t Stride = 1, class Padding = valid, std::size_t DepthMultiplier = 1>
struct depthwise_conv2d {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::depthwise_conv2d_layer<T, Mode, In, KernelH, KernelW, Activation, Stride,
                                              Padding, DepthMultiplier, Index>;
};

}  // namespace ctnn
