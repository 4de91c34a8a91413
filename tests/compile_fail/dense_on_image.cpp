// SPDX-License-Identifier: MIT
// A dense layer directly on a 28 x 28 x 1 image input (needs flatten first).
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<28, 28>, ctnn::dense<10>>;
#else
using net = ctnn::network<float, ctnn::input<784>, ctnn::dense<10>>;
#endif
static_assert(net::parameter_count > 0);
