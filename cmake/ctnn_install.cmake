# SPDX-License-Identifier: MIT
# install + export + find_package(ctnn) config.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ctnn EXPORT ctnn-targets)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/ctnn" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ctnn-targets NAMESPACE ctnn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ctnn)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/ctnn-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/ctnn-config.cmake"
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ctnn)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ctnn-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/ctnn-config.cmake"
              "${PROJECT_BINARY_DIR}/ctnn-config-version.cmake"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ctnn)
