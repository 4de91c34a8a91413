// SPDX-License-Identifier: MIT
// Compiled by int8_export_test.sh against a header written by --export-int8 (weights.hpp,
// models::moons): the CRC matches, the constant-evaluated and run-time forward passes give
// the same bytes, and the workspace is the two ping-pong buffers.
#include <cstdio>

#include "weights.hpp"

namespace w = models::moons_int8_weights;
using q = w::model;
using net = models::moons;

constexpr q::input probe = {-20, 37};
constexpr q::output at_compile_time = q::forward(w::weights, probe);

int main() {
  if (ctnn::crc32(w::weights) != w::crc32) {
    std::puts("CRC mismatch");
    return 1;
  }
  if (q::forward(w::weights, probe) != at_compile_time) {
    std::puts("run time differs from compile time");
    return 1;
  }
  static_assert(q::activation_bytes == 16 + 16, "two ping-pong buffers of 16 bytes");
  return 0;
}
