# SPDX-License-Identifier: MIT
# Instructions and estimated cycles per multiply-accumulate by layer kind, from a model's
# layer profile (firmware_example/src/profile_layers.hpp: one marker window per layer and
# image) run under QEMU with the cycle-estimate plugin (benchmarks/qemu, docs/cycles.md).
#   cmake -D HOST=<host profile> -D MODEL=<host firmware of the same model>
#         -D QEMU=<cmd|arg|…, the profile image> -D CYCLES_PLUGIN=<.so> -D NM=<arm nm>
#         -D OUT_DIR=<dir> [-D "GATES=<kind>:<centi>;…"] -P layer_profile.cmake
# Checks: the profile exits 0 on both; host and Cortex-M print the same bytes; its outputs
# are the model firmware's (the chain of single-layer networks is the forward pass); one
# window per layer and image, all decoded. Prints per kind: MACs, instructions and cycles
# per inference and per MAC (also in <OUT_DIR>/layer_kinds.txt); fails when a kind's
# instructions per MAC (hundredths) exceed its gate in GATES.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/../../benchmarks/qemu/cycle_estimate_run.cmake")
file(MAKE_DIRECTORY "${OUT_DIR}")

execute_process(COMMAND "${HOST}" OUTPUT_VARIABLE host_out RESULT_VARIABLE rc1)
execute_process(COMMAND "${MODEL}" OUTPUT_VARIABLE model_out RESULT_VARIABLE rc2)
if(NOT rc1 STREQUAL "0" OR NOT rc2 STREQUAL "0")
  message(FATAL_ERROR "host profile or host firmware failed (${rc1} ${rc2})")
endif()
file(WRITE "${OUT_DIR}/host.txt" "${host_out}")
ctnn_cycle_estimate("${QEMU}" "${CYCLES_PLUGIN}" "${NM}" fw_bench_begin fw_bench_end
                    "${OUT_DIR}/cycle_estimate.txt" est)
file(WRITE "${OUT_DIR}/qemu.txt" "${est_OUTPUT}")
if(NOT host_out STREQUAL est_OUTPUT)
  execute_process(COMMAND diff "${OUT_DIR}/host.txt" "${OUT_DIR}/qemu.txt")
  message(FATAL_ERROR "the layer profile prints other bytes on the host and on Cortex-${est_CORE}")
endif()
if(NOT host_out MATCHES "checks: ok\n")
  message(FATAL_ERROR "the layer profile's checks failed:\n${host_out}")
endif()

# The chain's outputs are the model's: image lines of both, compared by their output bits.
string(REGEX MATCHALL "image [0-9]+: output[ 0-9a-f]+\n" chain_lines "${host_out}")
string(REGEX MATCHALL "image [0-9]+: predicted [0-9]+ true [0-9]+ output[ 0-9a-f]+\n" model_lines
       "${model_out}")
list(LENGTH chain_lines images)
list(LENGTH model_lines model_images)
if(images EQUAL 0 OR NOT images EQUAL model_images)
  message(FATAL_ERROR "${images} profile image lines, ${model_images} firmware image lines")
endif()
foreach(i RANGE 1 ${images})
  math(EXPR k "${i} - 1")
  list(GET chain_lines ${k} a)
  list(GET model_lines ${k} b)
  string(REGEX REPLACE "^image [0-9]+: output" "" a "${a}")
  string(REGEX REPLACE "^image [0-9]+: predicted [0-9]+ true [0-9]+ output" "" b "${b}")
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "image ${k}: the chain of layers gives${a}, the forward pass${b}")
  endif()
endforeach()

# Layers: "layer <i> <kind> <name> macs <n>".
string(REGEX MATCHALL "layer [0-9]+ [a-z_0-9]+ [^ \n]+ macs [0-9]+\n" layer_lines "${host_out}")
list(LENGTH layer_lines layers)
if(NOT host_out MATCHES "layers: ${layers}\n" OR layers EQUAL 0)
  message(FATAL_ERROR "the profile lists ${layers} layers")
endif()
math(EXPR expected_windows "${layers} * ${images}")
if(NOT est_WINDOWS EQUAL expected_windows OR expected_windows GREATER 256 OR
   NOT est_UNKNOWN EQUAL 0)
  message(FATAL_ERROR "${est_WINDOWS} windows (expected ${expected_windows}, at most 256 are "
                      "listed), ${est_UNKNOWN} undecoded instructions")
endif()
set(kinds "")
set(index 0)
foreach(l IN LISTS layer_lines)
  string(REGEX MATCH "layer ([0-9]+) ([a-z_0-9]+) ([^ \n]+) macs ([0-9]+)" _ "${l}")
  set(kind_${index} ${CMAKE_MATCH_2})
  if(NOT CMAKE_MATCH_2 IN_LIST kinds)
    list(APPEND kinds ${CMAKE_MATCH_2})
    set(${CMAKE_MATCH_2}_macs 0)
    set(${CMAKE_MATCH_2}_insns 0)
    set(${CMAKE_MATCH_2}_cycles 0)
    set(${CMAKE_MATCH_2}_layers 0)
  endif()
  math(EXPR ${CMAKE_MATCH_2}_macs "${${CMAKE_MATCH_2}_macs} + ${CMAKE_MATCH_4}")
  math(EXPR ${CMAKE_MATCH_2}_layers "${${CMAKE_MATCH_2}_layers} + 1")
  math(EXPR index "${index} + 1")
endforeach()
# Windows in order: image 0 layers 1..L, image 1 layers 1..L, …
string(REGEX MATCHALL "window [0-9]+ insns=[0-9]+ cycles=[0-9]+" windows "${est_REPORT}")
foreach(w IN LISTS windows)
  string(REGEX MATCH "window ([0-9]+) insns=([0-9]+) cycles=([0-9]+)" _ "${w}")
  math(EXPR layer "${CMAKE_MATCH_1} % ${layers}")
  set(kind ${kind_${layer}})
  math(EXPR ${kind}_insns "${${kind}_insns} + ${CMAKE_MATCH_2}")
  math(EXPR ${kind}_cycles "${${kind}_cycles} + ${CMAKE_MATCH_3}")
endforeach()

string(TOUPPER "${est_CORE}" core)
set(table "| Cortex-${core} layer kind | layers | MACs | instructions | per MAC | est. cycles | per MAC |\n")
string(APPEND table "|---|---:|---:|---:|---:|---:|---:|\n")
set(failed "")
foreach(kind IN LISTS kinds)
  # Per inference: the sums over the images, rounded.
  math(EXPR insns "(${${kind}_insns} + ${images} / 2) / ${images}")
  math(EXPR cycles "(${${kind}_cycles} + ${images} / 2) / ${images}")
  set(macs ${${kind}_macs})
  if(macs EQUAL 0)
    set(ipm "-")
    set(cpm "-")
  else()
    ctnn_centi(${insns} ${macs} ipm)
    ctnn_centi(${cycles} ${macs} cpm)
    math(EXPR centi "(${insns} * 100 + ${macs} / 2) / ${macs}")
    foreach(gate IN LISTS GATES)
      if(gate MATCHES "^${kind}:([0-9]+)$" AND centi GREATER CMAKE_MATCH_1)
        list(APPEND failed "${kind}: ${ipm} instructions per MAC > ${CMAKE_MATCH_1}/100")
      endif()
    endforeach()
  endif()
  string(APPEND table "| ${kind} | ${${kind}_layers} | ${macs} | ${insns} | ${ipm} | ${cycles} | ${cpm} |\n")
endforeach()
file(WRITE "${OUT_DIR}/layer_kinds.txt" "${table}")
message("host and Cortex-${core} layer profiles are identical; the chain of layers gives the "
        "forward pass's bits\n\n${table}")
if(failed)
  message(FATAL_ERROR "${failed}")
endif()
