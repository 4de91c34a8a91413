#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The other way (issue 14 item 5): ctnn-import's --checkpoint of a PyTorch model, written
# back as ONNX by ctnn-to-onnx and imported again, gives the same ctnn model: the same
# signature and a byte-identical weights header (every parameter bit, the CRC). Also the
# refusals of ctnn-to-onnx (one line, exit 2); onnx.checker accepts what it writes.
# usage: round_trip.sh MODEL IMPORTER TO_ONNX GEN PYTHON
set -uo pipefail
model=$1 importer=$2 to_onnx=$3 gen=$4 python=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL $model: $*"; exit 1; }

if [ "$model" = garbage_refused ]; then  # not a checkpoint: one line, exit 2, no file
  head -c 3000 /dev/urandom >"$work/g.ckpt"
  "$to_onnx" "$work/g.ckpt" -o "$work/g.onnx" 2>"$work/err"
  status=$?
  [ $status = 2 ] || fail "exit $status, expected 2"
  [ "$(wc -l <"$work/err")" = 1 ] && grep -q "^ctnn-to-onnx: error: .*g.ckpt" "$work/err" ||
    fail "unexpected message: $(head -c 400 "$work/err")"
  [ ! -e "$work/g.onnx" ] || fail "left a file behind"
  echo "PASS $model: $(cat "$work/err")"
  exit 0
fi

mkdir -p "$work/a" "$work/b"
"$importer" "$gen/$model.onnx" -o "$work/a" --name rt::"$model" --checkpoint "$work/$model.ckpt" \
  2>"$work/err" || fail "first import: $(cat "$work/err")"
"$to_onnx" "$work/$model.ckpt" -o "$work/b/$model.onnx" 2>"$work/err" ||
  fail "ctnn-to-onnx: $(cat "$work/err")"
"$python" -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' \
  "$work/b/$model.onnx" 2>"$work/err" || fail "onnx.checker: $(tail -3 "$work/err")"
"$importer" "$work/b/$model.onnx" -o "$work/b" --name rt::"$model" 2>"$work/err" ||
  fail "second import: $(cat "$work/err")"
sig() { grep -o 'signature for this type: .*' "$1"; }
[ "$(sig "$work/a/$model.hpp")" = "$(sig "$work/b/$model.hpp")" ] ||
  fail "signatures differ: $(sig "$work/a/$model.hpp") vs $(sig "$work/b/$model.hpp")"
cmp -s "$work/a/${model}_weights.hpp" "$work/b/${model}_weights.hpp" ||
  fail "weights headers differ: $(diff "$work/a/${model}_weights.hpp" "$work/b/${model}_weights.hpp" | head -5)"
echo "PASS $model: $(sig "$work/b/$model.hpp"), weights header identical"
