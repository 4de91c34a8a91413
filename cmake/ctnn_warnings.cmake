# SPDX-License-Identifier: MIT
# Warnings and target flags for the project's own targets (never imposed on consumers).
include_guard(GLOBAL)

set(CTNN_HOST_ARCH "" CACHE STRING
    "-march value for the project's own host targets (e.g. x86-64-v3); empty: compiler default")

# ctnn_project_target(<target>): -Wall -Wextra -Wpedantic -Wshadow -Wsign-conversion -Werror
# and the host architecture (also used by the firmware cross builds).
function(ctnn_project_target target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wsign-conversion
                                           -Werror)
  if(CTNN_HOST_ARCH)
    target_compile_options(${target} PRIVATE -march=${CTNN_HOST_ARCH})
  endif()
endfunction()
