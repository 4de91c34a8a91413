// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The training engine: one object per run, driven by the CLI (or a test). Host only.
///
/// @code
/// using net = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
///                           ctnn::dense<10, ctnn::softmax>>;
/// ctnn::train::options o;                   // defaults: Adam 1e-3, batch 128, 10 epochs
/// o.threads = 2;
/// ctnn::train::trainer<net> t(o);           // loss: default_loss<net> (here cross-entropy)
/// auto params = std::make_unique<net::parameters>();
/// t.initialise(*params);                    // o.init / o.bias with o.seed
/// for (std::size_t e = t.epoch(); e < o.epochs; ++e) {
///   ctnn::train::epoch_record r = t.train_epoch(*params, train_set, on_batch);
///   if (r.diverged) break;                  // NaN/Inf: parameters of the last good epoch
///   t.save(*params, checkpoint);            // then write it with checkpoint.hpp
/// }
/// ctnn::train::eval_record test = t.evaluate(*params, test_set);
/// @endcode
///
/// API (stable):
/// - `trainer<Net, Loss = default_loss<Net>>(const options&)`: Loss is cross_entropy
///   (softmax output), binary_cross_entropy (one sigmoid output) or mean_squared_error
///   (any output activation); any other pairing is a compile error with a sentence.
/// - `initialise(params)`: fresh weights from options.init/bias/seed; resets epoch, step,
///   optimiser state and RNG (the RNG is seeded from options.seed).
/// - `train_epoch(params, train, on_batch)` → epoch_record: one pass (one step for full
///   batch), reshuffled from the trainer's RNG. `on_batch` (may be empty) is called on the
///   calling thread after every step with running loss/accuracy. On a non-finite loss or
///   parameter the epoch stops, `diverged` is set and the parameters are put back to what
///   they were at the start of the epoch.
/// - `fit(params, train, validation, on_batch, on_epoch)` → fit_result: epochs
///   epoch()..options.epochs−1 with validation metrics and early stopping
///   (options.patience > 0 and a non-empty validation set: stops after `patience` epochs
///   without a lower validation loss and leaves the best parameters in `params`).
///   `on_epoch(record)` returning false stops the run (e.g. a checkpoint write failed).
/// - `evaluate(params, set)` → eval_record: mean loss, accuracy and predicted labels,
///   computed with the inference `Net::forward` itself (threads as in options).
/// - `save(params, checkpoint_data&)` / `restore(params, const checkpoint_data&)`: the
///   complete state after the last finished epoch (parameters, optimiser moments, epoch,
///   step, RNG). Resuming from a checkpoint taken after epoch k, with the same options
///   and data, ends with the same bits as the uninterrupted run. restore() throws
///   std::invalid_argument with a one-line reason on a foreign or inconsistent checkpoint.
/// - `gradient(params, set, grad)`: mean loss and gradient over a set, no update.
/// - `epoch()`, `step()`, `learning_rate(epoch)`, `settings()`.
/// Datasets: `features` must equal Net::input_size; labels are class indices < classes
/// (1-output networks: the target is the label, 0 or 1; MSE with N outputs: one-hot).
/// A mismatch throws std::invalid_argument naming the dataset. Parameters are large
/// (Net::parameters can be MBs): allocate them on the heap.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/network.hpp"
#include "ctnn/train/conv2d_gradient.hpp"
#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/depthwise_conv2d_gradient.hpp"
#include "ctnn/train/dropout_gradient.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/global_avg_pool_gradient.hpp"
#include "ctnn/train/init.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/loss.hpp"
#include "ctnn/train/optimizer.hpp"
#include "ctnn/train/options.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "ctnn/train/rng.hpp"
#include "ctnn/train/thread_pool.hpp"

namespace ctnn::train {

/// Progress after one optimiser step (for a progress bar).
struct batch_progress {
  std::size_t epoch = 0;    ///< 0-based epoch being trained
  std::size_t batch = 0;    ///< 1-based index of the step just taken
  std::size_t batches = 0;  ///< steps in this epoch
  std::size_t samples = 0;  ///< samples seen so far in this epoch
  double loss = 0;          ///< running mean training loss over this epoch
  double accuracy = 0;      ///< running training accuracy over this epoch (fraction)
};
using batch_callback = std::function<void(const batch_progress&)>;

/// One finished epoch.
struct epoch_record {
  std::size_t epoch = 0;          ///< 1-based number of this epoch
  double train_loss = 0;          ///< mean loss over the epoch's samples (before each step)
  double train_accuracy = 0;      ///< fraction correct over the epoch (before each step)
  double lr = 0;                  ///< learning rate used
  double seconds = 0;             ///< wall time of the epoch's training (no evaluation)
  double samples_per_second = 0;  ///< training samples / seconds
  bool diverged = false;          ///< non-finite loss or parameters: see train_epoch
  bool has_validation = false;    ///< fit() with a validation set
  double validation_loss = 0;
  double validation_accuracy = 0;
};
using epoch_callback = std::function<bool(const epoch_record&)>;

/// The result of evaluate().
struct eval_record {
  double loss = 0;      ///< mean loss (0 if the set is unlabelled)
  double accuracy = 0;  ///< fraction correct (0 if unlabelled)
  std::size_t samples = 0;
  std::vector<std::uint32_t> predicted;  ///< predicted class per sample
};

/// The result of fit().
struct fit_result {
  std::vector<epoch_record> history;
  bool diverged = false;
  bool stopped_early = false;  ///< early stopping triggered (params = best epoch's)
  std::size_t best_epoch = 0;  ///< 1-based epoch of the lowest validation loss (0: none)
};

template <class Net, class Loss = default_loss<Net>>
class trainer;

}  // namespace ctnn::train

namespace ctnn::train {
namespace detail {

/// Layer kinds whose layer_gradient has the batched extension (see train/dense.hpp).
template <class G, class T>
concept batched_gradient = requires(const T* cp, T* p, std::size_t n) {
  { G::prepared_size } -> std::convertible_to<std::size_t>;
  G::prepare(cp, p);
  G::forward_batch(cp, cp, n, n, p, p);
  G::backward_batch(cp, cp, cp, n, n, cp, p, p, p);
};

/// Layer kinds that behave differently while training (dropout.hpp): forward_train and
/// backward_train per sample, driven by a noise stream (train/dropout_gradient.hpp).
template <class G, class T>
concept stochastic_gradient = requires(const T* cp, T* p, std::uint64_t s) {
  requires G::stochastic;
  G::forward_train(cp, p, s);
  G::backward_train(cp, p, s);
};

}  // namespace detail

/// The training engine for Net with loss Loss: see the file comment.
template <class Net, class Loss>
class trainer {
  static_assert(detail::check_loss<Net, Loss>());

 public:
  using network = Net;
  using loss = Loss;
  using scalar = typename Net::scalar;
  using parameters = typename Net::parameters;
  static constexpr std::size_t layer_count = Net::layer_count;

  explicit trainer(const options& o) : opt_(o), pool_(o.threads) {
    if (opt_.shards == 0) opt_.shards = 1;
    decays_.assign(Net::parameter_count, 0);
    for_each_layer([&]<std::size_t I>() {
      using L = layer<I>;
      std::fill_n(decays_.begin() + Net::template parameter_offset<I>, L::weight_count, 1);
    });
    reset_state();
  }

  const options& settings() const noexcept { return opt_; }
  /// Completed epochs.
  std::size_t epoch() const noexcept { return epoch_; }
  /// Optimiser steps taken.
  std::uint64_t step() const noexcept { return step_; }
  /// The learning rate of 0-based epoch e.
  double learning_rate(std::size_t e) const noexcept { return scheduled_lr(opt_, e); }

  /// Fresh parameters (options.init, options.bias, options.seed) and a fresh run state.
  void initialise(parameters& p) {
    reset_state();
    ctnn::train::initialise<Net>(p, opt_.init, opt_.bias, rng_, opt_.init_range);
  }

  /// One epoch; see the file comment.
  epoch_record train_epoch(parameters& p, const dataset& train, const batch_callback& on_batch) {
    check_dataset(train);
    const std::size_t count = train.size();
    const std::size_t b = opt_.batch == 0 || opt_.batch > count ? count : opt_.batch;
    const std::size_t steps = (count + b - 1) / b;
    const bool shuffled = opt_.shuffle && b < count;
    ensure_buffers(b);

    epoch_record rec;
    rec.epoch = epoch_ + 1;
    rec.lr = learning_rate(epoch_);
    const auto t0 = std::chrono::steady_clock::now();

    // Snapshot for divergence: the epoch is undone as a whole.
    snapshot_.params.assign(p.values.begin(), p.values.end());
    snapshot_.m = m_;
    snapshot_.v = v_;
    snapshot_.step = step_;
    snapshot_.rng_state = rng_.state();

    order_.resize(count);
    for (std::size_t i = 0; i < count; ++i) order_[i] = static_cast<std::uint32_t>(i);
    if (shuffled)
      for (std::size_t i = count - 1; i > 0; --i)
        std::swap(order_[i], order_[static_cast<std::size_t>(rng_.below(i + 1))]);

    double loss_sum = 0;
    std::size_t correct = 0, seen = 0;
    bool diverged = false;
    for (std::size_t s = 0; s < steps && !diverged; ++s) {
      const std::size_t first = s * b;
      const std::size_t rows = std::min(b, count - first);
      double batch_loss = 0;
      std::size_t batch_correct = 0;
      diverged = !train_step(p, train, first, rows, shuffled, rec.lr, batch_loss, batch_correct);
      loss_sum += batch_loss;
      correct += batch_correct;
      seen += rows;
      if (!std::isfinite(loss_sum)) diverged = true;
      if (on_batch && !diverged)
        on_batch(batch_progress{epoch_, s + 1, steps, seen, loss_sum / double(seen),
                                double(correct) / double(seen)});
    }
    const auto t1 = std::chrono::steady_clock::now();
    rec.seconds = std::chrono::duration<double>(t1 - t0).count();
    rec.samples_per_second = rec.seconds > 0 ? double(seen) / rec.seconds : 0.0;
    rec.train_loss = seen ? loss_sum / double(seen) : 0.0;
    rec.train_accuracy = seen ? double(correct) / double(seen) : 0.0;
    if (diverged) {
      rec.diverged = true;
      std::copy(snapshot_.params.begin(), snapshot_.params.end(), p.values.begin());
      m_ = snapshot_.m;
      v_ = snapshot_.v;
      step_ = snapshot_.step;
      rng_.set_state(snapshot_.rng_state);
      return rec;
    }
    ++epoch_;
    return rec;
  }

  /// Epochs epoch()..options.epochs−1 with optional validation and early stopping.
  fit_result fit(parameters& p, const dataset& train, const dataset* validation,
                 const batch_callback& on_batch, const epoch_callback& on_epoch) {
    fit_result res;
    const bool validate = validation && validation->size() > 0;
    const bool early = validate && opt_.patience > 0;
    std::unique_ptr<parameters> best;
    double best_loss = 0;
    std::size_t bad_epochs = 0;
    while (epoch_ < opt_.epochs) {
      epoch_record r = train_epoch(p, train, on_batch);
      if (validate && !r.diverged) {
        const eval_record ev = evaluate(p, *validation);
        r.has_validation = true;
        r.validation_loss = ev.loss;
        r.validation_accuracy = ev.accuracy;
        if (early) {
          if (!best || ev.loss < best_loss) {
            if (!best) best = std::make_unique<parameters>();
            *best = p;
            best_loss = ev.loss;
            res.best_epoch = r.epoch;
            bad_epochs = 0;
          } else if (++bad_epochs >= opt_.patience) {
            res.stopped_early = true;
          }
        }
      }
      res.history.push_back(r);
      if (r.diverged) {
        res.diverged = true;
        break;
      }
      if (on_epoch && !on_epoch(r)) break;
      if (res.stopped_early) break;
    }
    if (early && best) p = *best;
    return res;
  }

  /// Loss, accuracy and predictions with the inference forward pass.
  eval_record evaluate(const parameters& p, const dataset& set) const {
    if (set.features != Net::input_size)
      throw std::invalid_argument(set.name + ": samples have " + std::to_string(set.features) +
                                  " features but the network expects " +
                                  std::to_string(Net::input_size));
    const std::size_t count = set.size();
    eval_record r;
    r.samples = count;
    r.predicted.assign(count, 0);
    std::vector<double> losses(count, 0.0);
    const bool labelled = set.labelled();
    if (labelled) check_labels(set);
    const std::size_t threads = pool_.size();
    pool_.run([&](std::size_t t) {
      const std::size_t lo = count * t / threads, hi = count * (t + 1) / threads;
      typename Net::input x;
      typename Net::workspace ws;
      for (std::size_t i = lo; i < hi; ++i) {
        std::copy_n(set.sample(i), Net::input_size, x.begin());
        const typename Net::output a = Net::forward(p, x, ws);
        r.predicted[i] = ops::predict(a.data());
        if (labelled) losses[i] = ops::value_from_output(a.data(), set.y[i]);
      }
    });
    if (labelled && count) {
      double s = 0;
      std::size_t correct = 0;
      for (std::size_t i = 0; i < count; ++i) {
        s += losses[i];
        correct += r.predicted[i] == set.y[i];
      }
      r.loss = s / double(count);
      r.accuracy = double(correct) / double(count);
    }
    return r;
  }

  /// The mean loss over all of `set` and its gradient (mean over samples, no weight
  /// decay) into `grad` (resized to Net::parameter_count): the training path without an
  /// update, for gradient checks and tools.
  double gradient(const parameters& p, const dataset& set, std::vector<scalar>& grad) {
    check_dataset(set);
    const std::size_t count = set.size();
    ensure_buffers(count);
    double loss = 0;
    std::size_t correct = 0;
    compute_batch(p.values.data(), set, 0, count, false, loss, correct);
    grad.assign(Net::parameter_count, scalar(0));
    for (const auto& sh : shards_)
      for (std::size_t j = 0; j < Net::parameter_count; ++j) grad[j] += sh.grad[j];
    for (auto& g : grad) g /= scalar(count);
    return loss / double(count);
  }

  /// The run's state after the last finished epoch.
  void save(const parameters& p, checkpoint_data& c) const {
    c.signature = std::string(Net::signature);
    c.scalar_bytes = sizeof(scalar);
    c.parameters.resize(sizeof(p.values));
    std::memcpy(c.parameters.data(), p.values.data(), sizeof(p.values));
    c.optimizer = static_cast<std::uint32_t>(opt_.optimizer);
    c.optimizer_slots = optimizer_slots(opt_.optimizer);
    const std::size_t bytes = Net::parameter_count * sizeof(scalar);
    c.optimizer_state.resize(c.optimizer_slots * bytes);
    if (c.optimizer_slots >= 1) std::memcpy(c.optimizer_state.data(), m_.data(), bytes);
    if (c.optimizer_slots >= 2) std::memcpy(c.optimizer_state.data() + bytes, v_.data(), bytes);
    c.epoch = epoch_;
    c.step = step_;
    c.rng = rng_.state();
  }

  /// Continues from `c`; throws std::invalid_argument (one line) if it does not fit.
  void restore(parameters& p, const checkpoint_data& c) {
    if (c.signature != Net::signature)
      throw std::invalid_argument("checkpoint is for architecture '" + c.signature + "', not '" +
                                  std::string(Net::signature) + "'");
    if (c.scalar_bytes != sizeof(scalar) || c.parameters.size() != sizeof(p.values))
      throw std::invalid_argument("checkpoint parameters have the wrong size");
    if (c.optimizer != static_cast<std::uint32_t>(opt_.optimizer))
      throw std::invalid_argument("checkpoint was written with another optimiser than '" +
                                  std::string(to_string(opt_.optimizer)) +
                                  "'; resume with the same --optimizer");
    const std::size_t bytes = Net::parameter_count * sizeof(scalar);
    const std::uint32_t slots = optimizer_slots(opt_.optimizer);
    if (c.optimizer_slots != slots || c.optimizer_state.size() != slots * bytes)
      throw std::invalid_argument("checkpoint optimiser state has the wrong size");
    std::memcpy(p.values.data(), c.parameters.data(), bytes);
    if (slots >= 1) std::memcpy(m_.data(), c.optimizer_state.data(), bytes);
    if (slots >= 2) std::memcpy(v_.data(), c.optimizer_state.data() + bytes, bytes);
    epoch_ = static_cast<std::size_t>(c.epoch);
    step_ = c.step;
    rng_.set_state(c.rng);
  }

 private:
  template <std::size_t I>
  using layer = typename Net::template layer<I>;
  template <std::size_t I>
  using grad_of = layer_gradient<layer<I>>;
  using ops = loss_ops<Net, Loss>;
  using T = scalar;

  template <class F>
  static void for_each_layer(F&& f) {
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

  /// True if some layer is stochastic: then every step draws one noise key from the RNG
  /// (other networks draw nothing, so their runs are unchanged).
  static constexpr bool has_stochastic_layer = [] {
    bool any = false;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((any = any || detail::stochastic_gradient<grad_of<I + 1>, T>), ...);
    }
    (std::make_index_sequence<layer_count>{});
    return any;
  }();

  static constexpr std::size_t max_layer_size = [] {
    std::size_t m = Net::input_size;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((m = std::max(m, Net::template layer_size<I + 1>)), ...);
    }
    (std::make_index_sequence<layer_count>{});
    return m;
  }();

  template <std::size_t I>
  static constexpr std::size_t prepared_size_of() {
    if constexpr (detail::batched_gradient<grad_of<I>, T>)
      return grad_of<I>::prepared_size;
    else
      return 0;
  }
  static constexpr std::array<std::size_t, layer_count + 1> prepared_offsets = [] {
    std::array<std::size_t, layer_count + 1> a{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((a[I + 1] = a[I] + prepared_size_of<I + 1>()), ...);
    }
    (std::make_index_sequence<layer_count>{});
    return a;
  }();

  /// Per-shard buffers: pre-activations and activations per layer, two gradient buffers,
  /// gathered inputs, packing scratch and the shard's gradient sum.
  struct shard {
    std::array<std::vector<T>, layer_count + 1> z, a;  // index 0 unused
    std::vector<T> g0, g1, x, scratch, mse, grad;
    double loss = 0;
    std::size_t correct = 0;
  };

  void reset_state() {
    epoch_ = 0;
    step_ = 0;
    noise_key_ = 0;
    rng_.reseed(opt_.seed);
    const std::uint32_t slots = optimizer_slots(opt_.optimizer);
    m_.assign(slots >= 1 ? Net::parameter_count : 0, T(0));
    v_.assign(slots >= 2 ? Net::parameter_count : 0, T(0));
  }

  void check_labels(const dataset& d) const {
    const std::size_t classes = Net::output_size == 1 ? 2 : Net::output_size;
    for (std::size_t i = 0; i < d.y.size(); ++i)
      if (d.y[i] >= classes)
        throw std::invalid_argument(d.name + ": label " + std::to_string(d.y[i]) + " of sample " +
                                    std::to_string(i) + " is out of range for a network with " +
                                    std::to_string(classes) + " classes");
  }

  void check_dataset(const dataset& d) const {
    if (d.features != Net::input_size)
      throw std::invalid_argument(d.name + ": samples have " + std::to_string(d.features) +
                                  " features but the network expects " +
                                  std::to_string(Net::input_size));
    if (d.size() == 0) throw std::invalid_argument(d.name + ": the training set is empty");
    if (d.y.size() != d.size())
      throw std::invalid_argument(d.name + ": training needs one label per sample");
    check_labels(d);
  }

  void ensure_buffers(std::size_t batch) {
    const std::size_t rows = (batch + opt_.shards - 1) / opt_.shards;
    if (rows <= shard_rows_ && shards_.size() == opt_.shards) return;
    shard_rows_ = rows;
    shards_.assign(opt_.shards, shard{});
    for (auto& sh : shards_) {
      for_each_layer([&]<std::size_t I>() {
        sh.z[I].assign(rows * Net::template layer_size<I>, T(0));
        sh.a[I].assign(rows * Net::template layer_size<I>, T(0));
      });
      sh.g0.assign(rows * max_layer_size, T(0));
      sh.g1.assign(rows * max_layer_size, T(0));
      sh.x.assign(rows * Net::input_size, T(0));
      sh.scratch.assign(detail::gemm_scratch_size(), T(0));
      sh.mse.assign(Net::output_size, T(0));
      sh.grad.assign(Net::parameter_count, T(0));
    }
    prepared_.assign(prepared_offsets[layer_count], T(0));
    sum_.assign(Net::parameter_count, T(0));
  }

  /// Forward and backward of samples order_[first … first+rows) into the shards.
  void compute_batch(const T* params, const dataset& d, std::size_t first, std::size_t rows,
                     bool shuffled, double& loss, std::size_t& correct) {
    for_each_layer([&]<std::size_t I>() {
      if constexpr (I > 1 && prepared_size_of<I>() > 0)
        grad_of<I>::prepare(params + Net::template parameter_offset<I>,
                            prepared_.data() + prepared_offsets[I - 1]);
    });
    const std::size_t nshards = shards_.size();
    const std::size_t threads = pool_.size();
    pool_.run([&](std::size_t t) {
      for (std::size_t s = t; s < nshards; s += threads) {
        const std::size_t lo = first + rows * s / nshards;
        const std::size_t hi = first + rows * (s + 1) / nshards;
        run_shard(shards_[s], params, d, lo, hi - lo, shuffled);
      }
    });
    loss = 0;
    correct = 0;
    for (const auto& sh : shards_) {
      loss += sh.loss;
      correct += sh.correct;
    }
  }

  /// One optimiser step on samples order_[first … first+rows). False on divergence.
  bool train_step(parameters& p, const dataset& d, std::size_t first, std::size_t rows,
                  bool shuffled, double lr, double& loss, std::size_t& correct) {
    if constexpr (has_stochastic_layer) noise_key_ = rng_.next();
    compute_batch(p.values.data(), d, first, rows, shuffled, loss, correct);
    const std::size_t nshards = shards_.size();
    const std::size_t threads = pool_.size();
    // Reduction in shard order, update, finiteness: split by parameter range.
    ++step_;
    const auto c = make_step_constants<T>(opt_, lr, step_, rows);
    std::atomic<bool> finite{true};
    T* w = p.values.data();
    pool_.run([&](std::size_t t) {
      constexpr std::size_t align = 64;
      const std::size_t chunks = (Net::parameter_count + align - 1) / align;
      const std::size_t lo = std::min(Net::parameter_count, chunks * t / threads * align);
      const std::size_t hi = std::min(Net::parameter_count, chunks * (t + 1) / threads * align);
      if (lo >= hi) return;
      T* g = sum_.data();
      std::copy(shards_[0].grad.begin() + lo, shards_[0].grad.begin() + hi, g + lo);
      for (std::size_t s = 1; s < nshards; ++s) {
        const T* gs = shards_[s].grad.data();
        for (std::size_t j = lo; j < hi; ++j) g[j] += gs[j];
      }
      if (!apply_update(opt_.optimizer, c, w, g, decays_.data(), m_.empty() ? nullptr : m_.data(),
                        v_.empty() ? nullptr : v_.data(), lo, hi))
        finite.store(false);
    });
    return finite.load() && std::isfinite(loss);
  }

  /// Forward and backward for `n` samples of one shard into sh.grad (zeroed here).
  void run_shard(shard& sh, const T* params, const dataset& d, std::size_t begin, std::size_t n,
                 bool shuffled) {
    std::fill(sh.grad.begin(), sh.grad.end(), T(0));
    sh.loss = 0;
    sh.correct = 0;
    if (n == 0) return;
    constexpr std::size_t in0 = Net::input_size;
    const T* x0;
    std::size_t ld0 = in0;
    if constexpr (std::is_same_v<T, float>) {
      if (shuffled) {
        for (std::size_t r = 0; r < n; ++r)
          std::copy_n(d.sample(order_[begin + r]), in0, sh.x.data() + r * in0);
        x0 = sh.x.data();
      } else {
        x0 = d.sample(begin);
        ld0 = d.features;
      }
    } else {
      for (std::size_t r = 0; r < n; ++r) {
        const float* src = d.sample(shuffled ? order_[begin + r] : begin + r);
        for (std::size_t i = 0; i < in0; ++i) sh.x[r * in0 + i] = T(src[i]);
      }
      x0 = sh.x.data();
    }
    // Forward.
    for_each_layer([&]<std::size_t I>() {
      constexpr std::size_t in = Net::template layer_size<I - 1>;
      constexpr std::size_t out = Net::template layer_size<I>;
      const T* x = I == 1 ? x0 : sh.a[I - 1].data();
      const std::size_t ldx = I == 1 ? ld0 : in;
      const T* p = params + Net::template parameter_offset<I>;
      T* z = sh.z[I].data();
      T* a = sh.a[I].data();
      if constexpr (detail::stochastic_gradient<grad_of<I>, T>)
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::forward_train(x + r * ldx, z + r * out,
                                    detail::noise_stream(noise_key_, I, begin + r));
      else if constexpr (detail::batched_gradient<grad_of<I>, T>)
        grad_of<I>::forward_batch(p, x, ldx, n, z, sh.scratch.data());
      else
        for (std::size_t r = 0; r < n; ++r) layer<I>::affine(p, x + r * ldx, z + r * out);
      std::copy_n(z, n * out, a);
      for (std::size_t r = 0; r < n; ++r) layer<I>::activation::apply(a + r * out, out);
    });
    // Loss and its gradient.
    constexpr std::size_t nout = Net::output_size;
    const T* zl = sh.z[layer_count].data();
    const T* al = sh.a[layer_count].data();
    T* gz = sh.g0.data();
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t label = d.y[shuffled ? order_[begin + r] : begin + r];
      sh.loss += ops::value(zl + r * nout, al + r * nout, label);
      sh.correct += ops::predict(al + r * nout) == label;
      ops::gradient(zl + r * nout, al + r * nout, label, gz + r * nout, sh.mse.data());
    }
    // Backward: gz holds dL/dz of layer I; the other buffer receives dL/dx.
    T* other = sh.g1.data();
    for_each_layer_reverse([&]<std::size_t I>() {
      constexpr std::size_t in = Net::template layer_size<I - 1>;
      constexpr std::size_t out = Net::template layer_size<I>;
      const T* x = I == 1 ? x0 : sh.a[I - 1].data();
      const std::size_t ldx = I == 1 ? ld0 : in;
      const T* p = params + Net::template parameter_offset<I>;
      T* gp = sh.grad.data() + Net::template parameter_offset<I>;
      T* gx = I == 1 ? nullptr : other;
      if constexpr (detail::stochastic_gradient<grad_of<I>, T>) {
        if (gx)
          for (std::size_t r = 0; r < n; ++r)
            grad_of<I>::backward_train(gz + r * out, gx + r * in,
                                       detail::noise_stream(noise_key_, I, begin + r));
      } else if constexpr (detail::batched_gradient<grad_of<I>, T>) {
        grad_of<I>::backward_batch(p, prepared_.data() + prepared_offsets[I - 1], x, ldx, n, gz, gp,
                                   gx, sh.scratch.data());
      } else {
        for (std::size_t r = 0; r < n; ++r)
          grad_of<I>::backward(p, x + r * ldx, sh.z[I].data() + r * out, gz + r * out, gp,
                               gx ? gx + r * in : nullptr);
      }
      if constexpr (I > 1) {
        // dL/dz of layer I−1 from dL/da (in `other`), in place into gz's buffer.
        using act = typename layer<I - 1>::activation;
        const T* zp = sh.z[I - 1].data();
        const T* ap = sh.a[I - 1].data();
        for (std::size_t r = 0; r < n; ++r)
          act::backward(zp + r * in, ap + r * in, other + r * in, gz + r * in, in);
        // gz now holds layer I−1's dL/dz; `other` is free again.
      }
    });
  }

  options opt_;
  mutable detail::thread_pool pool_;
  std::vector<unsigned char> decays_;  ///< 1 where weight decay applies (weights)
  std::vector<T> m_, v_;               ///< optimiser moments
  std::size_t epoch_ = 0;
  std::uint64_t step_ = 0;
  rng rng_;
  std::uint64_t noise_key_ = 0;  ///< this step's key for stochastic layers (dropout)
  std::vector<std::uint32_t> order_;
  std::vector<shard> shards_;
  std::size_t shard_rows_ = 0;
  std::vector<T> prepared_, sum_;
  struct {
    std::vector<T> params, m, v;
    std::uint64_t step = 0;
    rng::state_type rng_state{};
  } snapshot_;
};

}  // namespace ctnn::train
