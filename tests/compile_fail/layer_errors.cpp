// SPDX-License-Identifier: MIT
// Compile-fail cases for depthwise_conv2d's and dropout's static_asserts
// (detail/depthwise_checks.hpp, detail/dropout_checks.hpp) and the int8 form's. Built with
// -DCTNN_CASE=<n>: `bad` must fail with the sentence; with -DCTNN_COMPILE_FAIL_TWIN the
// corrected `good` layer is used instead and the file must compile.
#include "ctnn/ctnn.hpp"

#if CTNN_CASE == 1  // kernel larger than its (valid-padded) input
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<5, 5>;
using good = ctnn::depthwise_conv2d<5, 4>;
using in = ctnn::input<7, 4, 3>;
#elif CTNN_CASE == 2   // zero-sized kernel
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<0, 3>;
using good = ctnn::depthwise_conv2d<1, 3>;
using in = ctnn::input<8, 8, 2>;
#elif CTNN_CASE == 3   // zero stride
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 0>;
using good = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1>;
using in = ctnn::input<8, 8, 2>;
#elif CTNN_CASE == 4   // zero depth multiplier
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same, 0>;
using good = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same, 1>;
using in = ctnn::input<8, 8, 2>;
#elif CTNN_CASE == 5   // padding that is not a padding
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, int>;
using good = ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>;
using in = ctnn::input<8, 8, 2>;
#elif CTNN_CASE == 6   // activation that is not an activation
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<3, 3, float>;
using good = ctnn::depthwise_conv2d<3, 3, ctnn::relu>;
using in = ctnn::input<8, 8, 2>;
#elif CTNN_CASE == 7   // dropout rate of 1
using before = ctnn::dense<4>;
using bad = ctnn::dropout<3, 3>;
using good = ctnn::dropout<2, 3>;
using in = ctnn::input<8>;
#elif CTNN_CASE == 8   // dropout rate with a zero denominator
using before = ctnn::dense<4>;
using bad = ctnn::dropout<1, 0>;
using good = ctnn::dropout<1, 10>;
using in = ctnn::input<8>;
#elif CTNN_CASE == 9   // negative dropout rate
using before = ctnn::dense<4>;
using bad = ctnn::dropout<-1, 2>;
using good = ctnn::dropout<0, 2>;
using in = ctnn::input<8>;
#elif CTNN_CASE == 10  // int8 softmax on a depthwise layer
using before = ctnn::max_pool2d<1>;
using bad = ctnn::depthwise_conv2d<3, 3, ctnn::softmax>;
using good = ctnn::depthwise_conv2d<3, 3, ctnn::relu>;
using in = ctnn::input<8, 8, 2>;
#define CTNN_INT8 1
#endif

#if defined(CTNN_COMPILE_FAIL_TWIN)
using net = ctnn::network<float, in, before, good>;
#else
using net = ctnn::network<float, in, before, bad>;
#endif

int main() {
#if defined(CTNN_INT8)
  return static_cast<int>(ctnn::quantized<net>::weight_count == 0);
#else
  return static_cast<int>(net::output_size == 0);
#endif
}
