// SPDX-License-Identifier: MIT
// The Cortex-M platform: output and exit through Arm semihosting, instruction counts from
// SysTick. Under QEMU's `-icount shift=0` every instruction takes 1 ns of virtual time, so
// one tick of SysTick's processor clock (CTNN_FW_SYSTICK_HZ, set by the build from the
// board: 25 MHz on mps2-an385/an386, 16 MHz on microbit) is 10^9 / Hz instructions:
// exactly 40 on MPS2, 62.5 on the micro:bit.
#include "src/platform.hpp"

#include <cstdint>

namespace fw {
namespace {

constexpr std::uint32_t sys_write0 = 0x04;
constexpr std::uint32_t sys_exit_extended = 0x20;
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;
#ifndef CTNN_FW_SYSTICK_HZ
#define CTNN_FW_SYSTICK_HZ 25000000
#endif
constexpr std::uint32_t gcd(std::uint32_t a, std::uint32_t b) noexcept {
  return b == 0 ? a : gcd(b, a % b);
}
constexpr std::uint32_t hz = CTNN_FW_SYSTICK_HZ;
// instructions = ticks · num / den (the 24-bit tick count times num stays below 2^32).
constexpr std::uint32_t num = 1000000000u / gcd(1000000000u, hz);
constexpr std::uint32_t den = hz / gcd(1000000000u, hz);
static_assert(num <= 255, "SysTick clock too slow for 32-bit instruction counts");

/// A semihosting call: operation in r0, argument in r1, result in r0.
std::uint32_t semihost(std::uint32_t operation, const void* argument) noexcept {
  register std::uint32_t r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

struct systick {
  std::uint32_t csr, rvr, cvr, calib;
};
volatile systick& syst() noexcept {
  return *reinterpret_cast<volatile systick*>(0xE000E010u);
}

std::uint32_t start_value = 0;

}  // namespace

void write(const char* text) noexcept {
  semihost(sys_write0, text);
}

void exit(int code) noexcept {
  // SYS_EXIT_EXTENDED: QEMU exits with `code` (plain SYS_EXIT only yields 0 or 1).
  const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(code)};
  for (;;) semihost(sys_exit_extended, block);
}

bool counter_available() noexcept {
  return true;
}

void counter_start() noexcept {
  syst().csr = 0;
  syst().rvr = 0x00FFFFFFu;  // the longest period: 2^24 ticks, ~671 M instructions
  syst().cvr = 0;            // any write clears the counter; it reloads on enable
  syst().csr = 0b101;        // enable, processor clock, no interrupt
  start_value = syst().cvr;
}

std::uint32_t counter_elapsed() noexcept {
  const std::uint32_t now = syst().cvr;  // SysTick counts down
  return ((start_value - now) & 0x00FFFFFFu) * num / den;
}

}  // namespace fw
