#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a "from scratch" notebook's algorithm in NumPy (notebook.py) and with its ctnn
trainer, back to back on the same data, and prints both accuracies, both times and the
difference. Exit status 0 when the test accuracies agree within --tolerance points (and the
dev accuracies too, with --check-dev), 1 when not, 2 on bad arguments or a failed run.

  compare.py 784-10-10 --bin build/release/host_tools
  compare.py 784-64-32-10 --bin build/dev/host_tools --iterations 100 --draws numpy
  compare.py 784-64-10 --trainer path/to/ctnn-train-scratch-64 --data ~/mnist \
      --limit-train 600 --limit-test 1000 --dev 100 --iterations 20

The ctnn command is printed in full: it is the notebook from the command line.
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # run from the source tree (tests too): leave no __pycache__
import notebook  # noqa: E402


def blas_in_use():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in os.path.basename(path) and ".so" in path:
                libs.add(os.path.realpath(path))
    return ", ".join(sorted(libs)) or "unknown"


def trainer_command(a, nb, trainer, out):
    """The ctnn trainer's command line for the notebook's algorithm."""
    cmd = [trainer, "--data", a.data]
    if nb["init"] == "uniform":
        cmd += ["--init", "uniform", "--init-range", "0.5"]  # weights and biases
    else:
        cmd += ["--init", "lecun", "--bias-init", "normal"]
    cmd += ["--loss", "ce", "--optimizer", "gd", "--batch", "0", "--lr", f"{a.lr:g}",
            "--epochs", str(a.iterations)]
    if a.dev:
        cmd += ["--validation", str(a.dev)]
    if a.limit_train:
        cmd += ["--limit-train", str(a.limit_train)]
    if a.limit_test:
        cmd += ["--limit-test", str(a.limit_test)]
    cmd += ["--seed", str(a.seed), "--log-every", str(max(1, a.iterations // 5))]
    if a.threads:
        cmd += ["--threads", str(a.threads)]
    return cmd + ["--out", out]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebook", choices=sorted(notebook.NOTEBOOKS))
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--bin", help="folder holding the ctnn-train-scratch-* trainers")
    where.add_argument("--trainer", help="the ctnn trainer to run")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="MNIST-format folder (train-/t10k- images and labels, .gz or not)")
    p.add_argument("--iterations", type=int, help="full-batch steps (default: the notebook's)")
    p.add_argument("--lr", type=float, help="learning rate (default: the notebook's)")
    p.add_argument("--dev", type=int, help="held-out dev samples (default: the notebook's)")
    p.add_argument("--limit-train", type=int, default=0, help="first N training samples only")
    p.add_argument("--limit-test", type=int, default=0, help="first N test samples only")
    p.add_argument("--draws", choices=["ctnn", "numpy"], default="ctnn",
                   help="NumPy's initial weights: ctnn's draws for --seed (the same numbers) "
                        "or np.random.seed(seed) (the same family, other numbers)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=0, help="ctnn's threads (default: all)")
    p.add_argument("--tolerance", type=float, default=0.5, help="points of accuracy")
    p.add_argument("--check-dev", action="store_true",
                   help="hold the dev accuracies to --tolerance too")
    a = p.parse_args()
    nb = notebook.NOTEBOOKS[a.notebook]
    a.iterations = nb["iterations"] if a.iterations is None else a.iterations
    a.lr = nb["lr"] if a.lr is None else a.lr
    a.dev = nb["dev"] if a.dev is None else a.dev
    if a.iterations < 1 or a.dev < 0 or a.limit_train < 0 or a.limit_test < 0:
        p.error("--iterations must be positive; --dev and the limits not negative")
    trainer = a.trainer or os.path.join(a.bin, nb["trainer"])
    if not os.access(trainer, os.X_OK):
        print(f"error: {trainer}: not an executable trainer", file=sys.stderr)
        return 2

    hidden = "ReLU" if nb["hidden"] == "relu" else "sigmoid"
    init = ("W, b ~ U(-0.5, 0.5)" if nb["init"] == "uniform"
            else "W ~ N(0, 1) * sqrt(1/n_in), b ~ N(0, 1)")
    print(f"notebook {a.notebook}: {nb['layers']}, {hidden} hidden, softmax output, "
          f"cross-entropy; {init}; full-batch GD, lr {a.lr:g}, {a.iterations} iterations; "
          f"dev {a.dev} (seed {a.seed}); data {a.data}"
          + (f", first {a.limit_train} training" if a.limit_train else "")
          + (f", first {a.limit_test} test samples" if a.limit_test else ""))

    start, cpu = time.perf_counter(), time.process_time()
    try:
        np_result = notebook.run(a.notebook, a.data, a.iterations, a.limit_train, a.limit_test,
                                 a.dev, a.draws, a.seed, a.lr)
    except (notebook.DataError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    np_wall, np_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"numpy: draws {a.draws}, float64, BLAS {blas_in_use()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    with tempfile.TemporaryDirectory(prefix="ctnn-compare-") as work:
        cmd = trainer_command(a, nb, trainer, os.path.join(work, "run.ckpt"))
        print("ctnn:  " + " ".join(shlex.quote(c) for c in cmd))
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(os.path.join(work, "stderr.txt"), "w+") as err:
            run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
            ctnn_wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            ctnn_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if run.returncode != 0:
                err.seek(0)
                print(f"error: the ctnn trainer exited with {run.returncode}:\n{err.read()}",
                      file=sys.stderr)
                return 2
    r = json.loads(run.stdout.strip().splitlines()[-1])
    ctnn_result = {
        "dev_accuracy": r.get("validation_accuracy"), "test_accuracy": r["test_accuracy"],
        "train_accuracy": r.get("train_accuracy"),
        "train_seconds": r["seconds_per_epoch"] * r["epochs_run"],
        "train_samples": r["train_samples"],
    }
    if ctnn_result["train_samples"] != np_result["train_samples"]:
        print(f"error: ctnn trained on {ctnn_result['train_samples']} samples, NumPy on "
              f"{np_result['train_samples']}", file=sys.stderr)
        return 2

    def pct(v):
        return "      -" if v is None else f"{100 * v:7.2f}"

    # train s: the training loop's wall time (each program's own clock); wall s and cpu s:
    # the whole run (loading, training, scoring), cpu s summed over threads.
    print(f"\n{'':10} {'train %':>8} {'dev %':>8} {'test %':>8} {'train s':>9} {'wall s':>8} "
          f"{'cpu s':>8}")
    for name, res, wall, cpu_s in (("numpy", np_result, np_wall, np_cpu),
                                   ("ctnn", ctnn_result, ctnn_wall, ctnn_cpu)):
        print(f"{name:10} {pct(res['train_accuracy']):>8} {pct(res['dev_accuracy']):>8} "
              f"{pct(res['test_accuracy']):>8} {res['train_seconds']:9.2f} {wall:8.2f} "
              f"{cpu_s:8.2f}")
    diffs = {k: 100 * (ctnn_result[k] - np_result[k]) for k in ("train_accuracy",
             "dev_accuracy", "test_accuracy") if np_result[k] is not None}
    print(f"{'ctnn-numpy':10} " + " ".join(
        f"{diffs[k]:+8.2f}" if k in diffs else f"{'-':>8}"
        for k in ("train_accuracy", "dev_accuracy", "test_accuracy")))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    checked = ["test_accuracy"] + (["dev_accuracy"] if a.check_dev and "dev_accuracy" in diffs
                                   else [])
    ok = all(abs(diffs[k]) <= a.tolerance + 1e-9 for k in checked)
    sets = ", ".join(k.split("_")[0] for k in checked)
    print(f"PASS: {sets} accuracy within ±{a.tolerance:g} point" if ok else
          f"FAIL: {sets} accuracy differs by more than {a.tolerance:g} point")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
