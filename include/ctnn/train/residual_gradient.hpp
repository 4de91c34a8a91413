// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of a residual block (layer_gradient.hpp's contract, with the stateful
/// extension). Host only.
///
/// With z = skip(x) + f(x) (the block's pre-activation; the pass applies its activation),
/// dL/dz reaches both paths unchanged:
/// - body: back through its layers n … 1, each as the pass would treat a network layer
///   (its activation's backward, then its layer_gradient), from dL/d(body output) = dL/dz;
/// - projection: its activation's backward, then its layer_gradient, from dL/dz;
/// - dL/dx = dL/dx(skip) + dL/dx(body), with dL/dx(skip) = dL/dz without a projection.
/// Parameter gradients are added at the body layers' offsets, then the projection's (the
/// block's frozen layout, residual.hpp).
///
/// State per sample (`state_size` scalars, filled by forward_state, read by backward_state):
/// for each body layer its pre-activation z_k and output a_k, then the projection's z_p and
/// a_p. forward_state computes z with exactly the inference pass's operations, so training
/// and inference see the same bits. `backward` without state recomputes it (gradient
/// checks, and passes that keep no state).
/// Body layers and the projection need the plain per-sample backward: no dropout and no
/// batch_norm inside a block (a static_assert says so).
#include <cstddef>
#include <type_traits>
#include <vector>

#include "ctnn/layer.hpp"
#include "ctnn/residual.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {
namespace detail {

template <std::size_t Layer, bool PerSample>
struct check_residual_trainable {
  static_assert(PerSample,
                "ctnn::train: a residual block's body and projection can hold only layers with "
                "a per-sample gradient (dense, conv2d, depthwise_conv2d, pooling, flatten, "
                "global_avg_pool, residual), not dropout or batch_norm");
  static constexpr bool value = true;
};

template <class L, class T>
inline constexpr bool per_sample_gradient = requires(const T* cp, T* p) {
  layer_gradient<L>::backward(cp, cp, cp, cp, p, p);
}
&&!stochastic_gradient<layer_gradient<L>, T>;

}  // namespace detail

template <class T, class Mode, class In, class... Layers, class Projection, class Activation,
          std::size_t Index>
struct layer_gradient<ctnn::detail::residual_layer<T, Mode, In, ctnn::block<Layers...>, Projection,
                                                   Activation, Index>> {
  using layer = ctnn::detail::residual_layer<T, Mode, In, ctnn::block<Layers...>, Projection,
                                             Activation, Index>;
  using body = typename layer::body;
  using projection = typename layer::projection;
  static constexpr std::size_t n = body::layer_count;
  static constexpr bool has_projection = layer::has_projection;
  static constexpr std::size_t out_size = layer::output_shape::size;

 private:
  template <std::size_t K>
  using body_layer = typename body::template layer<K>;
  template <std::size_t K>
  static constexpr std::size_t size_of = body::template layer_size<K>;

  static constexpr bool trainable = [] {
    bool ok = true;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((ok = ok && detail::per_sample_gradient<body_layer<K + 1>, T>), ...);
    }
    (std::make_index_sequence<n>{});
    if constexpr (has_projection) ok = ok && detail::per_sample_gradient<projection, T>;
    return ok;
  }();
  static_assert(detail::check_residual_trainable<Index, trainable>::value);

  /// Where body layer K's z and a start in the state (K = n + 1: the projection's).
  template <std::size_t K>
  static constexpr std::size_t state_offset = [] {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + (2 * size_of<J + 1>));
    }
    (std::make_index_sequence<K - 1>{});
  }();

 public:
  static constexpr std::size_t state_size =
      state_offset<n + 1> + (has_projection ? 2 * out_size : 0);

  /// z = skip(x) + f(x) with the inference pass's bits; `state` receives every inner z, a.
  static void forward_state(const T* p, const T* x, T* z, T* state) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (forward_body<K + 1>(p, x, state), ...);
    }
    (std::make_index_sequence<n>{});
    const T* f = state + state_offset<n> + size_of<n>;  // a_n: the body's output
    if constexpr (has_projection) {
      T* zp = state + state_offset<n + 1>;
      T* ap = zp + out_size;
      projection::affine(p + layer::body_parameter_count, x, zp);
      for (std::size_t i = 0; i < out_size; ++i) ap[i] = zp[i];
      projection::activation::apply(ap, out_size);
      for (std::size_t i = 0; i < out_size; ++i) z[i] = ap[i] + f[i];
    } else {
      for (std::size_t i = 0; i < out_size; ++i) z[i] = x[i] + f[i];
    }
  }

  /// The contract of layer_gradient.hpp, with the state forward_state filled.
  static void backward_state(const T* p, const T* x, const T* /*z*/, const T* state,
                             const T* grad_z, T* grad_p, T* grad_x) {
    thread_local std::vector<T> buffers;
    buffers.resize(3 * max_size() + In::size);
    T* ga = buffers.data();     // dL/d(a_k)
    T* gz = ga + max_size();    // dL/d(z_k)
    T* gx = gz + max_size();    // dL/d(input of layer k)
    T* skip = gx + max_size();  // dL/dx through the projection
    for (std::size_t i = 0; i < out_size; ++i) ga[i] = grad_z[i];
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (backward_body<n - K>(p, x, state, ga, gz, gx, grad_p, grad_x != nullptr), ...);
    }
    (std::make_index_sequence<n>{});
    // ga now holds dL/dx through the body (if grad_x is wanted).
    if constexpr (has_projection) {
      const T* zp = state + state_offset<n + 1>;
      const T* ap = zp + out_size;
      projection::activation::backward(zp, ap, grad_z, gz, out_size);
      layer_gradient<projection>::backward(p + layer::body_parameter_count, x, zp, gz,
                                           grad_p + layer::body_parameter_count,
                                           grad_x ? skip : nullptr);
      if (grad_x)
        for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = skip[i] + ga[i];
    } else if (grad_x) {
      for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = grad_z[i] + ga[i];
    }
  }

  /// The plain contract: recomputes the state.
  static void backward(const T* p, const T* x, const T* z, const T* grad_z, T* grad_p, T* grad_x) {
    thread_local std::vector<T> state, sum;
    state.resize(state_size);
    sum.resize(out_size);
    forward_state(p, x, sum.data(), state.data());
    backward_state(p, x, z, state.data(), grad_z, grad_p, grad_x);
  }

 private:
  static constexpr std::size_t max_size() noexcept {
    std::size_t m = In::size;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((m = size_of<K + 1> > m ? size_of<K + 1> : m), ...);
    }
    (std::make_index_sequence<n>{});
    return m;
  }

  /// Body layer K's input: x, or the previous body layer's output in the state.
  template <std::size_t K>
  static const T* input_of(const T* x, const T* state) noexcept {
    if constexpr (K == 1)
      return x;
    else
      return state + state_offset<K - 1> + size_of<K - 1>;
  }

  template <std::size_t K>
  static void forward_body(const T* p, const T* x, T* state) noexcept {
    using L = body_layer<K>;
    const T* in = input_of<K>(x, state);
    T* zk = state + state_offset<K>;
    T* ak = zk + size_of<K>;
    L::affine(p + body::template parameter_offset<K>, in, zk);
    for (std::size_t i = 0; i < size_of<K>; ++i) ak[i] = zk[i];
    L::activation::apply(ak, size_of<K>);
  }

  /// Body layer K: ga holds dL/d(a_K) on entry and dL/d(a_{K−1}) (or dL/dx) on exit.
  template <std::size_t K>
  static void backward_body(const T* p, const T* x, const T* state, T* ga, T* gz, T* gx, T* grad_p,
                            bool want_x) {
    using L = body_layer<K>;
    const T* in = input_of<K>(x, state);
    const T* zk = state + state_offset<K>;
    const T* ak = zk + size_of<K>;
    L::activation::backward(zk, ak, ga, gz, size_of<K>);
    constexpr std::size_t offset = body::template parameter_offset<K>;
    const bool need = K > 1 || want_x;
    layer_gradient<L>::backward(p + offset, in, zk, gz, grad_p + offset, need ? gx : nullptr);
    if (need)
      for (std::size_t i = 0; i < L::input_shape::size; ++i) ga[i] = gx[i];
  }
};

}  // namespace ctnn::train
