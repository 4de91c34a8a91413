# SPDX-License-Identifier: MIT
# Issue 7's budget for the CNN firmware image on a Cortex-M: the image without the
# example's embedded test images fits FLASH_LIMIT, and .data + .bss + the worst-case stack
# fits RAM_LIMIT; optionally (issue 10, int8 CNN) .data + .bss fits STATIC_RAM_LIMIT and
# the worst-case stack STACK_LIMIT on their own.
#   cmake -D NM=… -D SIZE=… -D ELF=… -D STACK_REPORT=<ctnn_fw_stack_report>
#         -D "CI_FILES=<a.ci;b.ci;…>" -D FLASH_LIMIT=<bytes> -D RAM_LIMIT=<bytes>
#         [-D STATIC_RAM_LIMIT=<bytes>] [-D STACK_LIMIT=<bytes>] -P cnn_firmware_budget.cmake
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${SIZE}" -A "${ELF}" OUTPUT_VARIABLE sections RESULT_VARIABLE rc1)
execute_process(COMMAND "${NM}" -S -C "${ELF}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc2)
# A generous budget here: the limit that matters is RAM_LIMIT, checked below.
execute_process(COMMAND "${STACK_REPORT}" ${RAM_LIMIT} ctnn_fw_start ${CI_FILES}
                OUTPUT_VARIABLE stack_out ERROR_VARIABLE stack_err RESULT_VARIABLE rc3)
if(NOT rc1 STREQUAL "0" OR NOT rc2 STREQUAL "0" OR NOT rc3 STREQUAL "0")
  message(FATAL_ERROR "${ELF}: size/nm/stack report failed (${rc1} ${rc2} ${rc3}): ${stack_err}")
endif()

function(section_size name var)
  if(sections MATCHES "\n\\${name} +([0-9]+) ")
    set(${var} ${CMAKE_MATCH_1} PARENT_SCOPE)
  else()
    set(${var} 0 PARENT_SCOPE)
  endif()
endfunction()
section_size(.isr_vector vectors)
section_size(.text text)
section_size(.ARM.exidx exidx)
section_size(.init_array init_array)
section_size(.data data)
section_size(.bss bss)
if(text EQUAL 0)
  message(FATAL_ERROR "${ELF}: no .text section in `size -A` output")
endif()
math(EXPR flash "${vectors} + ${text} + ${exidx} + ${init_array} + ${data}")

set(images 0)
set(weights 0)
string(REPLACE "\n" ";" lines "${symbols}")
foreach(l IN LISTS lines)
  if(l MATCHES "^[0-9a-f]+ ([0-9a-f]+) [A-Za-z] fw::inputs<")
    math(EXPR images "0x${CMAKE_MATCH_1}")
  elseif(l MATCHES "^[0-9a-f]+ ([0-9a-f]+) [A-Za-z] models::[a-z0-9_]+_weights::weights$")
    math(EXPR weights "0x${CMAKE_MATCH_1}")
  endif()
endforeach()
if(images EQUAL 0 OR weights EQUAL 0)
  message(FATAL_ERROR "${ELF}: test images (${images} B) or models::<model>_weights::weights "
                      "(${weights} B) not in the symbol table")
endif()
if(NOT stack_out MATCHES "worst-case stack from ctnn_fw_start: ([0-9]+) bytes")
  message(FATAL_ERROR "no worst-case stack in the report:\n${stack_out}")
endif()
set(stack ${CMAKE_MATCH_1})

math(EXPR model_flash "${flash} - ${images}")
math(EXPR code "${model_flash} - ${weights}")
math(EXPR static_ram "${data} + ${bss}")
math(EXPR ram "${static_ram} + ${stack}")
message("
| CNN firmware (${ELF}) | bytes |
|---|---:|
| flash without the embedded test images | ${model_flash} |
| of which weights | ${weights} |
| of which code and constants | ${code} |
| RAM .data + .bss | ${data} + ${bss} |
| worst-case stack | ${stack} |
| RAM total | ${ram} |
")
set(failed "")
if(model_flash GREATER FLASH_LIMIT)
  list(APPEND failed "flash without test images ${model_flash} B > ${FLASH_LIMIT} B")
endif()
if(ram GREATER RAM_LIMIT)
  list(APPEND failed "RAM (.data + .bss + stack) ${ram} B > ${RAM_LIMIT} B")
endif()
set(extra "")
if(DEFINED STATIC_RAM_LIMIT)
  string(APPEND extra "; .data + .bss ${static_ram} B <= ${STATIC_RAM_LIMIT} B")
  if(static_ram GREATER STATIC_RAM_LIMIT)
    list(APPEND failed ".data + .bss ${static_ram} B > ${STATIC_RAM_LIMIT} B")
  endif()
endif()
if(DEFINED STACK_LIMIT)
  string(APPEND extra "; stack ${stack} B <= ${STACK_LIMIT} B")
  if(stack GREATER STACK_LIMIT)
    list(APPEND failed "worst-case stack ${stack} B > ${STACK_LIMIT} B")
  endif()
endif()
if(failed)
  list(JOIN failed "; " why)
  message(FATAL_ERROR "${ELF}: ${why}")
endif()
message("flash ${model_flash} B <= ${FLASH_LIMIT} B; RAM ${ram} B <= ${RAM_LIMIT} B${extra}")
