// SPDX-License-Identifier: MIT
// A layer with 0 outputs (layer 2 here).
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::dense<0>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::dense<1>>;
#endif
static_assert(net::parameter_count > 0);
