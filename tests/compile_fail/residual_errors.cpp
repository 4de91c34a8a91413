// SPDX-License-Identifier: MIT
// Compile-fail cases for ctnn::residual's static_asserts (detail/residual_checks.hpp) and its
// int8 form's (detail/int8_residual.hpp). Built with -DCTNN_CASE=<n>: `bad` must fail with
// the sentence; with -DCTNN_COMPILE_FAIL_TWIN the corrected `good` block is used instead and
// the file must compile.
#include "ctnn/ctnn.hpp"

using conv_s1 = ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>;
using conv_s2 = ctnn::conv2d<8, 3, 3, ctnn::relu, 2, ctnn::same>;

#if CTNN_CASE == 1  // a body that is not a ctnn::block
using bad = ctnn::residual<conv_s1>;
using good = ctnn::residual<ctnn::block<conv_s1>>;
#elif CTNN_CASE == 2  // an empty body
using bad = ctnn::residual<ctnn::block<>>;
using good = ctnn::residual<ctnn::block<conv_s1>>;
#elif CTNN_CASE == 3  // a projection that is not a layer
using bad = ctnn::residual<ctnn::block<conv_s1>, int>;
using good = ctnn::residual<ctnn::block<conv_s1>, ctnn::no_projection>;
#elif CTNN_CASE == 4  // the body changes the shape and there is no projection
using bad = ctnn::residual<ctnn::block<conv_s2>>;
using good = ctnn::residual<ctnn::block<conv_s2>, ctnn::conv2d<8, 1, 1, ctnn::identity, 2>>;
#elif CTNN_CASE == 5  // the projection's shape is not the body's
using bad = ctnn::residual<ctnn::block<conv_s2>, ctnn::conv2d<8, 1, 1, ctnn::identity, 1>>;
using good = ctnn::residual<ctnn::block<conv_s2>, ctnn::conv2d<8, 1, 1, ctnn::identity, 2>>;
#elif CTNN_CASE == 6  // an activation that is not an activation
using bad = ctnn::residual<ctnn::block<conv_s1>, ctnn::no_projection, float>;
using good = ctnn::residual<ctnn::block<conv_s1>, ctnn::no_projection, ctnn::relu>;
#elif CTNN_CASE == 7  // int8: an activation TFLite's ADD cannot fuse
using bad = ctnn::residual<ctnn::block<conv_s1>, ctnn::no_projection, ctnn::tanh>;
using good = ctnn::residual<ctnn::block<conv_s1>, ctnn::no_projection, ctnn::identity>;
#define CTNN_INT8 1
#endif

#if defined(CTNN_COMPILE_FAIL_TWIN)
using net = ctnn::network<float, ctnn::input<8, 8, 4>, ctnn::max_pool2d<1>, good>;
#else
using net = ctnn::network<float, ctnn::input<8, 8, 4>, ctnn::max_pool2d<1>, bad>;
#endif

int main() {
#if defined(CTNN_INT8)
  return static_cast<int>(ctnn::quantized<net>::weight_count == 0);
#else
  return static_cast<int>(net::output_size == 0);
#endif
}
