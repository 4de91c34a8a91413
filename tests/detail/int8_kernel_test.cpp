// SPDX-License-Identifier: MIT
// The int8 dot-product kernel (detail/int8_kernel.hpp: dot_rows, whichever path the target
// compiles, e.g. AVX2's VPMADDUBSW on |x| and sign-carrying weights) against a naive int64
// loop written here: every run length 0…100 (the 32/16/8-input steps and every remainder),
// 1 to 7 rows, at the extremes where int16 pair sums come closest to saturating (x = −128
// with w = ±127 everywhere, x = 127), zeros, alternating signs and random values; and the
// run-time path against constant evaluation.
#include "ctnn/detail/int8_kernel.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace {

constexpr std::size_t max_n = 100;

/// init[r] + Σ x[i]·w[r·stride + i] in 64-bit arithmetic.
std::int64_t naive_dot(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w,
                       std::size_t stride, std::size_t n, std::size_t r, std::int64_t init) {
  for (std::size_t i = 0; i < n; ++i) init += std::int64_t{x[i]} * std::int64_t{w[r * stride + i]};
  return init;
}

/// dot_rows<Rows> on runs of n = 0…max_n of x and the rows of w (stride max_n + 3, so rows
/// are not aligned), against naive_dot, acc starting from init (and from acc itself).
template <std::size_t Rows>
void check_rows(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w,
                const char* what) {
  constexpr std::size_t stride = max_n + 3;
  const std::array<std::int32_t, 8> init{-5, 1 << 20, 0, -(1 << 20), 77, 3, -1, 2};
  for (std::size_t n = 0; n <= max_n; ++n) {
    std::int32_t acc[Rows];
    ctnn::detail::dot_rows<Rows>(x.data(), w.data(), stride, n, acc, init.data());
    std::int32_t acc2[Rows];
    for (std::size_t r = 0; r < Rows; ++r) acc2[r] = init[r];
    ctnn::detail::dot_rows<Rows>(x.data(), w.data(), stride, n, acc2);
    for (std::size_t r = 0; r < Rows; ++r) {
      const std::int64_t want = naive_dot(x, w, stride, n, r, init[r]);
      EXPECT_EQ(acc[r], want) << what << ", Rows " << Rows << ", n " << n << ", row " << r;
      EXPECT_EQ(acc2[r], want) << what << ", Rows " << Rows << ", n " << n << ", row " << r;
    }
  }
}

void check_all_rows(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w,
                    const char* what) {
  check_rows<1>(x, w, what);
  check_rows<2>(x, w, what);
  check_rows<3>(x, w, what);
  check_rows<4>(x, w, what);
  check_rows<5>(x, w, what);
  check_rows<7>(x, w, what);
}

std::vector<std::int8_t> filled(std::size_t count, int value) {
  return std::vector<std::int8_t>(count, static_cast<std::int8_t>(value));
}

std::vector<std::int8_t> random_bytes(std::size_t count, std::uint32_t seed, int lo, int hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int8_t> v(count);
  for (auto& e : v) e = static_cast<std::int8_t>(d(gen));
  return v;
}

constexpr std::size_t x_count = max_n;
constexpr std::size_t w_count = 7 * (max_n + 3);

TEST(Int8Kernel, Extremes) {
  for (const int xv : {-128, 127, -1, 0})
    for (const int wv : {-127, 127, 1, 0})
      check_all_rows(filled(x_count, xv), filled(w_count, wv), "constant x and w");
}

TEST(Int8Kernel, AlternatingSigns) {
  std::vector<std::int8_t> x(x_count), w(w_count);
  for (std::size_t i = 0; i < x_count; ++i) x[i] = static_cast<std::int8_t>(i % 2 ? -128 : 127);
  for (std::size_t i = 0; i < w_count; ++i) w[i] = static_cast<std::int8_t>(i % 3 ? -127 : 127);
  check_all_rows(x, w, "alternating signs");
}

TEST(Int8Kernel, Random) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed)
    check_all_rows(random_bytes(x_count, seed, -128, 127),
                   random_bytes(w_count, seed + 100, -127, 127), "random");
}

/// dot_rows<Rows> in constant evaluation (the portable loop) on a run of n.
template <std::size_t Rows, std::size_t N>
constexpr std::array<std::int32_t, Rows> constant_dot(const std::array<std::int8_t, N>& x,
                                                      const std::array<std::int8_t, Rows * N>& w) {
  std::array<std::int32_t, Rows> acc{};
  ctnn::detail::dot_rows<Rows>(x.data(), w.data(), N, N, acc.data());
  return acc;
}

constexpr std::array<std::int8_t, 57> pattern_x = [] {
  std::array<std::int8_t, 57> a{};
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<std::int8_t>(int(i * 37 % 256) - 128);
  return a;
}();
constexpr std::array<std::int8_t, 4 * 57> pattern_w = [] {
  std::array<std::int8_t, 4 * 57> a{};
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<std::int8_t>(int(i * 53 % 255) - 127);
  return a;
}();

TEST(Int8Kernel, RunTimeEqualsConstantEvaluation) {
  constexpr auto at_compile_time = constant_dot<4>(pattern_x, pattern_w);
  auto x = pattern_x;
  auto w = pattern_w;
  EXPECT_EQ(constant_dot<4>(x, w), at_compile_time);
  for (std::size_t r = 0; r < 4; ++r) {
    std::int64_t want = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      want += std::int64_t{x[i]} * std::int64_t{w[r * x.size() + i]};
    EXPECT_EQ(at_compile_time[r], want) << "row " << r;
  }
}

}  // namespace
