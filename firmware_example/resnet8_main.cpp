// SPDX-License-Identifier: MIT
// The firmware for models::resnet8 (ResNet-8-style: residual blocks, float) with its
// committed weights (src/run_model.hpp: the program shared by every model).
#include "src/run_model.hpp"
#include "weights/resnet8_weights.hpp"

int fw::run() noexcept {
  namespace w = models::resnet8_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("resnet8");
}
