// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The corners every int8 layer test runs through: zero points at both ends of the range,
/// requantisation multipliers near 2^31, accumulators that saturate both ways. Each test
/// draws its own random weights, biases, multipliers and shifts within a case's bounds.
#include <cstdint>

namespace int8_cases {

struct int8_case {
  std::int32_t z_in, z_out;
  std::int64_t bias_lo, bias_hi;
  std::int32_t shift_lo, shift_hi;
  bool near_top;  ///< multipliers within 2^20 of 2^31
};

inline constexpr int8_case cases[] = {
    {0, 0, -2000, 2000, -9, -6, false},            // typical
    {-128, 127, -2000, 2000, -9, -6, false},       // zero points at the ends
    {127, -128, -2000, 2000, -9, -6, true},        // the other ends, multipliers near 2^31
    {-128, -128, -1 << 20, 1 << 20, -4, 0, true},  // saturating both ways
    {37, -5, -100000, 100000, -14, -10, false},
};

}  // namespace int8_cases
