// SPDX-License-Identifier: MIT
#pragma once
#include "ctnn/ctnn.hpp"

namespace ctnn_test {
/// The model the round-trip checkpoint is written for.
using export_model =
    ctnn::network<float, ctnn::input<5>, ctnn::dense<7, ctnn::tanh>, ctnn::dense<3, ctnn::softmax>>;
}  // namespace ctnn_test
