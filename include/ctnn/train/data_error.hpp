// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The one exception the host readers and writers throw for bad input. Host only.
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctnn::train {

/// `s` made safe for a one-line message on a terminal: control bytes, DEL and bytes that
/// are not part of valid UTF-8 become `\xNN`; at most `max_bytes` of `s` are shown, a longer
/// text ends in "... (N bytes)". Valid UTF-8 text without control bytes is unchanged.
inline std::string printable(std::string_view s, std::size_t max_bytes = 240) {
  std::string r;
  auto hex = [&](unsigned char b) {
    char text[5];
    std::snprintf(text, sizeof text, "\\x%02x", b);
    r += text;
  };
  const std::size_t shown = s.size() > max_bytes ? max_bytes : s.size();
  for (std::size_t i = 0; i < shown;) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80         ? 1
                      : (b >> 5) == 6  ? 2
                      : (b >> 4) == 14 ? 3
                      : (b >> 3) == 30 ? 4
                                       : 0;
    bool valid = len != 0 && i + len <= shown;
    for (std::size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (valid && len == 2) valid = b >= 0xc2;  // overlong
    if (valid && len == 3) {
      const auto c = static_cast<unsigned char>(s[i + 1]);
      valid = !(b == 0xe0 && c < 0xa0) && !(b == 0xed && c >= 0xa0);  // overlong, surrogates
    }
    if (valid && len == 4) {
      const auto c = static_cast<unsigned char>(s[i + 1]);
      valid = !(b == 0xf0 && c < 0x90) && !(b == 0xf4 && c >= 0x90) && b <= 0xf4;
    }
    if (!valid || b < 0x20 || b == 0x7f) {
      hex(b);
      ++i;
      continue;
    }
    r.append(s.substr(i, len));
    i += len;
  }
  if (shown < s.size()) r += "... (" + std::to_string(s.size()) + " bytes)";
  return r;
}

/// A file (or option) the user gave cannot be used. `what()` is one line, "<file>:
/// <problem>", fit to print as is (both parts pass through printable(), so a hostile file
/// name or cell can neither break the line nor flood the terminal); host tools print it
/// and exit with status 2.
struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
  data_error(std::string_view file, std::string_view problem)
      : std::runtime_error(printable(file, 1024) + ": " + printable(problem, 1024)) {}
};

}  // namespace ctnn::train
