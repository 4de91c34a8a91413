// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// What the firmware needs from its platform: a text sink, an exit, and an instruction
/// counter. host/platform.cpp implements it with stdio; cortex_m/platform.cpp with Arm
/// semihosting and SysTick. Nothing here may allocate.
#include <cstdint>

/// Marker functions around each inference, for exact instruction counts with a QEMU
/// plugin (docs/firmware.md, docs/cycles.md). Empty, but never inlined or merged
/// (src/bench_markers.cpp).
extern "C" void fw_bench_begin() noexcept;
extern "C" void fw_bench_end() noexcept;

namespace fw {

/// The firmware's program: each model's main (<model>_main.cpp, calling
/// src/run_model.hpp's run_model); returns its exit code.
int run() noexcept;

/// Writes a NUL-terminated string as is (callers supply the newlines).
void write(const char* text) noexcept;

/// Ends the program with `code` (0: every check passed).
[[noreturn]] void exit(int code) noexcept;

/// True when counter_elapsed() counts instructions (Cortex-M under QEMU -icount shift=0).
bool counter_available() noexcept;
/// Starts the instruction counter.
void counter_start() noexcept;
/// Instructions executed since counter_start() (0 where counter_available() is false).
std::uint32_t counter_elapsed() noexcept;

}  // namespace fw
