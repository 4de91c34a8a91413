// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320; zlib's crc32) over bytes or over
/// a parameters object, so firmware can verify at boot that its weights are the ones the
/// exporter wrote. A 16-entry table (64 bytes of flash), two lookups per byte.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ctnn {
namespace detail {
inline constexpr std::array<std::uint32_t, 16> crc32_nibble_table = [] {
  std::array<std::uint32_t, 16> t{};
  for (std::uint32_t n = 0; n < 16; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 4; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    t[n] = c;
  }
  return t;
}();

constexpr std::uint32_t crc32_byte(std::uint32_t crc, std::uint8_t b) noexcept {
  crc ^= b;
  crc = (crc >> 4) ^ crc32_nibble_table[crc & 15u];
  return (crc >> 4) ^ crc32_nibble_table[crc & 15u];
}
}  // namespace detail

/// CRC-32 of n bytes, continuing from `crc` (0 to start), as zlib's crc32(crc, p, n).
inline std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = detail::crc32_byte(crc, p[i]);
  return ~crc;
}

/// CRC-32 of an array of numbers (floats, doubles, fixed-size integers) as stored in memory
/// (little-endian targets: the same bytes as the checkpoint and the exporter hash),
/// continuing from `crc`. constexpr via std::bit_cast.
template <class T, std::size_t N>
requires std::is_arithmetic_v<T>
constexpr std::uint32_t crc32(const std::array<T, N>& values, std::uint32_t crc = 0) noexcept {
  static_assert(std::endian::native == std::endian::little,
                "ctnn::crc32: parameter hashes are defined over little-endian bytes");
  using word = std::conditional_t<
      sizeof(T) == 1, std::uint8_t,
      std::conditional_t<sizeof(T) == 2, std::uint16_t,
                         std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
  crc = ~crc;
  for (const T v : values) {
    word w = std::bit_cast<word>(v);
    for (std::size_t k = 0; k < sizeof(T); ++k) {
      crc = detail::crc32_byte(crc, static_cast<std::uint8_t>(w & 0xffu));
      if constexpr (sizeof(T) > 1) w = static_cast<word>(w >> 8);
    }
  }
  return ~crc;
}

}  // namespace ctnn
