// SPDX-License-Identifier: MIT
// Compile-fail cases for the conv2d/pooling static_asserts (detail/conv_checks.hpp).
// Built with -DCTNN_CASE=<n>: `bad` must fail with the sentence; with -DCTNN_COMPILE_FAIL_TWIN the
// corrected `good` layer is used instead and the file must compile.
#include "ctnn/conv2d.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"

#if CTNN_CASE == 1  // kernel larger than its (valid-padded) input
using before = ctnn::conv2d<1, 1, 1>;
using bad = ctnn::conv2d<2, 5, 5>;
using good = ctnn::conv2d<2, 5, 4>;
using in = ctnn::input<7, 4>;
#elif CTNN_CASE == 2  // no filters
using before = ctnn::max_pool2d<2>;
using bad = ctnn::conv2d<0, 3, 3>;
using good = ctnn::conv2d<1, 3, 3>;
using in = ctnn::input<8, 8>;
#elif CTNN_CASE == 3  // zero stride
using before = ctnn::max_pool2d<1>;
using bad = ctnn::conv2d<4, 3, 3, ctnn::relu, 0>;
using good = ctnn::conv2d<4, 3, 3, ctnn::relu, 1>;
using in = ctnn::input<8, 8>;
#elif CTNN_CASE == 4  // pooling window larger than its input
using before = ctnn::conv2d<2, 3, 3>;
using bad = ctnn::max_pool2d<3>;
using good = ctnn::max_pool2d<2>;
using in = ctnn::input<4, 6>;
#elif CTNN_CASE == 5  // zero-sized kernel
using before = ctnn::max_pool2d<1>;
using bad = ctnn::conv2d<4, 0, 3>;
using good = ctnn::conv2d<4, 1, 3>;
using in = ctnn::input<8, 8>;
#elif CTNN_CASE == 6  // padding that is not a padding
using before = ctnn::max_pool2d<1>;
using bad = ctnn::conv2d<4, 3, 3, ctnn::relu, 1, int>;
using good = ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>;
using in = ctnn::input<8, 8>;
#elif CTNN_CASE == 7  // zero-sized pooling window
using before = ctnn::max_pool2d<1>;
using bad = ctnn::avg_pool2d<2, 0>;
using good = ctnn::avg_pool2d<2, 1>;
using in = ctnn::input<8, 8>;
#elif CTNN_CASE == 8  // zero pooling stride
using before = ctnn::max_pool2d<1>;
using bad = ctnn::max_pool2d<2, 2, 0>;
using good = ctnn::max_pool2d<2, 2, 1>;
using in = ctnn::input<8, 8>;
#endif

#if defined(CTNN_COMPILE_FAIL_TWIN)
using net = ctnn::network<float, in, before, good>;
#else
using net = ctnn::network<float, in, before, bad>;
#endif

int main() {
  return static_cast<int>(net::output_size == 0);
}
