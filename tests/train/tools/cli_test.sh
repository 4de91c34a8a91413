#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line tests of the trainers: cli_test.sh <case> <ctnn-train-mlp> <ctnn-train-moons>
# [<ctnn-export> [<ctnn-train-cnn>]].
# Each case builds its inputs in a scratch directory, runs a trainer and checks the exit
# status, the one-line error or the JSON result. Prints "PASS <case>" on success.
set -uo pipefail
case_name=$1
mlp=$2
moons=$3
exporter=${4:-}
cnn=${5:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/ctnn-cli-XXXXXX")
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

# expect_error <file name> <problem text> <command...>: exit 2 and one line "error: …"
# naming both, the last on stderr (progress lines may precede it).
expect_error() {
  local file=$1 problem=$2
  shift 2
  run 2 "$@"
  [ "$(grep -c '^error: ' err.txt)" = 1 ] || { cat err.txt; fail "not exactly one error line"; }
  tail -n 1 err.txt | grep -q '^error: ' || { cat err.txt; fail "the error is not the last line"; }
  grep -qF -- "error: $file" err.txt || { cat err.txt; fail "error does not name $file"; }
  grep -qF -- "$problem" err.txt || { cat err.txt; fail "error lacks: $problem"; }
  [ ! -s out.txt ] || fail "stdout is not empty on error"
}

# refused <status> <problem text> <command...>: that status, one "error: " line holding the
# problem, nothing on stdout, and done within 20 s (a FIFO or a device must not block).
refused() {
  local want=$1 problem=$2
  shift 2
  timeout 20 "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" = "$want" ] || { cat err.txt; fail "exit status $got, expected $want: $*"; }
  [ "$(grep -c 'error: ' err.txt)" = 1 ] || { cat err.txt; fail "not exactly one error line: $*"; }
  grep -qF -- "$problem" err.txt || { cat err.txt; fail "error lacks '$problem': $*"; }
  [ ! -s out.txt ] || fail "stdout is not empty on error: $*"
}

# json_number <key>: the number after "key": in out.txt.
json_number() { sed -nE "s/.*\"$1\":(-?[0-9.eE+-]+).*/\1/p" out.txt; }
# at_least <value> <minimum>
at_least() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }'; }

# be32 <n>: n as 4 big-endian bytes.
be32() {
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) \
    $(($1 >> 8 & 255)) $(($1 & 255)))"
}
# images <file> <count> <rows> <cols> [<pixel bytes, default count*rows*cols>]
images() {
  { printf '\x00\x00\x08\x03'; be32 "$2"; be32 "$3"; be32 "$4"
    head -c "${5:-$(($2 * $3 * $4))}" /dev/urandom; } >"$1"
}
# labels <file> <label...>
labels() {
  local f=$1
  shift
  { printf '\x00\x00\x08\x01'; be32 $#; for l in "$@"; do printf "$(printf '\\x%02x' "$l")"; done; } >"$f"
}
# A valid MNIST-layout directory of 20 training and 10 test images.
mnist_dir() {
  mkdir -p "$1"
  images "$1/train-images-idx3-ubyte" 20 28 28
  labels "$1/train-labels-idx1-ubyte" 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9
  images "$1/t10k-images-idx3-ubyte" 10 28 28
  labels "$1/t10k-labels-idx1-ubyte" 9 8 7 6 5 4 3 2 1 0
}
# csv <file> <rows> [label]: a Kaggle CSV with 784 pixel columns (labelled if $3 = label).
csv() {
  awk -v rows="$2" -v lab="${3:-}" 'BEGIN {
    srand(1); h = lab ? "label," : ""; for (i = 0; i < 784; ++i) h = h "pixel" i (i < 783 ? "," : "");
    print h
    for (r = 0; r < rows; ++r) { s = lab ? (r % 10) "," : ""
      for (i = 0; i < 784; ++i) s = s int(rand() * 256) (i < 783 ? "," : ""); print s } }' >"$1"
}

case $case_name in
help)
  run 0 "$mlp" --help
  for flag in --data --csv --csv-test --submission --epochs --batch --optimizer --lr --seed \
      --threads --validation --init --weight-decay --schedule --patience --out --resume \
      --history --report --loss --init-range --log-every --predict --index --out-predictions \
      --target --target-columns --normal-class --augment; do
    grep -qF -- "$flag" out.txt || fail "--help lacks $flag"
  done
  grep -qF "ctnn1|f32|fused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)" out.txt ||
    fail "--help does not name the architecture"
  run 1 "$mlp" --optimizer rmsprop
  run 1 "$mlp" --no-such-flag
  ;;
moons_trains)
  run 0 "$moons" --epochs 40 --threads 2 --out m.ckpt --history h.csv
  acc=$(json_number test_accuracy)
  at_least "$acc" 0.97 || fail "moons test accuracy $acc < 0.97"
  for key in seconds_per_epoch samples_per_second parameters_crc32; do
    [ -n "$(json_number $key)" ] || fail "JSON lacks $key"
  done
  [ "$(wc -l <out.txt)" = 1 ] || fail "stdout is not one line"
  [ "$(wc -l <h.csv)" = 41 ] || fail "history has $(wc -l <h.csv) lines, expected 41"
  grep -q "confusion matrix" err.txt || fail "no confusion matrix on stderr"
  grep -q "weighted avg" err.txt || fail "no classification report on stderr"
  grep -q "^epoch 40/40  loss" err.txt || fail "no plain progress lines on stderr"
  [ -s m.ckpt ] || fail "no checkpoint"
  ;;
threads_do_not_change_bits)
  run 0 "$moons" --epochs 3 --samples 300 --threads 1 --out a.ckpt
  one=$(json_number parameters_crc32)
  run 0 "$moons" --epochs 3 --samples 300 --threads 2 --out b.ckpt
  two=$(json_number parameters_crc32)
  [ -n "$one" ] && [ "$one" = "$two" ] || fail "1 thread: $one, 2 threads: $two"
  ;;
kill_and_resume)
  # 400 samples, batch 50: 8 steps per epoch. The uninterrupted reference run:
  run 0 "$moons" --epochs 4 --samples 400 --batch 50 --out ref.ckpt
  want=$(json_number parameters_crc32)
  # Killed with SIGKILL after 20 steps: mid-epoch 3, after epoch 2's checkpoint.
  CTNN_TEST_KILL_AFTER_BATCHES=20 "$moons" --epochs 4 --samples 400 --batch 50 --out run.ckpt \
    >out.txt 2>err.txt
  status=$?
  [ "$status" = 137 ] || fail "expected death by SIGKILL (137), got $status"
  [ -s run.ckpt ] || fail "no checkpoint survived the kill"
  [ "$(ls -A | grep -c tmp)" = 0 ] || fail "a temporary file was left behind"
  grep -q "^epoch 2/4" err.txt || fail "epoch 2 did not finish before the kill"
  ! grep -q "^epoch 3/4" err.txt || fail "epoch 3 finished before the kill"
  run 0 "$moons" --epochs 4 --samples 400 --batch 50 --resume run.ckpt --out run.ckpt \
    --history h.csv
  got=$(json_number parameters_crc32)
  # The history of the first two epochs comes from the checkpoint's metadata.
  [ "$(cut -d, -f1 h.csv | tr '\n' ' ')" = "epoch 1 2 3 4 " ] || fail "history: $(cat h.csv)"
  [ "$(json_number epochs_run)" = 2 ] || fail "resume ran $(json_number epochs_run) epochs, expected 2"
  [ "$got" = "$want" ] || fail "resumed run ends with parameters CRC $got, uninterrupted $want"
  ;;
fashion_slice)
  data=/usr/share/datasets/fashion-mnist
  [ -f $data/train-images-idx3-ubyte.gz ] || { echo "PASS $case_name (skipped: no $data)"; exit 0; }
  run 0 "$mlp" --data $data --limit-train 600 --limit-test 300 --epochs 1 --batch 32 --out f.ckpt
  acc=$(json_number test_accuracy)
  at_least "$acc" 0.4 || fail "test accuracy $acc after 600 samples (chance is 0.1)"
  grep -q "Ankle boot" err.txt || fail "report lacks Fashion-MNIST class names"
  [ "$(json_number test_samples)" = 300 ] || fail "test_samples != 300"
  ;;
mnist_layout_gz)
  mnist_dir d
  gzip d/train-images-idx3-ubyte d/t10k-labels-idx1-ubyte
  run 0 "$mlp" --data d --epochs 1 --out g.ckpt
  [ "$(json_number test_samples)" = 10 ] || fail "test_samples != 10"
  ;;
kaggle_csv)
  csv train.csv 30 label
  csv test.csv 7
  run 0 "$mlp" --csv train.csv --validation 10 --csv-test test.csv --submission s.csv --epochs 1 \
    --out k.ckpt
  [ "$(head -1 s.csv)" = "ImageId,Label" ] || fail "submission header"
  [ "$(wc -l <s.csv)" = 8 ] || fail "submission has $(wc -l <s.csv) lines, expected 8"
  awk -F, 'NR > 1 && ($1 != NR - 1 || $2 !~ /^[0-9]$/) { exit 1 }' s.csv || fail "submission rows"
  [ "$(json_number validation_samples)" = 10 ] || fail "validation set not scored"
  ;;
bad_magic)
  mnist_dir d
  labels d/train-images-idx3-ubyte 1 2 3
  expect_error d/train-images-idx3-ubyte "wrong magic 0x00000801" "$mlp" --data d
  ;;
bad_truncated)
  mnist_dir d
  images d/train-images-idx3-ubyte 20 28 28 1000
  expect_error d/train-images-idx3-ubyte "truncated" "$mlp" --data d
  ;;
bad_count_mismatch)
  mnist_dir d
  labels d/t10k-labels-idx1-ubyte 1 2 3
  expect_error d/t10k-labels-idx1-ubyte "holds 3 labels but" "$mlp" --data d
  ;;
bad_image_size)
  mnist_dir d
  images d/train-images-idx3-ubyte 20 32 32
  expect_error "d/train" "samples have 1024 values but the model expects 784 inputs" "$mlp" --data d
  ;;
bad_label_range)
  mnist_dir d
  labels d/train-labels-idx1-ubyte 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 10
  expect_error d/train-labels-idx1-ubyte "label 10 of sample 19 is out of range" "$mlp" --data d
  ;;
bad_csv_cell)
  csv train.csv 3 label
  sed -i '3s/^\([0-9]*\),[0-9]*,/\1,abc,/' train.csv
  expect_error train.csv:3 "column 2 (pixel0): 'abc' is not a finite number" "$mlp" --csv train.csv
  ;;
bad_csv_missing_cell)
  csv train.csv 3 label
  sed -i '4s/,[0-9]*$//' train.csv
  expect_error train.csv:4 "expected 785 cells, found 784" "$mlp" --csv train.csv
  ;;
bad_empty_and_missing)
  mnist_dir d
  : >d/t10k-images-idx3-ubyte
  expect_error d/t10k-images-idx3-ubyte "empty file" "$mlp" --data d
  expect_error nowhere "not a directory" "$mlp" --data nowhere
  : >empty.csv
  expect_error empty.csv "empty file" "$mlp" --csv empty.csv
  expect_error missing.csv "no such file" "$mlp" --csv missing.csv
  ;;
bad_checkpoint)
  run 0 "$moons" --epochs 1 --samples 100 --out m.ckpt
  # Foreign: a moons checkpoint given to the MNIST trainer names both architectures.
  mnist_dir d
  expect_error m.ckpt "checkpoint is for architecture 'ctnn1|f32|fused|in(1x1x2)|dense(16,tanh)" \
    "$mlp" --data d --resume m.ckpt
  grep -qF "but this program uses 'ctnn1|f32|fused|in(1x1x784)" err.txt || fail "own signature"
  # Corrupt: one flipped byte in the parameters.
  cp m.ckpt c.ckpt
  printf '\x55' | dd of=c.ckpt bs=1 seek=200 conv=notrunc status=none
  expect_error c.ckpt "corrupt: CRC-32 mismatch" "$moons" --resume c.ckpt --out o.ckpt
  head -c 150 m.ckpt >t.ckpt
  expect_error t.ckpt "truncated" "$moons" --resume t.ckpt --out o.ckpt
  echo "not a checkpoint" >n.ckpt
  expect_error n.ckpt "wrong magic" "$moons" --resume n.ckpt --out o.ckpt
  # Another optimiser than the one saved.
  expect_error m.ckpt "optimiser" "$moons" --resume m.ckpt --optimizer sgd --out o.ckpt
  ;;
bad_output)
  expect_error nodir/x.ckpt "cannot create a temporary file" "$moons" --epochs 1 --out nodir/x.ckpt
  ;;
diverges)
  run 3 "$moons" --epochs 3 --optimizer sgd --lr 1e38 --out d.ckpt
  grep -q "^error: training diverged in epoch 1 .*no checkpoint was written; try a smaller learning rate" \
    err.txt || { cat err.txt; fail "divergence message"; }
  [ ! -e d.ckpt ] || fail "a diverged first epoch wrote a checkpoint"
  # Two good epochs, then a resumed run that diverges: the good checkpoint stays intact.
  run 0 "$moons" --epochs 2 --optimizer sgd --lr 0.1 --out g.ckpt
  cp g.ckpt before.ckpt
  run 3 "$moons" --epochs 4 --optimizer sgd --lr 1e38 --resume g.ckpt --out g.ckpt
  grep -qF "g.ckpt keeps the last good state (epoch 2)" err.txt || { cat err.txt; fail "kept"; }
  cmp -s g.ckpt before.ckpt || fail "the last good checkpoint was modified"
  ;;
report)
  mnist_dir d
  run 0 "$mlp" --data d --epochs 2 --validation 5 --out r.ckpt --report r.html
  grep -q '"report":"r.html"' out.txt || fail "JSON lacks the report"
  for want in "<svg" "data:image/png;base64," "Training curves" "Test results by class" \
      "Misclassified test images" "dense(128,relu)"; do
    grep -qF -- "$want" r.html || fail "report lacks $want"
  done
  ! grep -qiE "<script|<link|src=.http|href=.http" r.html || fail "report uses external assets or JS"
  run 0 "$moons" --epochs 3 --out m.ckpt --report m.html
  grep -qF "Test results by class" m.html || fail "moons report lacks the scores"
  # Rendered by a real browser: a screenshot of the requested size that is not blank.
  browser=$(command -v chromium-headless-shell || command -v chromium || true)
  if [ -n "$browser" ]; then
    timeout 90 "$browser" --headless --no-sandbox --disable-dev-shm-usage --disable-gpu \
      --hide-scrollbars --window-size=1000,1400 --screenshot="$work/shot.png" \
      "file://$work/r.html" >/dev/null 2>&1
    [ -s shot.png ] || fail "no screenshot"
    size=$(od -An -tu1 -j16 -N8 shot.png | tr -s ' ' | sed 's/^ //')
    [ "$size" = "0 0 3 232 0 0 5 120" ] || fail "screenshot is not 1000x1400: $size"
    # A blank page compresses to a few kB; the report's charts and images do not.
    [ "$(stat -c %s shot.png)" -gt 40000 ] || fail "screenshot looks blank ($(stat -c %s shot.png) bytes)"
  else
    echo "no chromium: screenshot check skipped"
  fi
  ;;
hardening_outputs)
  # Issue 11, family 1: outputs never replace what they should not.
  mkfifo fifo
  refused 2 "fifo: is a FIFO (named pipe), not a regular file: refusing to replace it" \
    "$moons" --epochs 1 --out fifo
  [ -p fifo ] || fail "the FIFO was replaced"
  mkdir adir
  refused 2 "adir: is a directory" "$moons" --epochs 1 --out m.ckpt --history adir
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
    refused 2 "sock: is a socket" "$moons" --epochs 1 --out m.ckpt --report sock
    [ -S sock ] || fail "the socket was replaced"
  fi
  if [ "$(id -u)" = 0 ]; then
    mknod nulldev c 1 3  # a private twin of /dev/null, inside the scratch directory
    refused 2 "nulldev: is a character device" "$moons" --epochs 1 --out nulldev
    [ -c nulldev ] || fail "the device node was replaced"
  else
    echo "not root: device-node case skipped"
  fi
  # Symlinks are written through: the target changes, the link stays.
  ln -s real.ckpt link.ckpt
  ln -s real.csv link.csv
  run 0 "$moons" --epochs 2 --samples 200 --out link.ckpt --history link.csv
  [ -L link.ckpt ] && [ -f real.ckpt ] || fail "the checkpoint symlink was replaced"
  [ -L link.csv ] && [ "$(wc -l <real.csv)" = 3 ] || fail "the history symlink was replaced"
  # Same file as an input or as another output: refused before any work, input intact.
  csv train.csv 20 label
  cp train.csv before.csv
  ln -s train.csv alias.csv
  refused 2 "is also the input --csv" "$mlp" --csv train.csv --history alias.csv
  refused 2 "is also the input --csv" "$mlp" --csv train.csv --out train.csv
  cmp -s train.csv before.csv || fail "the training CSV was modified"
  mnist_dir d
  refused 2 "is also the input --data" "$mlp" --data d --report d/t10k-labels-idx1-ubyte
  refused 2 "--history and --out name the same file" "$moons" --out x.ckpt --history x.ckpt
  csv test.csv 3
  refused 2 "--submission and --report name the same file" "$mlp" --csv train.csv \
    --csv-test test.csv --report s.csv --submission s.csv
  # The user's umask decides the mode of new files; a stale temporary is cleaned.
  : >.u.ckpt.tmp-AbC123
  (umask 077 && exec "$moons" --epochs 1 --samples 100 --out u.ckpt --history u.csv) \
    >out.txt 2>err.txt || fail "umask run failed"
  [ "$(stat -c %a u.ckpt) $(stat -c %a u.csv)" = "600 600" ] ||
    fail "modes $(stat -c %a u.ckpt) $(stat -c %a u.csv) under umask 077"
  [ ! -e .u.ckpt.tmp-AbC123 ] || fail "the stale temporary file was left"
  # A full disk (RLIMIT_FSIZE: 2 KiB): the OS's reason, the old checkpoint kept, no temp.
  run 0 "$moons" --epochs 1 --samples 100 --out full.ckpt
  cp full.ckpt full.before
  (ulimit -f 2 && exec "$moons" --epochs 1 --samples 100 --out full.ckpt) >out.txt 2>err.txt
  [ $? = 2 ] || { cat err.txt; fail "disk full: expected exit 2"; }
  grep -q "^error: full.ckpt: write failed: File too large" err.txt || { cat err.txt; fail "EFBIG"; }
  cmp -s full.ckpt full.before || fail "the old checkpoint was damaged by the failed write"
  [ "$(ls -A | grep -c '\.tmp-')" = 0 ] || fail "a temporary file was left behind"
  ;;
hardening_inputs)
  # Family 2: inputs that are not regular files, or far larger than their header says.
  mkfifo fifo.csv
  refused 2 "fifo.csv: is a FIFO (named pipe), not a regular file" "$mlp" --csv fifo.csv
  mkfifo fifo.ckpt
  refused 2 "fifo.ckpt: is a FIFO" "$moons" --resume fifo.ckpt --out m.ckpt
  mkdir dir.csv
  refused 2 "dir.csv: is a directory" "$mlp" --csv dir.csv
  mnist_dir d
  mv d/train-labels-idx1-ubyte labels
  ln -s /dev/zero d/train-labels-idx1-ubyte  # only stat()ed: refused before any read
  refused 2 "is a character device, not a regular file" "$mlp" --data d
  rm d/train-labels-idx1-ubyte
  mv labels d/train-labels-idx1-ubyte
  # A gzip bomb: a valid header for 20 images, then 512 MiB. Refused after reading one
  # byte beyond the declared 15680, in little memory and time.
  { images /dev/stdout 20 28 28; head -c 536870912 /dev/zero; } | gzip -1 >d/train-images-idx3-ubyte.gz
  rm d/train-images-idx3-ubyte  # the plain file would be preferred to the .gz
  /usr/bin/time -f "%M %e" -o usage.txt "$mlp" --data d >out.txt 2>err.txt
  [ $? = 2 ] || { cat err.txt; fail "gzip bomb: expected exit 2"; }
  grep -qF "trailing data: more than the 15680 pixel bytes the header declares" err.txt ||
    { cat err.txt; fail "gzip bomb message"; }
  read -r kb secs < <(tail -n 1 usage.txt)
  echo "gzip bomb (512 MiB inflated): refused using ${kb} KiB max RSS in ${secs} s"
  [ "$kb" -lt 100000 ] || fail "gzip bomb used $kb KiB"
  # Trailing garbage after a gzip member is an error; two members are one stream (gzip).
  images part 20 28 28
  head -c 1000 part | gzip >d/train-images-idx3-ubyte.gz
  tail -c +1001 part | gzip >>d/train-images-idx3-ubyte.gz
  run 0 "$mlp" --data d --epochs 1 --out m.ckpt
  printf 'garbage' >>d/train-images-idx3-ubyte.gz
  refused 2 "trailing garbage after the gzip data" "$mlp" --data d
  ;;
hardening_checkpoint)
  # Family 3: checkpoints whose CRC is valid but whose contents are not; resume refuses
  # non-finite parameters.
  command -v python3 >/dev/null || { echo "PASS $case_name (skipped: no python3)"; exit 0; }
  run 0 "$moons" --epochs 1 --samples 100 --out m.ckpt
  # patch <out> <offset> <hex bytes>: writes the bytes, then the true CRC-32 at the end.
  patch() {
    python3 - "$@" <<'PY'
import sys, zlib
out, at, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
b = bytearray(open("m.ckpt", "rb").read())
b[at:at + len(data)] = data
b[-4:] = zlib.crc32(bytes(b[:-4])).to_bytes(4, "little")
open(out, "wb").write(b)
PY
  }
  sig=$(python3 -c 'import struct; print(struct.unpack_from("<I", open("m.ckpt","rb").read(), 36)[0])')
  patch nan.ckpt $((104 + sig)) 0000c07f
  refused 2 "nan.ckpt: parameter 0 is not finite" "$moons" --resume nan.ckpt --out o.ckpt
  patch inf.ckpt $((104 + sig + 4)) 0000807f
  refused 2 "inf.ckpt: parameter 1 is not finite" "$moons" --resume inf.ckpt --out o.ckpt
  patch rng.ckpt 64 "$(printf '00%.0s' $(seq 32))"
  refused 2 "rng.ckpt: the RNG state is all zero" "$moons" --resume rng.ckpt --out o.ckpt
  patch epoch.ckpt 48 ffffffffffffff00
  refused 2 "epoch.ckpt: epoch count" "$moons" --resume epoch.ckpt --out o.ckpt
  patch step.ckpt 56 0000000000000000
  refused 2 "step.ckpt: step count 0 does not fit 1 epochs" "$moons" --resume step.ckpt --out o.ckpt
  patch kind.ckpt 28 09000000
  refused 2 "kind.ckpt: unknown optimiser kind 9" "$moons" --resume kind.ckpt --out o.ckpt
  # The metadata's first byte '{' → '[': valid CRC, not a JSON object.
  meta_at=$(python3 -c 'import struct; b=open("m.ckpt","rb").read(); print(len(b) - 4 - struct.unpack_from("<Q", b, 96)[0])')
  patch meta.ckpt "$meta_at" 5b
  refused 2 "meta.ckpt: metadata is not valid JSON" "$moons" --resume meta.ckpt --out o.ckpt
  [ ! -e o.ckpt ] || fail "a refused resume wrote its output"
  if [ -n "$exporter" ]; then
    refused 2 "nan.ckpt: parameter 0 is not finite" "$exporter" nan.ckpt -o w.hpp \
      --model-header m.hpp --model-type models::moons --namespace w
  fi
  ;;
hardening_text)
  # Family 4: paths that are not UTF-8 work; control bytes and huge cells never reach
  # the terminal raw.
  mnist_dir $'d\xff'
  run 0 "$mlp" --data $'d\xff' --epochs 1 --out $'w\xfe.ckpt' --history $'h\xfd.csv'
  [ -s $'w\xfe.ckpt' ] && [ -s $'h\xfd.csv' ] || fail "non-UTF-8 outputs not written"
  grep -qF '"data":"d' out.txt || fail "JSON result lacks the data path"
  refused 2 'no\x1b[31mred.csv: no such file' "$mlp" --csv $'no\e[31mred.csv'
  ! grep -q $'\e' err.txt || fail "a raw escape byte reached stderr"
  csv big.csv 2 label
  awk 'BEGIN { s = ""; for (i = 0; i < 100000; ++i) s = s "xxxxxxxxxx"; } NR == 2 { sub(/^[0-9]+,[0-9]+,/, "&" s); } { print }' big.csv >bad.csv
  refused 2 "is not a finite number" "$mlp" --csv bad.csv
  [ "$(wc -c <err.txt)" -lt 600 ] || fail "a 1 MB cell was echoed ($(wc -c <err.txt) bytes)"
  ;;
hardening_options)
  # Family 5: every numeric option refuses NaN, Inf, negative, absurd and non-numbers
  # (exit 1, one line naming the valid range).
  for opt in --lr --weight-decay --momentum --gamma --noise --batch --seed --samples --epochs \
      --threads --step-size --patience --validation; do
    case $opt in
      --lr | --weight-decay | --momentum | --gamma | --noise) absurd=1e39 ;;
      *) absurd=99999999999999999999999 ;;
    esac
    for v in nan inf -1 1e400 abc "$absurd"; do
      refused 1 "$opt: '$v' is not" "$moons" "$opt" "$v"
      grep -qE "in [[(]" err.txt || { cat err.txt; fail "$opt $v: no range in the message"; }
    done
  done
  refused 1 "--threads: '100000' is not an integer in [1, " "$moons" --threads 100000
  refused 1 "--momentum: '1' is not a finite number in [0, 1)" "$moons" --momentum 1
  refused 1 "--epochs: '0' is not an integer in [1, 1000000]" "$moons" --epochs 0
  run 0 "$moons" --epochs 1 --samples 50 --lr 0.5 --momentum 0.5 --gamma 1 --seed 0 \
    --threads 1 --out ok.ckpt
  if [ -n "$exporter" ]; then
    run 0 "$moons" --epochs 1 --samples 50 --out m.ckpt
    refused 1 "is not a C++ name" "$exporter" m.ckpt -o w.hpp --model-header m.hpp \
      --model-type 'm; int x' --namespace w
    refused 1 "see --help" "$exporter" m.ckpt
  fi
  ;;
augment_option)
  # --augment (docs/training.md, "Data augmentation"): a bad list is exit 1 with one line;
  # a model whose input is not an image refuses it (exit 1); an image model trains with it
  # and reports it.
  for v in "" rotate flip,flip shift0 shift9 flip, "flip shift2" none,flip; do
    refused 1 "--augment: '$v' is not none or a list of flip and shift1..shift8" \
      "$moons" --augment "$v"
  done
  mnist_dir d
  refused 1 "augmentation 'flip,shift2' transforms images, but this network's input is 1x1x784" \
    "$mlp" --data d --augment flip,shift2 --epochs 1
  if [ -n "$cnn" ]; then
    run 0 "$cnn" --data d --epochs 1 --augment flip,shift2 --out a.ckpt
    grep -qF '"augment":"flip,shift2"' out.txt || fail "the result does not name the augmentation"
    one=$(json_number parameters_crc32)
    run 0 "$cnn" --data d --epochs 1 --augment none --out b.ckpt
    ! grep -qF '"augment"' out.txt || fail "--augment none is reported"
    [ "$one" != "$(json_number parameters_crc32)" ] || fail "--augment changed nothing"
    # Resumed after epoch 1 of 2: the bits of the uninterrupted run.
    run 0 "$cnn" --data d --epochs 2 --batch 8 --augment flip,shift2 --out whole.ckpt
    whole=$(json_number parameters_crc32)
    run 0 "$cnn" --data d --epochs 1 --batch 8 --augment flip,shift2 --out part.ckpt
    run 0 "$cnn" --data d --epochs 2 --batch 8 --augment flip,shift2 --resume part.ckpt \
      --out part.ckpt
    [ "$whole" = "$(json_number parameters_crc32)" ] || fail "resumed run differs from the whole"
  fi
  ;;
hardening_early)
  # Family 6: refusals that used to come late come first.
  if [ -n "$exporter" ]; then
    run 0 "$moons" --epochs 1 --samples 50 --out m.ckpt
    run 0 "$exporter" m.ckpt -o w.hpp --model-header m.hpp --model-type models::moons \
      --namespace w
    grep -qF "static_assert(model::parameter_count == parameter_count" w.hpp ||
      fail "the header does not check the parameter count"
    refused 2 "is also the input checkpoint" "$exporter" m.ckpt -o m.ckpt --model-header m.hpp \
      --model-type models::moons --namespace w
    mkfifo f.hpp
    refused 2 "is a FIFO" "$exporter" m.ckpt -o f.hpp --model-header m.hpp \
      --model-type models::moons --namespace w
  fi
  if [ -n "$cnn" ]; then
    # 14x56 images have 784 pixels, but are not the CNN's 28x28 input.
    mkdir -p d
    images d/train-images-idx3-ubyte 20 14 56
    labels d/train-labels-idx1-ubyte 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9
    images d/t10k-images-idx3-ubyte 10 14 56
    labels d/t10k-labels-idx1-ubyte 9 8 7 6 5 4 3 2 1 0
    refused 2 "images are 14x56 but the model expects 28x28" "$cnn" --data d --epochs 1
  else
    echo "no ctnn-train-cnn: image-shape case skipped"
  fi
  ;;
hardening_csv)
  # Family 7: CSV values outside the 8-bit pixel range are errors; a UTF-8 BOM is fine.
  csv train.csv 12 label
  { printf '\xef\xbb\xbf'; cat train.csv; } >bom.csv
  run 0 "$mlp" --csv bom.csv --validation 4 --epochs 1 --out b.ckpt
  sed '3s/^\([0-9]*\),[0-9]*,/\1,300,/' train.csv >high.csv
  refused 2 "high.csv:3: column 2 (pixel0): '300' is outside 0..255" "$mlp" --csv high.csv
  sed '3s/^\([0-9]*\),[0-9]*,/\1,-0.5,/' train.csv >low.csv
  refused 2 "is outside 0..255" "$mlp" --csv low.csv
  ;;
csv_layout)
  # Issue 12: any CSV layout: the label in any column (by name or number), header or not,
  # ',' ';' or tab; --scale explicit (default ÷255 only for the Kaggle shape), recorded.
  awk 'BEGIN { srand(3); print "x;label;y"
    for (r = 0; r < 200; ++r) { x = rand() * 2000 - 1000; y = rand() * 2000 - 1000
      print x ";" (x + y > 0 ? 1 : 0) ";" y } }' >semi.csv
  run 0 "$moons" --csv semi.csv --delimiter ';' --label-column label --scale 0.001 --validation 50 \
    --epochs 30 --threads 1 --out a.ckpt
  by_name=$(json_number parameters_crc32)
  acc=$(json_number validation_accuracy)
  at_least "$acc" 0.9 || fail "label in column 2: validation accuracy $acc"
  run 0 "$moons" --csv semi.csv --delimiter ';' --label-column 2 --scale 0.001 --validation 50 \
    --epochs 30 --threads 1 --out b.ckpt
  [ "$(json_number parameters_crc32)" = "$by_name" ] || fail "--label-column 2 != --label-column label"
  tail -n +2 semi.csv | tr ';' '\t' >plain.tsv
  run 0 "$moons" --csv plain.tsv --delimiter tab --csv-header no --label-column 2 --scale 0.001 \
    --validation 50 --epochs 30 --threads 1 --out c.ckpt
  [ "$(json_number parameters_crc32)" = "$by_name" ] || fail "headerless tab file trains differently"
  # Predicting a file without the label column; the class names travel to the report.
  cut -d';' -f1,3 semi.csv | head -6 >predict.csv
  run 0 "$moons" --csv semi.csv --delimiter ';' --scale 0.001 --epochs 2 --validation 50 --csv-test predict.csv \
    --submission s.csv --class-names below,above --out d.ckpt
  [ "$(wc -l <s.csv)" = 6 ] || fail "submission has $(wc -l <s.csv) lines, expected 6"
  grep -q "above" err.txt || fail "the report lacks the class names"
  # Values beyond 0..255 are fine once --scale is given, also in the Kaggle shape.
  csv k.csv 12 label
  sed -i '3s/^\([0-9]*\),[0-9]*,/\1,300,/' k.csv
  run 0 "$mlp" --csv k.csv --scale 0.001 --validation 4 --epochs 1 --out k.ckpt
  # Bad layouts: one line, documented status.
  refused 2 "semi.csv: has no column named 'label'" "$moons" --csv semi.csv --delimiter ,
  refused 2 "semi.csv: has no column named 'kind'" "$moons" --csv semi.csv --delimiter ';' \
    --label-column kind
  refused 2 "semi.csv: --label-column 4: the file has 3 columns" "$moons" --csv semi.csv \
    --delimiter ';' --label-column 4
  refused 2 "plain.tsv: has no header line, so no column named 'label'" "$moons" --csv plain.tsv \
    --delimiter tab
  refused 2 "semi.csv:1: column 1: 'x' is not a finite number" "$moons" --csv semi.csv \
    --delimiter ';' --csv-header no --label-column 2
  refused 1 "--label-column none: training needs labels" "$moons" --csv semi.csv --label-column none
  refused 1 "--delimiter" "$moons" --csv semi.csv --delimiter '|'
  refused 1 "--csv-header" "$moons" --csv semi.csv --csv-header maybe
  refused 1 "--class-names: 3 names for a model with 2 classes" "$moons" --class-names a,b,c
  for v in 0 -1 nan inf abc; do
    refused 1 "--scale: '$v' is not a finite number in (0, " "$moons" --scale "$v"
  done
  ;;
export_from_metadata)
  # Issue 12: the checkpoint carries the model's contract; two arguments export it.
  [ -n "$exporter" ] || { echo "PASS $case_name (skipped: no exporter)"; exit 0; }
  run 0 "$moons" --epochs 2 --samples 100 --standardize --out m.ckpt
  run 0 "$exporter" m.ckpt -o w.hpp
  for want in '#include "models/moons.hpp"' 'namespace models::moons_weights {' \
      'using model = models::moons;' 'inline constexpr bool input_standardized = true;' \
      'inline constexpr std::array<float, 2> input_mean' 'constexpr std::array<model::scalar, model::input_size> prepare(' \
      'v = (v - input_mean[i]) / input_std[i];'; do
    grep -qF -- "$want" w.hpp || fail "header lacks: $want"
  done
  # Flags still override.
  run 0 "$exporter" m.ckpt -o o.hpp --namespace my::w --model-header my/moons.hpp
  grep -qF 'namespace my::w {' o.hpp && grep -qF '#include "my/moons.hpp"' o.hpp || fail "override"
  # IDX data: ÷255 by default, recorded and applied by prepare; --scale replaces it.
  mnist_dir d
  run 0 "$mlp" --data d --epochs 1 --out p.ckpt
  run 0 "$exporter" p.ckpt -o p.hpp
  grep -qF 'inline constexpr float input_divisor = 0x1.fep+7f;' p.hpp || fail "no ÷255 in the header"
  grep -qF 'float v = raw[i] / input_divisor;' p.hpp || fail "prepare does not divide by 255"
  run 0 "$mlp" --data d --epochs 1 --scale 0.5 --out q.ckpt
  run 0 "$exporter" q.ckpt -o q.hpp
  grep -qF 'float v = raw[i] * input_scale;' q.hpp && grep -qF 'input_scale = 0x1p-1f;' q.hpp ||
    fail "--scale 0.5 not in the header"
  # The int8 header carries the same transform.
  run 0 "$moons" --samples 100 --standardize --resume m.ckpt --export-int8 i.hpp
  grep -qF 'v = (v - input_mean[i]) / input_std[i];' i.hpp || fail "int8 header lacks prepare"
  command -v python3 >/dev/null || { echo "PASS $case_name (python3 missing: metadata cases skipped)"; exit 0; }
  # with_metadata <out> <json>: m.ckpt with other metadata (sizes and CRC fixed up).
  with_metadata() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
out, meta = sys.argv[1], sys.argv[2].encode()
b = open("m.ckpt", "rb").read()
m = struct.unpack_from("<Q", b, 96)[0]
body = bytearray(b[:len(b) - 4 - m] + meta)
struct.pack_into("<Q", body, 96, len(meta))
struct.pack_into("<Q", body, 16, len(body) + 4)
open(out, "wb").write(bytes(body) + zlib.crc32(bytes(body)).to_bytes(4, "little"))
PY
  }
  with_metadata old.ckpt '{}'
  refused 2 "old.ckpt: the checkpoint does not record the model_header" "$exporter" old.ckpt -o x.hpp
  [ ! -e x.hpp ] || fail "a refused export wrote its output"
  run 0 "$exporter" old.ckpt -o x.hpp --model-header models/moons.hpp --model-type models::moons \
    --namespace w
  with_metadata evil.ckpt '{"model_header":"m.hpp","model_type":"m; int x","weights_namespace":"w"}'
  refused 2 "evil.ckpt: metadata field 'model_type': 'm; int x' is not a C++ name" "$exporter" \
    evil.ckpt -o x2.hpp
  with_metadata evil2.ckpt '{"model_header":"m.hpp\"\n#error","model_type":"m","weights_namespace":"w"}'
  refused 2 "is not an include path" "$exporter" evil2.ckpt -o x3.hpp
  ;;
loss_option)
  # The natural loss by default (same bits as naming it), MSE on request, refusals for
  # pairings the output layer cannot have; the checkpoint records the loss for --resume.
  run 0 "$moons" --epochs 5 --samples 300 --out a.ckpt
  default_crc=$(json_number parameters_crc32)
  grep -qF '"loss":"bce"' out.txt || fail "JSON does not name the loss bce"
  run 0 "$moons" --epochs 5 --samples 300 --out b.ckpt --loss bce
  [ "$(json_number parameters_crc32)" = "$default_crc" ] || fail "--loss bce differs from the default"
  run 0 "$moons" --epochs 40 --out c.ckpt --loss mse
  grep -qF '"loss":"mse"' out.txt || fail "JSON does not name the loss mse"
  acc=$(json_number test_accuracy)
  at_least "$acc" 0.97 || fail "moons with MSE: test accuracy $acc < 0.97"
  [ "$(json_number parameters_crc32)" != "$default_crc" ] || fail "--loss mse changed nothing"
  refused 1 "--loss ce needs a softmax output layer, but this model ends in dense(1,sigmoid): use --loss bce or mse" \
    "$moons" --loss ce --out x.ckpt
  refused 1 "--loss bce needs exactly one sigmoid output, but this model ends in dense(10,softmax): use --loss ce or mse" \
    "$mlp" --loss bce --synthetic moons --out x.ckpt
  refused 1 "--loss" "$moons" --loss hinge
  refused 1 "--loss" "$moons" --loss
  [ ! -e x.ckpt ] || fail "a refused run wrote a checkpoint"
  refused 2 "was trained with --loss mse; resume with the same --loss" \
    "$moons" --resume c.ckpt --epochs 41 --out d.ckpt
  run 0 "$moons" --resume c.ckpt --loss mse --epochs 41 --out d.ckpt
  # Through a file: grep -q would close the pipe early, and pipefail would report the
  # trainer's SIGPIPE as a failure.
  "$moons" --help >help.txt && grep -qF "this model: bce or mse (default bce)" help.txt ||
    fail "--help lacks the allowed losses"
  "$mlp" --help >help.txt && grep -qF "this model: ce or mse (default ce)" help.txt ||
    fail "--help lacks the allowed losses"
  ;;
init_uniform)
  # The notebooks' uniform(-0.5, 0.5) for weights and biases, full-batch GD.
  run 0 "$moons" --init uniform --init-range 0.5 --optimizer gd --batch 0 --lr 1 --epochs 300 \
    --out u.ckpt
  grep -qF '"init":"uniform"' out.txt || fail "JSON does not name the init"
  acc=$(json_number test_accuracy)
  at_least "$acc" 0.97 || fail "uniform init, full-batch GD: test accuracy $acc < 0.97"
  crc=$(json_number parameters_crc32)
  run 0 "$moons" --init uniform --init-range 0.5 --optimizer gd --batch 0 --lr 1 --epochs 300 \
    --out u2.ckpt
  [ "$(json_number parameters_crc32)" = "$crc" ] || fail "uniform init is not reproducible"
  run 0 "$moons" --init uniform --init-range 0.1 --optimizer gd --batch 0 --lr 1 --epochs 300 \
    --out u3.ckpt
  [ "$(json_number parameters_crc32)" != "$crc" ] || fail "--init-range changed nothing"
  run 0 "$moons" --init uniform --bias-init zero --epochs 2 --out u4.ckpt
  run 0 "$moons" --init he --bias-init uniform --init-range 0.2 --epochs 2 --out u5.ckpt
  refused 1 "--init-range is the A of --init uniform and --bias-init uniform; it does nothing with --init he" \
    "$moons" --init he --init-range 0.5 --out x.ckpt
  for bad in 0 -0.5 nan inf abc 1e7; do
    refused 1 "--init-range" "$moons" --init uniform --init-range "$bad" --out x.ckpt
  done
  refused 1 "--init" "$moons" --init gaussian --out x.ckpt
  [ ! -e x.ckpt ] || fail "a refused run wrote a checkpoint"
  ;;
log_every)
  # Full batch: one line per N iterations and the last; the line's time is the history's.
  run 0 "$moons" --optimizer gd --batch 0 --lr 1 --epochs 250 --log-every 100 --out l.ckpt \
    --history h.csv
  [ "$(grep -c '^epoch ' err.txt)" = 3 ] || { cat err.txt; fail "expected 3 progress lines"; }
  grep -q '^epoch 100/250  loss' err.txt || fail "no line at iteration 100"
  grep -q '^epoch 200/250  loss' err.txt || fail "no line at iteration 200"
  grep -q '^epoch 250/250  loss' err.txt || fail "no line at the last iteration"
  [ "$(wc -l <h.csv)" = 251 ] || fail "history lost epochs"
  # Mini-batches: 320 samples / 32 = 10 steps per epoch, a line every 4 steps (4, 8; 12, 16)
  # and the run's last step as the epoch line.
  run 0 "$moons" --samples 320 --batch 32 --epochs 2 --log-every 4 --out l2.ckpt
  [ "$(grep -c '  step ' err.txt)" = 4 ] || { cat err.txt; fail "expected 4 step lines"; }
  grep -q '^epoch 1/2  step 4/10  loss' err.txt || { cat err.txt; fail "no step 4 line"; }
  grep -q '^epoch 2/2  step 6/10  loss' err.txt || { cat err.txt; fail "no step 16 line"; }
  [ "$(grep -c '^epoch [0-9]*/2  loss' err.txt)" = 1 ] || { cat err.txt; fail "expected 1 epoch line"; }
  for bad in 0 -1 abc 1.5; do
    refused 1 "--log-every" "$moons" --log-every "$bad" --out x.ckpt
  done
  ;;
honest_labels)
  # A CSV run with --validation: every figure is called validation, none test.
  csv train.csv 40 label
  run 0 "$mlp" --csv "$work/train.csv" --validation 10 --epochs 2 --out k.ckpt --report k.html \
    --history kh.csv
  [ "$(json_number validation_samples)" = 10 ] || fail "JSON lacks validation_samples"
  [ -n "$(json_number validation_loss)" ] || fail "JSON lacks validation_loss"
  grep -qF '"validation_set":"' out.txt || fail "JSON lacks validation_set"
  grep -qF '"test_accuracy":null' out.txt || fail "test_accuracy is not null without a test set"
  ! grep -qE '"test_(set|samples|loss)"' out.txt || fail "JSON calls the validation set test"
  grep -qF "validation accuracy" k.html || fail "report lacks 'validation accuracy'"
  grep -qF "Validation results by class" k.html || fail "report lacks 'Validation results'"
  ! grep -qiE "test accuracy|test samples|test results|test loss" k.html ||
    fail "report calls the validation set test"
  ! grep -qF "$work" k.html || fail "report shows the local path $work"
  grep -qF "<title>ctnn-train-mlp on train.csv</title>" k.html || fail "report title"
  # The epoch line's time is the trainer's measurement, the one the history records.
  for e in 1 2; do
    line=$(sed -nE "s/^epoch $e\/2 .* ([0-9.]+) s  val_loss.*/\1/p" err.txt)
    hist=$(awk -F, -v e=$e '$1 == e { printf "%.2f", $7 }' kh.csv)
    [ "$line" = "$hist" ] || fail "epoch $e: progress says $line s, history $hist s"
  done
  # The exported header's CRC comment names a check that compiles.
  if [ -n "$exporter" ]; then
    "$exporter" k.ckpt -o k_weights.hpp >/dev/null 2>&1 || fail "export failed"
    grep -qF "ctnn::crc32(weights.values) == crc32" k_weights.hpp || fail "export: CRC comment"
    grep -qF 'dataset = "train.csv";' k_weights.hpp || fail "export: dataset is not the file name"
    ! grep -qF "$work" k_weights.hpp || fail "export: the header shows the local path $work"
  fi
  ;;
predict)
  # Predictions with the checkpoint's own input transform: the same labels as the
  # trainer's own submission for the same file.
  csv train.csv 40 label
  csv test.csv 7
  run 0 "$mlp" --csv train.csv --csv-test test.csv --submission s.csv --epochs 2 --out k.ckpt
  run 0 "$mlp" --predict k.ckpt --csv test.csv
  [ "$(head -1 out.txt)" = "index,predicted,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9" ] ||
    fail "predictions header: $(head -1 out.txt)"
  [ "$(wc -l <out.txt)" = 8 ] || fail "expected 7 predictions"
  diff <(tail -n +2 s.csv | cut -d, -f2) <(tail -n +2 out.txt | cut -d, -f2) >/dev/null ||
    fail "--predict disagrees with the trainer's submission"
  awk -F, 'NR > 1 { s = 0; for (i = 3; i <= NF; ++i) s += $i; if (s < 0.999 || s > 1.001) exit 1 }' \
    out.txt || fail "probabilities do not sum to 1"
  run 0 "$mlp" --predict k.ckpt --csv test.csv --index 3
  [ "$(wc -l <out.txt)" = 2 ] && [ "$(sed -n 2p out.txt | cut -d, -f1)" = 3 ] ||
    fail "--index 3: $(cat out.txt)"
  run 0 "$mlp" --predict k.ckpt --csv test.csv --out-predictions p.csv
  grep -qF '"predictions":"p.csv"' out.txt || fail "JSON lacks the predictions file"
  [ "$(wc -l <p.csv)" = 8 ] || fail "p.csv has $(wc -l <p.csv) lines"
  # IDX test images with labels: a label column and the accuracy.
  mnist_dir d
  run 0 "$mlp" --data d --epochs 1 --out m.ckpt
  run 0 "$mlp" --predict m.ckpt --data d --index 2
  [ "$(head -1 out.txt | cut -d, -f1-3)" = "index,predicted,label" ] || fail "no label column"
  [ "$(sed -n 2p out.txt | cut -d, -f1,3)" = "2,7" ] || fail "--data --index 2: $(cat out.txt)"
  grep -q "^accuracy" err.txt || fail "no accuracy for labelled samples"
  # The moons model: 2 columns, the probabilities of both classes.
  printf 'x,y,label\n-1,0.5,0\n2,-0.3,1\n' >pts.csv
  run 0 "$moons" --epochs 30 --standardize --out mo.ckpt
  run 0 "$moons" --predict mo.ckpt --csv pts.csv
  [ "$(cut -d, -f1-3 out.txt | tr '\n' ' ')" = "index,predicted,label 0,0,0 1,1,1 " ] ||
    fail "moons predictions: $(cat out.txt)"
  # Refusals: one line, exit 1 for the command line, 2 for files.
  refused 1 "--index 7: test.csv has 7 samples (0 to 6)" "$mlp" --predict k.ckpt --csv test.csv --index 7
  refused 1 "--index" "$mlp" --predict k.ckpt --csv test.csv --index -1
  refused 1 "--index and --out-predictions go with --predict CKPT" "$mlp" --csv test.csv --index 1
  refused 1 "--predict needs exactly one of --csv FILE and --data DIR" "$mlp" --predict k.ckpt
  refused 1 "--predict needs exactly one of" "$mlp" --predict k.ckpt --csv test.csv --data d
  refused 2 "nothere.ckpt" "$mlp" --predict nothere.ckpt --csv test.csv
  refused 2 "is also the input --csv" "$mlp" --predict k.ckpt --csv test.csv --out-predictions test.csv
  mkdir outdir
  refused 2 "is a directory" "$mlp" --predict k.ckpt --csv test.csv --out-predictions outdir/
  refused 2 "checkpoint is for architecture" "$moons" --predict k.ckpt --csv pts.csv
  refused 2 "pts.csv" "$mlp" --predict k.ckpt --csv pts.csv
  ;;
report_sections)
  # Moons: the decision boundary and per-epoch test curves; images: one sample's view.
  run 0 "$moons" --epochs 5 --out m.ckpt --report m.html
  grep -qF 'id="decision-boundary"' m.html || fail "moons report lacks the decision boundary"
  grep -qF 'class="legend">test</text>' m.html || fail "moons report lacks the test curves"
  ! grep -qF "One test sample" m.html || fail "moons report has an image view"
  mnist_dir d
  run 0 "$mlp" --data d --epochs 2 --out r.ckpt --report r.html --history h.csv
  grep -qF "One test sample" r.html || fail "image report lacks the single-sample view"
  ! grep -qF 'id="decision-boundary"' r.html || fail "784-input report has a decision boundary"
  awk -F, 'NR > 1 && $9 == "" { exit 1 }' h.csv || fail "history lacks per-epoch test accuracy"
  ! grep -qiE "<script|<link|src=.http|href=.http" m.html r.html || fail "external assets or JS"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS $case_name"
