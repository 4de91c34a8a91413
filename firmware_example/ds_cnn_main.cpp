// SPDX-License-Identifier: MIT
// The firmware for models::ds_cnn (DS-CNN-style: depthwise-separable blocks, float) with
// its committed weights (src/run_model.hpp: the program shared by every model).
#include "src/run_model.hpp"
#include "weights/ds_cnn_weights.hpp"

int fw::run() noexcept {
  namespace w = models::ds_cnn_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("ds_cnn");
}
