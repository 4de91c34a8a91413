#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: train models::mlp (784-128-64-10) on Fashion-MNIST, export its weights
# header, build the firmware with it for the host and for Cortex-M4, run both (the M4
# under QEMU), and check that they print the same bits.
#
#   host_tools/main_job.sh [--data DIR] [--epochs N] [--limit-train N] [--build-dir DIR]
#                          [--tools-dir DIR] [--jobs N]
#
# --tools-dir reuses an existing build's trainer and exporter (the test suite's shortened
# run); otherwise they are built with the release preset under <build-dir>/tools.
# Outputs (checkpoint, weights header, HTML report, history, firmware logs) go to
# <build-dir>/out. Dependencies: bash .ci/install-deps.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=/usr/share/datasets/fashion-mnist
build="$root/build/main"
epochs=""
limit=""
tools=""
jobs=${CTNN_JOBS:-2}

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --limit-train) limit=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --tools-dir) tools=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "main_job: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

step() { echo; echo "==== [$1/5] $2"; }
mkdir -p "$build"
build=$(cd "$build" && pwd)
out="$build/out"
mkdir -p "$out"
start=$(date +%s)

if [ ! -e "$data/train-images-idx3-ubyte.gz" ] && [ ! -e "$data/train-images-idx3-ubyte" ]; then
  echo "main_job: no Fashion-MNIST in $data (Debian: apt-get install dataset-fashion-mnist)" >&2
  exit 2
fi

if [ -z "$tools" ]; then
  step 1 "building the trainer and the exporter (release preset)"
  cmake --preset release -B "$build/tools" -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_BENCHMARKS=OFF \
    -DCTNN_BUILD_FIRMWARE=OFF -DCTNN_INSTALL=OFF >"$out/configure-tools.log"
  cmake --build "$build/tools" -j "$jobs" --target ctnn-train-mlp ctnn-export
  tools="$build/tools"
else
  step 1 "reusing the trainer and the exporter in $tools"
fi
trainer="$tools/host_tools/ctnn-train-mlp"
exporter="$tools/host_tools/export/ctnn-export"

step 2 "training 784-128-64-10 on $data"
"$trainer" --data "$data" --threads 2 --out "$out/mlp.ckpt" --history "$out/mlp_history.csv" \
  --report "$out/mlp_report.html" ${epochs:+--epochs "$epochs"} ${limit:+--limit-train "$limit"} \
  | tee "$out/train.json"

step 3 "exporting the weights header"
"$exporter" "$out/mlp.ckpt" -o "$out/mlp_weights.hpp" --model-header models/mlp.hpp \
  --model-type models::mlp --namespace models::mlp_weights

step 4 "building the firmware for the host and for Cortex-M4 with the exported weights"
cmake -S "$root" -B "$build/firmware" -DCMAKE_BUILD_TYPE=Release -DCTNN_HOST_ARCH=x86-64-v3 \
  -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_TOOLS=OFF -DCTNN_BUILD_BENCHMARKS=OFF -DCTNN_INSTALL=OFF \
  -DCTNN_BUILD_FIRMWARE=ON -DCTNN_REQUIRE_CORTEX_M=ON -DCTNN_FIRMWARE_MODEL=mlp \
  -DCTNN_FIRMWARE_WEIGHTS_HEADER="$out/mlp_weights.hpp" >"$out/configure-firmware.log"
cmake --build "$build/firmware" -j "$jobs" --target ctnn_firmware_host ctnn_cortex_m4

step 5 "running the firmware on the host and on an emulated Cortex-M4 (QEMU mps2-an386)"
elf="$build/firmware/cortex-m4/firmware_example/ctnn_firmware.elf"
qemu="timeout|60|qemu-system-arm|-M|mps2-an386|-icount|shift=0|-display|none|-serial|none"
qemu="$qemu|-monitor|none|-chardev|stdio,id=sh0"
qemu="$qemu|-semihosting-config|enable=on,target=native,chardev=sh0|-kernel|$elf"
# run_firmware.cmake runs both, checks each one's own verdict and diffs them bit for bit.
cmake -D HOST="$build/firmware/firmware_example/ctnn_firmware_host" -D QEMU="$qemu" \
  -D OUT_DIR="$out/firmware" -P "$root/tests/firmware/run_firmware.cmake"
echo "---- Cortex-M4 output"
cat "$out/firmware/qemu.txt"
echo
echo "main_job: done in $(( $(date +%s) - start )) s; host and Cortex-M4 outputs are bit-identical."
echo "main_job: weights header $out/mlp_weights.hpp, report $out/mlp_report.html"
