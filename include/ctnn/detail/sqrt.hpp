// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A correctly rounded square root by integer arithmetic, for batch_norm's 1/sqrt(var + ε)
/// (batch_norm.hpp): the same bits in constant evaluation, on x86-64 and on Cortex-M
/// (FPU or not), with no libm. IEEE 754 requires sqrt to be correctly rounded, so this
/// equals the hardware instruction bit for bit on finite non-negative inputs.
#include <bit>
#include <cstdint>
#include <limits>

#include "ctnn/detail/math.hpp"

namespace ctnn::detail {

/// √x rounded to nearest-even. +0 → +0, −0 → −0, +∞ → +∞, x < 0 or NaN → a quiet NaN.
/// Cost: 64 iterations of 128-bit shifts and subtractions (run once per channel).
template <class T>
requires fp_scalar<T>
constexpr T soft_sqrt(T x) noexcept {
  using fma_impl::u128;
  using U = uint_for<T>;
  constexpr int frac = std::numeric_limits<T>::digits - 1;
  constexpr int bias = std::numeric_limits<T>::max_exponent - 1;
  constexpr U frac_mask = (U(1) << frac) - 1;
  constexpr U exp_all = U(2 * std::numeric_limits<T>::max_exponent - 1);

  const U u = std::bit_cast<U>(x);
  if ((u & ~sign_mask<T>) == 0) return x;  // ±0
  if ((u & sign_mask<T>) != 0) return std::numeric_limits<T>::quiet_NaN();
  const U biased = u >> frac;
  if (biased == exp_all) return x + x;  // +∞, or NaN quieted
  // x = m · 2^e, m an integer; e made even so that √x = √m · 2^(e/2).
  std::uint64_t m = (u & frac_mask) | (biased ? frac_mask + 1 : 0);
  int e = (biased ? int(biased) : 1) - bias - frac;
  if (e % 2 != 0) {
    m <<= 1;
    --e;
  }
  // n = m · 2^s with s even and the top bit of n at 126 or 127: √n has 64 bits.
  u128 n{0, m};
  const int s = fma_impl::countl_zero(n) & ~1;
  n = fma_impl::shl(n, s);
  e -= s;
  // Digit-by-digit integer square root: r = ⌊√n⌋, n − r² left in n.
  u128 r{0, 0}, bit = fma_impl::shl(u128{0, 1}, 126);
  while (!fma_impl::is_zero(bit)) {
    const u128 trial = r + bit;
    if (!(n < trial)) {
      n = n - trial;
      r = fma_impl::shr(r, 1) + bit;
    } else {
      r = fma_impl::shr(r, 1);
    }
    bit = fma_impl::shr(bit, 2);
  }
  // One sticky bit below r's 64 bits records an inexact root; the result keeps 53 bits at
  // most, so the sticky bit never ties with the rounding bit.
  const u128 rs = fma_impl::shl(r, 1);
  const u128 jammed{rs.hi, rs.lo | (fma_impl::is_zero(n) ? 0u : 1u)};
  return fma_impl::round_pack<T>(false, jammed, e / 2 - 1);
}

}  // namespace ctnn::detail
