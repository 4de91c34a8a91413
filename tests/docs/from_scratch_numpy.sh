#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ±0.5-point bar of docs/from_scratch.md on a slice: each notebook's algorithm in NumPy
# (benchmarks/from_scratch/notebook.py, no code shared with ctnn) and with its ctnn trainer
# from the command line, from the same initial numbers and the same dev split.
#   from_scratch_numpy.sh <python> <compare.py> <data dir> <scratch-10> <scratch-64> <scratch-64-32>
# Prints "PASS from_scratch_numpy".
set -uo pipefail
python=$1 compare=$2 data=$3 t10=$4 t64=$5 t64_32=$6
fail() { echo "FAIL from_scratch_numpy: $*"; exit 1; }
"$python" -c 'import numpy' 2>/dev/null || fail "$python cannot import numpy (python3-numpy)"
work=$(mktemp -d "${TMPDIR:-/tmp}/ctnn-scratch-np-XXXXXX")
trap 'rm -rf "$work"' EXIT
slice=(--data "$data" --limit-train 400 --limit-test 500 --dev 100 --iterations 20 --check-dev)

# cell <row> <column>: a figure of compare.py's table (columns: train dev test train-s wall-s).
cell() { awk -v r="$1" -v c="$2" '$1 == r { print $(c + 1) }' "$work/out.txt"; }
at_least() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }'; }

for case in "784-10-10:$t10" "784-64-10:$t64" "784-64-32-10:$t64_32"; do
  nb=${case%%:*} trainer=${case#*:}
  "$python" "$compare" "$nb" --trainer "$trainer" "${slice[@]}" >"$work/out.txt" 2>&1 ||
    fail "$nb: $(cat "$work/out.txt")"
  grep -q '^PASS: test, dev accuracy within ±0.5 point' "$work/out.txt" || fail "$nb: no PASS line"
  # Not two untrained networks agreeing: 20 full-batch steps take both well above chance.
  at_least "$(cell numpy 3)" 40 || fail "$nb: NumPy test accuracy $(cell numpy 3) %"
  at_least "$(cell ctnn 3)" 40 || fail "$nb: ctnn test accuracy $(cell ctnn 3) %"
done

# The check can fail: NumPy's own draws (same family, other numbers) end elsewhere on a
# 100-sample dev set after 20 steps, and compare.py says so with exit status 1.
"$python" "$compare" 784-10-10 --trainer "$t10" "${slice[@]}" --draws numpy >"$work/out.txt" 2>&1
status=$?
[ "$status" = 1 ] && grep -q '^FAIL' "$work/out.txt" ||
  fail "other initial numbers agreed within 0.5 points (exit $status): $(cat "$work/out.txt")"
echo "PASS from_scratch_numpy"
