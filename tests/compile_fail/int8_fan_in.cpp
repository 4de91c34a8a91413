// SPDX-License-Identifier: MIT
// An int8 dense layer with 32769 inputs: its int32 accumulator could overflow.
#include "ctnn/ctnn.hpp"

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<32769>, ctnn::dense<2>>;
#else
using net = ctnn::network<float, ctnn::input<32768>, ctnn::dense<2>>;
#endif
static_assert(ctnn::quantized<net>::weight_count > 0);
