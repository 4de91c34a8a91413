// SPDX-License-Identifier: MIT
// Static tests of the int8 path: constexpr forward passes of tiny quantized networks
// against hand-computed integers, spot values of the arithmetic primitives, and the
// layout invariants of quantized<Net>. If this file compiles, it passes (GCC and clang).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ctnn/ctnn.hpp"

namespace {

template <class T, std::size_t N>
constexpr bool equal(const std::array<T, N>& a, const std::array<T, N>& b) {
  for (std::size_t i = 0; i < N; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// --- requantize, exp2_negative_q16, quantize_multiplier ------------------------------------
static_assert(ctnn::requantize(9, 1 << 30, 0) == 5);      // 9/2 = 4.5 → 5
static_assert(ctnn::requantize(-49, 1 << 30, 0) == -24);  // −24.5 → −24 (ties toward +∞)
static_assert(ctnn::requantize(-49, 1 << 30, -2) == -6);  // −49/8 = −6.125 → −6
static_assert(ctnn::requantize(1000, 1 << 30, 1) == 1000);
static_assert(ctnn::requantize(3, 0x7FFFFFFF, 30) == 0x7FFFFFFF);  // saturates
static_assert(ctnn::requantize(-3, 0x7FFFFFFF, 30) == -0x7FFFFFFF - 1);
static_assert(ctnn::exp2_negative_q16(0) == 65536);
static_assert(ctnn::exp2_negative_q16(65536) == 32768);
static_assert(ctnn::exp2_negative_q16(3 * 65536) == 8192);
static_assert(ctnn::exp2_negative_q16(32768) == 46341);  // 2^16/√2 = 46340.95
static_assert(ctnn::exp2_negative_q16(17 * 65536) == 0);
static_assert(ctnn::quantize_multiplier(0.5).multiplier == 1 << 30);
static_assert(ctnn::quantize_multiplier(0.5).shift == 0);
static_assert(ctnn::quantize_multiplier(0.125).shift == -2);
static_assert(ctnn::quantize_multiplier(0.75).multiplier == 3 << 29);
static_assert(ctnn::clamp_int8(300) == 127 && ctnn::clamp_int8(-300) == -128);
static_assert(ctnn::clamp_int8(-20, -5) == -5);

// --- input<3>, dense<2, A>: one dense layer, hand-computed --------------------------------
// Raw spec values: W[0] = (1, 2, 3), W[1] = (−4, 5, −6), b = (10, −20), z_in = 2, z_out = −5,
// m = 1/2 (2^30·2^(0 − 31)); a dense layer has one multiplier and a shift per output. Folded biases
// b' = b − z_in·ΣW = (10 − 2·6, −20 − 2·(−5)) = (−2, −10). Input x = (4, −1, 3), x − z_in = (2, −3,
// 1):
//   acc0 = 10 + 2·1 − 3·2 + 1·3 = 9     (ctnn: −2 + 4 − 2 + 9 = 9)
//   acc1 = −20 − 2·4 − 3·5 − 1·6 = −49  (ctnn: −10 − 16 − 5 − 18 = −49)
// identity: z_out + round(acc/2) = (−5 + 5, −5 − 24) = (0, −29)
// relu:     clamped below at z_out = −5: (0, −5)
// leaky (negative multiplier 1/8): acc1 → round(−6.125) = −6: (0, −11)
using dense_relu =
    ctnn::quantized<ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::relu>>>;
using dense_identity = ctnn::quantized<ctnn::network<float, ctnn::input<3>, ctnn::dense<2>>>;
using dense_leaky =
    ctnn::quantized<ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::leaky_relu<1, 4>>>>;

constexpr dense_relu::parameters relu_params{
    {1, 2, 3, -4, 5, -6}, {-2, -10}, {1 << 30}, {0, 0}, {2, -5}, {0.1f, 0.2f}};
static_assert(equal(dense_relu::forward(relu_params, {4, -1, 3}), {0, -5}));
static_assert(dense_relu::predict(relu_params, {4, -1, 3}) == 0);

constexpr dense_identity::parameters identity_params{
    {1, 2, 3, -4, 5, -6}, {-2, -10}, {1 << 30}, {0, 0}, {2, -5}, {0.1f, 0.2f}};
static_assert(equal(dense_identity::forward(identity_params, {4, -1, 3}), {0, -29}));
// x = z_in everywhere: acc = b = (10, −20) → (−5 + 5, −5 − 10) = (0, −15).
static_assert(equal(dense_identity::forward(identity_params, {2, 2, 2}), {0, -15}));
// Per-output shifts (output 1's weight scale halved: shift −1, m = 1/4): round(−49/4) = −12.
constexpr dense_identity::parameters shifted_params{
    {1, 2, 3, -4, 5, -6}, {-2, -10}, {1 << 30}, {0, -1}, {2, -5}, {0.1f, 0.2f}};
static_assert(equal(dense_identity::forward(shifted_params, {4, -1, 3}), {0, -17}));

constexpr dense_leaky::parameters leaky_params{{1, 2, 3, -4, 5, -6}, {-2, -10}, {1 << 30, 1 << 30},
                                               {0, -2, 0, -2},       {2, -5},   {0.1f, 0.2f}};
static_assert(dense_leaky::multiplier_count == 2 && dense_leaky::shift_count == 4);
static_assert(equal(dense_leaky::forward(leaky_params, {4, -1, 3}), {0, -11}));

// --- input<3, 3>, conv2d<1, 2, 2, identity, 1, same> --------------------------------------
// In 3, K 2, S 1, same: out 3, total padding 1, all after (bottom/right). z_in = 1,
// x = [[1 2 3] [4 5 6] [7 8 9]], so x − z_in = [[0 1 2] [3 4 5] [6 7 8]].
// W = [[1 −1] [2 0]], b = 0 → b' = −z_in·ΣW = −2; m = 1 (2^30, shift 1); z_out = 0.
// acc = Σ over in-range taps (padded taps hold z_in and contribute 0):
//   (0,0) 0 − 1 + 6 = 5    (0,1) 1 − 2 + 8 = 7    (0,2) 2 + 10 = 12
//   (1,0) 3 − 4 + 12 = 11  (1,1) 4 − 5 + 14 = 13  (1,2) 5 + 16 = 21
//   (2,0) 6 − 7 = −1       (2,1) 7 − 8 = −1       (2,2) 8
using conv_same = ctnn::quantized<
    ctnn::network<float, ctnn::input<3, 3>, ctnn::conv2d<1, 2, 2, ctnn::identity, 1, ctnn::same>>>;
constexpr conv_same::parameters conv_params{{1, -1, 2, 0}, {-2},   {1 << 30},
                                            {1},           {1, 0}, {1.0f, 1.0f}};
static_assert(equal(conv_same::forward(conv_params, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                    {5, 7, 12, 11, 13, 21, -1, -1, 8}));

// --- input<2, 4>, avg_pool2d<2>, then max_pool2d<1, 2> -------------------------------------
// x = [[1 2 −3 −3] [0 3 0 0]]: window sums 6 and −6 over 4 → 1.5 → 2 and −1.5 → −2
// (half away from zero); then the max of (2, −2) = 2.
using pools = ctnn::quantized<ctnn::network<float, ctnn::input<2, 4>, ctnn::avg_pool2d<2>>>;
using pools_max = ctnn::quantized<
    ctnn::network<float, ctnn::input<2, 4>, ctnn::avg_pool2d<2>, ctnn::max_pool2d<1, 2>>>;
constexpr pools::parameters pool_params{{}, {}, {}, {}, {3, 3}, {0.5f, 0.5f}};
constexpr pools_max::parameters pools_max_params{{}, {}, {}, {}, {3, 3, 3}, {0.5f, 0.5f, 0.5f}};
static_assert(equal(pools::forward(pool_params, {1, 2, -3, -3, 0, 3, 0, 0}), {2, -2}));
static_assert(equal(pools_max::forward(pools_max_params, {1, 2, -3, -3, 0, 3, 0, 0}), {2}));

// --- sigmoid, tanh, softmax at exactly known points ----------------------------------------
// All weights and biases 0: acc = 0, so sigmoid(0) = 1/2 → 128 − 128 = 0; tanh(0) = 0;
// softmax of equal values = 1/4 each → 64 − 128 = −64.
using fixed_points =
    ctnn::quantized<ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::sigmoid>,
                                  ctnn::dense<3, ctnn::tanh>, ctnn::dense<4, ctnn::softmax>>>;
constexpr fixed_points::parameters fixed_params{
    {}, {}, {1 << 30, 1 << 30, 1 << 30}, {}, {0, -128, 0, -128}, {1, 1, 1, 1}};
static_assert(equal(fixed_points::forward(fixed_params, {100, -100}), {-64, -64, -64, -64}));
// Softmax, all weights 0 and biases (2·2^16, 0, 0, 0) with m = 1: x·log2(e) is 2 above the
// others for output 0, so e = (2^16, 2^14, 2^14, 2^14), Σ = 7·2^14 and
// y = round(256·4/7) − 128 = 146 − 128 = 18, round(256/7) − 128 = 37 − 128 = −91.
using soft = ctnn::quantized<ctnn::network<float, ctnn::input<1>, ctnn::dense<4, ctnn::softmax>>>;
constexpr soft::parameters soft_params{{},           {131072, 0, 0, 0}, {1 << 30},
                                       {1, 1, 1, 1}, {0, -128},         {1, 1.0f / 256}};
static_assert(equal(soft::forward(soft_params, {77}), {18, -91, -91, -91}));
static_assert(soft::predict(soft_params, {77}) == 0);

// --- Layout invariants ------------------------------------------------------------------------
static_assert(dense_relu::weight_count == 6 && dense_relu::bias_count == 2);
static_assert(dense_relu::multiplier_count == 1 && dense_relu::shift_count == 2);
static_assert(dense_relu::tensor_count == 2);
static_assert(std::is_aggregate_v<dense_relu::parameters>);
static_assert(std::is_trivially_copyable_v<dense_relu::parameters>);
static_assert(std::is_standard_layout_v<dense_relu::parameters>);
// 6 weights, 2 biases, 1 multiplier, 2 shifts, 2 zero points, 2 scales: 6 + (2) + 8 + 4 + 2 +
// 2 + 8 = 32 bytes with the alignment padding (in parentheses) of the int32 arrays.
static_assert(sizeof(dense_relu::parameters) == 32);
static_assert(sizeof(dense_relu::workspace) == dense_relu::activation_bytes);
static_assert(dense_relu::activation_bytes == 2);  // one layer: odd 2, even 0
// A conv layer has a multiplier and a shift per filter (times two for leaky relu), a dense
// layer one multiplier and a shift per output; pools have none.
using cnn = ctnn::quantized<
    ctnn::network<float, ctnn::input<6, 6, 3>, ctnn::conv2d<5, 3, 3, ctnn::leaky_relu<1, 8>>,
                  ctnn::max_pool2d<2>, ctnn::flatten, ctnn::dense<4>>>;
static_assert(cnn::weight_count == 5 * 3 * 3 * 3 + 20 * 4);
static_assert(cnn::bias_count == 5 + 4);
static_assert(cnn::multiplier_count == 5 * 2 + 1);
static_assert(cnn::shift_count == 5 * 2 + 4);
static_assert(cnn::tensor_count == 5);
static_assert(cnn::weight_offset<4> == 135 && cnn::bias_offset<4> == 5);
static_assert(cnn::multiplier_offset<2> == 10 && cnn::multiplier_offset<4> == 10);
static_assert(cnn::shift_offset<4> == 10);
// Ping-pong: outputs 4x4x5 = 80, 2x2x5 = 20, 20, 4: odd max(80, 20), even max(20, 4); plus
// the conv's column of one output pixel, 3·3·3 = 27 bytes.
static_assert(cnn::scratch_bytes == 27);
static_assert(cnn::activation_bytes == 80 + 20 + 27);
static_assert(sizeof(cnn::parameters) >= cnn::weight_count + 4 * cnn::bias_count +
                                             4 * cnn::multiplier_count + cnn::shift_count +
                                             5 * cnn::tensor_count);
static_assert(cnn::signature.starts_with("int8|"));
static_assert(cnn::signature.substr(5) == cnn::network::signature);

}  // namespace

int main() {}
