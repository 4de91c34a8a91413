#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: train models::mlp (784-128-64-10) on Fashion-MNIST, export its fp32 and
# int8 weights headers (int8: calibrated on the training set), build the firmware with
# each for the host and for Cortex-M4, run all four (the M4 under QEMU), check that host
# and M4 print the same bits, and print both accuracies and instruction counts.
#
#   host_tools/main_job.sh [--data DIR] [--epochs N] [--limit-train N] [--build-dir DIR]
#                          [--tools-dir DIR] [--jobs N]
#
# --tools-dir reuses an existing build's trainer and exporter (the test suite's shortened
# run); otherwise they are built with the release preset under <build-dir>/tools.
# Outputs (checkpoint, weights headers, HTML report, history, firmware logs) go to
# <build-dir>/out. Dependencies: bash .ci/install-deps.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=/usr/share/datasets/fashion-mnist
build="$root/build/main"
epochs=""
limit=""
tools=""
jobs=${CTNN_JOBS:-2}

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
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

step() { echo; echo "==== [$1/6] $2"; }
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

step 3 "exporting the fp32 and int8 weights headers"
"$exporter" "$out/mlp.ckpt" -o "$out/mlp_weights.hpp" --model-header models/mlp.hpp \
  --model-type models::mlp --namespace models::mlp_weights
# int8: calibration on the first 1,000 training images, comparison on the test set.
"$trainer" --data "$data" --threads 2 --resume "$out/mlp.ckpt" \
  --export-int8 "$out/mlp_int8_weights.hpp" --int8-namespace models::mlp_int8_weights \
  | tee "$out/int8.json"

# firmware <name> <model> <weights header>: host and Cortex-M4 builds of the firmware.
firmware() {
  cmake -S "$root" -B "$build/$1" -DCMAKE_BUILD_TYPE=Release -DCTNN_HOST_ARCH=x86-64-v3 \
    -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_TOOLS=OFF -DCTNN_BUILD_BENCHMARKS=OFF -DCTNN_INSTALL=OFF \
    -DCTNN_BUILD_FIRMWARE=ON -DCTNN_REQUIRE_CORTEX_M=ON -DCTNN_FIRMWARE_MODEL="$2" \
    -DCTNN_FIRMWARE_WEIGHTS_HEADER="$3" >"$out/configure-$1.log"
  cmake --build "$build/$1" -j "$jobs" --target ctnn_firmware_host ctnn_cortex_m4
}
# run <name>: both builds run; run_firmware.cmake checks each one's own verdict and diffs
# them bit for bit.
run() {
  local elf="$build/$1/cortex-m4/firmware_example/ctnn_firmware.elf"
  local qemu="timeout|60|qemu-system-arm|-M|mps2-an386|-icount|shift=0|-display|none|-serial|none"
  qemu="$qemu|-monitor|none|-chardev|stdio,id=sh0"
  qemu="$qemu|-semihosting-config|enable=on,target=native,chardev=sh0|-kernel|$elf"
  cmake -D HOST="$build/$1/firmware_example/ctnn_firmware_host" -D QEMU="$qemu" \
    -D OUT_DIR="$out/$1" -P "$root/tests/firmware/run_firmware.cmake"
  echo "---- Cortex-M4 output ($1)"
  cat "$out/$1/qemu.txt"
}

step 4 "building the firmware for the host and for Cortex-M4 with each weights header"
firmware firmware mlp "$out/mlp_weights.hpp"
firmware firmware-int8 mlp_int8 "$out/mlp_int8_weights.hpp"

step 5 "running the firmware on the host and on an emulated Cortex-M4 (QEMU mps2-an386)"
run firmware
run firmware-int8

step 6 "summary"
json_number() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -n 1 | cut -d: -f2; }
instructions() { sed -n -E 's/^instructions per inference: ([0-9]+) .*/\1/p' "$out/$1/qemu.txt"; }
printf '%-6s %-28s %s\n' "" "test accuracy (10,000 images)" "Cortex-M4 instructions per inference"
printf '%-6s %-28s %s\n' fp32 "$(json_number "$out/train.json" test_accuracy)" "$(instructions firmware)"
printf '%-6s %-28s %s\n' int8 "$(json_number "$out/int8.json" int8_accuracy)" "$(instructions firmware-int8)"
echo "int8 top-1 agreement with fp32: $(json_number "$out/int8.json" int8_top1_agreement)"
echo
echo "main_job: done in $(( $(date +%s) - start )) s; host and Cortex-M4 outputs are bit-identical (fp32 and int8)."
echo "main_job: weights headers $out/mlp_weights.hpp, $out/mlp_int8_weights.hpp; report $out/mlp_report.html"
