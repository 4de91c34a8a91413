# SPDX-License-Identifier: MIT
# The Cortex-M firmware images, built from the host configuration (e.g. the dev preset) as
# ExternalProjects with cmake/arm-none-eabi.cmake, and run under QEMU by the tests. Cores
# and the QEMU boards that run them (ctnn_cortex_m_board):
#   cortex-m4  mps2-an386  FPU + DSP, 25 MHz, cortex_m/mps2.ld (1 MiB flash, 128 KiB RAM)
#   cortex-m3  mps2-an385  no FPU,    25 MHz, cortex_m/mps2.ld
#   cortex-m0  microbit    nRF51,     16 MHz, cortex_m/microbit.ld (256 KiB flash, 16 KiB RAM)
#
# CTNN_REQUIRE_CORTEX_M=ON (CI) makes a missing arm-none-eabi-g++ or qemu-system-arm a
# configure error; OFF skips the Cortex-M builds and their tests with a message.
#
# Defines (cache, so tests/firmware sees them in any order):
#   CTNN_CORTEX_M_AVAILABLE  the tools were found
#   CTNN_CORTEX_M_BINARY_DIR the Cortex-M4 build directory
#   CTNN_CORTEX_M_ELF        the firmware image
# and ctnn_qemu_command(<var> <elf> [<cpu>]): the command line that runs an image.
include_guard(GLOBAL)

option(CTNN_REQUIRE_CORTEX_M "Fail to configure when the Cortex-M4 toolchain or QEMU is missing"
       OFF)
# The optimisation flag of every Cortex-M image this build makes. The gates in tests/firmware
# are measured at -Os (the default); another level (e.g. -O2, docs/quantization.md
# "Measured") is for measuring in a build directory of its own, where those gates may fail.
set(CTNN_CORTEX_M_OPT "-Os" CACHE STRING "Optimisation flag of the Cortex-M firmware builds")

set(CTNN_CORTEX_M_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake" CACHE INTERNAL "")
find_program(CTNN_ARM_GXX arm-none-eabi-g++)
find_program(CTNN_ARM_NM arm-none-eabi-nm)
find_program(CTNN_ARM_SIZE arm-none-eabi-size)
find_program(CTNN_QEMU_SYSTEM_ARM qemu-system-arm)
find_program(CTNN_TIMEOUT timeout)

set(_ctnn_missing "")
foreach(tool CTNN_ARM_GXX CTNN_ARM_NM CTNN_ARM_SIZE CTNN_QEMU_SYSTEM_ARM CTNN_TIMEOUT)
  if(NOT ${tool})
    list(APPEND _ctnn_missing ${tool})
  endif()
endforeach()
# A compiler without newlib-nano's libstdc++ (a separate Debian package) cannot link.
if(CTNN_ARM_GXX)
  execute_process(COMMAND ${CTNN_ARM_GXX} --specs=nano.specs -print-file-name=libstdc++_nano.a
                  OUTPUT_VARIABLE _ctnn_libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${_ctnn_libstdcxx}")
    list(APPEND _ctnn_missing "libstdc++-arm-none-eabi-newlib (libstdc++_nano.a)")
  endif()
endif()

if(_ctnn_missing STREQUAL "")
  set(CTNN_CORTEX_M_AVAILABLE ON CACHE INTERNAL "")
elseif(CTNN_REQUIRE_CORTEX_M)
  message(FATAL_ERROR "ctnn: CTNN_REQUIRE_CORTEX_M is ON but these are missing: ${_ctnn_missing} "
                      "(Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi "
                      "libstdc++-arm-none-eabi-newlib qemu-system-arm)")
else()
  message(STATUS "ctnn: Cortex-M4 firmware build and tests skipped; missing: ${_ctnn_missing}")
  set(CTNN_CORTEX_M_AVAILABLE OFF CACHE INTERNAL "")
endif()

set(CTNN_CORTEX_M_BINARY_DIR "${CMAKE_BINARY_DIR}/cortex-m4" CACHE INTERNAL "")
set(CTNN_CORTEX_M_ELF "${CTNN_CORTEX_M_BINARY_DIR}/firmware_example/ctnn_firmware.elf"
    CACHE INTERNAL "")

# ctnn_cortex_m_board(<cpu> <prefix>): the QEMU board for <cpu> in <prefix>_MACHINE, its
# linker script (in firmware_example/cortex_m) in <prefix>_LINKER_SCRIPT and SysTick's
# processor clock in <prefix>_HZ.
function(ctnn_cortex_m_board cpu prefix)
  if(cpu STREQUAL "cortex-m4")
    set(board mps2-an386 mps2.ld 25000000)
  elseif(cpu STREQUAL "cortex-m3")
    set(board mps2-an385 mps2.ld 25000000)
  elseif(cpu STREQUAL "cortex-m0")
    set(board microbit microbit.ld 16000000)
  else()
    message(FATAL_ERROR "ctnn: no QEMU board for CPU '${cpu}'")
  endif()
  list(GET board 0 machine)
  list(GET board 1 script)
  list(GET board 2 hz)
  set(${prefix}_MACHINE ${machine} PARENT_SCOPE)
  set(${prefix}_LINKER_SCRIPT ${script} PARENT_SCOPE)
  set(${prefix}_HZ ${hz} PARENT_SCOPE)
endfunction()

# ctnn_qemu_command(<var> <elf> [<cpu>]): run <elf> on the QEMU board of <cpu> (default
# cortex-m4: MPS2 AN386), semihosting output on stdout, its exit code as QEMU's,
# deterministic SysTick (-icount shift=0: one instruction per virtual nanosecond), and
# never longer than 60 s.
function(ctnn_qemu_command var elf)
  set(cpu cortex-m4)
  if(ARGC GREATER 2)
    set(cpu "${ARGV2}")
  endif()
  ctnn_cortex_m_board(${cpu} board)
  set(${var}
      ${CTNN_TIMEOUT} 60 ${CTNN_QEMU_SYSTEM_ARM} -M ${board_MACHINE} -icount shift=0 -display none
      -serial none -monitor none -chardev stdio,id=sh0
      -semihosting-config enable=on,target=native,chardev=sh0 -kernel ${elf}
      PARENT_SCOPE)
endfunction()

# ctnn_add_cortex_m_build(<target> <binary dir> <model> [WEIGHTS <header> [NAMESPACE <ns>]]
# [CPU <cpu>] [OPT <flag>]): the ExternalProject that configures this source tree again with
# the Arm toolchain for <cpu> (default cortex-m4), building only the firmware for <model>
# (its main, firmware_example/<model>_main.cpp, or one generated for the weights header
# <header> whose objects are in namespace <ns>, default models::<model>_weights) at <flag>
# (default CTNN_CORTEX_M_OPT, i.e. -Os), every time the host build runs (it is incremental,
# and sees header edits that the outer build cannot track). The image is
# <binary dir>/firmware_example/ctnn_firmware.elf.
function(ctnn_add_cortex_m_build target binary_dir model)
  if(NOT CTNN_CORTEX_M_AVAILABLE OR CMAKE_CROSSCOMPILING)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "WEIGHTS;NAMESPACE;CPU;OPT" "")
  if(NOT arg_CPU)
    set(arg_CPU cortex-m4)
  endif()
  if(NOT arg_OPT)
    set(arg_OPT "${CTNN_CORTEX_M_OPT}")
  endif()
  include(ExternalProject)
  ExternalProject_Add(
    ${target}
    SOURCE_DIR "${PROJECT_SOURCE_DIR}"
    BINARY_DIR "${binary_dir}"
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CTNN_CORTEX_M_TOOLCHAIN_FILE}
               -DCTNN_CORTEX_M_CPU=${arg_CPU}
               -DCMAKE_BUILD_TYPE=MinSizeRel
               -DCMAKE_CXX_FLAGS_MINSIZEREL=${arg_OPT}
               -DCTNN_BUILD_TESTS=OFF
               -DCTNN_BUILD_BENCHMARKS=OFF
               -DCTNN_BUILD_TOOLS=OFF
               -DCTNN_INSTALL=OFF
               -DCTNN_BUILD_FIRMWARE=ON
               -DCTNN_FIRMWARE_MODEL=${model}
               -DCTNN_FIRMWARE_WEIGHTS_HEADER=${arg_WEIGHTS}
               -DCTNN_FIRMWARE_WEIGHTS_NAMESPACE=${arg_NAMESPACE}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    BUILD_BYPRODUCTS "${binary_dir}/firmware_example/ctnn_firmware.elf")
endfunction()
