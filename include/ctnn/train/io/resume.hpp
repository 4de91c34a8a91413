// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Continuing a run from a checkpoint: the one path the trainers' --resume and the
/// resume fuzz target take (decode → validate → restore an engine). Host only.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/trainer.hpp"

namespace ctnn::train {

/// Refuses what validate_checkpoint() allows in a parameters file but a run cannot
/// continue from: an all-zero RNG state (xoshiro would only produce zeros) and negative
/// Adam second moments (their square root is taken). One-line data_error naming `name`.
template <class Net>
void check_resumable(const checkpoint_data& c, const std::string& name) {
  if (c.rng[0] == 0 && c.rng[1] == 0 && c.rng[2] == 0 && c.rng[3] == 0)
    throw data_error(name, "the RNG state is all zero (not written by a trainer)");
  if (c.optimizer_slots == 2) {
    using scalar = typename Net::scalar;
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      scalar v;
      std::memcpy(&v, c.optimizer_state.data() + (Net::parameter_count + i) * sizeof(scalar),
                  sizeof(scalar));
      if (v < 0)
        throw data_error(name,
                         "Adam's second moment of parameter " + std::to_string(i) + " is negative");
    }
  }
}

/// Validates `c` (already decoded from the file `name`) for `Net` and restores `engine`
/// and `p` from it. Every refusal is a one-line data_error naming `name`; on one, `engine`
/// and `p` are unchanged.
template <class Net, class Loss>
void restore_checkpoint(trainer<Net, Loss>& engine, typename Net::parameters& p,
                        const checkpoint_data& c, const std::string& name) {
  validate_checkpoint(c, name);
  if (c.signature != Net::signature)
    throw data_error(name, "checkpoint is for architecture '" + c.signature +
                               "' but this program uses '" + std::string(Net::signature) + "'");
  if (c.scalar_bytes != sizeof(typename Net::scalar) || c.parameters.size() != Net::parameter_bytes)
    throw data_error(name, "checkpoint holds " + std::to_string(c.parameters.size()) +
                               " parameter bytes, expected " +
                               std::to_string(Net::parameter_bytes));
  check_resumable<Net>(c, name);
  try {
    engine.restore(p, c);
  } catch (const std::invalid_argument& e) {
    throw data_error(name, e.what());
  }
}

}  // namespace ctnn::train
