// SPDX-License-Identifier: MIT
// A network argument (the second layer) that is not a layer spec.
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, int>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::dense<2> >;
#endif
static_assert(net::parameter_count > 0);
