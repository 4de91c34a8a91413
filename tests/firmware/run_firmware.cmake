# SPDX-License-Identifier: MIT
# Runs one firmware build and checks its exit code and output shape; with HOST and QEMU
# both given, also diffs the two outputs bit for bit (every line except the instruction
# count, which only the Cortex-M builds measure). Float outputs print as 8 hex digits per
# value, int8 ones as 2. With CYCLES_PLUGIN (and NM), runs QEMU once more with the cycle
# estimate plugin (benchmarks/qemu, docs/cycles.md) between fw_bench_begin and
# fw_bench_end, checks its instruction count against SysTick's and prints the estimated
# cycles per inference and per MAC (also in <OUT_DIR>/cycles.txt).
#   cmake [-D HOST=<exe>] [-D QEMU=<cmd|arg|…>] [-D MAX_CENTI_PER_MAC=<n>]
#         [-D CYCLES_PLUGIN=<.so> -D NM=<arm nm>] -D OUT_DIR=<dir> -P run_firmware.cmake
cmake_minimum_required(VERSION 3.25)

function(run_one name command_joined out_var)
  string(REPLACE "|" ";" command "${command_joined}")
  execute_process(COMMAND ${command} OUTPUT_VARIABLE out ERROR_VARIABLE err
                  RESULT_VARIABLE rc)
  file(WRITE "${OUT_DIR}/${name}.txt" "${out}")
  message("---- ${name} output (exit ${rc}):\n${out}${err}")
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${name}: the firmware exited with ${rc}, expected 0")
  endif()
  # A firmware that printed nothing must not pass: 16 image lines, accuracy, checks.
  string(REGEX MATCHALL "image [0-9]+: predicted [0-9] true [0-9] output( [0-9a-f]+)+\n"
         images "${out}")
  list(LENGTH images n)
  if(n LESS 16)
    message(FATAL_ERROR "${name}: ${n} image lines, expected 16")
  endif()
  if(NOT out MATCHES "accuracy: [0-9]+/16\n" OR NOT out MATCHES "checks: ok\n")
    message(FATAL_ERROR "${name}: no accuracy line or no 'checks: ok'")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY "${OUT_DIR}")
if(DEFINED HOST)
  run_one(host "${HOST}" host_out)
  if(NOT host_out MATCHES "instructions per inference: n/a\n")
    message(FATAL_ERROR "host: expected 'instructions per inference: n/a'")
  endif()
endif()
if(DEFINED QEMU)
  run_one(qemu "${QEMU}" qemu_out)
  if(NOT qemu_out MATCHES "instructions per inference: [0-9]+ \\(([0-9]+)\\.([0-9][0-9]) per multiply-accumulate")
    message(FATAL_ERROR "qemu: no instruction count")
  endif()
  # Optional gate: instructions per multiply-accumulate, in hundredths.
  if(DEFINED MAX_CENTI_PER_MAC)
    math(EXPR centi "${CMAKE_MATCH_1} * 100 + 1${CMAKE_MATCH_2} - 100")
    if(centi GREATER MAX_CENTI_PER_MAC)
      message(FATAL_ERROR "qemu: ${centi}/100 instructions per multiply-accumulate exceed "
                          "the limit of ${MAX_CENTI_PER_MAC}/100")
    endif()
  endif()
endif()
if(DEFINED QEMU AND DEFINED CYCLES_PLUGIN)
  include("${CMAKE_CURRENT_LIST_DIR}/../../benchmarks/qemu/cycle_estimate_run.cmake")
  string(REGEX MATCH "instructions per inference: ([0-9]+) \\([^,]*, ([0-9]+) MACs\\)"
         _ "${qemu_out}")
  set(systick ${CMAKE_MATCH_1})
  set(macs ${CMAKE_MATCH_2})
  ctnn_cycle_estimate("${QEMU}" "${CYCLES_PLUGIN}" "${NM}" fw_bench_begin fw_bench_end
                      "${OUT_DIR}/cycle_estimate.txt" est)
  if(NOT est_WINDOWS EQUAL 16 OR NOT est_UNKNOWN EQUAL 0)
    message(FATAL_ERROR "cycle estimate: ${est_WINDOWS} windows (expected 16), "
                        "${est_UNKNOWN} undecoded instructions:\n${est_REPORT}")
  endif()
  math(EXPR insns "(${est_INSNS} + 8) / 16")
  math(EXPR cycles "(${est_CYCLES} + 8) / 16")
  # SysTick counts in steps of 40 (MPS2) or 62.5 (micro:bit) instructions.
  math(EXPR gap "${insns} - ${systick}")
  if(gap GREATER 63 OR gap LESS -63)
    message(FATAL_ERROR "cycle estimate: the plugin counts ${insns} instructions per "
                        "inference, SysTick ${systick}")
  endif()
  ctnn_centi(${insns} ${macs} ipm)
  ctnn_centi(${cycles} ${macs} cpm)
  ctnn_centi(${cycles} ${insns} cpi)
  string(TOUPPER "${est_CORE}" core_name)
  set(line "Cortex-${core_name}: ${insns} instructions (${ipm} per MAC), estimated ${cycles} "
           "cycles (${cpm} per MAC, ${cpi} per instruction) per inference, ${macs} MACs")
  string(REPLACE ";" "" line "${line}")
  file(WRITE "${OUT_DIR}/cycles.txt" "${line}\n${est_REPORT}")
  message("cycle estimate: ${line}\n${est_REPORT}")
endif()
if(DEFINED HOST AND DEFINED QEMU)
  set(filter "instructions per inference: [^\n]*\n")
  string(REGEX REPLACE "${filter}" "" host_cmp "${host_out}")
  string(REGEX REPLACE "${filter}" "" qemu_cmp "${qemu_out}")
  if(NOT host_cmp STREQUAL qemu_cmp)
    execute_process(COMMAND diff "${OUT_DIR}/host.txt" "${OUT_DIR}/qemu.txt")
    message(FATAL_ERROR "host and Cortex-M outputs differ (diff above)")
  endif()
  message("host and Cortex-M outputs are identical, bit for bit")
endif()
