// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A compile-time string with its length in the type, for architecture signatures.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ctnn::detail {

template <std::size_t N>
struct fixed_string {
  char data[N + 1] = {};

  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&s)[N + 1]) noexcept {  // NOLINT: implicit on purpose
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  static constexpr std::size_t size() noexcept { return N; }
  constexpr std::string_view view() const noexcept { return {data, N}; }
};

template <std::size_t M>
fixed_string(const char (&)[M]) -> fixed_string<M - 1>;

template <std::size_t A, std::size_t B>
constexpr fixed_string<A + B> operator+(const fixed_string<A>& a,
                                        const fixed_string<B>& b) noexcept {
  fixed_string<A + B> r;
  for (std::size_t i = 0; i < A; ++i) r.data[i] = a.data[i];
  for (std::size_t i = 0; i < B; ++i) r.data[A + i] = b.data[i];
  return r;
}

template <std::size_t A, std::size_t M>
constexpr auto operator+(const fixed_string<A>& a, const char (&b)[M]) noexcept {
  return a + fixed_string<M - 1>(b);
}

template <std::size_t M, std::size_t B>
constexpr auto operator+(const char (&a)[M], const fixed_string<B>& b) noexcept {
  return fixed_string<M - 1>(a) + b;
}

constexpr std::size_t decimal_digits(std::uintmax_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

/// The decimal spelling of V (negative values get a leading '-').
template <std::intmax_t V>
constexpr auto to_fixed_string() noexcept {
  constexpr std::uintmax_t mag =
      V < 0 ? static_cast<std::uintmax_t>(-(V + 1)) + 1u : static_cast<std::uintmax_t>(V);
  constexpr std::size_t n = decimal_digits(mag) + (V < 0 ? 1 : 0);
  fixed_string<n> r;
  std::uintmax_t m = mag;
  for (std::size_t i = n; i-- > (V < 0 ? 1u : 0u);) {
    r.data[i] = static_cast<char>('0' + m % 10);
    m /= 10;
  }
  if constexpr (V < 0) r.data[0] = '-';
  return r;
}

/// 64-bit FNV-1a: a stable hash of a signature, for binary formats.
constexpr std::uint64_t fnv1a64(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace ctnn::detail
