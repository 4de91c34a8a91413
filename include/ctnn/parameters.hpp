// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A network's trainable parameters: one flat, literal aggregate.
///
/// Layout (frozen; the checkpoint, the exporter and the generated headers depend on it):
/// the layers' parameters back to back in network order, each layer's slice as its own
/// header states (dense: W[In][Out] input-major, then b[Out]). `Network::parameter_offset<I>`
/// is where layer I (1-based) starts. A `constexpr` object of this type is constant-
/// initialised, so on a microcontroller it lives in flash (.rodata), not RAM.
#include <array>
#include <cstddef>

namespace ctnn {

/// The parameters of `Network` (a `ctnn::network<…>`). Distinct networks have distinct
/// parameter types, so weights of another architecture cannot be passed by mistake.
template <class Network>
struct parameters {
  std::array<typename Network::scalar, Network::parameter_count> values;
};

}  // namespace ctnn
