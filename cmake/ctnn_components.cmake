# SPDX-License-Identifier: MIT
# The host components beside the header-only inference target ctnn::ctnn:
#   ctnn::train  the training engine, data readers, file formats and report
#                (include/ctnn/train/; zlib, threads, nlohmann-json for checkpoint metadata)
#   ctnn::tools  the command-line drivers (include/ctnn/train/tools/; CLI11), what
#                ctnn_add_trainer() links
# and ctnn-export (alias ctnn::ctnn-export, as the installed package names it). Defined when
# their dependencies are found; REQUIRED when ctnn builds its own tools.
include_guard(GLOBAL)

if(CTNN_BUILD_TOOLS)
  set(ctnn_required REQUIRED)
else()
  set(ctnn_required QUIET)
endif()
find_package(ZLIB ${ctnn_required})
find_package(Threads ${ctnn_required})
find_package(nlohmann_json 3 ${ctnn_required})
find_package(CLI11 CONFIG ${ctnn_required})
if(NOT (ZLIB_FOUND AND Threads_FOUND AND nlohmann_json_FOUND AND CLI11_FOUND))
  message(STATUS "ctnn: zlib, threads, nlohmann-json or CLI11 not found; "
                 "ctnn::train, ctnn::tools and ctnn_add_trainer are not defined")
  return()
endif()

add_library(ctnn_train INTERFACE)
add_library(ctnn::train ALIAS ctnn_train)
set_target_properties(ctnn_train PROPERTIES EXPORT_NAME train)
target_link_libraries(ctnn_train INTERFACE ctnn::ctnn ZLIB::ZLIB Threads::Threads
                                           nlohmann_json::nlohmann_json)

add_library(ctnn_tools INTERFACE)
add_library(ctnn::tools ALIAS ctnn_tools)
set_target_properties(ctnn_tools PROPERTIES EXPORT_NAME tools)
target_link_libraries(ctnn_tools INTERFACE ctnn::train CLI11::CLI11)

add_subdirectory("${PROJECT_SOURCE_DIR}/host_tools/export" "${PROJECT_BINARY_DIR}/host_tools/export")
include(ctnn_trainer)
