// SPDX-License-Identifier: MIT
// int8 of a folded model whose batch_norm had nothing to fold into (it became a
// scale_shift, which has no int8 form yet).
#include "ctnn/ctnn.hpp"
#include "ctnn/folded.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::batch_norm<>, ctnn::dense<3>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3>, ctnn::batch_norm<>>;
#endif
static_assert(ctnn::quantized<ctnn::folded<net>>::weight_count == 12);
