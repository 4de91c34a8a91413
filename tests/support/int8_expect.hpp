// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Two sets of int8 parameters (ctnn::quantized_parameters) hold the same values: every
/// integer array, and each tensor's scale bit for bit (gtest expectations, one per array).
#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>

template <class Parameters>
void expect_same_int8_parameters(const Parameters& got, const Parameters& want) {
  EXPECT_EQ(got.weights, want.weights);
  EXPECT_EQ(got.biases, want.biases);
  EXPECT_EQ(got.multipliers, want.multipliers);
  EXPECT_EQ(got.shifts, want.shifts);
  EXPECT_EQ(got.zero_points, want.zero_points);
  for (std::size_t t = 0; t < got.scales.size(); ++t)
    EXPECT_EQ(std::bit_cast<std::uint32_t>(got.scales[t]),
              std::bit_cast<std::uint32_t>(want.scales[t]))
        << "tensor " << t;
}
