// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The static_asserts a user can trigger with conv2d, max_pool2d, avg_pool2d and flatten.
/// As in checks.hpp, each sits in a class template whose arguments are the 1-based layer
/// index and the sizes involved, so the compiler's "in instantiation of …" line shows
/// them next to the sentence. The sentences are part of the interface: compile-fail tests
/// (tests/compile_fail/conv_errors.cpp) match them.
#include <cstddef>

namespace ctnn::detail {

template <std::size_t Layer, std::size_t Filters>
struct check_conv_filters {
  static_assert(Filters > 0,
                "ctnn: a conv2d layer needs at least one filter, but this layer has 0 (Layer: "
                "this check's template argument)");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t KernelHeight, std::size_t KernelWidth>
struct check_conv_kernel_size {
  static_assert(KernelHeight > 0 && KernelWidth > 0,
                "ctnn: a conv2d kernel must be at least 1x1, but this layer's kernel is "
                "KernelHeight x KernelWidth");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t WindowHeight, std::size_t WindowWidth>
struct check_pool_window_size {
  static_assert(WindowHeight > 0 && WindowWidth > 0,
                "ctnn: a pooling window must be at least 1x1, but this layer's window is "
                "WindowHeight x WindowWidth");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t Stride>
struct check_stride {
  static_assert(Stride > 0,
                "ctnn: the stride of a conv2d or pooling layer must be at least 1, "
                "but this layer's Stride is 0");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t KernelHeight, std::size_t KernelWidth,
          std::size_t PaddedHeight, std::size_t PaddedWidth>
struct check_conv_kernel_fits {
  static_assert(KernelHeight <= PaddedHeight && KernelWidth <= PaddedWidth,
                "ctnn: the conv2d kernel (KernelHeight x KernelWidth) is larger than its "
                "padded input (PaddedHeight x PaddedWidth); use a smaller kernel, "
                "ctnn::same padding, or fewer pooling layers before it");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t WindowHeight, std::size_t WindowWidth,
          std::size_t InputHeight, std::size_t InputWidth>
struct check_pool_window_fits {
  static_assert(WindowHeight <= InputHeight && WindowWidth <= InputWidth,
                "ctnn: the pooling window (WindowHeight x WindowWidth) is larger than its "
                "input (InputHeight x InputWidth)");
  static constexpr bool value = true;
};

template <std::size_t Layer, class NotAPadding, bool IsPadding>
struct check_padding {
  static_assert(IsPadding,
                "ctnn: the padding argument of this conv2d layer is not a padding; "
                "use ctnn::valid or ctnn::same");
  static constexpr bool value = true;
};

}  // namespace ctnn::detail
