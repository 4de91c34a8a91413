// SPDX-License-Identifier: MIT
// A user-defined layer kind without an int8 form, in ctnn::quantized.
#include "ctnn/ctnn.hpp"

// A float layer of the user's own (here: flatten's behaviour under another type).
template <class T, class Mode, class In, std::size_t Index>
struct my_copy : ctnn::detail::flatten_layer<T, Mode, In, Index> {};
struct my_copy_spec {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = my_copy<T, Mode, In, Index>;
};

#ifndef CTNN_COMPILE_FAIL_TWIN
using net = ctnn::network<float, ctnn::input<2, 2>, my_copy_spec, ctnn::dense<3>>;
static_assert(ctnn::quantized<net>::weight_count == 12);
#else
using net = ctnn::network<float, ctnn::input<2, 2>, ctnn::flatten, ctnn::dense<3>>;
static_assert(ctnn::quantized<net>::weight_count == 12);
static_assert(ctnn::network<float, ctnn::input<2, 2>, my_copy_spec, ctnn::dense<3>>::parameter_count == 15);
#endif
