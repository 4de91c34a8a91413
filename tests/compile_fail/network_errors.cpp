// SPDX-License-Identifier: MIT
// Compile-fail cases for the static_asserts of a network's declaration (input.hpp,
// network.hpp, activation.hpp). Built with -DCTNN_CASE=<n>: `net` must fail with the
// sentence; with -DCTNN_COMPILE_FAIL_TWIN the corrected declaration is used instead and
// the file must compile.
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
#if CTNN_CASE == 1  // an input with four dimensions
using net = ctnn::network<float, ctnn::input<2, 2, 2, 2>, ctnn::flatten, ctnn::dense<3>>;
#elif CTNN_CASE == 2  // an input with a zero dimension
using net = ctnn::network<float, ctnn::input<28, 0>, ctnn::flatten, ctnn::dense<3>>;
#elif CTNN_CASE == 3  // a scalar type other than float or double
using net = ctnn::network<int, ctnn::input<4>, ctnn::dense<3>>;
#elif CTNN_CASE == 4  // an input without layers
using net = ctnn::network<float, ctnn::input<4>>;
#elif CTNN_CASE == 5  // a numeric mode that is neither fused nor unfused
struct fast {};
using net = ctnn::basic_network<float, fast, ctnn::input<4>, ctnn::dense<3>>;
#elif CTNN_CASE == 6  // leaky_relu with a zero denominator
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::leaky_relu<1, 0>>>;
#endif
#else  // the same declarations, corrected
#if CTNN_CASE == 1
using net = ctnn::network<float, ctnn::input<2, 2, 4>, ctnn::flatten, ctnn::dense<3>>;
#elif CTNN_CASE == 2
using net = ctnn::network<float, ctnn::input<28, 1>, ctnn::flatten, ctnn::dense<3>>;
#elif CTNN_CASE == 3
using net = ctnn::network<double, ctnn::input<4>, ctnn::dense<3>>;
#elif CTNN_CASE == 4
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>>;
#elif CTNN_CASE == 5
using net = ctnn::basic_network<float, ctnn::unfused, ctnn::input<4>, ctnn::dense<3>>;
#elif CTNN_CASE == 6
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::leaky_relu<1, 10>>>;
#endif
#endif

// Using the network instantiates its layers and their checks.
int main() {
  const net::parameters p{};
  const net::output y = net::forward(p, net::input{});
  return static_cast<int>(y.size()) == 0;
}
