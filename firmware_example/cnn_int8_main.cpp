// SPDX-License-Identifier: MIT
// The firmware for ctnn::quantized<models::cnn> (int8) with its committed weights
// (src/run_model.hpp: the program shared by every model).
#include "src/run_model.hpp"
#include "weights/cnn_int8_weights.hpp"

int fw::run() noexcept {
  namespace w = models::cnn_int8_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("cnn_int8");
}
