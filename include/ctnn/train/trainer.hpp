// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The training engine: one object per run, driven by the CLI (or a test). Host only.
/// Including this header gives the whole engine; its parts, one concept each:
/// records.hpp (what a run reports), backprop.hpp (one shard's forward, loss and backward,
/// no optimiser), this file (the engine's state: step, epoch, evaluate, save/restore) and
/// fit.hpp (the epoch loop with validation and early stopping).
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
///   computed with the inference `Net::forward` itself (threads as in options); for a
///   regression set the MSE (as loss), MAE and each sample's MSE (`errors`).
/// - `save(params, checkpoint_data&)` / `restore(params, const checkpoint_data&)`: the
///   complete state after the last finished epoch (parameters, optimiser moments, epoch,
///   step, RNG). Resuming from a checkpoint taken after epoch k, with the same options
///   and data, ends with the same bits as the uninterrupted run. restore() throws
///   std::invalid_argument with a one-line reason on a foreign or inconsistent checkpoint.
/// - `gradient(params, set, grad)`: mean loss and gradient over a set, no update.
/// - `epoch()`, `step()`, `learning_rate(epoch)`, `settings()`.
/// - options.augment (data/augment.hpp): train_epoch flips/shifts each training image, from
///   a key drawn per step; the constructor throws std::invalid_argument (one line) when
///   the network's input is not an image.
/// Datasets: `features` must equal Net::input_size; labels are class indices < classes
/// (1-output networks: the target is the label, 0 or 1; MSE with N outputs: one-hot).
/// A regression set (dataset::targets > 0: float target vectors, e.g. an autoencoder's own
/// inputs) trains on its targets instead of its labels; it needs Loss = mean_squared_error
/// and Net::output_size targets per sample; train_accuracy is then 0 and train_mae the
/// epoch's mean absolute error. A mismatch throws std::invalid_argument naming the dataset.
/// Parameters are large (Net::parameters can be MBs): allocate them on the heap.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/detail/simd.hpp"
#include "ctnn/network.hpp"
#include "ctnn/train/backprop.hpp"
#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/init.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/loss.hpp"
#include "ctnn/train/optimizer.hpp"
#include "ctnn/train/options.hpp"
#include "ctnn/train/records.hpp"
#include "ctnn/train/rng.hpp"
#include "ctnn/train/thread_pool.hpp"

namespace ctnn::train {

template <class Net, class Loss = default_loss<Net>>
class trainer;

/// Epochs t.epoch()..options.epochs−1 with optional validation and early stopping: fit.hpp.
template <class Net, class Loss>
fit_result fit(trainer<Net, Loss>& t, typename Net::parameters& p, const dataset& train,
               const dataset* validation, const batch_callback& on_batch,
               const epoch_callback& on_epoch);

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
    check_augmentation();
    decays_.assign(Net::parameter_count, 0);
    auto mark = [&](std::size_t offset, std::size_t count) {
      std::fill_n(decays_.begin() + static_cast<std::ptrdiff_t>(offset), count, 1);
    };
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (for_each_weight_run<typename Net::template layer<I + 1>>(
           Net::template parameter_offset<I + 1>, mark),
       ...);
    }
    (std::make_index_sequence<layer_count>{});
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
    rec.learning_rate = learning_rate(epoch_);
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

    double loss_sum = 0, abs_sum = 0;
    std::size_t correct = 0, seen = 0;
    bool diverged = false;
    for (std::size_t s = 0; s < steps && !diverged; ++s) {
      const std::size_t first = s * b;
      const std::size_t rows = std::min(b, count - first);
      double batch_loss = 0;
      std::size_t batch_correct = 0;
      diverged = !train_step(p, train, first, rows, shuffled, rec.learning_rate, batch_loss,
                             batch_correct);
      loss_sum += batch_loss;
      abs_sum += abs_error_;
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
    rec.train_accuracy = seen && !train.regression() ? double(correct) / double(seen) : 0.0;
    if (train.regression()) rec.train_mae = seen ? abs_sum / double(seen * Net::output_size) : 0.0;
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

  /// Epochs epoch()..options.epochs−1 with optional validation and early stopping (fit.hpp).
  fit_result fit(parameters& p, const dataset& train, const dataset* validation,
                 const batch_callback& on_batch, const epoch_callback& on_epoch) {
    return ctnn::train::fit(*this, p, train, validation, on_batch, on_epoch);
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
    std::vector<double> losses(count, 0.0), absolute;
    const bool regression = set.regression();
    const bool labelled = set.labelled() && !regression;
    if (regression) {
      check_targets(set);
      absolute.assign(count, 0.0);
    }
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
        if (regression) {
          const float* target = set.target(i);
          losses[i] = ops::value_target(a.data(), target);
          for (std::size_t o = 0; o < Net::output_size; ++o)
            absolute[i] += std::fabs(double(a[o]) - double(target[o]));
        } else if (labelled) {
          losses[i] = ops::value_from_output(a.data(), set.y[i]);
        }
      }
    });
    if (regression && count) {
      double s = 0, abs_total = 0;
      for (std::size_t i = 0; i < count; ++i) {
        s += losses[i];
        abs_total += absolute[i];
      }
      r.loss = s / double(count);
      r.mae = abs_total / double(count * Net::output_size);
      r.errors = std::move(losses);
      return r;
    }
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
    double loss_sum = 0;
    std::size_t correct = 0;
    compute_batch(p.values.data(), set, 0, count, false, loss_sum, correct);
    grad.assign(Net::parameter_count, scalar(0));
    for (const auto& sh : shards_)
      for (std::size_t j = 0; j < Net::parameter_count; ++j) grad[j] += sh.grad[j];
    for (auto& g : grad) g /= scalar(count);
    return loss_sum / double(count);
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
  using T = scalar;
  using ops = loss_ops<Net, Loss>;
  using pass = backprop<Net, Loss>;

  /// One batch shard: its backprop pass, its rows gathered (when shuffled or converted),
  /// its gradient sum and its loss sums.
  struct shard {
    pass bp;
    std::vector<T> x, grad;
    std::vector<std::uint32_t> labels;
    std::vector<float> targets;  ///< gathered targets of a shuffled regression shard
    double loss = 0, abs_error = 0;
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

  /// Augmentation transforms images: a network whose input is not one refuses it.
  void check_augmentation() const {
    using shape = typename Net::input_shape;
    if (opt_.augment.active() && (shape::height < 2 || shape::width < 2))
      throw std::invalid_argument(
          "augmentation '" + to_string(opt_.augment) +
          "' transforms images, but this network's input is " + std::to_string(shape::height) +
          "x" + std::to_string(shape::width) + "x" + std::to_string(shape::channels) +
          " (height and width must be at least 2)");
  }

  void check_labels(const dataset& d) const {
    const std::size_t classes = Net::output_size == 1 ? 2 : Net::output_size;
    for (std::size_t i = 0; i < d.y.size(); ++i)
      if (d.y[i] >= classes)
        throw std::invalid_argument(d.name + ": label " + std::to_string(d.y[i]) + " of sample " +
                                    std::to_string(i) + " is out of range for a network with " +
                                    std::to_string(classes) + " classes");
  }

  /// A regression set: the MSE loss and one target per output.
  void check_targets(const dataset& d) const {
    if constexpr (!std::is_same_v<Loss, mean_squared_error>)
      throw std::invalid_argument(d.name +
                                  ": float targets train with mean_squared_error, not the "
                                  "class-label loss " +
                                  std::string(Loss::name));
    if (d.targets != Net::output_size || d.t.size() != d.size() * d.targets)
      throw std::invalid_argument(d.name + ": samples have " + std::to_string(d.targets) +
                                  " targets but the network has " +
                                  std::to_string(Net::output_size) + " outputs");
  }

  void check_dataset(const dataset& d) const {
    if (d.features != Net::input_size)
      throw std::invalid_argument(d.name + ": samples have " + std::to_string(d.features) +
                                  " features but the network expects " +
                                  std::to_string(Net::input_size));
    if (d.size() == 0) throw std::invalid_argument(d.name + ": the training set is empty");
    if (d.regression()) return check_targets(d);
    if (d.y.size() != d.size())
      throw std::invalid_argument(d.name + ": training needs one label per sample");
    check_labels(d);
  }

  void ensure_buffers(std::size_t batch) {
    const std::size_t rows = (batch + opt_.shards - 1) / opt_.shards;
    if (rows <= shard_rows_ && shards_.size() == opt_.shards) return;
    shard_rows_ = rows;
    shards_.clear();
    shards_.reserve(opt_.shards);
    for (std::size_t s = 0; s < opt_.shards; ++s) {
      shard& sh = shards_.emplace_back(shard{pass(rows), {}, {}, {}, {}, 0, 0, 0});
      sh.x.assign(rows * Net::input_size, T(0));
      sh.labels.assign(rows, 0);
      sh.targets.assign(rows * Net::output_size, 0.0f);
      sh.grad.assign(Net::parameter_count, T(0));
    }
    prepared_.assign(pass::prepared_size, T(0));
    sum_.assign(Net::parameter_count, T(0));
  }

  /// Forward and backward of samples order_[first … first+rows) into the shards.
  void compute_batch(const T* params, const dataset& d, std::size_t first, std::size_t rows,
                     bool shuffled, double& loss_sum, std::size_t& correct) {
    pass::prepare(params, prepared_.data());
    const std::size_t nshards = shards_.size();
    const std::size_t threads = pool_.size();
    pool_.run([&](std::size_t t) {
      for (std::size_t s = t; s < nshards; s += threads) {
        const std::size_t lo = first + rows * s / nshards;
        const std::size_t hi = first + rows * (s + 1) / nshards;
        run_shard(shards_[s], params, d, lo, hi - lo, shuffled);
      }
    });
    loss_sum = 0;
    correct = 0;
    abs_error_ = 0;
    for (const auto& sh : shards_) {
      loss_sum += sh.loss;
      correct += sh.correct;
      abs_error_ += sh.abs_error;
    }
  }

  /// One optimiser step on samples order_[first … first+rows). False on divergence.
  bool train_step(parameters& p, const dataset& d, std::size_t first, std::size_t rows,
                  bool shuffled, double lr, double& loss_sum, std::size_t& correct) {
    if constexpr (pass::stochastic) noise_key_ = rng_.next();
    // Only an augmenting run draws its key: runs without keep their bits.
    augmenting_ = opt_.augment.active();
    if (augmenting_) augment_key_ = rng_.next();
    compute_batch(p.values.data(), d, first, rows, shuffled, loss_sum, correct);
    augmenting_ = false;
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
      // A block at a time, so that the block's sum is still in L1 for the update.
      constexpr std::size_t block = 2048;
      T* g = sum_.data();
      for (std::size_t b0 = lo; b0 < hi; b0 += block) {
        const std::size_t b1 = std::min(hi, b0 + block);
        sum_shards(b0, b1, g);
        if (!apply_update(opt_.optimizer, c, w, g, decays_.data(), m_.empty() ? nullptr : m_.data(),
                          v_.empty() ? nullptr : v_.data(), b0, b1))
          finite.store(false);
      }
    });
    if constexpr (pass::batch_statistics) {
      // Running averages of batch_norm, over whatever the optimiser did (nothing: their
      // gradient is 0 and they are not decayed).
      std::vector<const pass*> passes(nshards);
      for (std::size_t s = 0; s < nshards; ++s) passes[s] = &shards_[s].bp;
      pass::update_running(w, passes.data(), nshards);
    }
    return finite.load() && std::isfinite(loss_sum);
  }

  /// g[j] = the shards' gradients summed in shard order, j in [lo, hi) (in vectors: one
  /// pass instead of one per shard, the same additions).
  void sum_shards(std::size_t lo, std::size_t hi, T* g) const noexcept {
    const std::size_t nshards = shards_.size();
    if (nshards == 4) return sum_shards<4>(lo, hi, g);  // the default: a loop unrolled
    std::size_t j = lo;
    if constexpr (ctnn::detail::simd<T>::width > 1) {
      using simd = ctnn::detail::simd<T>;
      for (; j + simd::width <= hi; j += simd::width) {
        typename simd::type acc = simd::load(shards_[0].grad.data() + j);
        for (std::size_t s = 1; s < nshards; ++s)
          acc = acc + simd::load(shards_[s].grad.data() + j);
        simd::store(g + j, acc);
      }
    }
    for (; j < hi; ++j) {
      T acc = shards_[0].grad[j];
      for (std::size_t s = 1; s < nshards; ++s) acc += shards_[s].grad[j];
      g[j] = acc;
    }
  }
  /// The same for exactly S shards (S ≥ 1), their buffers' addresses read once.
  template <std::size_t S>
  void sum_shards(std::size_t lo, std::size_t hi, T* g) const noexcept {
    const T* src[S];
    for (std::size_t s = 0; s < S; ++s) src[s] = shards_[s].grad.data();
    std::size_t j = lo;
    if constexpr (ctnn::detail::simd<T>::width > 1) {
      using simd = ctnn::detail::simd<T>;
      for (; j + simd::width <= hi; j += simd::width) {
        typename simd::type acc = simd::load(src[0] + j);
#pragma GCC unroll 8
        for (std::size_t s = 1; s < S; ++s) acc = acc + simd::load(src[s] + j);
        simd::store(g + j, acc);
      }
    }
    for (; j < hi; ++j) {
      T acc = src[0][j];
      for (std::size_t s = 1; s < S; ++s) acc += src[s][j];
      g[j] = acc;
    }
  }

  /// The shard's `n` samples at positions begin… of the epoch's order: gathers their rows
  /// and labels (in the network's scalar type) and runs the shard's backprop pass.
  void run_shard(shard& sh, const T* params, const dataset& d, std::size_t begin, std::size_t n,
                 bool shuffled) {
    constexpr std::size_t in0 = Net::input_size;
    const T* x0 = sh.x.data();
    std::size_t ld0 = in0;
    const std::uint32_t* labels = sh.labels.data();
    const float* targets = nullptr;
    if (n > 0 && d.regression()) {
      constexpr std::size_t k = Net::output_size;
      if (shuffled) {
        for (std::size_t r = 0; r < n; ++r)
          std::copy_n(d.target(order_[begin + r]), k, sh.targets.data() + r * k);
        targets = sh.targets.data();
      } else {
        targets = d.target(begin);
      }
    }
    if (n > 0) {
      if (augmenting_) {
        using shape = typename Net::input_shape;
        for (std::size_t r = 0; r < n; ++r)
          apply_transform(draw_transform(opt_.augment, augment_key_, begin + r),
                          d.sample(shuffled ? order_[begin + r] : begin + r), sh.x.data() + r * in0,
                          shape::height, shape::width, shape::channels);
      } else if constexpr (std::is_same_v<T, float>) {
        if (shuffled) {
          // The rows are scattered over the data set (out of cache): each row's lines are
          // requested `ahead` rows early, so the copy does not wait on each miss in turn.
          constexpr std::size_t ahead = 2, line = 64 / sizeof(T);
          for (std::size_t r = 0; r < n; ++r) {
            if (r + ahead < n) {
              const T* next = d.sample(order_[begin + r + ahead]);
              for (std::size_t i = 0; i < in0; i += line) __builtin_prefetch(next + i);
            }
            std::copy_n(d.sample(order_[begin + r]), in0, sh.x.data() + r * in0);
          }
        } else {
          x0 = d.sample(begin);
          ld0 = d.features;
        }
      } else {
        for (std::size_t r = 0; r < n; ++r) {
          const float* src = d.sample(shuffled ? order_[begin + r] : begin + r);
          for (std::size_t i = 0; i < in0; ++i) sh.x[r * in0 + i] = T(src[i]);
        }
      }
      if (d.regression())
        labels = nullptr;
      else if (shuffled)
        for (std::size_t r = 0; r < n; ++r) sh.labels[r] = d.y[order_[begin + r]];
      else
        labels = d.y.data() + begin;
    }
    const typename pass::result r = sh.bp.run(params, prepared_.data(), x0, ld0, n, labels, targets,
                                              sh.grad.data(), noise_key_, begin);
    sh.loss = r.loss;
    sh.correct = r.correct;
    sh.abs_error = r.abs_error;
  }

  options opt_;
  mutable detail::thread_pool pool_;
  std::vector<unsigned char> decays_;  ///< 1 where weight decay applies (weights)
  std::vector<T> m_, v_;               ///< optimiser moments
  std::size_t epoch_ = 0;
  std::uint64_t step_ = 0;
  rng rng_;
  std::uint64_t noise_key_ = 0;    ///< this step's key for stochastic layers (dropout)
  std::uint64_t augment_key_ = 0;  ///< this step's key for options::augment
  bool augmenting_ = false;        ///< inside a train_step of an augmenting run
  std::vector<std::uint32_t> order_;
  std::vector<shard> shards_;
  std::size_t shard_rows_ = 0;
  std::vector<T> prepared_, sum_;
  double abs_error_ = 0;  ///< the last compute_batch's Σ |a − t| (regression sets)
  struct {
    std::vector<T> params, m, v;
    std::uint64_t step = 0;
    rng::state_type rng_state{};
  } snapshot_;
};

}  // namespace ctnn::train

#include "ctnn/train/fit.hpp"  // IWYU pragma: export
