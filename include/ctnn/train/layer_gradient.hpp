// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// How the trainer differentiates a layer: one specialisation of `layer_gradient` per
/// layer kind, next to that kind's training code (train/dense_gradient.hpp,
/// train/conv2d_gradient.hpp, …), so the inference headers stay free of training code.
///
/// The backprop pass (backprop.hpp) runs each bound layer L as  z = L::affine(p, x)  then
/// a = act(z)  with act = L::activation, and back-propagates as
/// grad_z = act::backward(z, a, grad_a)  (or the loss's fused gradient for the last
/// layer), then
///
///   layer_gradient<L>::backward(p, x, z, grad_z, grad_p, grad_x)
///
/// - p: the layer's parameter slice; x: its input; z: its pre-activation output
///   (L::output_shape::size values); grad_z: dL/dz.
/// - grad_p: dL/dp is *added* to it (the pass zeroes it once per batch shard).
/// - grad_x: dL/dx is *written* to it (L::input_shape::size values); nullptr for the first
///   layer, whose input gradient nobody needs.
///
/// Optional extensions, each recognised by a concept below (backprop.hpp chooses the first
/// that a layer kind satisfies, in this order):
/// - stochastic (dropout_gradient.hpp): the layer behaves differently while training;
///   forward_train / backward_train per sample, driven by a noise stream.
/// - stateful (a composite layer such as a residual block): the forward pass keeps
///   `state_size` scalars per sample (inner activations) that the backward pass reads;
///   the pass owns those buffers (rows × state_size per layer), so the layer stays
///   stateless. forward_state(p, x, z, state) computes z (the inference affine's bits)
///   and fills state; backward_state(p, x, z, state, grad_z, grad_p, grad_x) follows the
///   contract of backward above.
/// - batch statistics (batch_norm_gradient.hpp): the layer normalises with statistics of
///   the shard's rows; forward_shard / backward_shard over all rows, `stats_size` doubles
///   kept between them (the pass owns them), and update_running(p, stats of every shard,
///   shards), which the trainer calls after each optimiser step. A composite layer with
///   such layers inside (a residual block with batch_norm in its body) also keeps
///   `shard_state_size` scalars per row (its inner activations) between forward_shard and
///   backward_shard, passed as their last argument (the pass owns them too).
/// - batched (dense_gradient.hpp): forward_batch / backward_batch over a shard's rows
///   with per-step prepared data (e.g. W transposed), bit-identical to the per-sample path.
///   With `backward_batch_sets`, backward_batch writes grad_p (or adds, with its `add`
///   argument) and the pass leaves that slice unzeroed.
/// Host only: may use the heap, but need not.
#include <concepts>
#include <cstddef>
#include <cstdint>

namespace ctnn::train {

template <class Layer>
struct layer_gradient;

namespace detail {

/// Layer kinds whose layer_gradient has the batched extension (see dense_gradient.hpp).
template <class G, class T>
concept batched_gradient = requires(const T* cp, T* p, std::size_t n) {
  { G::prepared_size } -> std::convertible_to<std::size_t>;
  G::prepare(cp, p);
  G::forward_batch(cp, cp, n, n, p, p);
  G::backward_batch(cp, cp, cp, n, n, cp, p, p, p);
};

/// Layer kinds that behave differently while training (dropout.hpp): forward_train and
/// backward_train per sample, driven by a noise stream (dropout_gradient.hpp).
template <class G, class T>
concept stochastic_gradient = requires(const T* cp, T* p, std::uint64_t s) {
  requires G::stochastic;
  G::forward_train(cp, p, s);
  G::backward_train(cp, p, s);
};

/// Layer kinds whose backward pass needs per-sample state kept from the forward pass
/// (`state_size` scalars per sample, > 0): see the file comment.
template <class G, class T>
concept stateful_gradient = requires(const T* cp, T* p) {
  { G::state_size } -> std::convertible_to<std::size_t>;
  requires G::state_size >
  0;
  G::forward_state(cp, cp, p, p);
  G::backward_state(cp, cp, cp, cp, cp, p, p);
};

/// Batch-statistics layer kinds that also keep per-row state (see the file comment).
template <class G, class T>
concept shard_state_gradient = requires(const T* cp, T* p, std::size_t n, double* s,
                                        const double* cs, const double* const* ss) {
  requires G::batch_statistics;
  { G::stats_size } -> std::convertible_to<std::size_t>;
  { G::shard_state_size } -> std::convertible_to<std::size_t>;
  G::forward_shard(cp, cp, n, n, p, s, p);
  G::backward_shard(cp, cp, n, n, cp, p, p, cs, cp);
  G::update_running(p, ss, n);
};

/// Layer kinds that normalise with the statistics of a shard's rows (batch_norm.hpp, and
/// the shard_state_gradient ones): see the file comment.
template <class G, class T>
concept batch_statistics_gradient = shard_state_gradient<G, T> ||
    requires(const T* cp, T* p, std::size_t n, double* s, const double* cs,
             const double* const* ss) {
  requires G::batch_statistics;
  { G::stats_size } -> std::convertible_to<std::size_t>;
  G::forward_shard(cp, cp, n, n, p, s);
  G::backward_shard(cp, cp, n, n, cp, p, p, cs);
  G::update_running(p, ss, n);
};

}  // namespace detail
}  // namespace ctnn::train
