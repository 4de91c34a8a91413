#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures issue 14's bar: import of a 784-128-64-10 ONNX model plus compile of the
# generated headers (bar ≤ 10 s). usage: tests/import/measure_import.sh [BUILD_DIR]
# (BUILD_DIR holds host_tools/import/ctnn-import; default build/import). Prints one line
# per step and the total.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/import}
importer="$build/host_tools/import/ctnn-import"
python=${CTNN_TORCH_PYTHON:-/usr/bin/python3}
cxx=${CXX:-g++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" - "$work/mlp.onnx" <<'PY'
import sys, torch, torch.nn as nn
torch.manual_seed(14)
m = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                  nn.Linear(64, 10), nn.Softmax(dim=1)).eval()
torch.onnx.export(m, torch.rand(1, 784), sys.argv[1], input_names=["x"], output_names=["y"])
PY
cat >"$work/main.cpp" <<'CPP'
#include "mlp_weights.hpp"
int main() {
  models::mlp::input x{};
  return static_cast<int>(models::mlp::predict(models::mlp_weights::weights, x));
}
CPP
now() { date +%s.%N; }
t0=$(now)
"$importer" "$work/mlp.onnx" -o "$work/gen" --name models::mlp 2>/dev/null
t1=$(now)
"$cxx" -std=c++20 -O2 -march=x86-64-v3 -ffp-contract=off -I"$root/include" -I"$work/gen" \
  "$work/main.cpp" -o "$work/main"
t2=$(now)
"$work/main" || true  # exit status is the predicted class
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  printf "import 784-128-64-10 (109,386 parameters): %.2f s\n", b - a
  printf "compile of the generated headers (g++ -O2, one TU): %.2f s\n", c - b
  printf "total: %.2f s (bar: 10 s)\n", c - a }'
