// SPDX-License-Identifier: MIT
// Writes the checkpoint the export tests start from: parameters that exercise every kind
// of float (normal, subnormal, ±0, extremes, values with full 24-bit mantissas).
#include <bit>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "ctnn/train/io/checkpoint.hpp"
#include "export_model.hpp"

using model = ctnn_test::export_model;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_checkpoint OUT\n");
    return 2;
  }
  model::parameters p{};
  std::uint32_t state = 12345u;
  for (std::size_t i = 0; i < model::parameter_count; ++i) {
    state = state * 1664525u + 1013904223u;  // LCG: arbitrary mantissas and exponents
    const std::uint32_t bits = (state & 0x807fffffu) | ((100u + (state >> 24) % 56u) << 23);
    p.values[i] = std::bit_cast<float>(bits);
  }
  p.values[0] = 0.0f;
  p.values[1] = -0.0f;
  p.values[2] = std::numeric_limits<float>::denorm_min();
  p.values[3] = -std::numeric_limits<float>::max();
  p.values[4] = std::numeric_limits<float>::min();
  p.values[5] = 0.1f;
  try {
    ctnn::train::write_checkpoint(
        argv[1], ctnn::train::parameters_checkpoint<model>(
                     p, R"({"dataset":"synthetic-export-test","test_accuracy":0.875})"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
