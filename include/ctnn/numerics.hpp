// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Numeric modes: how a network performs each multiply-accumulate.
///
/// The contract (both modes):
/// - ctnn fixes the order of every sum: a dense output is b[o], then x[0]·W[0][o],
///   x[1]·W[1][o], … added one after the other; softmax sums its exponentials in index
///   order. Vectorised kernels compute independent outputs in parallel lanes and never
///   reorder a sum, so constant evaluation, the scalar path and the SIMD path agree bit
///   for bit.
/// - exp, tanh and sigmoid are ctnn's own functions (ctnn/detail/math.hpp), built from
///   + − × ÷ only, so they give the same bits everywhere.
/// - The compiler must not contract `a*b + c` into an FMA behind ctnn's back: compile
///   with `-ffp-contract=off` (GCC contracts by default even in ISO mode and ignores
///   `#pragma STDC FP_CONTRACT`). The `ctnn::ctnn` CMake target adds the flag to every
///   consumer; a build that bypasses CMake must pass it itself.
/// - Round-to-nearest-even, no -ffast-math, IEEE-754 binary32/binary64 without
///   excess precision (x87 is not supported).
#include <type_traits>

#include "ctnn/detail/fixed_string.hpp"

namespace ctnn {

/// Every multiply-accumulate is one correctly rounded fused multiply-add. Identical bits
/// on x86-64 with FMA, Cortex-M4F (VFMA), M7, M33 and in constant evaluation; on a
/// target without FMA hardware it is correct but slow (glibc's fma, or ctnn's exact software
/// fma where the C library's is not exact, e.g. newlib's double fma).
struct fused {
  static constexpr auto name = detail::fixed_string("fused");
};

/// Multiply, round, add, round. Identical bits on every IEEE-754 target, FMA or not.
struct unfused {
  static constexpr auto name = detail::fixed_string("unfused");
};

/// A numeric mode: `ctnn::fused` or `ctnn::unfused`.
template <class M>
concept numeric_mode = std::is_same_v<M, fused> || std::is_same_v<M, unfused>;

}  // namespace ctnn
