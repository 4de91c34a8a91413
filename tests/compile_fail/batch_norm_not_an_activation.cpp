// SPDX-License-Identifier: MIT
// A batch_norm whose activation argument is not an activation (int, in layer 2).
#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::batch_norm<int>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::batch_norm<ctnn::relu>>;
#endif
static_assert(net::parameter_count == 4 * 3 + 3 + 4 * 3);
