// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The two-moons toy classifier: 2 inputs, two tanh layers of 16 units, one sigmoid
/// output (probability of class 1); 337 parameters. Trained by `ctnn-train-moons` with
/// binary cross-entropy on the synthetic moons set.
#include <ctnn/ctnn.hpp>

namespace models {

using moons = ctnn::network<float, ctnn::fused, ctnn::input<2>, ctnn::dense<16, ctnn::tanh>,
                            ctnn::dense<16, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

static_assert(moons::parameter_count == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);

}  // namespace models
