// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Selects the firmware's model and weights: one weights header, chosen by include.
///
/// Order: CTNN_FW_WEIGHTS_HEADER (set by the build for a regenerated header), else the
/// exported weights/mlp_small_weights.hpp if it exists, else the compile-time stand-in
/// weights/mlp_small_init.hpp. Each defines, in namespace CTNN_FW_WEIGHTS_NAMESPACE
/// (default models::mlp_small_weights): `weights` (a constexpr Net::parameters),
/// `crc32` (of the parameters' little-endian bytes) and `signature` (Net::signature).
/// The model type is taken from the type of `weights`.
#include <cstdint>
#include <string_view>
#include <type_traits>

#if defined(CTNN_FW_WEIGHTS_HEADER)
#include CTNN_FW_WEIGHTS_HEADER
#elif __has_include("weights/mlp_small_weights.hpp")
#include "weights/mlp_small_weights.hpp"
#else
#include "weights/mlp_small_init.hpp"
#endif

#ifndef CTNN_FW_WEIGHTS_NAMESPACE
#define CTNN_FW_WEIGHTS_NAMESPACE models::mlp_small_weights
#endif
#ifndef CTNN_FW_MODEL_NAME
#define CTNN_FW_MODEL_NAME "mlp_small"
#endif

namespace fw {

namespace selected = CTNN_FW_WEIGHTS_NAMESPACE;

template <class Parameters>
struct network_of;
template <class Net>
struct network_of<ctnn::parameters<Net>> {
  using type = Net;
};

/// The network the firmware runs.
using net = typename network_of<std::remove_cvref_t<decltype(selected::weights)>>::type;

static_assert(std::is_same_v<std::remove_cvref_t<decltype(selected::crc32)>, std::uint32_t>,
              "the weights header must define `constexpr std::uint32_t crc32`");
static_assert(std::string_view(selected::signature) == net::signature,
              "the weights header's signature differs from its parameters' network");
static_assert(std::is_same_v<net::scalar, float>, "the firmware example runs float networks");

/// Runs the network on one input, into y, using a static workspace (.bss). Not inlined,
/// so its code size can be measured on its own.
void infer(const net::input& x, net::output& y) noexcept;

}  // namespace fw
