// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// One backprop pass: forward, loss and backward of n rows into a gradient buffer, with no
/// optimiser, no dataset and no threads. The trainer runs one per batch shard; a test can
/// run one on its own. Host only.
///
/// @code
/// using pass = ctnn::train::backprop<net>;          // loss: default_loss<net>
/// std::vector<float> prepared(pass::prepared_size), grad(net::parameter_count);
/// pass::prepare(params.values.data(), prepared.data());  // once per parameter values
/// pass bp(rows);                                     // buffers for up to `rows` rows
/// auto r = bp.run(params.values.data(), prepared.data(), x, net::input_size, rows,
///                 labels, grad.data());
/// // grad = Σ over the rows of dL/dparams; r.loss = Σ loss; r.correct = rows predicted right
/// @endcode
///
/// Contract of run(): the sums are over rows in ascending order, so the result depends only
/// on the rows given (not on how a batch was split elsewhere); the per-layer calls are the
/// layer_gradient contract (layer_gradient.hpp), batched where a layer kind has the batched
/// extension. The object owns its buffers (activations, gradients with respect to them,
/// per-row layer state); one object per thread.
///
/// Where the layer extensions go: stochastic layers (dropout) read `noise_key` and the rows'
/// positions; stateful layers (layer_gradient.hpp: per-row state kept from the forward
/// pass) get rows × state_size scalars per layer here; layer kinds that normalise with
/// statistics over the shard's rows (batch_norm, and residual blocks with batch_norm inside)
/// run forward_shard/backward_shard over all rows and keep their statistics (and a block its
/// rows × shard_state_size state) here until the trainer's update_running(); other targets than
/// class labels (regression) change `labels` and the loss calls in loss_and_gradient().
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/activation.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/batch_norm_gradient.hpp"
#include "ctnn/train/conv2d_gradient.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/depthwise_conv2d_gradient.hpp"
#include "ctnn/train/dropout_gradient.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/global_avg_pool_gradient.hpp"
#include "ctnn/train/kernels.hpp"
#include "ctnn/train/layer_gradient.hpp"
#include "ctnn/train/loss.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "ctnn/train/residual_gradient.hpp"
#include "ctnn/train/scale_shift_gradient.hpp"

namespace ctnn::train {
namespace detail {

/// Act::backward (dL/dz from dL/da) for `rows` rows of `width` values, with relu's in
/// vectors over all rows: grad_a times (z > 0 ? 1 : 0) lane by lane, the same products as
/// relu::derivative's, without the scalar loop's branch per value (mispredicted on about
/// half of a layer's values).
template <class Act, class T>
void activation_backward(const T* z, const T* a, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t width) noexcept {
  if constexpr (std::is_same_v<Act, ctnn::relu> && ctnn::detail::simd<T>::width > 1) {
    using simd = ctnn::detail::simd<T>;
    const typename simd::type one = simd::broadcast(T(1)), zero = simd::broadcast(T(0));
    const std::size_t n = rows * width;
    std::size_t i = 0;
    for (; i + simd::width <= n; i += simd::width)
      simd::store(grad_z + i, simd::load(grad_a + i) * (simd::load(z + i) > zero ? one : zero));
    Act::backward(z + i, a + i, grad_a + i, grad_z + i, n - i);
  } else {
    for (std::size_t r = 0; r < rows; ++r)
      Act::backward(z + r * width, a + r * width, grad_a + r * width, grad_z + r * width, width);
  }
}

}  // namespace detail

/// Forward, loss and backward of a shard's rows for Net with loss Loss (see the file comment).
template <class Net, class Loss = default_loss<Net>>
class backprop {
  static_assert(detail::check_loss<Net, Loss>());

 public:
  using network = Net;
  using scalar = typename Net::scalar;
  static constexpr std::size_t layer_count = Net::layer_count;

 private:
  using T = scalar;
  template <std::size_t I>
  using layer = typename Net::template layer<I>;
  template <std::size_t I>
  using grad_of = layer_gradient<layer<I>>;
  using ops = loss_ops<Net, Loss>;

  template <class F>
  static constexpr void for_each_layer(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f.template operator()<I + 1>(), ...);
    }
    (std::make_index_sequence<layer_count>{});
  }
  template <class F>
  static void for_each_layer_reverse(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f.template operator()<layer_count - I>(), ...);
    }
    (std::make_index_sequence<layer_count>{});
  }

  template <std::size_t I>
  static constexpr std::size_t prepared_size_of() {
    if constexpr (detail::batched_gradient<grad_of<I>, T>)
      return grad_of<I>::prepared_size;
    else
      return 0;
  }
  /// True if backward() writes layer I's gradient slice rather than adding to it: the
  /// batched path of a layer kind that says so (dense_gradient.hpp's backward_batch_sets).
  template <std::size_t I>
  static constexpr bool sets_gradient() {
    using G = grad_of<I>;
    if constexpr (detail::stochastic_gradient<G, T> || detail::stateful_gradient<G, T> ||
                  detail::batch_statistics_gradient<G, T> || !detail::batched_gradient<G, T>)
      return false;
    else if constexpr (requires { requires G::backward_batch_sets; })
      return true;
    else
      return false;
  }
  template <std::size_t I>
  static constexpr std::size_t state_size_of() {
    if constexpr (detail::stateful_gradient<grad_of<I>, T>)
      return grad_of<I>::state_size;
    else if constexpr (detail::shard_state_gradient<grad_of<I>, T>)
      return grad_of<I>::shard_state_size;
    else
      return 0;
  }
  template <std::size_t I>
  static constexpr std::size_t stats_size_of() {
    if constexpr (detail::batch_statistics_gradient<grad_of<I>, T>)
      return grad_of<I>::stats_size;
    else
      return 0;
  }
  /// Where layer I's shard statistics start in stats_ (batch_norm).
  static constexpr std::array<std::size_t, layer_count + 1> stats_offsets = [] {
    std::array<std::size_t, layer_count + 1> a{};
    for_each_layer([&]<std::size_t I>() { a[I] = a[I - 1] + stats_size_of<I>(); });
    return a;
  }();
  static constexpr std::array<std::size_t, layer_count + 1> prepared_offsets = [] {
    std::array<std::size_t, layer_count + 1> a{};
    for_each_layer([&]<std::size_t I>() { a[I] = a[I - 1] + prepared_size_of<I>(); });
    return a;
  }();
  static constexpr std::size_t max_layer_size = [] {
    std::size_t m = Net::input_size;
    for_each_layer([&]<std::size_t I>() { m = std::max(m, Net::template layer_size<I>); });
    return m;
  }();

 public:
  /// True if some layer is stochastic: then the trainer draws one noise key per step
  /// (other networks draw nothing, so their runs are unchanged).
  static constexpr bool stochastic = [] {
    bool any = false;
    for_each_layer(
        [&]<std::size_t I>() { any = any || detail::stochastic_gradient<grad_of<I>, T>; });
    return any;
  }();

  /// True if some layer normalises with the shard's statistics (batch_norm): then the
  /// trainer calls update_running() after each optimiser step.
  static constexpr bool batch_statistics = stats_offsets[layer_count] > 0;

  /// The running statistics of every batch_norm in `params` from the statistics of the
  /// last run() of each pass (`passes[s]`, s < count: the batch's shards, in order).
  static void update_running(T* params, const backprop* const* passes, std::size_t count) {
    std::vector<const double*> stats(count);
    for_each_layer([&]<std::size_t I>() {
      if constexpr (stats_size_of<I>() > 0) {
        for (std::size_t s = 0; s < count; ++s)
          stats[s] = passes[s]->stats_.data() + stats_offsets[I - 1];
        grad_of<I>::update_running(params + Net::template parameter_offset<I>, stats.data(), count);
      }
    });
  }

  /// Scalars of per-step data prepare() writes (shared read-only by all passes of a step).
  static constexpr std::size_t prepared_size = prepared_offsets[layer_count];

  /// Once per parameter values, before run(): the batched layers' prepared data.
  static void prepare(const T* params, T* prepared) noexcept {
    for_each_layer([&]<std::size_t I>() {
      if constexpr (I > 1 && prepared_size_of<I>() > 0)
        grad_of<I>::prepare(params + Net::template parameter_offset<I>,
                            prepared + prepared_offsets[I - 1]);
    });
  }

  /// The sums one run() returns besides the gradient.
  struct result {
    double loss = 0;          ///< Σ over the rows of the training loss
    std::size_t correct = 0;  ///< rows whose predicted class is their label (not regression)
    double abs_error = 0;     ///< regression: Σ over rows and outputs of |a − t|
  };

  /// Buffers for passes of up to `rows` rows.
  explicit backprop(std::size_t rows = 0) : rows_(rows) {
    for_each_layer([&]<std::size_t I>() {
      z_[I].assign(rows * Net::template layer_size<I>, T(0));
      a_[I].assign(rows * Net::template layer_size<I>, T(0));
      state_[I].assign(rows * state_size_of<I>(), T(0));
    });
    stats_.assign(stats_offsets[layer_count], 0.0);
    g0_.assign(rows * max_layer_size, T(0));
    g1_.assign(rows * max_layer_size, T(0));
    scratch_.assign(detail::gemm_scratch_size(), T(0));
    mse_.assign(Net::output_size, T(0));
  }

  /// The most rows one run() takes.
  std::size_t capacity() const noexcept { return rows_; }

  /// Forward, loss and backward of rows x[r·ldx …] (r < n ≤ capacity(), Net::input_size
  /// values each) with class labels labels[r]: `grad` (Net::parameter_count scalars) is
  /// set to Σ_r dL_r/dparams. Stochastic layers use the stream of (noise_key, layer,
  /// position + r). `prepared` is prepare()'s output for these `params`.
  result run(const T* params, const T* prepared, const T* x, std::size_t ldx, std::size_t n,
             const std::uint32_t* labels, T* grad, std::uint64_t noise_key = 0,
             std::size_t position = 0) {
    return run(params, prepared, x, ldx, n, labels, nullptr, grad, noise_key, position);
  }

  /// The same with float targets when `targets` is not null (regression: row r's
  /// Net::output_size targets at targets + r·Net::output_size; `labels` is then unused and
  /// the loss is the MSE against the targets, loss_ops::value_target: the trainer accepts
  /// regression sets only with mean_squared_error).
  result run(const T* params, const T* prepared, const T* x, std::size_t ldx, std::size_t n,
             const std::uint32_t* labels, const float* targets, T* grad,
             std::uint64_t noise_key = 0, std::size_t position = 0) {
    std::fill(stats_.begin(), stats_.end(), 0.0);  // no rows: statistics of weight 0
    result res;
    if (n == 0) {
      std::fill_n(grad, Net::parameter_count, T(0));
      return res;
    }
    // Layers that add their gradient get a zeroed slice; batched dense layers write theirs.
    for_each_layer([&]<std::size_t I>() {
      if constexpr (!sets_gradient<I>())
        std::fill_n(grad + Net::template parameter_offset<I>, layer<I>::parameter_count, T(0));
    });
    // Many rows (a full batch) go through in chunks, so that a chunk's inputs are still in
    // the cache when the backward pass reads them again for grad_W. Every gradient sum
    // runs over the rows in ascending order, chunk after chunk (the later chunks add to
    // it), and the loss sums go on from chunk to chunk: the bits of one pass over all rows.
    const std::size_t step = batch_statistics ? n : chunk_rows;
    for (std::size_t r0 = 0; r0 < n; r0 += step) {
      const std::size_t m = std::min(step, n - r0);
      const T* xc = x + r0 * ldx;
      forward(params, xc, ldx, m, noise_key, position + r0);
      loss_and_gradient(labels ? labels + r0 : nullptr,
                        targets ? targets + r0 * Net::output_size : nullptr, m, res);
      backward(params, prepared, xc, ldx, m, grad, noise_key, position + r0, r0 > 0);
    }
    return res;
  }

  /// The rows run() passes through the network at a time (see run()).
  static constexpr std::size_t chunk_rows = 256;

 private:
  void forward(const T* params, const T* x0, std::size_t ld0, std::size_t n,
               std::uint64_t noise_key, std::size_t position) {
    for_each_layer([&]<std::size_t I>() {
      constexpr std::size_t in = Net::template layer_size<I - 1>;
      constexpr std::size_t out = Net::template layer_size<I>;
      const T* x = I == 1 ? x0 : a_[I - 1].data();
      const std::size_t ldx = I == 1 ? ld0 : in;
      const T* p = params + Net::template parameter_offset<I>;
      T* z = z_[I].data();
      T* a = a_[I].data();
      if constexpr (detail::stochastic_gradient<grad_of<I>, T>)
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::forward_train(x + r * ldx, z + r * out,
                                    detail::noise_stream(noise_key, I, position + r));
      else if constexpr (detail::stateful_gradient<grad_of<I>, T>)
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::forward_state(p, x + r * ldx, z + r * out,
                                    state_[I].data() + r * state_size_of<I>());
      else if constexpr (detail::shard_state_gradient<grad_of<I>, T>)
        grad_of<I>::forward_shard(p, x, ldx, n, z, stats_.data() + stats_offsets[I - 1],
                                  state_[I].data());
      else if constexpr (detail::batch_statistics_gradient<grad_of<I>, T>)
        grad_of<I>::forward_shard(p, x, ldx, n, z, stats_.data() + stats_offsets[I - 1]);
      else if constexpr (detail::batched_gradient<grad_of<I>, T>)
        grad_of<I>::forward_batch(p, x, ldx, n, z, scratch_.data());
      else
        for (std::size_t r = 0; r < n; ++r) layer<I>::affine(p, x + r * ldx, z + r * out);
      std::copy_n(z, n * out, a);
      for (std::size_t r = 0; r < n; ++r) layer<I>::activation::apply(a + r * out, out);
    });
  }

  /// The loss and dL/dz of the last layer into g0_ (against `targets` when not null).
  void loss_and_gradient(const std::uint32_t* labels, const float* targets, std::size_t n,
                         result& res) {
    constexpr std::size_t nout = Net::output_size;
    const T* zl = z_[layer_count].data();
    const T* al = a_[layer_count].data();
    T* gz = g0_.data();
    if (targets != nullptr) {
      for (std::size_t r = 0; r < n; ++r) {
        const float* t = targets + r * nout;
        const T* a = al + r * nout;
        res.loss += ops::value_target(a, t);
        for (std::size_t o = 0; o < nout; ++o) {
          const double d = double(a[o]) - double(t[o]);
          res.abs_error += d < 0 ? -d : d;
        }
        ops::gradient_target(zl + r * nout, a, t, gz + r * nout, mse_.data());
      }
      return;
    }
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t label = labels[r];
      res.loss += ops::value(zl + r * nout, al + r * nout, label);
      res.correct += ops::predict(al + r * nout) == label;
      ops::gradient(zl + r * nout, al + r * nout, label, gz + r * nout, mse_.data());
    }
  }

  /// `add`: the dense layers add to their gradient slice (a later chunk) instead of
  /// writing it; the other layers always add.
  void backward(const T* params, const T* prepared, const T* x0, std::size_t ld0, std::size_t n,
                T* grad, std::uint64_t noise_key, std::size_t position, bool add) {
    // gz holds dL/dz of layer I; the other buffer receives dL/dx.
    T* gz = g0_.data();
    T* other = g1_.data();
    for_each_layer_reverse([&]<std::size_t I>() {
      constexpr std::size_t in = Net::template layer_size<I - 1>;
      constexpr std::size_t out = Net::template layer_size<I>;
      const T* x = I == 1 ? x0 : a_[I - 1].data();
      const std::size_t ldx = I == 1 ? ld0 : in;
      const T* p = params + Net::template parameter_offset<I>;
      T* gp = grad + Net::template parameter_offset<I>;
      T* gx = I == 1 ? nullptr : other;
      if constexpr (detail::stochastic_gradient<grad_of<I>, T>) {
        if (gx)
          for (std::size_t r = 0; r < n; ++r)
            grad_of<I>::backward_train(gz + r * out, gx + r * in,
                                       detail::noise_stream(noise_key, I, position + r));
      } else if constexpr (detail::stateful_gradient<grad_of<I>, T>) {
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::backward_state(p, x + r * ldx, z_[I].data() + r * out,
                                     state_[I].data() + r * state_size_of<I>(), gz + r * out, gp,
                                     gx ? gx + r * in : nullptr);
      } else if constexpr (detail::shard_state_gradient<grad_of<I>, T>) {
        grad_of<I>::backward_shard(p, x, ldx, n, gz, gp, gx, stats_.data() + stats_offsets[I - 1],
                                   state_[I].data());
      } else if constexpr (detail::batch_statistics_gradient<grad_of<I>, T>) {
        grad_of<I>::backward_shard(p, x, ldx, n, gz, gp, gx, stats_.data() + stats_offsets[I - 1]);
      } else if constexpr (detail::batched_gradient<grad_of<I>, T>) {
        if constexpr (sets_gradient<I>())
          grad_of<I>::backward_batch(p, prepared + prepared_offsets[I - 1], x, ldx, n, gz, gp, gx,
                                     scratch_.data(), add);
        else
          grad_of<I>::backward_batch(p, prepared + prepared_offsets[I - 1], x, ldx, n, gz, gp, gx,
                                     scratch_.data());
      } else {
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::backward(p, x + r * ldx, z_[I].data() + r * out, gz + r * out, gp,
                               gx ? gx + r * in : nullptr);
      }
      if constexpr (I > 1) {
        // dL/dz of layer I−1 from dL/da (in `other`), in place into gz's buffer.
        using act = typename layer<I - 1>::activation;
        const T* zp = z_[I - 1].data();
        const T* ap = a_[I - 1].data();
        detail::activation_backward<act>(zp, ap, other, gz, n, in);
        // gz now holds layer I−1's dL/dz; `other` is free again.
      }
    });
  }

  std::size_t rows_ = 0;
  std::array<std::vector<T>, layer_count + 1> z_, a_, state_;  ///< per layer; index 0 unused
  std::vector<T> g0_, g1_, scratch_, mse_;
  std::vector<double> stats_;  ///< the last run's batch statistics (batch_norm layers)
};

}  // namespace ctnn::train
