# SPDX-License-Identifier: MIT
# Toolchain file: bare-metal Arm Cortex-M (arm-none-eabi-g++, newlib-nano). Used by the
# `cortex-m4` preset and by the Cortex-M builds that the host configuration drives
# (cmake/ctnn_cortex_m.cmake). CTNN_CORTEX_M_CPU picks the core:
#   cortex-m4 (default)  single-precision FPU and the DSP extension (hard float)
#   cortex-m3            ARMv7-M without FPU or DSP (soft float)
#   cortex-m0            ARMv6-M, Thumb-1 only (soft float)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# Bare metal: test compilations build a library, since linking needs a startup file.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CTNN_CORTEX_M_CPU "cortex-m4" CACHE STRING "Cortex-M core: cortex-m4, cortex-m3 or cortex-m0")
# try_compile projects read this file again: give them the same core.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CTNN_CORTEX_M_CPU)
if(CTNN_CORTEX_M_CPU STREQUAL "cortex-m4")
  set(CTNN_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
elseif(CTNN_CORTEX_M_CPU MATCHES "^cortex-m[03]$")
  set(CTNN_CORTEX_M_CPU_FLAGS "-mcpu=${CTNN_CORTEX_M_CPU} -mthumb -mfloat-abi=soft")
else()
  message(FATAL_ERROR "ctnn: CTNN_CORTEX_M_CPU=${CTNN_CORTEX_M_CPU}: expected cortex-m4, "
                      "cortex-m3 or cortex-m0")
endif()
set(CMAKE_C_FLAGS_INIT "${CTNN_CORTEX_M_CPU_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${CTNN_CORTEX_M_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CTNN_CORTEX_M_CPU_FLAGS}")

# Never search the host's libraries or headers for the target...
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ...except Boost's headers (Hana is header-only and target-independent). Passing the host's
# /usr/include to the cross compiler would shadow newlib's headers with glibc's, so the
# build gets a directory that holds nothing but a `boost` link to the host's Boost.
set(CTNN_HOST_BOOST_INCLUDE_DIR "/usr/include" CACHE PATH
    "Host directory containing boost/ (headers only are used for the Cortex-M build)")
if(EXISTS "${CTNN_HOST_BOOST_INCLUDE_DIR}/boost/version.hpp")
  set(_ctnn_boost_only "${CMAKE_BINARY_DIR}/ctnn-boost-include")
  if(NOT EXISTS "${_ctnn_boost_only}/boost")
    file(MAKE_DIRECTORY "${_ctnn_boost_only}")
    file(CREATE_LINK "${CTNN_HOST_BOOST_INCLUDE_DIR}/boost" "${_ctnn_boost_only}/boost" SYMBOLIC)
  endif()
  set(Boost_NO_BOOST_CMAKE ON)
  set(Boost_INCLUDE_DIR "${_ctnn_boost_only}" CACHE PATH "Boost headers (boost-only directory)")
endif()
