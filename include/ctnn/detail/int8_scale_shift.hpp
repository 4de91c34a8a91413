// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 form of scale_shift (bound by partial specialisation on the float layer;
/// int8_layers.hpp includes this header): the per-channel affine y = act(a[c]·x + b[c])
/// as TFLite runs it, a DEPTHWISE_CONV_2D with a 1×1 kernel, stride 1 and depth
/// multiplier 1. It is exactly int8_depthwise.hpp's layer of that shape (same code, same
/// bits):
///   acc[c] = b'[c] + x·W[c],  then the activation's epilogue with multiplier c.
///
/// Parameter layout (frozen; train/quantize.hpp writes it): weights W[c] (one per channel,
/// the float scale[c] over its own scale s_w[c] = |scale[c]|/127: symmetric, in
/// [−127, 127]); biases b'[c] = b[c] − z_in·W[c] (int32, scale s_in·s_w[c], b[c] the float
/// shift[c] at that scale, the input zero point folded in); a requantisation multiplier and
/// shift per channel and activation slot ([c·k + j]). No padding, so no scratch.
#include <cstddef>

#include "ctnn/conv2d.hpp"
#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/detail/int8_depthwise.hpp"
#include "ctnn/detail/int8_layers.hpp"
#include "ctnn/scale_shift.hpp"

namespace ctnn::detail {

template <class T, class Mode, class In, class A, std::size_t Index>
struct int8_layer<scale_shift_layer<T, Mode, In, A, Index>>
    : int8_layer<depthwise_conv2d_layer<T, Mode, In, 1, 1, A, 1, valid, 1, Index>> {};

}  // namespace ctnn::detail
