// SPDX-License-Identifier: MIT
#pragma once
#include "ctnn/ctnn.hpp"

namespace ctnn_test {
/// Same name, other architecture (7 → 8 hidden units): the generated weights must not
/// compile against it.
using export_model =
    ctnn::network<float, ctnn::input<5>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<3, ctnn::softmax>>;
}  // namespace ctnn_test
