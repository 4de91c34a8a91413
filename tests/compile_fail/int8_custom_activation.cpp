// SPDX-License-Identifier: MIT
// A user-defined activation without an int8 form, in ctnn::quantized.
#include "ctnn/ctnn.hpp"

struct my_act : ctnn::identity {
  static constexpr auto name = ctnn::detail::fixed_string("my_act");
};

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, my_act>>;
#else
using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::identity>>;
#endif
static_assert(ctnn::quantized<net>::weight_count == 12);
