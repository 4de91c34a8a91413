// SPDX-License-Identifier: MIT
// forward() given 5 inputs for a network that takes 4.
#include <array>

#include "ctnn/ctnn.hpp"

using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>>;
#ifndef CTNN_COMPILE_FAIL_TWIN
constexpr std::array<float, 5> x{};
#else
constexpr std::array<float, 4> x{};
#endif
constexpr net::parameters p{};
constexpr auto y = net::forward(p, x);
static_assert(y[0] == 0);
