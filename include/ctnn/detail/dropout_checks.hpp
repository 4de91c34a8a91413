// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The static_assert a user can trigger with dropout (see checks.hpp for the pattern; the
/// compile-fail test in tests/compile_fail/layer_errors.cpp matches the sentence).
#include <cstddef>
#include <cstdint>

namespace ctnn::detail {

template <std::size_t Layer, std::intmax_t Num, std::intmax_t Den>
struct check_dropout_rate {
  static_assert(Den > 0 && Num >= 0 && Num < Den,
                "ctnn: a dropout rate Num/Den must be in [0, 1): it needs 0 <= Num < Den, but "
                "this layer's Num and Den are not");
  static constexpr bool value = true;
};

}  // namespace ctnn::detail
