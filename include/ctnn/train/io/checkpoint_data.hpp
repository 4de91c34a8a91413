// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Everything a training run needs to continue exactly where it stopped, as plain data.
/// The trainer fills and restores it; checkpoint.hpp writes and reads it as a versioned,
/// CRC-checked file. Host only.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ctnn::train {

struct checkpoint_data {
  std::string signature;                  ///< Net::signature of the parameters' network
  std::uint32_t scalar_bytes = 0;         ///< sizeof(Net::scalar): 4 or 8
  std::vector<unsigned char> parameters;  ///< Net::parameter_count scalars, native bytes (LE)
  std::uint32_t optimizer = 0;            ///< optimiser kind (trainer's enum value)
  std::uint32_t optimizer_slots = 0;      ///< moment vectors stored (0 GD/SGD, 1 momentum, 2 Adam)
  std::vector<unsigned char> optimizer_state;  ///< optimizer_slots × parameter_count scalars
  std::uint64_t epoch = 0;                     ///< completed epochs
  std::uint64_t step = 0;                      ///< optimiser steps taken (Adam's t)
  std::array<std::uint64_t, 4> rng{};          ///< the trainer's RNG state after `epoch`
  std::string metadata;  ///< free-form JSON (dataset, accuracy, options, history)
};

}  // namespace ctnn::train
