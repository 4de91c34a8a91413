// SPDX-License-Identifier: MIT
// Reset and fault handling for a bare-metal Cortex-M image (no C library start files):
// vector table, FPU enable (cores with an FPU only), .data copy, .bss zeroing,
// constructors, then fw::run(). Thumb-1 clean, so the Cortex-M0 runs it too.
#include <cstddef>
#include <cstdint>

#include "src/platform.hpp"

// Provided by cortex_m/link.ld.
extern "C" {
extern std::uint32_t __data_load[], __data_start[], __data_end[];
extern std::uint32_t __bss_start[], __bss_end[];
extern std::uint32_t __stack_top[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
void ctnn_fw_reset() noexcept;
void ctnn_fw_start() noexcept;
void ctnn_fw_fault() noexcept;
}

#if defined(__ARM_FP)
// The FPU is off at reset and the C++ code below may use it, so the first instructions
// enable CP10/CP11 (CPACR bits 20-23) and wait for that to take effect, in assembly.
extern "C" [[gnu::naked]] void ctnn_fw_reset() noexcept {
  asm volatile(
      "ldr r0, =0xE000ED88\n"
      "ldr r1, [r0]\n"
      "orr r1, r1, #(0xF << 20)\n"
      "str r1, [r0]\n"
      "dsb\n"
      "isb\n"
      "b ctnn_fw_start\n");
}
#else
// No FPU (Cortex-M0/M3, soft float): nothing to enable, and no CPACR on ARMv6-M.
extern "C" void ctnn_fw_reset() noexcept {
  ctnn_fw_start();
}
#endif

extern "C" [[gnu::used]] void ctnn_fw_start() noexcept {
  // QEMU loads .data at its load address in flash; copy it to RAM, zero .bss.
  for (std::uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (std::uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  for (auto* init = __init_array_start; init < __init_array_end; ++init) (*init)();
  fw::exit(fw::run());
}

/// Every fault and unexpected interrupt: report and exit non-zero.
extern "C" void ctnn_fw_fault() noexcept {
  fw::write("FAULT: unexpected exception or interrupt\n");
  fw::exit(3);
}

namespace {
using handler = void (*)();
constexpr std::size_t vector_count = 16;  // the core's exceptions; no device interrupts used
}  // namespace

/// The vector table: initial stack pointer, reset, then the fault handlers.
extern "C"
    [[gnu::used, gnu::section(".isr_vector")]] const handler ctnn_fw_vectors[vector_count] = {
        reinterpret_cast<handler>(__stack_top),
        ctnn_fw_reset,
        ctnn_fw_fault,  // NMI
        ctnn_fw_fault,  // HardFault
        ctnn_fw_fault,  // MemManage
        ctnn_fw_fault,  // BusFault
        ctnn_fw_fault,  // UsageFault
        nullptr,
        nullptr,
        nullptr,
        nullptr,
        ctnn_fw_fault,  // SVCall
        ctnn_fw_fault,  // DebugMonitor
        nullptr,
        ctnn_fw_fault,  // PendSV
        ctnn_fw_fault,  // SysTick (never enabled as an interrupt)
};
