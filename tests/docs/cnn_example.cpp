// SPDX-License-Identifier: MIT
// docs/cnn.md's declaration, verbatim (checked by check_code_blocks.py), compiled with the
// shapes its comments state checked at compile time.
// clang-format off
#include <ctnn/conv2d.hpp>
#include <ctnn/dense.hpp>
#include <ctnn/flatten.hpp>
#include <ctnn/network.hpp>
#include <ctnn/pool2d.hpp>

using cnn = ctnn::network<float, ctnn::input<28, 28>,        // 28×28×1, HWC
    ctnn::conv2d<8, 3, 3, ctnn::relu>,                        // 26×26×8
    ctnn::max_pool2d<2>,                                      // 13×13×8
    ctnn::conv2d<16, 3, 3, ctnn::relu, 1, ctnn::same>,        // 13×13×16
    ctnn::avg_pool2d<2>,                                      // 6×6×16
    ctnn::flatten,                                            // 576
    ctnn::dense<10, ctnn::softmax>>;
// clang-format on

// The comments' sizes, layer by layer (26·26·8, 13·13·8, 13·13·16, 6·6·16, 576, 10).
static_assert(cnn::layer_size<1> == 26 * 26 * 8);
static_assert(cnn::layer_size<2> == 13 * 13 * 8);
static_assert(cnn::layer_size<3> == 13 * 13 * 16);
static_assert(cnn::layer_size<4> == 6 * 6 * 16);
static_assert(cnn::layer_size<5> == 576);
static_assert(cnn::output_size == 10);

int main() {
  constexpr cnn::parameters p{};
  const cnn::output y = cnn::forward(p, cnn::input{});
  return y[0] == 0.1f ? 0 : 1;  // zero weights: ten equal probabilities
}
