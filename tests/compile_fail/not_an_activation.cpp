// SPDX-License-Identifier: MIT
// A layer whose activation argument is not an activation (float, in layer 1).
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, float>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::sigmoid>>;
#endif
static_assert(net::parameter_count > 0);
