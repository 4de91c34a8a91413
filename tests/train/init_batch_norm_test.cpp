// SPDX-License-Identifier: MIT
// Initialisation of batch_norm (train/init.hpp): γ = 1, β = 0, μ = 0, σ² = 1, and nothing
// drawn from the RNG, so the other layers get exactly the values they get without it.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"
#include "ctnn/train/init.hpp"

namespace {

TEST(InitBatchNorm, FixedValuesAndNoDraws) {
  using with = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::batch_norm<ctnn::relu>,
                             ctnn::dense<2>>;
  using without = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::relu>, ctnn::dense<2>>;
  for (auto scheme : {ctnn::train::init_scheme::he, ctnn::train::init_scheme::uniform}) {
    auto a = std::make_unique<with::parameters>();
    auto b = std::make_unique<without::parameters>();
    ctnn::train::initialise<with>(*a, scheme, ctnn::train::bias_init::normal, 5);
    ctnn::train::initialise<without>(*b, scheme, ctnn::train::bias_init::normal, 5);
    constexpr std::size_t bn = with::parameter_offset<2>, d2 = with::parameter_offset<3>;
    for (std::size_t i = 0; i < bn; ++i) EXPECT_EQ(a->values[i], b->values[i]);
    const std::array<float, 12> want = {1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1};
    for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(a->values[bn + i], want[i]) << i;
    for (std::size_t i = 0; i < 3 * 2 + 2; ++i)
      EXPECT_EQ(a->values[d2 + i], b->values[bn + i]) << "second dense, " << i;
  }
}

}  // namespace
