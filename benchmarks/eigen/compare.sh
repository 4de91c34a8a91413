#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctnn's host inference beside Eigen (RTNeural's fastest backend) on five MLP shapes, in
# one benchmark run per build: the dev preset's x86-64-v3 (AVX2 + FMA) and, with --native,
# also -march=native (AVX-512 where the CPU has it).
#
# Usage: compare.sh [--install] [--native] [--reps R]
#   --install  apt-get install libeigen3-dev first (root)
#   --native   also build and run with CTNN_HOST_ARCH=native
#   --reps R   benchmark repetitions (default 3; the median is printed)
# Prints, per network and numeric mode, ctnn_per_eigen (< 1: ctnn faster) and both ns/forward.
set -euo pipefail
cd "$(dirname "$0")/../.."
install=0
native=0
reps=3
while [ $# -gt 0 ]; do
  case $1 in
    --install) install=1; shift ;;
    --native) native=1; shift ;;
    --reps) reps=${2:?--reps needs a count}; shift 2 ;;
    -h|--help) sed -n '3,11p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ "$install" = 1 ] && apt-get install -y libeigen3-dev >/dev/null
archs=(x86-64-v3)
[ "$native" = 1 ] && archs+=(native)
for arch in "${archs[@]}"; do
  dir=build/eigen-$arch
  cmake --preset dev -B "$dir" -DCTNN_BENCH_EIGEN=ON -DCTNN_HOST_ARCH="$arch" >/dev/null
  cmake --build "$dir" -j2 --target ctnn_eigen_compare >/dev/null
  echo "== CTNN_HOST_ARCH=$arch ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  "$dir/benchmarks/ctnn_eigen_compare" --benchmark_repetitions="$reps" \
      --benchmark_report_aggregates_only=true 2>/dev/null |
    awk '/_median/ { name=$1; sub(/_median$/, "", name); r=""; c=""; e="";
                     for (i = 1; i <= NF; ++i) { if ($i ~ /^ctnn_per_eigen=/) r=$i;
                       if ($i ~ /^ctnn_ns=/) c=$i; if ($i ~ /^eigen_ns=/) e=$i }
                     printf "%-28s %s %s %s\n", name, r, c, e }'
done
