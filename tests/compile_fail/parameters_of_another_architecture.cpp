// SPDX-License-Identifier: MIT
// Parameters made for a 4-2 network passed to a 4-3 network.
#include "ctnn/ctnn.hpp"

using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::relu>>;
#ifndef CTNN_COMPILE_FAIL_TWIN
using other = ctnn::network<float, ctnn::input<4>, ctnn::dense<2, ctnn::relu>>;
#else
using other = net;
#endif
constexpr other::parameters p{};
constexpr auto y = net::forward(p, {1, 2, 3, 4});
static_assert(y[0] == 0);
