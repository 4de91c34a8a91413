// SPDX-License-Identifier: MIT
// A network whose first argument is a layer, not ctnn::input<...>.
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::dense<3, ctnn::relu>, ctnn::dense<2>>;
#else
using net = ctnn::network<float, ctnn::input<5>, ctnn::dense<3, ctnn::relu>, ctnn::dense<2>>;
#endif
static_assert(net::parameter_count > 0);
