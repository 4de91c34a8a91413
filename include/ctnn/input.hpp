// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The network's input declaration: `input<784>` (a vector), `input<28, 28>` (one
/// channel image) or `input<28, 28, 3>` (height, width, channels; HWC).
#include <cstddef>

#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {
template <std::size_t... Dims>
struct input_shape_of {
  static_assert(sizeof...(Dims) >= 1 && sizeof...(Dims) <= 3,
                "ctnn::input takes one size (a vector), two (height, width) or three "
                "(height, width, channels)");
  using type = shape<1, 1, 1>;
};
template <std::size_t N>
struct input_shape_of<N> {
  using type = shape<1, 1, N>;
};
template <std::size_t H, std::size_t W>
struct input_shape_of<H, W> {
  using type = shape<H, W, 1>;
};
template <std::size_t H, std::size_t W, std::size_t C>
struct input_shape_of<H, W, C> {
  using type = shape<H, W, C>;
};
}  // namespace detail

/// The first entry of every network: the shape of one sample.
template <std::size_t... Dims>
struct input {
  using shape = typename detail::input_shape_of<Dims...>::type;
  static_assert(shape::size > 0, "ctnn::input: every dimension of the input must be at least 1");
};

namespace detail {
template <class T>
inline constexpr bool is_input = false;
template <std::size_t... Dims>
inline constexpr bool is_input<input<Dims...>> = true;
}  // namespace detail

}  // namespace ctnn
