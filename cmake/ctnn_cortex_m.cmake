# SPDX-License-Identifier: MIT
# The Cortex-M4 firmware image, built from the host configuration (e.g. the dev preset) as
# an ExternalProject with cmake/arm-none-eabi.cmake, and run under QEMU by the tests.
#
# CTNN_REQUIRE_CORTEX_M=ON (CI) makes a missing arm-none-eabi-g++ or qemu-system-arm a
# configure error; OFF skips the Cortex-M4 build and its tests with a message.
#
# Defines (cache, so tests/firmware sees them in any order):
#   CTNN_CORTEX_M_AVAILABLE  the tools were found
#   CTNN_CORTEX_M_BINARY_DIR the Cortex-M4 build directory
#   CTNN_CORTEX_M_ELF        the firmware image
# and ctnn_qemu_command(<var> <elf>): the command line that runs an image.
include_guard(GLOBAL)

option(CTNN_REQUIRE_CORTEX_M "Fail to configure when the Cortex-M4 toolchain or QEMU is missing"
       OFF)

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

# ctnn_qemu_command(<var> <elf>): run <elf> on QEMU's MPS2 AN386 (Cortex-M4F), semihosting
# output on stdout, its exit code as QEMU's, deterministic SysTick (-icount shift=0), and
# never longer than 60 s.
function(ctnn_qemu_command var elf)
  set(${var}
      ${CTNN_TIMEOUT} 60 ${CTNN_QEMU_SYSTEM_ARM} -M mps2-an386 -icount shift=0 -display none
      -serial none -monitor none -chardev stdio,id=sh0
      -semihosting-config enable=on,target=native,chardev=sh0 -kernel ${elf}
      PARENT_SCOPE)
endfunction()

# ctnn_add_cortex_m_build(<target> <binary dir> <model> [<weights header>]): the
# ExternalProject that configures this source tree again with the Arm toolchain, building
# only the firmware for <model> (-Os), every time the host build runs (it is incremental,
# and sees header edits that the outer build cannot track). The image is
# <binary dir>/firmware_example/ctnn_firmware.elf.
function(ctnn_add_cortex_m_build target binary_dir model)
  if(NOT CTNN_CORTEX_M_AVAILABLE OR CMAKE_CROSSCOMPILING)
    return()
  endif()
  set(weights_header "${ARGN}")
  include(ExternalProject)
  ExternalProject_Add(
    ${target}
    SOURCE_DIR "${PROJECT_SOURCE_DIR}"
    BINARY_DIR "${binary_dir}"
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CTNN_CORTEX_M_TOOLCHAIN_FILE}
               -DCMAKE_BUILD_TYPE=MinSizeRel
               -DCMAKE_CXX_FLAGS_MINSIZEREL=-Os
               -DCTNN_BUILD_TESTS=OFF
               -DCTNN_BUILD_BENCHMARKS=OFF
               -DCTNN_BUILD_TOOLS=OFF
               -DCTNN_INSTALL=OFF
               -DCTNN_BUILD_FIRMWARE=ON
               -DCTNN_FIRMWARE_MODEL=${model}
               -DCTNN_FIRMWARE_WEIGHTS_HEADER=${weights_header}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    BUILD_BYPRODUCTS "${binary_dir}/firmware_example/ctnn_firmware.elf")
endfunction()
