// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Tensor shapes. Every activation is stored height × width × channels, channels
/// fastest (HWC, as TensorFlow Lite does); a vector of N values is the shape 1 × 1 × N.
#include <cstddef>

namespace ctnn {

/// The shape of one layer's input or output, as a type.
template <std::size_t Height, std::size_t Width, std::size_t Channels>
struct shape {
  static constexpr std::size_t height = Height;
  static constexpr std::size_t width = Width;
  static constexpr std::size_t channels = Channels;
  /// Number of scalars in a tensor of this shape.
  static constexpr std::size_t size = Height * Width * Channels;
  /// True for 1 × 1 × N, the shape dense layers consume.
  static constexpr bool is_vector = Height == 1 && Width == 1;
};

/// A vector of N values.
template <std::size_t N>
using vector_shape = shape<1, 1, N>;

namespace detail {
template <class T>
inline constexpr bool is_shape = false;
template <std::size_t H, std::size_t W, std::size_t C>
inline constexpr bool is_shape<shape<H, W, C>> = true;
}  // namespace detail

/// A `ctnn::shape<H, W, C>`.
template <class T>
concept shape_type = detail::is_shape<T>;

}  // namespace ctnn
