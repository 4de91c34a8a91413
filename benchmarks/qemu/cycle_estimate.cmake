# SPDX-License-Identifier: MIT
# The Cortex-M cycle estimate (docs/cycles.md): the QEMU TCG plugin cycle_estimate.c built
# with the host C compiler as the module ctnn_qemu_cycle_estimate
# (libctnn_cycle_estimate.so), the micro-kernel images that validate it (microkernels.S, one
# per core, built with the Arm toolchain) and their tests firmware_cycle_estimate_<core>.
# Included by tests/firmware/CMakeLists.txt once the Cortex-M tools were found; the firmware
# tests then run each model once more with the plugin (tests/firmware/run_firmware.cmake).
include_guard(GLOBAL)
if(NOT CTNN_CORTEX_M_AVAILABLE OR CMAKE_CROSSCOMPILING)
  return()
endif()
include(CheckLanguage)
check_language(C)
if(NOT CMAKE_C_COMPILER)
  message(STATUS "ctnn: no host C compiler; the Cortex-M cycle estimate is skipped")
  return()
endif()
enable_language(C)

# A function, so that nothing leaks into the including directory's scope.
function(_ctnn_cycle_estimate_targets dir)
  add_library(ctnn_qemu_cycle_estimate MODULE "${dir}/cycle_estimate.c")
  set_target_properties(ctnn_qemu_cycle_estimate PROPERTIES
                        C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                        C_VISIBILITY_PRESET hidden PREFIX "lib" OUTPUT_NAME ctnn_cycle_estimate)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(ctnn_qemu_cycle_estimate PRIVATE -Wall -Wextra -Werror)
  endif()

  set(elfs "")
  foreach(core m4 m3 m0)
    if(core STREQUAL "m4")
      set(flags -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
    else()
      set(flags -mcpu=cortex-${core} -mfloat-abi=soft)
    endif()
    string(TOUPPER ${core} upper)
    set(elf "${CMAKE_CURRENT_BINARY_DIR}/cycle_microkernels_${core}.elf")
    add_custom_command(
      OUTPUT "${elf}"
      COMMAND ${CTNN_ARM_GXX} ${flags} -mthumb -DCORE_${upper} -nostdlib -nostartfiles
              -T "${dir}/microkernels.ld" -x assembler-with-cpp
              "${dir}/microkernels.S" -o "${elf}"
      DEPENDS "${dir}/microkernels.S" "${dir}/microkernels.ld"
      COMMENT "Assembling the cycle-estimate micro-kernels for Cortex-${upper}" VERBATIM)
    list(APPEND elfs "${elf}")
    ctnn_qemu_command(qemu "${elf}" cortex-${core})
    string(REPLACE ";" "|" qemu_joined "${qemu}")
    add_test(NAME firmware_cycle_estimate_${core}
             COMMAND ${CMAKE_COMMAND} -D QEMU=${qemu_joined}
                     -D PLUGIN=$<TARGET_FILE:ctnn_qemu_cycle_estimate> -D NM=${CTNN_ARM_NM}
                     -D SOURCE=${dir}/microkernels.S
                     -D OUT=${CMAKE_CURRENT_BINARY_DIR}/cycle_microkernels_${core}.txt
                     -P ${dir}/check_microkernels.cmake)
  endforeach()
  add_custom_target(ctnn_cycle_microkernels ALL DEPENDS ${elfs})
endfunction()
_ctnn_cycle_estimate_targets("${CMAKE_CURRENT_LIST_DIR}")
