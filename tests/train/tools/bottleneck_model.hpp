// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The regression tests' model (regression_test.sh): 4 inputs → 2 → 4, both layers linear,
/// so it is an affine map of rank 2 — it fits y = A·B·x + c exactly, and as an autoencoder
/// it reconstructs exactly the points of a 2-dimensional affine subspace.
#include <ctnn/ctnn.hpp>

namespace test_models {

using bottleneck = ctnn::network<float, ctnn::input<4>, ctnn::dense<2, ctnn::identity>,
                                 ctnn::dense<4, ctnn::identity>>;

}  // namespace test_models
