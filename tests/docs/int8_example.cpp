// SPDX-License-Identifier: MIT
// The int8 snippets of README.md ("int8") and docs/quantization.md, verbatim (checked by
// check_code_blocks.py), compiled against the committed mlp_small int8 weights and run.
#include <array>
#include <cstddef>
#include <cstdio>

#include "ctnn/ctnn.hpp"
#include "weights/mlp_small_int8_weights.hpp"  // included again by each snippet: a no-op

namespace readme {
const std::array<float, 784> image{};  // a blank image, pixels in [0, 1]
// clang-format off
#include "weights/mlp_small_int8_weights.hpp"  // namespace models::mlp_small_int8_weights

using q = ctnn::quantized<models::mlp_small>;  // == models::mlp_small_int8_weights::model
namespace w = models::mlp_small_int8_weights;
static q::workspace ws;                        // q::activation_bytes, in .bss
q::input x = q::quantize_input(w::weights, image);   // for ÷255 images: pixel − 128
std::size_t label = q::predict(w::weights, x, ws);   // integer-only, no heap
// clang-format on
}  // namespace readme

namespace quantization_doc {
const std::array<float, 784> pixels_as_floats{};
// clang-format off
#include <ctnn/ctnn.hpp>
#include "weights/mlp_small_int8_weights.hpp"  // written by the trainer's --export-int8

using q = ctnn::quantized<models::mlp_small>;
namespace w = models::mlp_small_int8_weights;

q::workspace ws;                                // activation_bytes, e.g. a static in .bss
q::input x = q::quantize_input(w::weights, pixels_as_floats);  // or q = pixel − 128 (below)
std::size_t label = q::predict(w::weights, x, ws);
q::output y = q::forward(w::weights, x, ws);    // int8 probabilities, scale 1/256, zp −128
// clang-format on
}  // namespace quantization_doc

int main() {
  // Both snippets classify the same blank image; predict agrees with the output's argmax.
  std::size_t argmax = 0;
  for (std::size_t i = 1; i < quantization_doc::y.size(); ++i)
    if (quantization_doc::y[i] > quantization_doc::y[argmax]) argmax = i;
  std::printf("readme: %zu, docs: %zu, argmax: %zu\n", readme::label, quantization_doc::label,
              argmax);
  const bool ok = readme::label < 10 && readme::label == quantization_doc::label &&
                  argmax == quantization_doc::label && readme::x == quantization_doc::x;
  return ok ? 0 : 1;
}
