// SPDX-License-Identifier: MIT
// The firmware for ctnn::quantized<models::resnet8> (ResNet-8-style, int8: TFLite's ADD
// joins each residual block's paths) with its committed weights (src/run_model.hpp).
#include "src/run_model.hpp"
#include "weights/resnet8_int8_weights.hpp"

int fw::run() noexcept {
  namespace w = models::resnet8_int8_weights;
  return fw::run_model<w::weights, w::crc32, w::prepare>("resnet8_int8");
}
