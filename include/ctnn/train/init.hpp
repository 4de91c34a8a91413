// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Weight initialisation through the layer interface (fan_in, fan_out, weight_count,
/// bias_count), so every layer kind is covered. Host only.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "ctnn/train/options.hpp"
#include "ctnn/train/rng.hpp"

namespace ctnn::train {
namespace detail {

/// Draws one weight of a layer with the given fans (in double, then rounded to T);
/// `range` is A of init_scheme::uniform.
inline double draw_weight(rng& r, init_scheme scheme, double fan_in, double fan_out,
                          double range) noexcept {
  switch (scheme) {
    case init_scheme::small:
      return r.normal() * 0.01;
    case init_scheme::xavier: {
      const double a = __builtin_sqrt(6.0 / (fan_in + fan_out));
      return (2.0 * r.uniform() - 1.0) * a;
    }
    case init_scheme::xavier_normal:
      return r.normal() * __builtin_sqrt(2.0 / (fan_in + fan_out));
    case init_scheme::lecun:
      return r.normal() * __builtin_sqrt(1.0 / fan_in);
    case init_scheme::he:
      return r.normal() * __builtin_sqrt(2.0 / fan_in);
    case init_scheme::uniform:
      return (2.0 * r.uniform() - 1.0) * range;
  }
  return 0.0;
}

/// Draws one bias.
inline double draw_bias(rng& r, bias_init bias, double range) noexcept {
  switch (bias) {
    case bias_init::zero:
      return 0.0;
    case bias_init::normal:
      return r.normal();
    case bias_init::uniform:
      return (2.0 * r.uniform() - 1.0) * range;
  }
  return 0.0;
}

}  // namespace detail

/// Calls mark(offset, count) for each run of weights (not biases) in Layer's slice, whose
/// first parameter is at `offset`: one run for a plain layer, one per part (body layers,
/// then the projection) for a residual block. Weight decay applies to these.
template <class Layer, class Mark>
void for_each_weight_run(std::size_t offset, Mark&& mark) {
  if constexpr (requires { typename Layer::body; }) {
    using body = typename Layer::body;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (for_each_weight_run<typename body::template layer<K + 1>>(
           offset + body::template parameter_offset<K + 1>, mark),
       ...);
    }
    (std::make_index_sequence<body::layer_count>{});
    if constexpr (Layer::has_projection)
      for_each_weight_run<typename Layer::projection>(offset + Layer::body_parameter_count, mark);
  } else if constexpr (Layer::weight_count > 0) {
    mark(offset, std::size_t{Layer::weight_count});
  }
}

/// Fills one layer's slice `p`: its weights in storage order, then its biases. A composite
/// layer (a residual block: it has a `body`) is filled part by part: its body's layers in
/// order, then its projection, each with its own fans. A layer kind with
/// `initial_parameters(p)` (batch_norm: γ = 1, β = 0, μ = 0, σ² = 1) gets those values and
/// draws nothing from `r`.
template <class Layer, class T>
void initialise_layer(T* p, init_scheme scheme, bias_init bias, rng& r, double range) {
  if constexpr (requires { typename Layer::body; }) {
    using body = typename Layer::body;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (initialise_layer<typename body::template layer<K + 1>>(
           p + body::template parameter_offset<K + 1>, scheme, bias, r, range),
       ...);
    }
    (std::make_index_sequence<body::layer_count>{});
    if constexpr (Layer::has_projection)
      initialise_layer<typename Layer::projection>(p + Layer::body_parameter_count, scheme, bias, r,
                                                   range);
  } else if constexpr (requires { Layer::initial_parameters(p); }) {
    Layer::initial_parameters(p);  // fixed values (batch_norm, scale_shift): nothing drawn
  } else {
    const auto fan_in = static_cast<double>(Layer::fan_in);
    const auto fan_out = static_cast<double>(Layer::fan_out);
    for (std::size_t j = 0; j < Layer::weight_count; ++j)
      p[j] = static_cast<T>(detail::draw_weight(r, scheme, fan_in, fan_out, range));
    for (std::size_t j = 0; j < Layer::bias_count; ++j)
      p[Layer::weight_count + j] = static_cast<T>(detail::draw_bias(r, bias, range));
  }
}

/// Fills `params` from `r`: layer by layer (initialise_layer). Deterministic for a given
/// RNG state. `range` is A of the uniform schemes (U(−A, A)); zero biases draw nothing
/// from `r`.
template <class Net>
void initialise(typename Net::parameters& params, init_scheme scheme, bias_init bias, rng& r,
                double range = 0.5) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (initialise_layer<typename Net::template layer<I + 1>>(
         params.values.data() + Net::template parameter_offset<I + 1>, scheme, bias, r, range),
     ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

/// As above with a fresh rng(seed).
template <class Net>
void initialise(typename Net::parameters& params, init_scheme scheme, bias_init bias,
                std::uint64_t seed, double range = 0.5) {
  rng r(seed);
  initialise<Net>(params, scheme, bias, r, range);
}

}  // namespace ctnn::train
