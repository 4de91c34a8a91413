// SPDX-License-Identifier: MIT
// The firmware for models::mlp_small (784-32-10, float) with its committed weights
// (src/run_model.hpp: the program shared by every model).
#include "src/run_model.hpp"
#include "weights/mlp_small_weights.hpp"

int fw::run() noexcept {
  namespace w = models::mlp_small_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("mlp_small");
}
