// SPDX-License-Identifier: MIT
// train/init.hpp on residual blocks: a block is initialised part by part (body layers in
// order, then the projection, each with its own fans and its biases as biases), i.e. with
// exactly the draws of the flat network of the same layers.
#include <gtest/gtest.h>

#include <memory>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/init.hpp"

namespace {

using ctnn::dense;
// Block on 4 inputs: body dense<8, relu> (fans 4/8), dense<4> (8/4); projection dense<4>
// (4/4). The flat network below has the same layers with the same fans, in that order.
using with_block = ctnn::network<
    float, ctnn::input<4>,
    ctnn::residual<ctnn::block<dense<8, ctnn::relu>, dense<4>>, dense<4>, ctnn::identity>>;
using flat = ctnn::network<float, ctnn::input<4>, dense<8, ctnn::relu>, dense<4>, dense<4>>;

TEST(init_residual, a_block_draws_like_the_flat_network_of_its_layers) {
  static_assert(with_block::parameter_count == flat::parameter_count);
  using ctnn::train::bias_init;
  using ctnn::train::init_scheme;
  for (const auto scheme : {init_scheme::he, init_scheme::xavier, init_scheme::lecun}) {
    for (const auto bias : {bias_init::zero, bias_init::normal}) {
      auto a = std::make_unique<with_block::parameters>();
      auto b = std::make_unique<flat::parameters>();
      ctnn::train::initialise<with_block>(*a, scheme, bias, 42);
      ctnn::train::initialise<flat>(*b, scheme, bias, 42);
      EXPECT_EQ(a->values, b->values);
    }
  }
  // Zero biases stay zero inside the block: body layer 1's b at 32..39, layer 2's at 72..75,
  // the projection's at 92..95.
  auto a = std::make_unique<with_block::parameters>();
  ctnn::train::initialise<with_block>(*a, init_scheme::he, bias_init::zero, 1);
  for (std::size_t i : {32u, 39u, 72u, 75u, 92u, 95u}) EXPECT_EQ(a->values[i], 0.0f) << i;
  EXPECT_NE(a->values[31], 0.0f);
}

}  // namespace
