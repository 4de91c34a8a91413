// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A fixed-capacity text line with decimal and hexadecimal formatting: the firmware's
/// whole printf. (newlib's printf family pulls in malloc, even for integers.)
#include <cstddef>
#include <cstdint>

namespace fw {

/// Up to `capacity - 1` characters; longer text is cut (never overflows).
class line {
 public:
  static constexpr std::size_t capacity = 192;

  line& operator<<(const char* s) noexcept {
    while (*s != '\0') put(*s++);
    return *this;
  }
  line& operator<<(char c) noexcept {
    put(c);
    return *this;
  }
  /// Unsigned decimal.
  line& dec(std::uint32_t v) noexcept {
    char digits[10];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
    return *this;
  }
  /// Exactly 8 lowercase hex digits.
  line& hex8(std::uint32_t v) noexcept {
    for (int shift = 28; shift >= 0; shift -= 4) put("0123456789abcdef"[(v >> shift) & 0xFu]);
    return *this;
  }
  /// Exactly 2 lowercase hex digits (a byte).
  line& hex2(std::uint8_t v) noexcept {
    put("0123456789abcdef"[v >> 4]);
    put("0123456789abcdef"[v & 0xFu]);
    return *this;
  }
  /// v / 100 with two decimals, e.g. 249 → "2.49".
  line& centi(std::uint32_t v) noexcept {
    dec(v / 100) << '.';
    put(static_cast<char>('0' + v / 10 % 10));
    put(static_cast<char>('0' + v % 10));
    return *this;
  }
  /// Empties the line, for reuse (one line object keeps the stack small).
  line& clear() noexcept {
    size_ = 0;
    return *this;
  }
  const char* c_str() noexcept {
    text_[size_] = '\0';
    return text_;
  }

 private:
  void put(char c) noexcept {
    if (size_ + 1 < capacity) text_[size_++] = c;
  }
  char text_[capacity];
  std::size_t size_ = 0;
};

}  // namespace fw
