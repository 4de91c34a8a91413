// SPDX-License-Identifier: MIT
// The instruction-count markers (src/platform.hpp): empty functions that the QEMU cycle
// plugin and the profiling runs find by name, in their own translation unit so that no
// model's code is folded into them.
#include "src/platform.hpp"

extern "C" [[gnu::noinline]] void fw_bench_begin() noexcept {
  asm volatile("" ::: "memory");
}
extern "C" [[gnu::noinline]] void fw_bench_end() noexcept {
  asm volatile("" ::: "memory");
}
