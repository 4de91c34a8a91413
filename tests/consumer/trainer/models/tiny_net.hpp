// SPDX-License-Identifier: MIT
// A user's model: 3 measurements → 3 classes.
#pragma once
#include <ctnn/ctnn.hpp>

namespace consumer {
using tiny_net = ctnn::network<float, ctnn::input<3>, ctnn::dense<12, ctnn::tanh>,
                               ctnn::dense<3, ctnn::softmax>>;
}  // namespace consumer
