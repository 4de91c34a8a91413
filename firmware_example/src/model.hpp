// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Selects the firmware's model and weights: one weights header, chosen by include.
///
/// Order: CTNN_FW_WEIGHTS_HEADER (set by the build for a regenerated header), else the
/// exported weights/mlp_small_weights.hpp if it exists, else the compile-time stand-in
/// weights/mlp_small_init.hpp. Each defines, in namespace CTNN_FW_WEIGHTS_NAMESPACE
/// (default models::mlp_small_weights): `weights` (a constexpr Net::parameters),
/// `crc32` (of the parameters' little-endian bytes) and `signature` (the model's).
/// The model is taken from the type of `weights`: a float `ctnn::network` for
/// `ctnn::parameters<Net>`, its int8 form `ctnn::quantized<Net>` for
/// `ctnn::quantized_parameters<…>` (headers weights/<model>_int8_weights.hpp).
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ctnn/quantized.hpp"

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
struct model_of;
template <class Net>
struct model_of<ctnn::parameters<Net>> {
  using type = Net;
  using network = Net;
  static constexpr bool int8 = false;
};
template <class Quantized>
struct model_of<ctnn::quantized_parameters<Quantized>> {
  using type = Quantized;
  using network = typename Quantized::network;
  static constexpr bool int8 = true;
};

using selected_model = model_of<std::remove_cvref_t<decltype(selected::weights)>>;
/// What the firmware runs: the float network, or its int8 form.
using model = typename selected_model::type;
/// True for an int8 model (`ctnn::quantized<Net>`).
inline constexpr bool is_int8 = selected_model::int8;
/// The float network: the architecture (layers, shapes, multiply-accumulates).
using net = typename selected_model::network;

static_assert(std::is_same_v<std::remove_cvref_t<decltype(selected::crc32)>, std::uint32_t>,
              "the weights header must define `constexpr std::uint32_t crc32`");
static_assert(std::string_view(selected::signature) == model::signature,
              "the weights header's signature differs from its parameters' model");
static_assert(std::is_same_v<typename net::scalar, float>,
              "the firmware example runs float networks");

/// Runs the model on one input, into y, using a static workspace (.bss). Not inlined,
/// so its code size can be measured on its own.
void infer(const model::input& x, model::output& y) noexcept;

}  // namespace fw
