// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 arithmetic contract, written down once (docs/quantization.md explains it).
///
/// The scheme is TensorFlow Lite's: a real value r is stored as q with r = s·(q − z).
/// - Weights: int8 in [−127, 127], symmetric (z = 0), per output channel: any scale per
///   filter for conv2d; for dense the layer's scale times 2^−k per output, so that one
///   multiplier per layer and a shift per output suffice (a full multiplier per output
///   would cost 4 more bytes each and break the 1.01 bytes-per-parameter flash budget of
///   small MLPs; docs/quantization.md has the measurements).
/// - Activations: int8 in [−128, 127], asymmetric per tensor (scale s, zero point z).
/// - Biases: int32 with scale s_in·s_w, zero point 0.
/// - Requantisation: an int32 accumulator is scaled by a real multiplier
///   m = s_in·s_w / s_out, represented as `multiplier · 2^(shift − 31)` with multiplier a
///   Q0.31 number in [2^30, 2^31) and shift in [−31, 30] (`quantize_multiplier`).
///
/// Rounding (frozen): **single rounding**, `requantize(acc, M, s) = ⌊(acc·M + 2^(30−s)) /
/// 2^(31−s)⌋` computed exactly in 64 bits (round half toward +∞), then saturated to int32.
/// TFLite's reference and CMSIS-NN default to double rounding (a rounding doubling high
/// multiply, then a rounding right shift): it exists to fit 32-bit SIMD lanes of big cores
/// and rounds twice. One exact 64-bit product is cheaper on Cortex-M (SMULL + an add and
/// a shift on M3/M4/M7) and is what TFLite itself selects with TFLITE_SINGLE_ROUNDING.
///
/// Every function here is constexpr and pure integer arithmetic (no float, no
/// implementation-defined behaviour beyond C++20's arithmetic right shift), so constant
/// evaluation, x86-64 and every Cortex-M give identical results by construction.
#include <cstdint>
#include <limits>

namespace ctnn {

/// A positive real multiplier as TFLite represents it: m ≈ multiplier · 2^(shift − 31).
/// multiplier = 0 (with shift 0) stands for m = 0 and for any m below 2^−32.
struct quantized_multiplier {
  std::int32_t multiplier = 0;
  std::int32_t shift = 0;
};

/// The representation of m ≥ 0: multiplier = round(m · 2^(31 − shift)) in [2^30, 2^31),
/// rounding half away from zero; a carry to 2^31 moves to (2^30, shift + 1). Multipliers
/// at or above 2^30 saturate to the largest representable value. constexpr (no frexp).
constexpr quantized_multiplier quantize_multiplier(double m) noexcept {
  if (!(m > 0)) return {};
  int shift = 0;
  double f = m;  // m = f · 2^shift with f in [0.5, 1) after normalisation (exact scalings)
  while (f >= 1.0 && shift < 31) {
    f /= 2;
    ++shift;
  }
  while (f < 0.5 && shift > -32) {
    f *= 2;
    --shift;
  }
  if (shift > 30) return {std::numeric_limits<std::int32_t>::max(), 30};
  if (shift < -31) return {};
  const double scaled = f * 2147483648.0 + 0.5;  // f·2^31 in [2^30, 2^31]
  auto q = static_cast<std::int64_t>(scaled);
  if (q >= (std::int64_t{1} << 31)) {
    q /= 2;
    ++shift;
    if (shift > 30) return {std::numeric_limits<std::int32_t>::max(), 30};
  }
  return {static_cast<std::int32_t>(q), static_cast<std::int32_t>(shift)};
}

/// Saturates a 64-bit value to int32.
constexpr std::int32_t saturate_int32(std::int64_t v) noexcept {
  constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  return static_cast<std::int32_t>(v < lo ? lo : v > hi ? hi : v);
}

/// Single-rounding requantisation (see the file comment), the formula as written, out of
/// line: requantize's path for shifts above −2, and the requantisation of the epilogues off the hot
/// path (sigmoid, tanh, leaky_relu, softmax).
[[gnu::noinline]] constexpr std::int32_t requantize_exact(std::int32_t acc, std::int32_t multiplier,
                                                          std::int32_t shift) noexcept {
  const int right = 31 - shift;  // 1 … 62
  const std::int64_t product = std::int64_t{acc} * multiplier;
  return saturate_int32((product + (std::int64_t{1} << (right - 1))) >> right);
}

/// Single-rounding requantisation (see the file comment): round(acc · multiplier ·
/// 2^(shift − 31)), ties toward +∞, saturated to int32. Requires shift in [−31, 30].
/// Two exact evaluations of the same formula, chosen by the shift (the results are equal,
/// not close): for right = 31 − shift ≥ 33 (multipliers below 1/4, every dense and conv
/// layer in practice) the high word of the product suffices, since with
/// t = ⌊P / 2^(right−1)⌋ = ⌊⌊P / 2^32⌋ / 2^(right−33)⌋ the result ⌊(P + 2^(right−1)) /
/// 2^right⌋ is ⌊(t + 1) / 2⌋, and |P| < 2^62 keeps it inside int32 (no saturation): on
/// Cortex-M3/M4 SMULL + 3 instructions instead of a 64-bit variable shift. Otherwise the
/// 64-bit rounding shift and saturation as written.
[[gnu::always_inline]] constexpr std::int32_t requantize(std::int32_t acc, std::int32_t multiplier,
                                                         std::int32_t shift) noexcept {
  if (shift <= -2) {  // right ≥ 33
    // 2·high fits (|P| < 2^62), and ⌊2·high / 2^(~shift)⌋ = ⌊high / 2^(right−33)⌋ = t.
    const auto high = static_cast<std::int32_t>((std::int64_t{acc} * multiplier) >> 32);
    return (((high * 2) >> ~shift) + 1) >> 1;
  }
  return requantize_exact(acc, multiplier, shift);
}

/// Clamps v to [lo, hi] and narrows to int8.
constexpr std::int8_t clamp_int8(std::int32_t v, std::int32_t lo = -128,
                                 std::int32_t hi = 127) noexcept {
  return static_cast<std::int8_t>(v < lo ? lo : v > hi ? hi : v);
}

/// The fixed-point exponential behind int8 sigmoid, tanh and softmax:
/// round(2^16 · 2^(−u / 2^16)) for u ≥ 0 (u is t·2^16 for the real exponent −t), in
/// [0, 65536]. Range reduction u = k·2^16 + f, then e^(−f·ln2/2^16) by a degree-8 Taylor
/// polynomial in Q30 (error below 2e−7 before the final rounding, so the result is the
/// correctly rounded value or next to it), then a rounding shift by 14 + k. Exact integer
/// steps: the same result on every target.
constexpr std::int32_t exp2_negative_q16(std::uint32_t u) noexcept {
  const std::uint32_t k = u >> 16;
  if (k > 16) return 0;
  // Every quantity fits 32 unsigned bits (products: one 32 × 32 → 64-bit UMULL).
  constexpr std::uint32_t one = std::uint32_t{1} << 30;
  constexpr std::uint32_t ln2_q30 = 744261118;  // round(ln 2 · 2^30)
  const auto a = static_cast<std::uint32_t>((std::uint64_t{u & 0xFFFFu} * ln2_q30) >> 16);
  // a in [0, ln 2 · 2^30). exp(−a) = 1 − a(1 − a/2(1 − a/3(1 − … (1 − a/8)))), every term
  // in [0, 1]: e stays in (0, 2^30] and (a·e) >> 30 < 2^30, so 32-bit unsigned divisions
  // give the quotients (no libgcc 64-bit division on 32-bit targets).
  std::uint32_t e = one;
  for (std::uint32_t n = 8; n >= 1; --n)
    e = one - static_cast<std::uint32_t>((std::uint64_t{a} * e) >> 30) / n;
  const int right = 14 + static_cast<int>(k);  // 14 … 30: e + 2^(right−1) < 2^31
  return static_cast<std::int32_t>((e + (std::uint32_t{1} << (right - 1))) >> right);
}

}  // namespace ctnn
