#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctnn-import's refusals (issue 14, docs/import.md): each case must print exactly one line
# "ctnn-import: error: ..." matching the expected text, exit with the documented status and
# leave no header behind. usage: import_errors.sh CASE CTNN_IMPORT GENERATED_DIR
set -uo pipefail
case_name=$1 importer=$2 gen=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL $case_name: $*"; exit 1; }

# expect STATUS REGEX ARGS...: runs the importer with ARGS into $work/out.
expect() {
  local status=$1 regex=$2
  shift 2
  "$importer" "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  [ "$got" = "$status" ] || fail "exit $got, expected $status; stderr: $(head -c 600 "$work/stderr")"
  [ "$(wc -l <"$work/stderr")" = 1 ] || fail "stderr is not one line: $(head -c 600 "$work/stderr")"
  grep -Eq "^ctnn-import: error: .*$regex" "$work/stderr" ||
    fail "message does not match '$regex': $(cat "$work/stderr")"
  if [ -d "$work/out" ] && [ -n "$(ls -A "$work/out")" ]; then
    fail "left files behind: $(ls "$work/out")"
  fi
  echo "PASS $case_name: $(cat "$work/stderr")"
}

bad="$gen/bad"
case $case_name in
  unknown_op) expect 2 "node 'erf1' \(Erf\): operator not supported" "$bad/unknown_op.onnx" -o "$work/out" ;;
  wrong_opset) expect 2 "uses opset 99; ctnn-import reads opsets" "$bad/wrong_opset.onnx" -o "$work/out" ;;
  dynamic_shape) expect 2 "input 'x' has a dynamic dimension 1 \('features'\)" "$bad/dynamic_features.onnx" -o "$work/out" ;;
  mismatched_initializer) expect 2 "node 'fc' \(Gemm\): its weight B is \[4, 7\].*mismatched initializer shape" "$bad/mismatched_initializer.onnx" -o "$work/out" ;;
  branch) expect 2 "node 'fc2' \(Gemm\) and node 'fc3' \(Gemm\) both read 'r': ctnn imports chains and residual blocks only" "$bad/branch.onnx" -o "$work/out" ;;
  residual_shape) expect 2 "node 'residual' \(Add\): adds the skip \[N, 4\] to the body's \[N, 3\]: a residual block needs equal shapes" "$bad/residual_shape.onnx" -o "$work/out" ;;
  batchnorm_training) expect 2 "node 'bn_training' \(BatchNormalization\): training_mode=1: export the model in eval mode" "$bad/batchnorm_training.onnx" -o "$work/out" ;;
  int8_no_data) expect 1 "--int8 needs --calibration-data" "$gen/mlp.onnx" -o "$work/out" --int8 ;;
  int8_bad_percentile) expect 1 "calibration-percentile" "$gen/mlp.onnx" -o "$work/out" --int8 --calibration-data "$work" --calibration-percentile 40 ;;
  int8_missing_data) expect 2 "no-such-dir" "$gen/mlp.onnx" -o "$work/out" --int8 --calibration-data "$work/no-such-dir" ;;
  int8_wrong_width)
    printf '1,2,3\n4,5,6\n' >"$work/three.csv"
    expect 2 "three.csv.*3 values per sample but the model takes 784" "$gen/mlp.onnx" -o "$work/out" --int8 --calibration-data "$work/three.csv" ;;
  int8_compiler_fails)
    printf '#!/bin/sh\necho "note: first"\necho "calibrate.cpp:1:1: error: boom" >&2\nexit 3\n' >"$work/cxx"
    chmod +x "$work/cxx"
    printf '1,2\n' >"$work/two.csv"
    expect 2 "cxx: compiling the --int8 calibration program failed \(exit 3\): calibrate.cpp:1:1: error: boom" "$gen/mlp.onnx" -o "$work/out" --int8 --calibration-data "$work/two.csv" --cxx "$work/cxx" ;;
  int8_no_compiler) expect 2 "cannot run the C\+\+ compiler for --int8" "$gen/mlp.onnx" -o "$work/out" --int8 --calibration-data "$work" --cxx "$work/no-such-c++" ;;
  leaky_alpha) expect 2 "node 'leaky' \(LeakyRelu\): alpha 0.014142 is not a ratio" "$bad/leaky_alpha.onnx" -o "$work/out" ;;
  asymmetric_pads) expect 2 "node 'conv_pad' \(Conv\): pads \[0, 0, 1, 1\].*neither 0 \(valid\) nor TensorFlow's 'same'" "$bad/asymmetric_pads.onnx" -o "$work/out" ;;
  grouped_conv) expect 2 "node 'grouped' \(Conv\): group=2: grouped convolutions other than depthwise" "$bad/grouped_conv.onnx" -o "$work/out" ;;
  truncated) expect 2 "truncated.onnx: is not a valid ONNX model \(protobuf parse failed" "$bad/truncated.onnx" -o "$work/out" ;;
  garbage) expect 2 "garbage.onnx: is not a valid ONNX model" "$bad/garbage.onnx" -o "$work/out" ;;
  empty) expect 2 "empty.onnx: is empty" "$bad/empty.onnx" -o "$work/out" ;;
  missing) expect 2 "no-such.onnx: no such file" "$work/no-such.onnx" -o "$work/out" ;;
  directory) expect 2 "is a directory" "$bad" -o "$work/out" ;;
  fifo)
    mkfifo "$work/pipe.onnx"
    expect 2 "pipe.onnx: is a FIFO \(named pipe\), not a regular file" "$work/pipe.onnx" -o "$work/out" ;;
  out_is_file)
    : >"$work/file"
    expect 2 "file: is not a directory" "$gen/mlp.onnx" -o "$work/file" ;;
  no_out) expect 1 "out is required" "$gen/mlp.onnx" ;;
  bad_name) expect 1 "is not a C\+\+ name" "$gen/mlp.onnx" -o "$work/out" --name 'a b; int x' ;;
  bad_mode) expect 1 "--mode" "$gen/mlp.onnx" -o "$work/out" --mode fast ;;
  *) fail "unknown case" ;;
esac
