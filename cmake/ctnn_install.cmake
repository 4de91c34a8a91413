# SPDX-License-Identifier: MIT
# install + export + find_package(ctnn [COMPONENTS train tools]) config.
#   ctnn (always)  ctnn::ctnn, the inference headers
#   train          ctnn::train (zlib, threads, nlohmann-json)
#   tools          ctnn::tools (CLI11), ctnn_add_trainer(), ctnn::ctnn-export and, when
#                  built, ctnn::ctnn-import; the executables go to bin/
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ctnn_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ctnn)
install(TARGETS ctnn EXPORT ctnn-targets)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/ctnn" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ctnn-targets NAMESPACE ctnn:: DESTINATION ${ctnn_cmake_dir})
if(TARGET ctnn_train AND TARGET ctnn_tools)
  install(TARGETS ctnn_train EXPORT ctnn-train-targets)
  install(EXPORT ctnn-train-targets NAMESPACE ctnn:: DESTINATION ${ctnn_cmake_dir})
  install(TARGETS ctnn_tools ctnn-export EXPORT ctnn-tools-targets)
  # ctnn-import (host_tools/import) is defined later, and only when libonnx-dev was found.
  # Its own export set, read by the config only if the executable was installed (OPTIONAL:
  # a partial build may not have built it).
  function(ctnn_install_import)
    if(TARGET ctnn-import)
      install(TARGETS ctnn-import EXPORT ctnn-import-targets OPTIONAL)
      install(EXPORT ctnn-import-targets NAMESPACE ctnn:: DESTINATION ${ctnn_cmake_dir})
    endif()
  endfunction()
  cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}" CALL ctnn_install_import)
  install(EXPORT ctnn-tools-targets NAMESPACE ctnn:: DESTINATION ${ctnn_cmake_dir})
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/ctnn_trainer.cmake" DESTINATION ${ctnn_cmake_dir})
endif()
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/ctnn-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/ctnn-config.cmake"
                              INSTALL_DESTINATION ${ctnn_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ctnn-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/ctnn-config.cmake"
              "${PROJECT_BINARY_DIR}/ctnn-config-version.cmake"
        DESTINATION ${ctnn_cmake_dir})
