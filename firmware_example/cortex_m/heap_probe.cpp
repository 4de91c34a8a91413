// SPDX-License-Identifier: MIT
// A deliberately heap-using firmware program, linked with the firmware's own options:
// it must fail to link with `undefined reference to '__wrap_malloc'` (no-heap guard 2;
// tests/firmware, *_heap_variant_fails_to_link).
#include <cstddef>
#include <memory>

#include "src/platform.hpp"

int fw::run() noexcept {
  // The buffer escapes into write(), so the compiler cannot elide the allocation.
  constexpr std::size_t size = 8;
  auto text = std::make_unique<char[]>(size);
  text[0] = '\n';
  write(text.get());
  return 0;
}
