# SPDX-License-Identifier: MIT
# Tests of the inference headers (include/ctnn, excluding train/).
ctnn_add_test(math_test SOURCES math_test.cpp)
ctnn_add_test(network_test SOURCES network_test.cpp)
