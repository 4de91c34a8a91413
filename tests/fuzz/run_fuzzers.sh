#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan) and runs each for a
# bounded time, starting from the committed seed corpus. Prints the executions each ran;
# exits non-zero on a finding (crash, sanitizer report, leak, timeout, unexpected
# exception), leaving the reproducer in <build dir>/fuzz-findings/.
#
# Usage: tests/fuzz/run_fuzzers.sh [--seconds N] [--build-dir DIR] [--no-build]
#   --seconds N      time per target (default 20)
#   --build-dir DIR  build directory (default build/fuzz, the preset's own)
#   --no-build       use DIR as already built
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=20
build_dir="$root/build/fuzz"
build=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "run_fuzzers.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
targets=(idx csv checkpoint resume)

if [ "$build" = 1 ]; then
  (cd "$root" && cmake --preset fuzz -B "$build_dir" >/dev/null) || {
    echo "run_fuzzers.sh: configuring the fuzz preset failed (is clang installed?)" >&2; exit 2; }
fi
# ctnn-import's target exists where libonnx-dev and protobuf are installed (CI has them).
# (grep without -q: an early exit would fail the pipeline under pipefail.)
if cmake --build "$build_dir" --target help 2>/dev/null | grep ' fuzz_onnx$' >/dev/null; then
  targets+=(onnx)
fi
if [ "$build" = 1 ]; then
  cmake --build "$build_dir" -j "${CTNN_JOBS:-2}" --target "${targets[@]/#/fuzz_}" || {
    echo "run_fuzzers.sh: building the fuzz targets failed" >&2; exit 2; }
fi

findings="$build_dir/fuzz-findings"
mkdir -p "$findings"
status=0
for t in "${targets[@]}"; do
  exe="$build_dir/tests/fuzz/fuzz_$t"
  if [ ! -x "$exe" ]; then echo "run_fuzzers.sh: $exe is missing" >&2; status=1; continue; fi
  # New inputs go to a scratch corpus; the committed seeds are only read.
  work=$(mktemp -d)
  log="$findings/fuzz_$t.log"
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$findings/$t-" "$work" "$root/tests/fuzz/corpus/$t" \
    >"$log" 2>&1
  rc=$?
  rm -rf "$work"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: ${runs:-?} executions in ${seconds} s, no finding"
  else
    echo "fuzz_$t: FINDING after ${runs:-?} executions (exit $rc); log: $log"
    grep -E 'ERROR|SUMMARY|fuzz:|Test unit written' "$log" | head -n 20
    status=1
  fi
done
exit $status
