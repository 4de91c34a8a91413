# SPDX-License-Identifier: MIT
# Footprint of a Cortex-M image, and its RAM, code and weight budgets.
#   cmake -D NM=… -D SIZE=… -D ELF=… -D HOST=<host firmware> -D CODE_BUDGET=<bytes>
#         -D IMAGE_BUDGET=<bytes> -D RAM_SLACK=<bytes>
#         [-D PARAMETERS=<float parameter count> -D MAX_MILLI_BYTES_PER_PARAMETER=<n>]
#         -P check_footprint.cmake
# Prints the table for the README; fails when
#   .data + .bss > activation_bytes + RAM_SLACK           (the workspace is the only RAM)
#   inference code (fw::infer + every ctnn:: function except the CRC) > CODE_BUDGET
#   flash − weights − embedded test images > IMAGE_BUDGET
#   weights (the whole parameters object: int8 weights, biases, multipliers, shifts, zero
#   points, scales) > MAX_MILLI_BYTES_PER_PARAMETER / 1000 bytes per float parameter
# libgcc's helpers (64-bit arithmetic on cores without it) are listed, not counted: the
# rest of the firmware shares them.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${SIZE}" -A "${ELF}" OUTPUT_VARIABLE sections RESULT_VARIABLE rc1)
execute_process(COMMAND "${NM}" -S -C "${ELF}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc2)
execute_process(COMMAND "${HOST}" OUTPUT_VARIABLE host_out RESULT_VARIABLE rc3)
if(NOT rc1 STREQUAL "0" OR NOT rc2 STREQUAL "0" OR NOT rc3 STREQUAL "0")
  message(FATAL_ERROR "${ELF}: size/nm/host firmware failed (${rc1} ${rc2} ${rc3})")
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
math(EXPR ram "${data} + ${bss}")

# Symbols: "address size type name"; sizes are hex.
string(REPLACE "\n" ";" lines "${symbols}")
set(weights 0)
set(images 0)
set(code 0)
set(code_symbols "")
set(helpers 0)
set(helper_symbols "")
foreach(l IN LISTS lines)
  if(NOT l MATCHES "^[0-9a-f]+ ([0-9a-f]+) ([A-Za-z]) (.*)$")
    continue()
  endif()
  math(EXPR bytes "0x${CMAKE_MATCH_1}")
  set(type "${CMAKE_MATCH_2}")
  set(name "${CMAKE_MATCH_3}")
  if(name MATCHES "^models::[a-z0-9_]+_weights::weights$")
    math(EXPR weights "${weights} + ${bytes}")
  elseif(name MATCHES "^fw::inputs<")
    math(EXPR images "${images} + ${bytes}")
  elseif(type MATCHES "^[TtW]$" AND (name MATCHES "^void fw::infer<" OR name MATCHES "ctnn::")
         AND NOT name MATCHES "crc32")
    math(EXPR code "${code} + ${bytes}")
    list(APPEND code_symbols "  ${bytes} B ${name}")
  elseif(type MATCHES "^[TtW]$" AND name MATCHES "^__(aeabi_|u?divmoddi|u?divdi|u?moddi|muldi)")
    math(EXPR helpers "${helpers} + ${bytes}")
    list(APPEND helper_symbols "${name} ${bytes}")
  endif()
endforeach()
if(weights EQUAL 0 OR images EQUAL 0 OR code EQUAL 0)
  message(FATAL_ERROR "${ELF}: weights (${weights} B), test images (${images} B) or "
                      "inference code (${code} B) not found in the symbol table")
endif()
if(NOT host_out MATCHES "activation_bytes: ([0-9]+)\n")
  message(FATAL_ERROR "${HOST}: printed no activation_bytes line")
endif()
set(activation_bytes ${CMAKE_MATCH_1})
math(EXPR rest "${flash} - ${weights} - ${images}")
math(EXPR ram_limit "${activation_bytes} + ${RAM_SLACK}")

list(JOIN code_symbols "\n" code_list)
message("Inference code (fw::infer and ctnn::):\n${code_list}")
list(JOIN helper_symbols ", " helper_list)
message("libgcc helpers in the image (not counted above): ${helpers} B (${helper_list})")
message("
| ${ELF} | bytes |
|---|---:|
| flash, total | ${flash} |
| flash, weights | ${weights} |
| flash, embedded test images (float) | ${images} |
| flash, code and constants excluding weights and images | ${rest} |
| of which inference code | ${code} |
| RAM .data | ${data} |
| RAM .bss | ${bss} |
| activation_bytes (workspace) | ${activation_bytes} |
")

set(failed "")
if(ram GREATER ram_limit)
  list(APPEND failed ".data + .bss = ${ram} B > activation_bytes + ${RAM_SLACK} = ${ram_limit} B")
endif()
if(code GREATER CODE_BUDGET)
  list(APPEND failed "inference code ${code} B > budget ${CODE_BUDGET} B")
endif()
if(rest GREATER IMAGE_BUDGET)
  list(APPEND failed "image excluding weights and test images ${rest} B > budget ${IMAGE_BUDGET} B")
endif()
set(per_parameter "")
if(DEFINED PARAMETERS)
  math(EXPR milli "(${weights} * 1000 + ${PARAMETERS} - 1) / ${PARAMETERS}")
  math(EXPR limit_int "${MAX_MILLI_BYTES_PER_PARAMETER} / 1000")
  math(EXPR limit_frac "${MAX_MILLI_BYTES_PER_PARAMETER} % 1000 + 1000")
  string(SUBSTRING "${limit_frac}" 1 3 limit_frac)
  math(EXPR milli_int "${milli} / 1000")
  math(EXPR milli_frac "${milli} % 1000 + 1000")
  string(SUBSTRING "${milli_frac}" 1 3 milli_frac)
  set(per_parameter "; weights ${weights} B for ${PARAMETERS} parameters = "
                    "${milli_int}.${milli_frac} <= ${limit_int}.${limit_frac} B per parameter")
  if(milli GREATER MAX_MILLI_BYTES_PER_PARAMETER)
    list(APPEND failed "weights ${weights} B = ${milli_int}.${milli_frac} B per parameter "
                       "(${PARAMETERS}) > ${limit_int}.${limit_frac}")
  endif()
endif()
if(failed)
  list(JOIN failed "; " why)
  message(FATAL_ERROR "${ELF}: ${why}")
endif()
string(CONCAT per_parameter ${per_parameter})
message("RAM ${ram} B <= ${ram_limit} B; inference code ${code} B <= ${CODE_BUDGET} B; "
        "image excluding weights ${rest} B <= ${IMAGE_BUDGET} B${per_parameter}")
