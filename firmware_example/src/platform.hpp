// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// What the firmware needs from its platform: a text sink, an exit, and an instruction
/// counter. host/platform.cpp implements it with stdio; cortex_m/platform.cpp with Arm
/// semihosting and SysTick. Nothing here may allocate.
#include <cstdint>

namespace fw {

/// The firmware's program (src/firmware.cpp); returns its exit code.
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
