// SPDX-License-Identifier: MIT
// The firmware for ctnn::quantized<models::ds_cnn> (DS-CNN-style, int8) with its committed
// weights (src/run_model.hpp: the program shared by every model).
#include "src/run_model.hpp"
#include "weights/ds_cnn_int8_weights.hpp"

int fw::run() noexcept {
  namespace w = models::ds_cnn_int8_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("ds_cnn_int8");
}
