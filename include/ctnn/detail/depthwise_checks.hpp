// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The static_asserts a user can trigger with depthwise_conv2d. As in
/// checks.hpp, each sits in a class template whose arguments are the 1-based layer index
/// and the sizes involved, so the compiler's "in instantiation of …" line shows them next
/// to the sentence. The sentences are part of the interface: compile-fail tests
/// (tests/compile_fail/layer_errors.cpp) match them.
#include <cstddef>

namespace ctnn::detail {

template <std::size_t Layer, std::size_t KernelHeight, std::size_t KernelWidth>
struct check_depthwise_kernel_size {
  static_assert(KernelHeight > 0 && KernelWidth > 0,
                "ctnn: a depthwise_conv2d kernel must be at least 1x1, but this layer's kernel "
                "is KernelHeight x KernelWidth");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t Stride>
struct check_depthwise_stride {
  static_assert(Stride > 0,
                "ctnn: the stride of a depthwise_conv2d layer must be at least 1, but this "
                "layer's Stride is 0");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t DepthMultiplier>
struct check_depth_multiplier {
  static_assert(DepthMultiplier > 0,
                "ctnn: the DepthMultiplier of a depthwise_conv2d layer must be at least 1 "
                "(output channels = input channels x DepthMultiplier), but this layer's is 0");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t KernelHeight, std::size_t KernelWidth,
          std::size_t PaddedHeight, std::size_t PaddedWidth>
struct check_depthwise_kernel_fits {
  static_assert(KernelHeight <= PaddedHeight && KernelWidth <= PaddedWidth,
                "ctnn: the depthwise_conv2d kernel (KernelHeight x KernelWidth) is larger than "
                "its padded input (PaddedHeight x PaddedWidth); use a smaller kernel, "
                "ctnn::same padding, or fewer strided layers before it");
  static constexpr bool value = true;
};

template <std::size_t Layer, class NotAPadding, bool IsPadding>
struct check_depthwise_padding {
  static_assert(IsPadding,
                "ctnn: the padding argument of this depthwise_conv2d layer is not a padding; "
                "use ctnn::valid or ctnn::same");
  static constexpr bool value = true;
};

}  // namespace ctnn::detail
