#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per forward pass, counted by valgrind --tool=callgrind (deterministic).
#
# For each network, runs ctnn_callgrind_forward with 0 and with N forward passes,
# collecting only inside ctnn_callgrind_window<…>, and prints (I_N − I_0) / N.
#
# Usage: callgrind_counts.sh [--exe PATH | --preset NAME [--build-dir DIR]] [-n N]
#                            [--valgrind PATH] [--max NETWORK=LIMIT]... [NETWORK...]
#   --exe       an already built ctnn_callgrind_forward
#   --preset    configure and build it with this CMake preset (default: dev) in
#               --build-dir (default: build/callgrind-<preset>)
#   --max       fail (exit 1) if NETWORK needs more than LIMIT instructions per forward;
#               NETWORK is then measured even if not listed
#   NETWORK     e.g. 784-128-64-10/fused (default: all; see ctnn_callgrind_forward --list)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=""
preset=dev
build_dir=""
n=20
valgrind=valgrind
declare -A limit=()
nets=()
die() { echo "callgrind_counts.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --exe) exe=${2:?--exe needs a path}; shift 2 ;;
    --preset) preset=${2:?--preset needs a name}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    -n) n=${2:?-n needs a count}; shift 2 ;;
    --valgrind) valgrind=${2:?--valgrind needs a path}; shift 2 ;;
    --max)
      [[ ${2:-} =~ ^([^=]+)=([0-9]+)$ ]] || die "--max expects NETWORK=LIMIT, got '${2:-}'"
      limit[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
      shift 2 ;;
    -h|--help) sed -n '3,15p' "$0"; exit 0 ;;
    -*) die "unknown option '$1'" ;;
    *) nets+=("$1"); shift ;;
  esac
done
[[ $n =~ ^[1-9][0-9]*$ ]] || die "-n expects a positive integer, got '$n'"
command -v "$valgrind" >/dev/null || die "valgrind not found ('$valgrind')"

if [ -z "$exe" ]; then
  build_dir=${build_dir:-$here/../build/callgrind-$preset}
  (cd "$here/.." && cmake --preset "$preset" -B "$build_dir" -DCTNN_BUILD_TESTS=OFF \
    -DCTNN_BUILD_TOOLS=OFF -DCTNN_BUILD_FIRMWARE=OFF >/dev/null) || die "configure failed"
  cmake --build "$build_dir" --target ctnn_callgrind_forward >/dev/null || die "build failed"
  exe=$build_dir/benchmarks/ctnn_callgrind_forward
fi
[ -x "$exe" ] || die "not an executable: $exe"

for net in "${!limit[@]}"; do
  [[ " ${nets[*]} " == *" $net "* ]] || nets+=("$net")
done
mapfile -t known < <("$exe" --list)
if [ ${#nets[@]} -eq 0 ]; then nets=("${known[@]}"); fi
for net in "${nets[@]}"; do
  [[ " ${known[*]} " == *" $net "* ]] || die "unknown network '$net' (known: ${known[*]})"
done

# Instructions collected inside the window for one run of <network> <count>.
collect() {
  local out
  out=$("$valgrind" --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect='*ctnn_callgrind_window*' "$exe" "$1" "$2" 2>&1) ||
    { echo "$out" >&2; die "valgrind failed on $1"; }
  sed -n -E 's/^==[0-9]+== Collected : ([0-9]+)$/\1/p' <<<"$out"
}

status=0
printf '%-26s %14s\n' network instructions/forward
for net in "${nets[@]}"; do
  base=$(collect "$net" 0)
  total=$(collect "$net" "$n")
  [ -n "$base" ] && [ -n "$total" ] || die "no instruction count for $net"
  per=$(((total - base + n / 2) / n))
  verdict=""
  if [ -n "${limit[$net]:-}" ]; then
    if [ "$per" -le "${limit[$net]}" ]; then verdict="ok (limit ${limit[$net]})"
    else verdict="OVER LIMIT ${limit[$net]}"; status=1; fi
  fi
  printf '%-26s %14d  %s\n' "$net" "$per" "$verdict"
done
exit $status
