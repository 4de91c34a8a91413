# SPDX-License-Identifier: MIT
# Toolchain file: bare-metal Arm Cortex-M4F (arm-none-eabi-g++, newlib-nano). Used by the
# `cortex-m4` preset and by the Cortex-M4 build that the host configuration drives
# (cmake/ctnn_cortex_m.cmake).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# Bare metal: test compilations build a library, since linking needs a startup file.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CTNN_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
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
