# SPDX-License-Identifier: MIT
# Tests of the inference headers (include/ctnn, excluding train/).
ctnn_add_test(math_test SOURCES math_test.cpp)
ctnn_add_test(network_test SOURCES network_test.cpp)
ctnn_add_test(dense_test SOURCES dense_test.cpp)
ctnn_add_test(activation_test SOURCES activation_test.cpp)

option(CTNN_REQUIRE_CLANG "Fail configuration if clang++ (for the static tests) is missing" OFF)

# --- Static tests: a TU of static_asserts; it passes if it compiles (GCC and clang). ---------
add_executable(static_test static_test.cpp)
target_link_libraries(static_test PRIVATE ctnn::ctnn)
ctnn_project_target(static_test)
add_test(NAME static_test COMMAND static_test)

find_program(CTNN_CLANGXX NAMES clang++-14 clang++ DOC "clang++ for the static tests")
if(CTNN_CLANGXX)
  add_test(NAME static_test_clang
           COMMAND ${CTNN_CLANGXX} -std=c++20 -fsyntax-only -ffp-contract=off -Wall -Wextra
                   -Werror ${ctnn_manual_includes} ${CMAKE_CURRENT_SOURCE_DIR}/static_test.cpp)
elseif(CTNN_REQUIRE_CLANG)
  message(FATAL_ERROR "CTNN_REQUIRE_CLANG is ON but no clang++ was found (install clang-14)")
else()
  message(STATUS "ctnn: clang++ not found; static_test_clang is not registered")
endif()

# --- No heap, no exceptions, the README example ---------------------------------------------
ctnn_add_test(no_heap_test SOURCES no_heap_test.cpp)
if(NOT CTNN_SANITIZERS)
  # Route the test's own (and ctnn's inlined) malloc family through counting wrappers.
  target_link_options(no_heap_test PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                      -Wl,--wrap=realloc -Wl,--wrap=aligned_alloc -Wl,--wrap=posix_memalign)
endif()

add_executable(no_exceptions_test no_exceptions_test.cpp)
target_link_libraries(no_exceptions_test PRIVATE ctnn::ctnn)
target_compile_options(no_exceptions_test PRIVATE -fno-exceptions -fno-rtti)
ctnn_project_target(no_exceptions_test)
add_test(NAME no_exceptions_test COMMAND no_exceptions_test)

add_executable(readme_example readme_example.cpp)
target_link_libraries(readme_example PRIVATE ctnn::ctnn)
ctnn_project_target(readme_example)
add_test(NAME readme_example COMMAND readme_example)

# --- Compile-fail tests (ctnn_add_compile_fail_test: tests/CMakeLists.txt) ------------------
set(cf ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail)
# GCC prints "In instantiation of 'struct ctnn::detail::check_…<…>'" before the sentence.
set(u "(ul)?")
ctnn_add_compile_fail_test(compile_fail.zero_sized_layer ${cf}/zero_sized_layer.cpp
  "check_layer_outputs<2${u}, 0${u}>.*a layer must produce at least one output")
ctnn_add_compile_fail_test(compile_fail.not_an_activation ${cf}/not_an_activation.cpp
  "check_activation<1${u}, float, false>.*the activation argument of this layer is not an activation")
ctnn_add_compile_fail_test(compile_fail.dense_on_image ${cf}/dense_on_image.cpp
  "check_vector_input<1${u}, 28${u}, 28${u}, 1${u}>.*a dense layer needs a vector input")
ctnn_add_compile_fail_test(compile_fail.network_without_input ${cf}/network_without_input.cpp
  "check_network_input<false, ctnn::dense<3${u}, ctnn::relu> >.*a network must start with ctnn::input")
ctnn_add_compile_fail_test(compile_fail.empty_network ${cf}/empty_network.cpp
  "check_network_input<false, ctnn::basic_network<float, ctnn::fused> >.*a network must start with ctnn::input")
ctnn_add_compile_fail_test(compile_fail.not_a_layer ${cf}/not_a_layer.cpp
  "check_layer_spec<2${u}, int, false>.*this network argument is not a layer")
ctnn_add_compile_fail_test(compile_fail.wrong_input_size ${cf}/wrong_input_size.cpp
  "check_input_size<4${u}, 5${u}>.*forward\\(\\) was given an input array of the wrong size")
ctnn_add_compile_fail_test(compile_fail.parameters_of_another_architecture ${cf}/parameters_of_another_architecture.cpp
  "check_parameters_architecture<ctnn::basic_network<float, ctnn::fused, ctnn::input<4${u}>, ctnn::dense<3${u}, ctnn::relu> >, ctnn::basic_network<float, ctnn::fused, ctnn::input<4${u}>, ctnn::dense<2${u}, ctnn::relu> > >.*these parameters were made for another architecture")

# --- Every public header compiles on its own ------------------------------------------------
if(CTNN_COMPILE_TIME_TESTS)
file(GLOB_RECURSE ctnn_public_headers CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/include"
     "${PROJECT_SOURCE_DIR}/include/ctnn/*.hpp")
set(header_check_sources)
foreach(header IN LISTS ctnn_public_headers)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  set(source "${CMAKE_CURRENT_BINARY_DIR}/header_check/${stem}.cpp")
  # Twice, to catch a missing include guard; file(CONFIGURE) rewrites only on change.
  file(CONFIGURE OUTPUT "${source}" CONTENT "#include \"${header}\"\n#include \"${header}\"\n")
  list(APPEND header_check_sources "${source}")
endforeach()
add_library(header_check OBJECT ${header_check_sources})
target_link_libraries(header_check PRIVATE ctnn::ctnn)
ctnn_project_target(header_check)
# Built by `cmake --build` (part of ALL); also a test so that a stale build shows up.
add_test(NAME header_check COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target header_check)
endif()

# --- find_package(ctnn) from an installed tree ----------------------------------------------
if(CTNN_INSTALL)
  add_test(NAME consumer
           COMMAND ${CMAKE_COMMAND} -D CTNN_BUILD_DIR=${CMAKE_BINARY_DIR}
                   -D CTNN_WORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer_work
                   -D CTNN_CONSUMER_SOURCE=${CMAKE_CURRENT_SOURCE_DIR}/consumer
                   -D CTNN_CXX_COMPILER=${CMAKE_CXX_COMPILER}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_consumer_test.cmake)
endif()
# A user's project with its own model: trainer, CSV, two-argument export, a program on the
# generated headers; ctnn installed, and ctnn added with add_subdirectory (issue 12).
if(TARGET ctnn-export)
  set(ctnn_consumer_args -D CTNN_BUILD_DIR=${CMAKE_BINARY_DIR} -D CTNN_SOURCE_DIR=${PROJECT_SOURCE_DIR}
      -D CTNN_CXX_COMPILER=${CMAKE_CXX_COMPILER} -D CTNN_EXPORTER=$<TARGET_FILE:ctnn-export>)
  foreach(mode package subdirectory)
    if(mode STREQUAL "package" AND NOT CTNN_INSTALL)
      continue()
    endif()
    add_test(NAME consumer_trainer_${mode}
             COMMAND ${CMAKE_COMMAND} -D CTNN_MODE=${mode} ${ctnn_consumer_args}
                     -D CTNN_WORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer_trainer_${mode}
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run_trainer_consumer.cmake)
    set_tests_properties(consumer_trainer_${mode} PROPERTIES TIMEOUT 300)
  endforeach()
endif()

# --- int8 (quantization.hpp, quantized.hpp) --------------------------------------------------
ctnn_add_test(quantization_test SOURCES quantization_test.cpp)
ctnn_add_test(quantized_test SOURCES quantized_test.cpp)
add_executable(quantized_static_test quantized_static_test.cpp)
target_link_libraries(quantized_static_test PRIVATE ctnn::ctnn)
ctnn_project_target(quantized_static_test)
add_test(NAME quantized_static_test COMMAND quantized_static_test)
if(CTNN_CLANGXX)
  add_test(NAME quantized_static_test_clang
           COMMAND ${CTNN_CLANGXX} -std=c++20 -fsyntax-only -ffp-contract=off -Wall -Wextra
                   -Werror ${ctnn_manual_includes} ${CMAKE_CURRENT_SOURCE_DIR}/quantized_static_test.cpp)
endif()
ctnn_add_compile_fail_test(compile_fail.int8_fan_in ${cf}/int8_fan_in.cpp
  "check_int8_fan_in<1${u}, 32769${u}>.*sums more than 32768 int8 products")
ctnn_add_compile_fail_test(compile_fail.int8_softmax_on_conv ${cf}/int8_softmax_on_conv.cpp
  "check_int8_softmax_on_dense<1${u}, false>.*int8 softmax is supported on dense layers only")
ctnn_add_compile_fail_test(compile_fail.int8_custom_layer ${cf}/int8_custom_layer.cpp
  "check_int8_layer<1${u}, my_copy<.*false>.*this layer kind has no int8 form")
ctnn_add_compile_fail_test(compile_fail.int8_custom_activation ${cf}/int8_custom_activation.cpp
  "check_int8_activation<1${u}, my_act, false>.*this layer's activation has no int8 form")
