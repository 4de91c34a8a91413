// SPDX-License-Identifier: MIT
// Compile-fail test: the generated header is compiled against export_model.hpp from
// tests/export/wrong (another architecture under the same name) and must be rejected with
// the check_weights_signature sentence; the twin compiles it against tests/export/right.
#include "export_weights.hpp"

int main() {
  return static_cast<int>(ctnn_test_weights::parameter_count % 2);
}
