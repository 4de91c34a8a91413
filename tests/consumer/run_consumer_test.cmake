# SPDX-License-Identifier: MIT
# cmake -D CTNN_BUILD_DIR=… -D CTNN_WORK_DIR=… -D CTNN_CONSUMER_SOURCE=… -D CTNN_CXX_COMPILER=…
#       -P run_consumer_test.cmake
# Installs the ctnn build tree into a fresh prefix, then configures, builds and runs the
# consumer project against that prefix only.
foreach(var CTNN_BUILD_DIR CTNN_WORK_DIR CTNN_CONSUMER_SOURCE CTNN_CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer_test.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "consumer test: `${cmd}` failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE "${CTNN_WORK_DIR}")
set(prefix "${CTNN_WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --install "${CTNN_BUILD_DIR}" --prefix "${prefix}")
if(NOT EXISTS "${prefix}/include/ctnn/ctnn.hpp")
  message(FATAL_ERROR "consumer test: the install did not produce include/ctnn/ctnn.hpp")
endif()
run(${CMAKE_COMMAND} -S "${CTNN_CONSUMER_SOURCE}" -B "${CTNN_WORK_DIR}/build"
    -D CMAKE_PREFIX_PATH=${prefix} -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -D CMAKE_CXX_COMPILER=${CTNN_CXX_COMPILER} -D CMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${CTNN_WORK_DIR}/build")
run("${CTNN_WORK_DIR}/build/consumer")
