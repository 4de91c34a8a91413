#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctnn beside PyTorch, in one run: the same network, optimiser, batch, schedule and epochs
# (ctnn-bench-fashion's mlp/cnn modes = the trainers' defaults; torch_baseline.py), run
# alternately REPS times on the same machine so that both see the same load. Prints each
# run's JSON and a table: seconds per epoch, samples/s, test accuracy, and ctnn/PyTorch
# ratios. Not a test (timings mean something only on an otherwise idle machine).
#
#   benchmarks/training/compare_baseline.sh [--data DIR] [--model mlp|cnn|both]
#       [--epochs N] [--reps R] [--threads T] [--bench BINARY | --arch MARCH] [--install]
#
# --data: any MNIST-format directory (default /usr/share/datasets/fashion-mnist).
# --epochs: per run (default: mlp 10, cnn 3). --reps: alternations (default 1).
# --bench: ctnn-bench-fashion (default build/release, then build/dev: x86-64-v3, AVX2).
# --arch: ctnn-bench-fashion built for -march=MARCH in build/bench-MARCH (configured there on
# first use: cmake --preset release -B build/bench-MARCH -DCTNN_HOST_ARCH=MARCH; rebuilt when
# the sources changed). `--arch native` is the build a user gets: ctnn_add_trainer compiles
# trainers with -march=native by default (AVX-512 where the CPU has it; the same bits).
# --install: apt-get install python3-torch python3-numpy libopenblas0-pthread first (Debian,
# as root). PYTHON (default /usr/bin/python3) must import torch. PyTorch's dense layers call
# BLAS: Debian's default libblas3 is the slow reference one, so OpenBLAS (OPENBLAS_DIR,
# default /usr/lib/x86_64-linux-gnu/openblas-pthread) is put first on LD_LIBRARY_PATH when
# present (the script says which), pinned to one thread: torch.set_num_threads(T) does the
# parallel work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=/usr/share/datasets/fashion-mnist
models="mlp cnn"
epochs=""
reps=1
threads=2
bench=""
arch=""
install=0
python=${PYTHON:-/usr/bin/python3}
openblas=${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread}
usage() { sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --model) case $2 in mlp|cnn) models=$2 ;; both) models="mlp cnn" ;;
               *) echo "error: --model must be mlp, cnn or both" >&2; exit 2 ;; esac; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --install) install=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$reps" "$threads" ${epochs:+"$epochs"}; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "error: '$n' is not a positive integer" >&2; exit 2; }
done
if [ "$install" = 1 ]; then
  apt-get install -y python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi
if [ -n "$arch" ]; then
  [ -z "$bench" ] || { echo "error: --bench and --arch exclude each other" >&2; exit 2; }
  [[ $arch =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || { echo "error: '$arch' is not a -march value" >&2; exit 2; }
  dir=$root/build/bench-$arch
  { [ -f "$dir/CMakeCache.txt" ] ||
      (cd "$root" && cmake --preset release -B "$dir" -DCTNN_HOST_ARCH="$arch") >&2; } &&
    cmake --build "$dir" --target ctnn-bench-fashion -j2 >&2 || {
    echo "error: could not build ctnn-bench-fashion for -march=$arch in $dir (see above)" >&2
    exit 1
  }
  bench=$dir/benchmarks/training/ctnn-bench-fashion
fi
if [ -z "$bench" ]; then
  for b in "$root/build/release" "$root/build/dev"; do
    if [ -x "$b/benchmarks/training/ctnn-bench-fashion" ]; then
      bench=$b/benchmarks/training/ctnn-bench-fashion
      break
    fi
  done
fi
[ -n "$bench" ] && [ -x "$bench" ] || {
  echo "error: ctnn-bench-fashion not built (cmake --build --preset release --target ctnn-bench-fashion)" >&2
  exit 1
}
[ -d "$data" ] || { echo "error: $data: not a directory" >&2; exit 1; }
"$python" -c "import torch, numpy" 2>/dev/null || {
  echo "error: $python cannot import torch and numpy (--install, or apt-get install python3-torch)" >&2
  exit 1
}

blas_path=${LD_LIBRARY_PATH:-}
if [ -e "$openblas/libblas.so.3" ]; then
  blas_path=$openblas${blas_path:+:$blas_path}
  echo "PyTorch's BLAS: OpenBLAS from $openblas" >&2
else
  echo "PyTorch's BLAS: the system's libblas.so.3 (no $openblas: install libopenblas0-pthread)" >&2
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "ctnn: $bench" >&2
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
     "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for model in $models; do
  e=${epochs:-$([ "$model" = mlp ] && echo 10 || echo 3)}
  for ((r = 1; r <= reps; ++r)); do
    "$bench" "$data" "$model" "$threads" "$e" | tee -a "$results"
    LD_LIBRARY_PATH=$blas_path OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$threads \
      "$python" "$here/torch_baseline.py" "$data" "$model" --threads "$threads" --epochs "$e" \
      | tee -a "$results"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$results" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| model | tool | s/epoch (best) | samples/s (best) | test accuracy (mean) |")
print("|---|---|---|---|---|")
summary = {}
for model in dict.fromkeys(r["mode"] for r in runs):
    for tool in ("ctnn", "pytorch"):
        rs = [r for r in runs if r["mode"] == model and r["tool"].startswith(tool)]
        best = min(r["seconds_per_epoch"] for r in rs)
        sps = max(r["samples_per_second"] for r in rs)
        acc = sum(r["test_accuracy"] for r in rs) / len(rs)
        summary[model, tool] = (best, sps, acc)
        print(f"| {model} | {rs[0]['tool']} | {best:.3f} | {sps:,.0f} | {100 * acc:.2f} % |")
print()
for model in dict.fromkeys(r["mode"] for r in runs):
    c, p = summary[model, "ctnn"], summary[model, "pytorch"]
    print(f"{model}: ctnn samples/s = {c[1] / p[1]:.2f}x PyTorch's; "
          f"accuracy difference {100 * (c[2] - p[2]):+.2f} points")
PY
