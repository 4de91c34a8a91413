// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The trainer's random numbers: xoshiro256** (Blackman & Vigna) seeded through
/// splitmix64, uniform and normal samplers. Bit-reproducible on every IEEE-754 platform:
/// integer arithmetic, then only + − × ÷ and sqrt (correctly rounded by IEEE-754) in
/// double, plus ctnn's own logarithm (std::log differs between libms). No state beyond the
/// four 64-bit words, so a checkpoint captures it completely.
#include <array>
#include <bit>
#include <cstdint>
#include <type_traits>

namespace ctnn::train {

/// splitmix64: one step from `state`, which it advances. Used to expand seeds.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace detail {

/// Natural logarithm of a positive, finite double, from + − × ÷ only: x = 2^e·m with
/// m in [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, as an odd series
/// in s (14 terms: the first omitted one is below 2^-60 relative). A few ULP; same bits
/// everywhere (given no FMA contraction, which ctnn's build forbids).
constexpr double log(double x) noexcept {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int e = static_cast<int>((bits >> 52) & 0x7ff);
  if (e == 0) {  // subnormal: scale into the normal range
    bits = std::bit_cast<std::uint64_t>(x * 18014398509481984.0);  // 2^54
    e = static_cast<int>((bits >> 52) & 0x7ff) - 54;
  }
  e -= 1023;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 29.0;
  for (int k = 13; k >= 1; --k) p = 1.0 / (2 * k + 1) + s2 * p;
  p = 1.0 + s2 * p;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
  constexpr double ln2_lo = 1.90821492927058770002e-10;  // ln 2 − ln2_hi
  const double de = static_cast<double>(e);
  return de * ln2_hi + (de * ln2_lo + 2.0 * s * p);
}

}  // namespace detail

/// xoshiro256**: 64-bit outputs, period 2^256 − 1.
class rng {
 public:
  using state_type = std::array<std::uint64_t, 4>;

  /// The state from `seed` via splitmix64 (as the authors recommend).
  constexpr explicit rng(std::uint64_t seed = 0) noexcept { reseed(seed); }
  constexpr explicit rng(const state_type& s) noexcept : s_(s) {}

  constexpr void reseed(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x);
  }
  constexpr const state_type& state() const noexcept { return s_; }
  constexpr void set_state(const state_type& s) noexcept { s_ = s; }

  /// Next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1): the top 53 bits of next() times 2^-53.
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1p-53; }

  /// Uniform integer in [0, n), n > 0: rejection of the 2^64 mod n lowest values, then
  /// modulo (unbiased).
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x >= threshold) return x % n;
    }
  }

  /// Standard normal N(0, 1): Marsaglia's polar method on two uniforms in (−1, 1),
  /// rejecting points outside the unit disc; returns the first of the pair and discards
  /// the second, so that the state stays four words.
  constexpr double normal() noexcept {
    for (;;) {
      const double u = 2.0 * uniform() - 1.0;
      const double v = 2.0 * uniform() - 1.0;
      const double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) return u * sqrt_(-2.0 * detail::log(s) / s);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  /// IEEE sqrt (correctly rounded, so identical everywhere); Newton in constant evaluation.
  static constexpr double sqrt_(double x) noexcept {
    if (std::is_constant_evaluated()) {
      double r = x > 1 ? x : 1.0;
      for (int i = 0; i < 200; ++i) r = 0.5 * (r + x / r);
      return r;
    }
    return __builtin_sqrt(x);
  }

  state_type s_{};
};

}  // namespace ctnn::train
