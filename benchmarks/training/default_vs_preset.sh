#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Is a trainer built the way README tells a user to build it as fast as ctnn's own build of
# the same trainer? (issue 15: within 1.2×.) In one run:
#   1. the preset build: `cmake --preset PRESET` of ctnn (or an existing one, --preset-build),
#      building ctnn-train-mlp (models::mlp, 784-128-64-10) and ctnn-export;
#   2. `cmake --install` of it into a private prefix (README "Using ctnn from CMake");
#   3. a user's project: find_package(ctnn REQUIRED COMPONENTS tools) and
#      ctnn_add_trainer(my-trainer MODEL <ctnn>/firmware_example/models/mlp.hpp
#      TYPE models::mlp), configured with -DCMAKE_PREFIX_PATH only (no build type, no
#      flags), built with `cmake --build`;
#   4. both trainers on the same data slice, alternately REPS times each, and the ratio of
#      their median seconds per epoch (each trainer's own JSON line): default / preset;
#      their trained parameters must have the same CRC-32 (same bits), else exit 3.
# Not a test: times mean something only when both programs see the same load.
#
#   benchmarks/training/default_vs_preset.sh [--data DIR] [--reps N] [--epochs N]
#       [--limit-train N] [--threads T] [--preset NAME] [--preset-build DIR] [--work DIR]
#
# Defaults: Fashion-MNIST in /usr/share/datasets/fashion-mnist, 3 reps, 2 epochs of the
# first 12,000 images, 1 thread, preset dev, work dir /tmp/ctnn-default-vs-preset.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=/usr/share/datasets/fashion-mnist
reps=3
epochs=2
limit=12000
threads=1
preset=dev
preset_build=""
work=/tmp/ctnn-default-vs-preset

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
need() {
  if [[ $# -lt 2 || -z "$2" ]]; then
    echo "error: $1 needs a value" >&2
    exit 1
  fi
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) need "$@"; data=$2; shift 2 ;;
    --reps) need "$@"; reps=$2; shift 2 ;;
    --epochs) need "$@"; epochs=$2; shift 2 ;;
    --limit-train) need "$@"; limit=$2; shift 2 ;;
    --threads) need "$@"; threads=$2; shift 2 ;;
    --preset) need "$@"; preset=$2; shift 2 ;;
    --preset-build) need "$@"; preset_build=$2; shift 2 ;;
    --work) need "$@"; work=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option '$1' (--help lists them)" >&2; exit 1 ;;
  esac
done
for n in "$reps" "$epochs" "$limit" "$threads"; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: '$n' is not a positive whole number" >&2
    exit 1
  fi
done
if [[ ! -d "$data" ]]; then
  echo "error: $data: no such data folder" >&2
  exit 2
fi

mkdir -p "$work"
log="$work/build.log"
: > "$log"
step() {
  echo "+ $*" >> "$log"
  if ! "$@" >> "$log" 2>&1; then
    echo "error: '$*' failed; see $log" >&2
    exit 2
  fi
}

# 1. The preset build of ctnn's own trainer.
if [[ -z "$preset_build" ]]; then
  preset_build="$work/preset"
  step cmake -S "$root" --preset "$preset" -B "$preset_build" -DCTNN_BUILD_TESTS=OFF \
    -DCTNN_BUILD_BENCHMARKS=OFF -DCTNN_BUILD_FIRMWARE=OFF
fi
step cmake --build "$preset_build" -j2 --target ctnn-train-mlp ctnn-export
preset_trainer="$preset_build/host_tools/ctnn-train-mlp"

# 2-3. The user's project, configured with nothing but where ctnn is installed.
prefix="$work/prefix"
rm -rf "$prefix" "$work/user"
step cmake --install "$preset_build" --prefix "$prefix"
mkdir -p "$work/user"
cat > "$work/user/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(my_project LANGUAGES CXX)
find_package(ctnn REQUIRED COMPONENTS tools)
ctnn_add_trainer(my-trainer MODEL $root/firmware_example/models/mlp.hpp TYPE models::mlp)
EOF
step cmake -S "$work/user" -B "$work/user/build" -DCMAKE_PREFIX_PATH="$prefix"
step cmake --build "$work/user/build" -j2 --target my-trainer
user_trainer="$work/user/build/my-trainer"
grep -h 'ctnn_add_trainer(my-trainer)' "$log" | sed "s/^-- /user's configure: /"
echo "user's flags: $(grep -h '^CXX_FLAGS' "$work/user/build/CMakeFiles/my-trainer.dir/flags.make")"

# 4. Alternate runs; each trainer prints one JSON line with seconds_per_epoch on stdout.
args=(--data "$data" --limit-train "$limit" --limit-test 1000 --epochs "$epochs"
      --threads "$threads" --seed 1)
field() { sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p" <<< "$2" | tail -1; }
train() {  # trainer label -> "seconds_per_epoch parameters_crc32"
  local out
  out=$("$1" "${args[@]}" --out "$work/$2.ckpt" 2> "$work/$2.err") || {
    echo "error: $1 failed; see $work/$2.err" >&2
    exit 2
  }
  echo "$(field seconds_per_epoch "$out") $(field parameters_crc32 "$out")"
}
preset_s=()
user_s=()
for ((r = 1; r <= reps; ++r)); do
  read -r p pcrc < <(train "$preset_trainer" preset)
  read -r u ucrc < <(train "$user_trainer" user)
  preset_s+=("$p")
  user_s+=("$u")
  printf 'run %d: preset %s s/epoch, default %s s/epoch\n' "$r" "$p" "$u"
  if [[ "$pcrc" != "$ucrc" ]]; then
    echo "error: the trained parameters differ (CRC-32 $pcrc vs $ucrc): not the same bits" >&2
    exit 3
  fi
done
echo "trained parameters: the same bits (CRC-32 $pcrc in every run)"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
pm=$(median "${preset_s[@]}")
um=$(median "${user_s[@]}")
echo "trainer: models::mlp (784-128-64-10), ${args[*]}"
echo "preset ($preset, $preset_trainer): median $pm s/epoch"
echo "default (user's project, no flags, $user_trainer): median $um s/epoch"
awk -v u="$um" -v p="$pm" 'BEGIN {printf "default / preset = %.2f (issue 15: <= 1.2)\n", u / p}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
