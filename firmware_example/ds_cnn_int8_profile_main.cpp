// SPDX-License-Identifier: MIT
// The layer profile of ctnn::quantized<models::ds_cnn> (int8): each layer between the instruction
// markers (src/profile_layers.hpp; tests/firmware/layer_profile.cmake sums them per layer kind).
#include "src/profile_layers.hpp"
#include "weights/ds_cnn_int8_weights.hpp"

int fw::run() noexcept {
  namespace w = models::ds_cnn_int8_weights;
  return fw::profile_layers<w::weights, w::crc32, w::prepare>("ds_cnn_int8");
}
