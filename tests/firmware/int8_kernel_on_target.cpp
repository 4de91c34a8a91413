// SPDX-License-Identifier: MIT
// ctnn::detail::dot_rows (include/ctnn/detail/int8_kernel.hpp) on the Cortex-M core it was
// built for, against a plain loop written here: every row count 1–4 and every run length
// 0–79 (the M4's SMLAD loop entered at either half, the 4-input steps and the byte tail;
// the M3/M0 assembly's pairs and single inputs), strides equal to and longer than the run,
// biases as the start and accumulation in place, random values and the extremes (every
// product −128·−128 or −128·127). The firmware models only reach run lengths that are
// multiples of 8; this covers the rest. Prints one line per mismatch and the total; exits
// with the number of mismatches (tests/firmware/CMakeLists.txt runs it under QEMU).
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "ctnn/detail/int8_kernel.hpp"
#include "src/platform.hpp"
#include "src/text.hpp"

namespace {

constexpr std::size_t max_n = 79, max_extra = 16, max_rows = 4;
std::int8_t xs[max_n];
std::int8_t ws[max_rows * (max_n + max_extra)];

std::uint32_t state = 0x2545F491u;
std::int8_t next_byte() noexcept {
  state = state * 1664525u + 1013904223u;
  return static_cast<std::int8_t>(state >> 24);
}

enum class fill { random, min_min, min_max };

std::int8_t value(fill f, bool weight) noexcept {
  switch (f) {
    case fill::min_min:
      return -128;
    case fill::min_max:
      return weight ? 127 : -128;
    default:
      return next_byte();
  }
}

/// dot_rows<Rows> over n inputs with the given stride, starting from separate biases or in
/// place; true when every row equals the plain loop's sum.
template <std::size_t Rows>
bool matches(std::size_t n, std::size_t stride, fill f, bool in_place) noexcept {
  for (std::size_t i = 0; i < n; ++i) xs[i] = value(f, false);
  for (std::size_t i = 0; i < Rows * stride; ++i) ws[i] = value(f, true);
  std::int32_t bias[Rows], acc[Rows], expected[Rows];
  for (std::size_t r = 0; r < Rows; ++r) {
    bias[r] = static_cast<std::int32_t>(next_byte()) * 4099;
    std::int32_t sum = bias[r];
    for (std::size_t i = 0; i < n; ++i)
      sum += static_cast<std::int32_t>(xs[i]) * static_cast<std::int32_t>(ws[r * stride + i]);
    expected[r] = sum;
    acc[r] = bias[r];
  }
  if (in_place)
    ctnn::detail::dot_rows<Rows>(xs, ws, stride, n, acc);
  else
    ctnn::detail::dot_rows<Rows>(xs, ws, stride, n, acc, bias);
  for (std::size_t r = 0; r < Rows; ++r)
    if (acc[r] != expected[r]) return false;
  return true;
}

template <std::size_t Rows>
std::uint32_t mismatches(std::uint32_t& cases) noexcept {
  std::uint32_t bad = 0;
  for (std::size_t n = 0; n <= max_n; ++n)
    for (const std::size_t extra : {std::size_t{0}, std::size_t{3}, max_extra})
      for (const fill f : {fill::random, fill::min_min, fill::min_max})
        for (const bool in_place : {false, true}) {
          ++cases;
          if (matches<Rows>(n, n + extra, f, in_place)) continue;
          ++bad;
          fw::line l;
          l << "mismatch: rows ";
          l.dec(static_cast<std::uint32_t>(Rows)) << " n ";
          l.dec(static_cast<std::uint32_t>(n)) << " stride ";
          l.dec(static_cast<std::uint32_t>(n + extra)) << " fill ";
          l.dec(static_cast<std::uint32_t>(f)) << (in_place ? " in place\n" : "\n");
          fw::write(l.c_str());
        }
  return bad;
}

}  // namespace

int fw::run() noexcept {
  std::uint32_t cases = 0;
  const std::uint32_t bad =
      mismatches<1>(cases) + mismatches<2>(cases) + mismatches<3>(cases) + mismatches<4>(cases);
  fw::line l;
  l << "int8 kernel: ";
  l.dec(cases - bad) << " of ";
  l.dec(cases) << " cases match\n";
  fw::write(l.c_str());
  return static_cast<int>(bad);
}
