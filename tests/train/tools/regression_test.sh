#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regression and autoencoder runs of the trainers' command line (float targets, issue 13):
# regression_test.sh <case> <ctnn-test-train-bottleneck> <ctnn-train-moons>.
# Prints "PASS <case>" on success.
set -uo pipefail
case_name=$1
bottleneck=$2
moons=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ctnn-regression-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fail() { echo "FAIL $case_name: $*"; exit 1; }
# run <expected status> <command...>: stdout → out.txt, stderr → err.txt.
run() {
  local want=$1
  shift
  "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" = "$want" ] || { cat err.txt; fail "exit status $got, expected $want: $*"; }
}
# refused <status> <problem text> <command...>: that status, one "error: " line holding the
# problem, nothing on stdout.
refused() {
  local want=$1 problem=$2
  shift 2
  run "$want" "$@"
  [ "$(grep -c 'error: ' err.txt)" = 1 ] || { cat err.txt; fail "not exactly one error line: $*"; }
  grep -qF -- "$problem" err.txt || { cat err.txt; fail "error lacks '$problem': $*"; }
  [ ! -s out.txt ] || fail "stdout is not empty on error: $*"
}
json_number() { sed -nE "s/.*\"$1\":(-?[0-9.eE+-]+).*/\1/p" out.txt; }
# between <value> <low> <high>
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 > lo + 0 && v + 0 < hi + 0) }'; }

# linear_csv <file> <rows> <sigma>: x1..x4 uniform in [-1, 1]; y = A·(B·x) + c + N(0, sigma²)
# per target (A·B has rank 2, which the bottleneck model represents exactly).
linear_csv() {
  awk -v rows="$2" -v sigma="$3" 'BEGIN {
    srand(7); pi = 3.141592653589793
    print "x1,x2,x3,x4,y1,y2,y3,y4"
    for (r = 0; r < rows; ++r) {
      for (i = 1; i <= 4; ++i) x[i] = 2 * rand() - 1
      u = x[1] - 0.5 * x[2] + 0.25 * x[4]; v = 0.75 * x[3] + x[2]
      y[1] = u + 0.1; y[2] = v - 0.2; y[3] = u - v; y[4] = 0.5 * u + 2 * v + 0.3
      s = x[1] "," x[2] "," x[3] "," x[4]
      for (k = 1; k <= 4; ++k) {  # Box-Muller
        n = sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand()); s = s "," (y[k] + sigma * n)
      }
      print s } }' >"$1"
}

# anomaly_csv <file> <rows>: label 0 ("normal") on a 2-dimensional affine plane in R^4 plus
# small noise, label 1 uniform in [-1, 1]^4.
anomaly_csv() {
  awk -v rows="$2" 'BEGIN {
    srand(11); print "a,b,c,d,label"
    for (r = 0; r < rows; ++r) {
      if (r % 2 == 0) { u = 2 * rand() - 1; v = 2 * rand() - 1
        p[1] = u; p[2] = v; p[3] = 0.5 * (u + v); p[4] = 0.5 * (u - v) + 0.2
        for (i = 1; i <= 4; ++i) p[i] += 0.01 * (rand() - 0.5) }
      else for (i = 1; i <= 4; ++i) p[i] = 2 * rand() - 1
      print p[1] "," p[2] "," p[3] "," p[4] "," (r % 2) } }' >"$1"
}

case $case_name in
  linear)
    # Noise sigma = 0.1 per target: a model that has learnt the map has an expected MSE of
    # sigma² = 0.01 on held-out rows (MAE sigma·sqrt(2/pi) = 0.0798); the 1,600 held-out
    # values put the sample MSE within ±4% (one standard error: sigma²·sqrt(2/1600)) of it.
    # Bounds: 0.7·sigma² < MSE < 1.3·sigma², and the same relative band for the MAE.
    linear_csv data.csv 1400 0.1
    run 0 "$bottleneck" --csv data.csv --target-columns y1,y2,y3,y4 --validation 400 \
      --epochs 40 --batch 16 --lr 0.01 --threads 2 --out r.ckpt --history h.csv
    mse=$(json_number validation_mse)
    mae=$(json_number validation_mae)
    between "$mse" 0.007 0.013 || fail "validation MSE $mse is not near sigma^2 = 0.01"
    between "$mae" 0.056 0.104 || fail "validation MAE $mae is not near 0.0798"
    grep -q '"train_mse":' out.txt || fail "no train_mse in the JSON"
    grep -q '"validation_accuracy"' out.txt && fail "a regression run reports an accuracy"
    head -n 1 h.csv | grep -qx 'epoch,train_mse,train_mae,validation_mse,validation_mae,learning_rate,seconds,test_mse,test_mae' ||
      fail "history header: $(head -n 1 h.csv)"
    [ "$(wc -l <h.csv)" = 41 ] || fail "history rows: $(wc -l <h.csv)"
    # Without noise the same run fits far below the noisy bound.
    linear_csv exact.csv 1400 0
    run 0 "$bottleneck" --csv exact.csv --target-columns 5,6,7,8 --validation 400 \
      --epochs 40 --batch 16 --lr 0.01 --threads 2 --out e.ckpt
    between "$(json_number validation_mse)" -1 0.001 || fail "noise-free MSE $(json_number validation_mse)"
    ;;
  anomaly)
    # The bottleneck autoencoder trained on class 0 (a plane) reconstructs it; class 1 (any
    # point of the cube) mostly not: the held-out AUC is near 1.
    anomaly_csv data.csv 2000
    run 0 "$bottleneck" --csv data.csv --target input --normal-class 0 --validation 600 \
      --epochs 30 --batch 16 --lr 0.01 --threads 2 --out a.ckpt
    between "$(json_number validation_auc)" 0.95 1.0001 || fail "AUC $(json_number validation_auc)"
    normal=$(json_number validation_normal_mse)
    abnormal=$(json_number validation_abnormal_mse)
    awk -v n="$normal" -v a="$abnormal" 'BEGIN { exit !(a > 10 * n) }' ||
      fail "abnormal MSE $abnormal not far above normal $normal"
    grep -qE '"train_samples":(6[0-9][0-9]|7[0-9][0-9])[,}]' out.txt ||
      fail "not trained on class 0 only: $(grep -o '"train_samples":[0-9]*' out.txt)"
    ;;
  refusals)
    linear_csv data.csv 50 0.1
    cut -d, -f1-7 data.csv >seven.csv  # 4 features and 3 targets for a model of 4 outputs
    refused 2 "has 3 target values per sample but the model has 4 outputs" \
      "$bottleneck" --csv seven.csv --target-columns y1,y2,y3
    refused 2 "has no column named 'y9' (--target-columns)" \
      "$bottleneck" --csv data.csv --target-columns y1,y2,y3,y9
    refused 1 "--target input and --target-columns" \
      "$bottleneck" --csv data.csv --target input --target-columns y1,y2,y3,y4
    refused 1 "--target-columns reads --csv" \
      "$bottleneck" --synthetic moons --target-columns 1
    refused 2 "data.csv: has no class labels, so no samples of class 0 to choose" \
      "$bottleneck" --csv data.csv --target-columns y1,y2,y3,y4 --normal-class 0
    refused 1 "--normal-class needs float targets" "$moons" --normal-class 0
    # A class-label loss on a regression set: the moons model (one sigmoid output).
    printf 'a,b,y\n0.1,0.2,0.3\n0.4,0.5,0.6\n' >m.csv
    refused 1 "--loss bce is a class-label loss" \
      "$moons" --csv m.csv --target-columns y --loss bce
    refused 1 "--target input needs as many outputs as inputs" \
      "$moons" --csv m.csv --target input
    anomaly_csv an.csv 40
    refused 2 "has no sample of class 1" \
      "$bottleneck" --csv an.csv --target input --normal-class 1 --limit-train 1
    ;;
  *) fail "unknown case" ;;
esac
echo "PASS $case_name"
