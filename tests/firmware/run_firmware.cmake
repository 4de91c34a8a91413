# SPDX-License-Identifier: MIT
# Runs one firmware build and checks its exit code and output shape; with HOST and QEMU
# both given, also diffs the two outputs bit for bit (every line except the instruction
# count, which only the Cortex-M builds measure). Float outputs print as 8 hex digits per
# value, int8 ones as 2.
#   cmake [-D HOST=<exe>] [-D QEMU=<cmd|arg|…>] [-D MAX_CENTI_PER_MAC=<n>] -D OUT_DIR=<dir>
#         -P run_firmware.cmake
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
