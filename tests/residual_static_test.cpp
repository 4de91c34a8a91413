// SPDX-License-Identifier: MIT
// ctnn::residual in constant evaluation: forward passes of tiny blocks with hand-computed
// values (both numeric modes), the parameter layout and the workspace constants. Passes
// if it compiles (GCC here, clang as residual_static_test_clang).
#include <array>

#include "ctnn/ctnn.hpp"

namespace {

using ctnn::block;
using ctnn::dense;
using ctnn::identity;
using ctnn::relu;
using ctnn::residual;

// y = relu(x + f(x)), f = dense<2> with W[i][o] input-major = {1, 2, 3, 4}, b = {0.5, −20}:
// x = {1, 2}: f = {0.5 + 1·1 + 2·3, −20 + 1·2 + 2·4} = {7.5, −10}; x + f = {8.5, −8} -> {8.5, 0}.
template <class Mode>
using skip_net = ctnn::network<float, Mode, ctnn::input<2>, residual<block<dense<2>>>>;
template <class Mode>
constexpr typename skip_net<Mode>::parameters skip_w{{1, 2, 3, 4, 0.5f, -20}};
static_assert(skip_net<ctnn::fused>::forward(skip_w<ctnn::fused>, {1, 2}) ==
              std::array<float, 2>{8.5f, 0});
static_assert(skip_net<ctnn::unfused>::forward(skip_w<ctnn::unfused>, {1, 2}) ==
              std::array<float, 2>{8.5f, 0});
// One body layer, no projection: the body writes the output buffer, no scratch.
static_assert(skip_net<ctnn::fused>::scratch_size == 0);
static_assert(skip_net<ctnn::fused>::activation_size == 2);

// With a projection and no activation: y = P(x) + g(relu(h(x))).
// h = dense<1, relu>: W = {1, 1}, b = 0 -> h(x) = x0 + x1 = 3 for x = {1, 2}.
// g = dense<3>: W = {1, 2, 3}, b = {0, 0, −1} -> {3, 6, 8}.
// P = dense<3>: W[i][o] = {1, 0, 0, 0, 1, 0} (x0 to o0, x1 to o1), b = {0, 0, 0.25}
//   -> {1, 2, 0.25}. y = {4, 8, 8.25}.
using projected = ctnn::network<float, ctnn::input<2>,
                                residual<block<dense<1, relu>, dense<3>>, dense<3>, identity>>;
static_assert(projected::parameter_count == (2 + 1) + (3 + 3) + (6 + 3));
constexpr projected::parameters projected_w{
    {1, 1, 0, /* g */ 1, 2, 3, 0, 0, -1, /* P */ 1, 0, 0, 0, 1, 0, 0, 0, 0.25f}};
static_assert(projected::forward(projected_w, {1, 2}) == std::array<float, 3>{4, 8, 8.25f});
// Scratch: body layer 1's output (1) + the projection's output (3).
static_assert(projected::layer<1>::scratch_size == 1 + 3);
static_assert(projected::activation_size == 3 + 0 + 4);

// relu on the sum, not on the body: a negative skip and a positive body that cancel.
// f = dense<1> with W = {0}, b = 2: x = {−2} -> relu(−2 + 2) = 0; x = {−1} -> 1.
using cancel = ctnn::network<double, ctnn::input<1>, residual<block<dense<1>>>>;
constexpr cancel::parameters cancel_w{{0, 2}};
static_assert(cancel::forward(cancel_w, {-2.0}) == std::array<double, 1>{0.0});
static_assert(cancel::forward(cancel_w, {-1.0}) == std::array<double, 1>{1.0});

}  // namespace

int main() {
  return 0;
}
