// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The trainer's settings and the names the command line uses for them. Host only.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ctnn/train/data/augment.hpp"

namespace ctnn::train {

/// Optimiser kinds. The numeric values are stored in checkpoints: never renumber.
enum class optimizer_kind : std::uint32_t {
  gd = 0,        ///< plain gradient descent (with batch 0: the classic full-batch algorithm)
  sgd = 1,       ///< same update; the name used for mini-batches
  momentum = 2,  ///< SGD with (heavy-ball) momentum: v = μv + g; w -= lr·v
  adam = 3,      ///< Adam (Kingma & Ba), bias-corrected
};

/// Learning-rate schedules, evaluated per epoch (0-based epoch e).
enum class schedule_kind : std::uint32_t {
  none = 0,    ///< lr
  step = 1,    ///< lr · gamma^floor(e / step_size)
  cosine = 2,  ///< min_lr + (lr − min_lr)(1 + cos(π e / epochs)) / 2
};

/// Weight initialisers (biases: see bias_init). n_in/n_out are the layer's fan_in/fan_out.
enum class init_scheme : std::uint32_t {
  small = 0,          ///< N(0,1)·0.01
  xavier = 1,         ///< Glorot uniform: U(−a, a), a = sqrt(6 / (n_in + n_out))
  xavier_normal = 2,  ///< Glorot normal: N(0,1)·sqrt(2 / (n_in + n_out))
  lecun = 3,          ///< N(0,1)·sqrt(1 / n_in) (the classic notebook's "xavier")
  he = 4,             ///< He normal: N(0,1)·sqrt(2 / n_in)
  uniform = 5,        ///< U(−A, A), A = options::init_range (the notebooks' uniform(−0.5, 0.5))
};

/// Bias initialisers.
enum class bias_init : std::uint32_t {
  zero = 0,     ///< 0
  normal = 1,   ///< N(0,1) (the classic notebook's choice)
  uniform = 2,  ///< U(−A, A), A = options::init_range
};

/// Everything that defines a training run. Two runs with equal options, data and seed
/// give the same bits, whatever `threads` is.
struct options {
  std::size_t epochs = 10;  ///< passes over the training set (full-batch GD: iterations)
  std::size_t batch = 128;  ///< samples per step; 0 = the whole training set (full batch)
  optimizer_kind optimizer = optimizer_kind::adam;
  double lr = 1e-3;           ///< base learning rate
  double momentum = 0.9;      ///< μ for optimizer_kind::momentum
  double beta1 = 0.9;         ///< Adam
  double beta2 = 0.999;       ///< Adam
  double eps = 1e-8;          ///< Adam
  double weight_decay = 0.0;  ///< L2: adds weight_decay·w to the gradient of weights (not biases)
  schedule_kind schedule = schedule_kind::none;
  std::size_t step_size = 10;  ///< schedule_kind::step: epochs between decays
  double gamma = 0.1;          ///< schedule_kind::step: decay factor
  double min_lr = 0.0;         ///< schedule_kind::cosine: final learning rate
  std::size_t patience = 0;    ///< early stopping (needs a validation set): 0 = off
  std::uint64_t seed = 42;     ///< initialisation and reshuffling
  bool shuffle = true;         ///< reshuffle every epoch (ignored for full batch)
  std::size_t threads = 1;     ///< worker threads; never changes the result
  std::size_t shards = 4;      ///< gradient shards per batch (part of the result's definition)
  init_scheme init = init_scheme::he;
  bias_init bias = bias_init::zero;
  double init_range = 0.5;  ///< A of init_scheme::uniform and bias_init::uniform
  augmentation augment;     ///< random flips/shifts of training images (data/augment.hpp)
};

/// "gd", "sgd", "momentum", "adam" → kind; nullopt for anything else.
constexpr std::optional<optimizer_kind> parse_optimizer(std::string_view s) noexcept {
  if (s == "gd") return optimizer_kind::gd;
  if (s == "sgd") return optimizer_kind::sgd;
  if (s == "momentum") return optimizer_kind::momentum;
  if (s == "adam") return optimizer_kind::adam;
  return std::nullopt;
}
constexpr std::string_view to_string(optimizer_kind k) noexcept {
  switch (k) {
    case optimizer_kind::gd:
      return "gd";
    case optimizer_kind::sgd:
      return "sgd";
    case optimizer_kind::momentum:
      return "momentum";
    case optimizer_kind::adam:
      return "adam";
  }
  return "?";
}

/// "none", "step", "cosine".
constexpr std::optional<schedule_kind> parse_schedule(std::string_view s) noexcept {
  if (s == "none") return schedule_kind::none;
  if (s == "step") return schedule_kind::step;
  if (s == "cosine") return schedule_kind::cosine;
  return std::nullopt;
}
constexpr std::string_view to_string(schedule_kind k) noexcept {
  switch (k) {
    case schedule_kind::none:
      return "none";
    case schedule_kind::step:
      return "step";
    case schedule_kind::cosine:
      return "cosine";
  }
  return "?";
}

/// "small", "xavier", "xavier_normal", "lecun", "he", "uniform".
constexpr std::optional<init_scheme> parse_init(std::string_view s) noexcept {
  if (s == "small") return init_scheme::small;
  if (s == "xavier") return init_scheme::xavier;
  if (s == "xavier_normal") return init_scheme::xavier_normal;
  if (s == "lecun") return init_scheme::lecun;
  if (s == "he") return init_scheme::he;
  if (s == "uniform") return init_scheme::uniform;
  return std::nullopt;
}
constexpr std::string_view to_string(init_scheme k) noexcept {
  switch (k) {
    case init_scheme::small:
      return "small";
    case init_scheme::xavier:
      return "xavier";
    case init_scheme::xavier_normal:
      return "xavier_normal";
    case init_scheme::lecun:
      return "lecun";
    case init_scheme::he:
      return "he";
    case init_scheme::uniform:
      return "uniform";
  }
  return "?";
}

/// "zero", "normal", "uniform".
constexpr std::optional<bias_init> parse_bias_init(std::string_view s) noexcept {
  if (s == "zero") return bias_init::zero;
  if (s == "normal") return bias_init::normal;
  if (s == "uniform") return bias_init::uniform;
  return std::nullopt;
}
constexpr std::string_view to_string(bias_init k) noexcept {
  switch (k) {
    case bias_init::zero:
      return "zero";
    case bias_init::normal:
      return "normal";
    case bias_init::uniform:
      return "uniform";
  }
  return "?";
}

}  // namespace ctnn::train
