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

namespace detail {

/// Where a parameters object starts: on x86 a cache line, so that the vector loads of a
/// weight row whose size is a multiple of 64 bytes never straddle two lines (malloc gives
/// 16-byte alignment: 784-128-64-10's forward on the Zen 5 of docs/performance.md took
/// 1.32 times Eigen's time from such a block, 1.05 from an aligned one). Fixed for every
/// x86 -march, so that the type's layout is the same in every translation unit. Elsewhere
/// (Cortex-M) the scalar's own alignment: no padding in flash or RAM.
template <class T>
inline constexpr std::size_t parameter_alignment =
#if defined(__x86_64__) || defined(__i386__)
    64;
#else
    alignof(T);
#endif

}  // namespace detail

/// The parameters of `Network` (a `ctnn::network<…>`). Distinct networks have distinct
/// parameter types, so weights of another architecture cannot be passed by mistake.
/// sizeof is `Network::parameter_bytes` rounded up to detail::parameter_alignment.
template <class Network>
struct alignas(detail::parameter_alignment<typename Network::scalar>) parameters {
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
