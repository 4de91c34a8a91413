// SPDX-License-Identifier: MIT
// The README's hello world (compiled and run as a test so that it cannot rot).
#include <array>
#include <cstdio>

#include "ctnn/ctnn.hpp"

// The architecture is a type: 784 inputs, two hidden relu layers, 10 class probabilities.
using mlp = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;
// A tiny one: 2 inputs, two tanh layers, one sigmoid output.
using tiny = ctnn::network<float, ctnn::input<2>, ctnn::dense<16, ctnn::tanh>,
                           ctnn::dense<16, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

// Parameters are one flat literal array; a generated header would make them constexpr.
mlp::parameters weights{};                  // 109,386 floats
constexpr tiny::parameters tiny_weights{};  // all zero, so the output is sigmoid(0)

int main() {
  std::array<float, 784> x{};  // one 28x28 image, row by row
  std::array<float, 10> p = mlp::forward(weights, x);
  std::size_t k = mlp::predict(weights, x);
  constexpr auto y = tiny::forward(tiny_weights, {0.5f, -1.0f});  // at compile time
  static_assert(y[0] == 0.5f);
  std::printf("class %zu with p = %.2f; tiny says %.2f; RAM for a forward pass: %zu bytes\n", k,
              p[k], y[0], mlp::activation_bytes);
  return p[k] == 0.1f ? 0 : 1;  // zero weights: ten equal probabilities
}
