// SPDX-License-Identifier: MIT
// A network with no input and no layers at all.
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float>;
#else
using net = ctnn::network<float, ctnn::input<1>, ctnn::dense<1> >;
#endif
static_assert(sizeof(net) > 0);
