#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs ctnn's trainer and a reference baseline on Fashion-MNIST in one go and prints the
# speed ratio. Not run in CI; timings mean something only on an otherwise idle machine.
#
#   benchmarks/training/compare_baseline.sh BASELINE_DIR [minibatch|fullbatch] [BENCH_BINARY]
#
# BASELINE_DIR holds torch_mlp.py and seed_numpy_fullbatch.py (one JSON line each).
# minibatch: 784-128-64-10, Adam 1e-3, batch 128, 10 epochs, 2 threads vs torch_mlp.py.
# fullbatch: [784,64,32,10], full-batch GD lr 0.1, 800 iterations vs seed_numpy_fullbatch.py.
# BENCH_BINARY defaults to ctnn-bench-fashion in build/release (cmake --preset release).
# Environment: DATA (default /usr/share/datasets/fashion-mnist), OPENBLAS_DIR (default
# /usr/lib/x86_64-linux-gnu/openblas-pthread, put first on LD_LIBRARY_PATH for the baseline
# if it exists), PYTHON (default /usr/bin/python3).
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '3,15p' "$0"
  exit 2
fi
baselines=$1
mode=${2:-minibatch}
here=$(cd "$(dirname "$0")" && pwd)
bench=${3:-$here/../../build/release/benchmarks/training/ctnn-bench-fashion}
data=${DATA:-/usr/share/datasets/fashion-mnist}
python=${PYTHON:-/usr/bin/python3}
openblas=${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread}
[ -x "$bench" ] || { echo "compare_baseline.sh: $bench: not built" >&2; exit 1; }
[ -d "$baselines" ] || { echo "compare_baseline.sh: $baselines: not a directory" >&2; exit 1; }

case $mode in
  minibatch)
    script=torch_mlp.py
    baseline_args=(--dataset fashion --epochs 10 --batch 128 --lr 1e-3 --threads 2)
    ctnn_args=(minibatch 2 10)
    ;;
  fullbatch)
    script=seed_numpy_fullbatch.py
    baseline_args=(--dataset fashion --init xavier --iters 800 --lr 0.1)
    ctnn_args=(fullbatch 2 800)
    ;;
  *) echo "compare_baseline.sh: unknown mode '$mode' (minibatch or fullbatch)" >&2; exit 2 ;;
esac

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ctnn_json=$("$bench" "$data" "${ctnn_args[@]}")
echo "$ctnn_json"
blas_path=${LD_LIBRARY_PATH:-}
[ -d "$openblas" ] && blas_path=$openblas${blas_path:+:$blas_path}
base_json=$(cd "$baselines" && LD_LIBRARY_PATH=$blas_path OPENBLAS_NUM_THREADS=1 \
  "$python" "$script" "${baseline_args[@]}")
echo "$base_json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$ctnn_json" "$base_json" <<'PY'
import json, sys
c, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ratio = c["train_seconds"] / b["train_seconds"]
print(json.dumps({
    "mode": c["mode"],
    "ctnn_train_seconds": c["train_seconds"], "baseline_train_seconds": b["train_seconds"],
    "time_ratio_ctnn_over_baseline": round(ratio, 3), "speedup": round(1 / ratio, 2),
    "ctnn_test_accuracy": c["test_accuracy"], "baseline_test_accuracy": b["test_acc"],
    "accuracy_difference_points": round(100 * (c["test_accuracy"] - b["test_acc"]), 2),
}))
PY
