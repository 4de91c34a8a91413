#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command-line walk of docs/from_scratch.md ("11. The notebook from the command line"),
# shortened: from_scratch_cli.sh <ctnn-train-moons>. Prints "PASS from_scratch_cli".
set -uo pipefail
moons=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/ctnn-scratch-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL from_scratch_cli: $*"; exit 1; }
acc() { sed -nE 's/.*"test_accuracy":([0-9.]+).*/\1/p' out.json; }
at_least() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }'; }

# 1. The notebook's algorithm: uniform(-0.5, 0.5) weights and biases, BCE, full-batch GD
#    (docs: 1000 iterations; here 300), a line every 100 iterations.
"$moons" --init uniform --init-range 0.5 --optimizer gd --batch 0 --lr 1 --epochs 300 \
  --log-every 100 --out gd.ckpt --report moons.html >out.json 2>err.txt || fail "gd run"
at_least "$(acc)" 0.97 || fail "full-batch GD: test accuracy $(acc)"
[ "$(grep -c '^epoch ' err.txt)" = 3 ] || fail "--log-every 100 printed $(grep -c '^epoch ' err.txt) lines"
grep -qF 'id="decision-boundary"' moons.html || fail "no decision boundary in the report"
# 2. The same with MSE (docs: 2000 iterations; here 600).
"$moons" --init uniform --init-range 0.5 --loss mse --optimizer gd --batch 0 --lr 1 \
  --epochs 600 --out mse.ckpt >out.json 2>err.txt || fail "mse run"
at_least "$(acc)" 0.97 || fail "MSE: test accuracy $(acc)"
# 3. Circles, with its decision boundary (docs: 40 epochs; here 20).
"$moons" --synthetic circles --epochs 20 --out circles.ckpt --report circles.html \
  >out.json 2>err.txt || fail "circles run"
at_least "$(acc)" 0.95 || fail "circles: test accuracy $(acc)"
grep -qF 'id="decision-boundary"' circles.html || fail "no decision boundary for circles"
# 4. Predictions for new points with the trained checkpoint.
printf 'x,y\n-1,0.5\n2,-0.3\n' >points.csv
"$moons" --predict gd.ckpt --csv points.csv >pred.csv 2>err.txt || fail "predict"
[ "$(cut -d, -f1,2 pred.csv | tr '\n' ' ')" = "index,predicted 0,0 1,1 " ] ||
  fail "predictions: $(cat pred.csv)"
echo "PASS from_scratch_cli"
