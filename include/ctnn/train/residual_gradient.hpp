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
/// checks, and passes that keep no state); it differentiates the inference function (a
/// batch_norm in the body with its running statistics).
///
/// Batch norm in the body (ResNet's conv → batch_norm → relu): such a block normalises with
/// the shard's statistics while training, so it has batch_norm_gradient.hpp's shard
/// extension instead of the per-sample state (`batch_statistics`, `state_size` = 0):
/// forward_shard runs the body layer by layer over all n rows (batch_norm layers, and
/// blocks with batch_norm inside, with their forward_shard; the others row by row as
/// above), keeping `shard_state_size` scalars per row (each body layer's z and a for the n
/// rows, a nested block's own state, then the projection's z_p and a_p); backward_shard
/// runs the body back the same way, and update_running updates every batch_norm inside
/// (their statistics are the block's `stats_size` doubles, body layer after body layer).
/// The projection and the body's other layers need the per-sample gradient: no dropout in
/// a block (a static_assert says so).
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
                "ctnn::train: a residual block's body can hold only layers with a per-sample "
                "gradient or batch statistics (dense, conv2d, depthwise_conv2d, pooling, flatten, "
                "global_avg_pool, batch_norm, residual) and its projection only the former: no "
                "dropout in a block");
  static constexpr bool value = true;
};

template <class L, class T>
inline constexpr bool shard_layer = batch_statistics_gradient<layer_gradient<L>, T>;

template <class L, class T>
inline constexpr bool per_sample_gradient = requires(const T* cp, T* p) {
  layer_gradient<L>::backward(cp, cp, cp, cp, p, p);
}
&&!stochastic_gradient<layer_gradient<L>, T> && !shard_layer<L, T>;

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

  template <std::size_t K>
  using body_grad = layer_gradient<body_layer<K>>;

  static constexpr bool trainable = [] {
    bool ok = true;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((ok = ok && (detail::per_sample_gradient<body_layer<K + 1>, T> ||
                    detail::shard_layer<body_layer<K + 1>, T>)),
       ...);
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
  static constexpr std::size_t row_state_size =
      state_offset<n + 1> + (has_projection ? 2 * out_size : 0);

  /// Shard path: body layer K's statistics (doubles) and per-row state (a nested block's).
  template <std::size_t K>
  static constexpr std::size_t stats_of = [] {
    if constexpr (detail::shard_layer<body_layer<K>, T>)
      return std::size_t{body_grad<K>::stats_size};
    else
      return std::size_t{0};
  }();
  template <std::size_t K>
  static constexpr std::size_t inner_state_of = [] {
    if constexpr (detail::shard_state_gradient<body_grad<K>, T>)
      return std::size_t{body_grad<K>::shard_state_size};
    else
      return std::size_t{0};
  }();
  /// Where body layer K's statistics start; where its part of a row's shard state starts
  /// (z_K, a_K, inner state; K = n + 1: the projection's z_p, a_p), per row.
  template <std::size_t K>
  static constexpr std::size_t stats_offset = [] {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + stats_of<J + 1>);
    }
    (std::make_index_sequence<K - 1>{});
  }();
  template <std::size_t K>
  static constexpr std::size_t shard_offset = [] {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + (2 * size_of<J + 1> + inner_state_of<J + 1>));
    }
    (std::make_index_sequence<K - 1>{});
  }();

 public:
  /// True if the body has batch_norm layers (directly or in a nested block): the block
  /// then trains with the shard extension (see the file comment).
  static constexpr bool batch_statistics = stats_offset<n + 1> > 0;
  static constexpr std::size_t state_size = batch_statistics ? 0 : row_state_size;
  static constexpr std::size_t stats_size = stats_offset<n + 1>;
  static constexpr std::size_t shard_state_size =
      shard_offset<n + 1> + (has_projection ? 2 * out_size : 0);

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
      project(p, x, zp, ap);
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
      back_project(p, x, zp, zp + out_size, grad_z, gz, grad_p, grad_x ? skip : nullptr);
      if (grad_x)
        for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = skip[i] + ga[i];
    } else if (grad_x) {
      for (std::size_t i = 0; i < In::size; ++i) grad_x[i] = grad_z[i] + ga[i];
    }
  }

  /// The plain contract: recomputes the state.
  static void backward(const T* p, const T* x, const T* z, const T* grad_z, T* grad_p, T* grad_x) {
    thread_local std::vector<T> state, sum;
    state.resize(row_state_size);
    sum.resize(out_size);
    forward_state(p, x, sum.data(), state.data());
    backward_state(p, x, z, state.data(), grad_z, grad_p, grad_x);
  }

  /// Shard path (batch_statistics): z = skip(x) + f(x) for rows r < rows (x row r at
  /// x + r·ldx, z row r at z + r·out_size), the body's batch_norms normalising with these
  /// rows' statistics (into `stats`); `state` (rows × shard_state_size) receives the
  /// inner activations.
  static void forward_shard(const T* p, const T* x, std::size_t ldx, std::size_t rows, T* z,
                            double* stats, T* state) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (forward_shard_body<K + 1>(p, x, ldx, rows, stats, state), ...);
    }
    (std::make_index_sequence<n>{});
    const T* f = state + rows * (shard_offset<n> + size_of<n>);  // a_n rows
    for (std::size_t r = 0; r < rows; ++r) {
      const T* xr = x + r * ldx;
      const T* fr = f + r * out_size;
      T* zr = z + r * out_size;
      if constexpr (has_projection) {
        T* zp = state + rows * shard_offset<n + 1> + r * out_size;
        T* ap = zp + rows * out_size;
        project(p, xr, zp, ap);
        for (std::size_t i = 0; i < out_size; ++i) zr[i] = ap[i] + fr[i];
      } else {
        for (std::size_t i = 0; i < out_size; ++i) zr[i] = xr[i] + fr[i];
      }
    }
  }

  /// Shard path: adds dL/dparams to grad_p and writes dL/dx (if grad_x; row r at
  /// grad_x + r·In::size) from dL/dz (row r at grad_z + r·out_size), with the statistics
  /// and state of the forward_shard of the same rows.
  static void backward_shard(const T* p, const T* x, std::size_t ldx, std::size_t rows,
                             const T* grad_z, T* grad_p, T* grad_x, const double* stats,
                             const T* state) {
    thread_local std::vector<T> buffers;
    buffers.resize(rows * (3 * max_size() + In::size));
    T* ga = buffers.data();            // dL/d(a_k), rows
    T* gz = ga + rows * max_size();    // dL/d(z_k)
    T* gx = gz + rows * max_size();    // dL/d(input of layer k)
    T* skip = gx + rows * max_size();  // dL/dx through the projection
    for (std::size_t i = 0; i < rows * out_size; ++i) ga[i] = grad_z[i];
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (backward_shard_body<n - K>(p, x, ldx, rows, stats, state, ga, gz, gx, grad_p,
                                  grad_x != nullptr),
       ...);
    }
    (std::make_index_sequence<n>{});
    if (!has_projection && !grad_x) return;
    for (std::size_t r = 0; r < rows; ++r) {
      const T* gzr = grad_z + r * out_size;
      const T* gar = ga + r * In::size;
      T* gxr = grad_x ? grad_x + r * In::size : nullptr;
      if constexpr (has_projection) {
        const T* zp = state + rows * shard_offset<n + 1> + r * out_size;
        T* sr = skip + r * In::size;
        back_project(p, x + r * ldx, zp, zp + rows * out_size, gzr, gz, grad_p, gxr ? sr : nullptr);
        if (gxr)
          for (std::size_t i = 0; i < In::size; ++i) gxr[i] = sr[i] + gar[i];
      } else {
        for (std::size_t i = 0; i < In::size; ++i) gxr[i] = gzr[i] + gar[i];
      }
    }
  }

  /// Shard path, after a step: every batch_norm inside updates its running statistics from
  /// its part of each shard's `stats[s]` (s < shards), in shard order.
  static void update_running(T* p, const double* const* stats, std::size_t shards) {
    std::vector<const double*> inner(shards);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            if constexpr (stats_of < K + 1 >> 0) {
              for (std::size_t s = 0; s < shards; ++s) inner[s] = stats[s] + stats_offset<K + 1>;
              body_grad<K + 1>::update_running(p + body::template parameter_offset<K + 1>,
                                               inner.data(), shards);
            }
          }(),
          ...);
    }
    (std::make_index_sequence<n>{});
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

  /// The projection's z_p and a_p of one row.
  static void project(const T* p, const T* x, T* zp, T* ap) noexcept {
    projection::affine(p + layer::body_parameter_count, x, zp);
    for (std::size_t i = 0; i < out_size; ++i) ap[i] = zp[i];
    projection::activation::apply(ap, out_size);
  }

  /// The projection's backward of one row: gz is scratch for its dL/dz_p.
  static void back_project(const T* p, const T* x, const T* zp, const T* ap, const T* grad_z, T* gz,
                           T* grad_p, T* grad_x) {
    projection::activation::backward(zp, ap, grad_z, gz, out_size);
    layer_gradient<projection>::backward(p + layer::body_parameter_count, x, zp, gz,
                                         grad_p + layer::body_parameter_count, grad_x);
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

  /// Shard path: body layer K's input rows and their stride.
  template <std::size_t K>
  static const T* shard_input(const T* x, const T* state, std::size_t rows) noexcept {
    if constexpr (K == 1)
      return x;
    else
      return state + rows * (shard_offset<K - 1> + size_of<K - 1>);
  }
  template <std::size_t K>
  static std::size_t shard_stride(std::size_t ldx) noexcept {
    if constexpr (K == 1)
      return ldx;
    else
      return size_of<K - 1>;
  }

  template <std::size_t K>
  static void forward_shard_body(const T* p, const T* x, std::size_t ldx, std::size_t rows,
                                 double* stats, T* state) noexcept {
    using L = body_layer<K>;
    using G = body_grad<K>;
    constexpr std::size_t size = size_of<K>;
    const T* in = shard_input<K>(x, state, rows);
    const std::size_t ld = shard_stride<K>(ldx);
    const T* pk = p + body::template parameter_offset<K>;
    T* zk = state + rows * shard_offset<K>;
    T* ak = zk + rows * size;
    if constexpr (detail::shard_state_gradient<G, T>)
      G::forward_shard(pk, in, ld, rows, zk, stats + stats_offset<K>, ak + rows * size);
    else if constexpr (detail::shard_layer<L, T>)
      G::forward_shard(pk, in, ld, rows, zk, stats + stats_offset<K>);
    else
      for (std::size_t r = 0; r < rows; ++r) L::affine(pk, in + r * ld, zk + r * size);
    for (std::size_t i = 0; i < rows * size; ++i) ak[i] = zk[i];
    for (std::size_t r = 0; r < rows; ++r) L::activation::apply(ak + r * size, size);
  }

  /// Shard path, body layer K: ga holds dL/d(a_K) rows on entry and dL/d(a_{K−1}) (or
  /// dL/dx) rows on exit.
  template <std::size_t K>
  static void backward_shard_body(const T* p, const T* x, std::size_t ldx, std::size_t rows,
                                  const double* stats, const T* state, T* ga, T* gz, T* gx,
                                  T* grad_p, bool want_x) {
    using L = body_layer<K>;
    using G = body_grad<K>;
    constexpr std::size_t size = size_of<K>, in_size = L::input_shape::size;
    const T* in = shard_input<K>(x, state, rows);
    const std::size_t ld = shard_stride<K>(ldx);
    const T* zk = state + rows * shard_offset<K>;
    const T* ak = zk + rows * size;
    for (std::size_t r = 0; r < rows; ++r)
      L::activation::backward(zk + r * size, ak + r * size, ga + r * size, gz + r * size, size);
    constexpr std::size_t offset = body::template parameter_offset<K>;
    const bool need = K > 1 || want_x;
    T* gxk = need ? gx : nullptr;
    if constexpr (detail::shard_state_gradient<G, T>)
      G::backward_shard(p + offset, in, ld, rows, gz, grad_p + offset, gxk, stats + stats_offset<K>,
                        ak + rows * size);
    else if constexpr (detail::shard_layer<L, T>)
      G::backward_shard(p + offset, in, ld, rows, gz, grad_p + offset, gxk,
                        stats + stats_offset<K>);
    else
      for (std::size_t r = 0; r < rows; ++r)
        G::backward(p + offset, in + r * ld, zk + r * size, gz + r * size, grad_p + offset,
                    gxk ? gxk + r * in_size : nullptr);
    if (need)
      for (std::size_t i = 0; i < rows * in_size; ++i) ga[i] = gx[i];
  }
};

}  // namespace ctnn::train
