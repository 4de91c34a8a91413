// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// How the trainer differentiates a layer: one specialisation of `layer_gradient` per
/// layer kind, next to that kind's training code (train/dense.hpp, train/conv2d.hpp, …),
/// so the inference headers stay free of training code.
///
/// The trainer runs each bound layer L as  z = L::affine(p, x)  then  a = act(z)  with
/// act = L::activation, and back-propagates as  grad_z = act::backward(z, a, grad_a)  (or
/// the loss's fused gradient for the last layer), then
///
///   layer_gradient<L>::backward(p, x, z, grad_z, grad_p, grad_x)
///
/// - p: the layer's parameter slice; x: its input; z: its pre-activation output
///   (L::output_shape::size values); grad_z: dL/dz.
/// - grad_p: dL/dp is *added* to it (the trainer zeroes it once per batch shard).
/// - grad_x: dL/dx is *written* to it (L::input_shape::size values); nullptr for the first
///   layer, whose input gradient nobody needs.
/// Host only: may use the heap, but need not.
namespace ctnn::train {

template <class Layer>
struct layer_gradient;

}  // namespace ctnn::train
