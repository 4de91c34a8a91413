#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite: formatting, the dev preset (host + Cortex-M4 under QEMU), the
# sanitizer preset, the portable (SSE2) preset's instruction gate, bounded fuzzing.
# CTNN_PRESETS and CTNN_FUZZ_SECONDS (0: no fuzzing) narrow it down. Prints one closing line
# "total: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${CTNN_JOBS:-2}
passed=0
failed=0
status=0

step() { echo; echo "==== $*"; }

step "clang-format check"
mapfile -t sources < <(git ls-files '*.hpp' '*.cpp' '*.h' '*.c' 2>/dev/null | grep -v '^tests/compile_fail/' || true)
if [ ${#sources[@]} -gt 0 ]; then
  if clang-format --dry-run --Werror "${sources[@]}"; then
    passed=$((passed + 1))
  else
    echo "clang-format: files above are not formatted (run: clang-format -i <files>)"
    failed=$((failed + 1))
    status=1
  fi
fi

run_preset() {
  local preset=$1
  step "preset $preset"
  # The suite runs after .ci/install-deps: a missing optional tool is an error, never a skip.
  if ! cmake --preset "$preset" -DCTNN_REQUIRE_CORTEX_M=ON -DCTNN_REQUIRE_CLANG=ON \
      -DCTNN_REQUIRE_VALGRIND=ON -DCTNN_REQUIRE_CHROMIUM=ON >"build-$preset.log" 2>&1; then
    cat "build-$preset.log"; echo "configure failed: $preset"; failed=$((failed + 1)); status=1; return
  fi
  rm -f "build-$preset.log"
  if ! cmake --build --preset "$preset" -j "$jobs"; then
    echo "build failed: $preset"; failed=$((failed + 1)); status=1; return
  fi
  local out
  out=$(mktemp)
  ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$out"
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    echo "ctest printed no summary: $preset"; failed=$((failed + 1)); status=1
  else
    local nfail total
    nfail=$(sed -E 's/.*passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    [ "$nfail" = 0 ] || status=1
  fi
  rm -f "$out"
}

for preset in ${CTNN_PRESETS:-dev asan portable}; do
  run_preset "$preset"
done

# Bounded fuzzing (libFuzzer, clang): each target for CTNN_FUZZ_SECONDS, a finding fails.
if [ "${CTNN_FUZZ_SECONDS:-20}" != 0 ]; then
  step "fuzzing (${CTNN_FUZZ_SECONDS:-20} s per target)"
  if bash tests/fuzz/run_fuzzers.sh --seconds "${CTNN_FUZZ_SECONDS:-20}"; then
    passed=$((passed + 1))
  else
    echo "fuzzing failed (findings, if any, are in build/fuzz/fuzz-findings/)"
    failed=$((failed + 1))
    status=1
  fi
fi

echo
echo "total: $passed passed, $failed failed"
exit $status
