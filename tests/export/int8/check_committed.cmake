# SPDX-License-Identifier: MIT
# Regenerates one committed int8 weights header and checks it is current, and that the
# quantisation meets issue 10's bars on the Fashion-MNIST test set: int8 within 0.5 point
# of float and top-1 agreement of at least MIN_AGREEMENT basis points (default 9900: 99 %).
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${TOOL}" "${MODEL}" "${DATA}" "${WORK}/weights.hpp"
                OUTPUT_VARIABLE json ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctnn-make-int8-weights failed (${rc}): ${err}")
endif()
string(JSON float_acc GET "${json}" float_accuracy)
string(JSON int8_acc GET "${json}" int8_accuracy)
string(JSON agreement GET "${json}" int8_top1_agreement)
message(STATUS "${MODEL}: float ${float_acc}, int8 ${int8_acc}, agreement ${agreement}")
# Fractions in basis points (CMake's math is integer only).
function(basis_points value out)
  if(NOT value MATCHES "^([0-9]+)\\.?([0-9]*)")
    message(FATAL_ERROR "not a fraction: ${value}")
  endif()
  set(fraction "${CMAKE_MATCH_2}0000")
  string(SUBSTRING "${fraction}" 0 4 fraction)
  math(EXPR r "${CMAKE_MATCH_1} * 10000 + 1${fraction} - 10000")
  set(${out} ${r} PARENT_SCOPE)
endfunction()
basis_points(${float_acc} float_bp)
basis_points(${int8_acc} int8_bp)
basis_points(${agreement} agreement_bp)
math(EXPR loss_bp "${float_bp} - ${int8_bp}")
if(loss_bp GREATER 50)
  message(FATAL_ERROR "${MODEL}: int8 loses ${loss_bp} basis points (bar: 50)")
endif()
if(NOT DEFINED MIN_AGREEMENT)
  set(MIN_AGREEMENT 9900)
endif()
if(agreement_bp LESS MIN_AGREEMENT)
  message(FATAL_ERROR "${MODEL}: top-1 agreement ${agreement} < ${MIN_AGREEMENT} basis points")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK}/weights.hpp" "${COMMITTED}"
                RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "${COMMITTED} is not current: rebuild it with "
                      "`cmake --build <dir> --target ctnn_int8_weights`")
endif()
