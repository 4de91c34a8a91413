# SPDX-License-Identifier: MIT
# cmake -D CTNN_MODE=package|subdirectory -D CTNN_BUILD_DIR=… -D CTNN_SOURCE_DIR=…
#       -D CTNN_WORK_DIR=… -D CTNN_CXX_COMPILER=… [-D CTNN_EXPORTER=…]
#       -P run_trainer_consumer.cmake
# What a user outside ctnn does (issue 12), in a fresh directory:
#   package:      cmake --install the ctnn build into a private prefix, find_package(ctnn
#                 COMPONENTS tools) from there only;
#   subdirectory: add_subdirectory(<ctnn source>); the exporter is the one already built
#                 (CTNN_EXPORTER), to keep the test fast;
# then: build the trainer of a model declared in the user's project, check that none of
# ctnn's warnings reached it and that its -march is ctnn_add_trainer's visible default, train on a tab-separated file whose label is its third
# column (--scale, --standardize, --class-names), predict an unlabelled CSV, export with two
# arguments, export int8, and build and run a program that feeds raw rows through the
# headers' prepare(): it must agree with the trainer on every row.
foreach(var CTNN_MODE CTNN_BUILD_DIR CTNN_SOURCE_DIR CTNN_WORK_DIR CTNN_CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_trainer_consumer.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(TIMESTAMP t1 "%s")
  string(REPLACE ";" " " cmd "${ARGN}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: `${cmd}` failed (${rc})\n${out}\n${err}")
  endif()
  math(EXPR dt "${t1} - ${t0}")
  message(STATUS "${dt} s: ${cmd}")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${CTNN_WORK_DIR}")
set(build "${CTNN_WORK_DIR}/build")
set(configure -S "${CTNN_SOURCE_DIR}/tests/consumer/trainer" -B "${build}"
    -D CMAKE_CXX_COMPILER=${CTNN_CXX_COMPILER} -D CMAKE_BUILD_TYPE=
    -D CMAKE_CXX_FLAGS=-O1 -D CMAKE_EXPORT_COMPILE_COMMANDS=ON
    -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -D CTNN_CONSUMER_MODE=${CTNN_MODE})
if(CTNN_MODE STREQUAL "package")
  set(prefix "${CTNN_WORK_DIR}/prefix")
  run(${CMAKE_COMMAND} --install "${CTNN_BUILD_DIR}" --prefix "${prefix}")
  run(${CMAKE_COMMAND} ${configure} -D CMAKE_PREFIX_PATH=${prefix})
elseif(CTNN_MODE STREQUAL "subdirectory")
  run(${CMAKE_COMMAND} ${configure} -D CTNN_SOURCE_DIR=${CTNN_SOURCE_DIR})
else()
  message(FATAL_ERROR "CTNN_MODE must be package or subdirectory")
endif()
run(${CMAKE_COMMAND} --build "${build}" --target tiny-trainer)

# The user's target is the user's: no -Werror or -Wpedantic from ctnn, and no -march but
# ctnn_add_trainer's documented, visible default (ARCH / CTNN_TRAINER_ARCH = native).
file(READ "${build}/compile_commands.json" commands)
string(REGEX MATCH "[^\n]*tiny-trainer_main.cpp[^\n]*" trainer_command "${commands}")
string(REGEX MATCHALL "-march=[^ \"]*" marches "${trainer_command}")
if(trainer_command STREQUAL "" OR trainer_command MATCHES "-Werror|-Wpedantic"
   OR NOT marches STREQUAL "-march=native")
  message(FATAL_ERROR "consumer test: the user's trainer got flags it should not have:\n"
                      "${trainer_command}")
endif()

# Data: three measurements in 0..999, the class is the largest one; the label is the third
# of four tab-separated columns. 240 rows to train on, 40 unlabelled rows to predict.
set(seed 12345)
macro(next var)
  math(EXPR seed "(${seed} * 1103515245 + 12345) % 2147483648")
  math(EXPR ${var} "(${seed} / 65536) % 1000")
endmacro()
set(train "a\tb\tspecies\tc\n")
set(predict "a\tb\tc\n")
set(truths "")
foreach(i RANGE 1 280)
  next(a)
  next(b)
  next(c)
  set(k 0)
  set(max ${a})
  if(b GREATER max)
    set(k 1)
    set(max ${b})
  endif()
  if(c GREATER max)
    set(k 2)
  endif()
  if(i LESS_EQUAL 240)
    string(APPEND train "${a}\t${b}\t${k}\t${c}\n")
  else()
    string(APPEND predict "${a}\t${b}\t${c}\n")
    list(APPEND truths "${a},${b},${c}:${k}")
  endif()
endforeach()
set(data "${CTNN_WORK_DIR}/data")
file(WRITE "${data}/train.csv" "${train}")
file(WRITE "${data}/predict.csv" "${predict}")

set(gen "${build}/generated")
file(MAKE_DIRECTORY "${gen}")
set(trainer "${build}/tiny-trainer")
run("${trainer}" --csv "${data}/train.csv" --delimiter tab --label-column species --scale 0.01
    --standardize --class-names "setosa,versicolor,virginica" --validation 40 --threads 2
    --csv-test "${data}/predict.csv" --submission "${data}/submission.csv"
    --out "${data}/my.ckpt")
message(STATUS "trainer: ${run_output}")

# Export with two arguments: the checkpoint knows the model header, type and namespace.
if(CTNN_MODE STREQUAL "package")
  file(READ "${build}/exporter.txt" exporter)  # the package's imported ctnn::ctnn-export
  string(FIND "${exporter}" "${prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "consumer test: ctnn::ctnn-export is not the installed one: ${exporter}")
  endif()
else()
  set(exporter "${CTNN_EXPORTER}")
endif()
run("${exporter}" "${data}/my.ckpt" -o "${gen}/tiny_net_weights.hpp")
run("${trainer}" --csv "${data}/train.csv" --delimiter tab --label-column species --scale 0.01
    --standardize --class-names "setosa,versicolor,virginica" --validation 40
    --resume "${data}/my.ckpt" --export-int8 "${gen}/tiny_net_int8_weights.hpp")

# rows.inc: each predicted row, its true class and the trainer's prediction.
file(STRINGS "${data}/submission.csv" submission)
list(REMOVE_AT submission 0)  # ImageId,Label
set(rows "")
foreach(truth line IN ZIP_LISTS truths submission)
  string(REGEX MATCH "^([0-9,]+):([0-9])$" _ "${truth}")
  set(raw "${CMAKE_MATCH_1}")
  set(k "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "^[0-9]+," "" said "${line}")
  string(APPEND rows "{{${raw}}, ${k}, ${said}},\n")
endforeach()
file(WRITE "${gen}/rows.inc" "${rows}")
run(${CMAKE_COMMAND} --build "${build}" --target app)
run("${build}/app")
message(STATUS "${run_output}")
