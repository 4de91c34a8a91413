// SPDX-License-Identifier: MIT
// The host platform: stdout and exit(); no instruction counter.
#include "src/platform.hpp"

#include <cstdio>
#include <cstdlib>

namespace fw {

void write(const char* text) noexcept {
  std::fputs(text, stdout);
}

void exit(int code) noexcept {
  std::fflush(stdout);
  std::exit(code);
}

bool counter_available() noexcept {
  return false;
}
void counter_start() noexcept {}
std::uint32_t counter_elapsed() noexcept {
  return 0;
}

}  // namespace fw

int main() {
  fw::exit(fw::run());
}
