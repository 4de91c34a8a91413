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

#include "ctnn/detail/checks.hpp"

namespace ctnn {

/// The parameters of `Network` (a `ctnn::network<…>`). Distinct networks have distinct
/// parameter types, so weights of another architecture cannot be passed by mistake.
template <class Network>
struct parameters {
  using network = Network;  ///< the network these parameters belong to
  std::array<typename Network::scalar, Network::parameter_count> values;
};

/// True if a weights header's recorded signature matches Model's; a mismatch is a compile
/// error with a sentence. Generated headers check it before their values:
/// `static_assert(ctnn::weights_match<model, model::signature == signature>);`
template <class Model, bool SignatureMatches>
inline constexpr bool weights_match =
    detail::check_weights_signature<Model, SignatureMatches>::value;

}  // namespace ctnn
