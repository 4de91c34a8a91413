#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The trainers' --export-int8 and the exporter's model-type check: int8_export_test.sh
# <case> <ctnn-train-moons> <ctnn-export> <c++ compiler> <ctnn include dir>
# <firmware_example dir> [<boost include flags>...]. Prints "PASS <case>".
set -uo pipefail
case_name=$1 moons=$2 exporter=$3 cxx=$4 include=$5 fw=$6
shift 6
extra=("$@")
work=$(mktemp -d "${TMPDIR:-/tmp}/ctnn-int8-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
here=$(dirname "$(readlink -f "$0")")

fail() { echo "FAIL $case_name: $*"; exit 1; }
run() {
  local want=$1
  shift
  "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" = "$want" ] || { cat err.txt; fail "exit status $got, expected $want: $*"; }
}
json_number() { grep -o "\"$1\":[0-9.e+-]*" out.txt | head -n 1 | cut -d: -f2; }

case $case_name in
  roundtrip)
    # Train moons (tanh, tanh, sigmoid: the integer-exp epilogues), export int8 in the same
    # run, then again from the checkpoint alone: the same bytes; compile the header into a
    # program that checks its CRC and agrees with the float model on the test set.
    run 0 "$moons" --epochs 20 --samples 400 --threads 1 --out m.ckpt --export-int8 a.hpp
    agreement=$(json_number int8_top1_agreement)
    awk -v a="$agreement" 'BEGIN { exit !(a >= 0.97) }' || fail "top-1 agreement $agreement < 0.97"
    run 0 "$moons" --samples 400 --resume m.ckpt --export-int8 b.hpp --calibration-samples 1000
    cmp -s a.hpp b.hpp || fail "exporting from the checkpoint gave other bytes"
    grep -q 'inline constexpr std::uint32_t crc32 = 0x' a.hpp || fail "no CRC in the header"
    grep -q 'static_assert(ctnn::weights_match<model' a.hpp || fail "no signature check"
    cp a.hpp weights.hpp
    "$cxx" -std=c++20 -O1 -Wall -Wextra -Werror -ffp-contract=off -I"$include" -I"$fw" \
      "${extra[@]}" -I. "$here/use_header.cpp" -o use_header 2>err.txt || { cat err.txt; fail "the header does not compile"; }
    ./use_header >out.txt 2>&1 || { cat out.txt; fail "the program using the header failed"; }
    ;;
  bad_options)
    run 0 "$moons" --epochs 2 --samples 100 --threads 1 --out m.ckpt
    run 1 "$moons" --samples 100 --resume m.ckpt --export-int8 x.hpp --calibration-percentile 40
    run 1 "$moons" --samples 100 --resume m.ckpt --export-int8 x.hpp --calibration-samples 0
    [ ! -e x.hpp ] || fail "a refused export left a file"
    mkdir d
    run 2 "$moons" --samples 100 --resume m.ckpt --export-int8 d
    [ -d d ] || fail "the directory was replaced"
    run 2 "$moons" --samples 100 --resume m.ckpt --export-int8 m.ckpt
    grep -q '^error: ' err.txt || fail "no error line for an output that is the checkpoint"
    ;;
  wrong_model_type)
    # The checkpoint records models::moons: another --model-type is refused before any
    # header is written (it would only fail later, in the firmware's compiler).
    run 0 "$moons" --epochs 2 --samples 100 --threads 1 --out m.ckpt
    run 2 "$exporter" m.ckpt -o h.hpp --model-type models::mlp
    grep -q 'trained for models::moons' err.txt || { cat err.txt; fail "no sentence"; }
    [ ! -e h.hpp ] || fail "a header was written"
    run 0 "$exporter" m.ckpt -o h.hpp
    grep -q 'using model = models::moons;' h.hpp || fail "two-argument export lost the type"
    ;;
  *) fail "unknown case" ;;
esac
echo "PASS $case_name"
