// SPDX-License-Identifier: MIT
// Static tests of depthwise_conv2d, global_avg_pool and dropout: shapes, counts and
// constexpr forward passes with hand-computed values. If it compiles, it passes.
#include <array>
#include <cstddef>

#include "ctnn/ctnn.hpp"

namespace {

// depthwise 2x2 over 3x3x1 = 1..9 with W = [[1, 2], [3, 4]], b = 0.5 (conv2d's hand case).
using dw = ctnn::network<float, ctnn::unfused, ctnn::input<3, 3>, ctnn::depthwise_conv2d<2, 2>>;
constexpr dw::parameters dw_p{{1, 2, 3, 4, 0.5f}};
static_assert(dw::forward(dw_p, {1, 2, 3, 4, 5, 6, 7, 8, 9}) ==
              std::array<float, 4>{37.5f, 47.5f, 67.5f, 77.5f});
static_assert(dw::parameter_count == 5);

// Depth multiplier 3 on two channels: 6 output channels ordered c·M + m.
using dwm = ctnn::network<float, ctnn::input<1, 1, 2>,
                          ctnn::depthwise_conv2d<1, 1, ctnn::relu, 1, ctnn::valid, 3>>;
constexpr dwm::parameters dwm_p{{1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, -100}};
static_assert(dwm::forward(dwm_p, {1, -1}) == std::array<float, 6>{1, 2, 3, 0, 0, 0});
static_assert(std::is_same_v<dwm::output_shape, ctnn::shape<1, 1, 6>>);

// global_avg_pool then dense, and dropout being the identity at inference.
using head = ctnn::network<float, ctnn::input<2, 2, 2>, ctnn::global_avg_pool, ctnn::dropout<1, 2>,
                           ctnn::dense<1>>;
constexpr head::parameters head_p{{1, 10, 0.25f}};
// means {2.5, 25}: 2.5 + 250 + 0.25
static_assert(head::forward(head_p, {1, 10, 2, 20, 3, 30, 4, 40}) == std::array<float, 1>{252.75f});
static_assert(head::parameter_count == 3);
static_assert(head::signature ==
              "ctnn1|f32|fused|in(2x2x2)|global_avg_pool|dropout(1/2)|dense(1,identity)");
// dropout adds no parameters: the same count and layout as without it.
using head_plain =
    ctnn::network<float, ctnn::input<2, 2, 2>, ctnn::global_avg_pool, ctnn::dense<1>>;
static_assert(head_plain::parameter_count == head::parameter_count);

// A DS-CNN block: depthwise 3x3 same + pointwise 1x1.
using block = ctnn::network<float, ctnn::input<8, 8, 16>,
                            ctnn::depthwise_conv2d<3, 3, ctnn::relu, 1, ctnn::same>,
                            ctnn::conv2d<32, 1, 1, ctnn::relu>, ctnn::global_avg_pool>;
static_assert(block::parameter_count == (9 * 16 + 16) + (16 * 32 + 32));
static_assert(block::activation_bytes == (8 * 8 * 16 + 8 * 8 * 32) * sizeof(float));

}  // namespace

int main() {
  return 0;
}
