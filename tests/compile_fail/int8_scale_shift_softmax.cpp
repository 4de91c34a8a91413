// SPDX-License-Identifier: MIT
// int8 of a folded model whose batch_norm<softmax> had nothing to fold into: the
// scale_shift's int8 form (a 1×1 depthwise convolution) refuses softmax as conv layers do.
#include "ctnn/ctnn.hpp"
#include "ctnn/folded.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::batch_norm<ctnn::softmax>, ctnn::dense<3>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::batch_norm<ctnn::relu>, ctnn::dense<3>>;
#endif
static_assert(ctnn::quantized<ctnn::folded<net>>::weight_count == 4 + 12);
