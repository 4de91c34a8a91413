// SPDX-License-Identifier: MIT
// Softmax on a conv2d layer in int8 (supported on dense layers only).
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<5, 5>, ctnn::conv2d<3, 3, 3, ctnn::softmax>>;
#else
using net = ctnn::network<float, ctnn::input<5, 5>, ctnn::conv2d<3, 3, 3, ctnn::sigmoid>>;
#endif
static_assert(ctnn::quantized<net>::weight_count == 27);
