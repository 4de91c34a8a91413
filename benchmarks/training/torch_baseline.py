#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch's side of compare_baseline.sh: the same network, optimiser, batch size, schedule
and epochs as ctnn-bench-fashion's mode, on any MNIST-format directory (train-/t10k-
images/labels-idx?-ubyte[.gz]). Prints one JSON line with the keys ctnn-bench-fashion prints.
Needs Debian's python3-torch and python3-numpy (no pip). Not a test.

  torch_baseline.py DIR mlp|cnn [--threads 2] [--epochs N] [--seed 1]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, kind, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(f">{dims}I", data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, split):
    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(directory, name)):
                return os.path.join(directory, name)
        raise FileNotFoundError(f"{directory}: no {stem}[.gz]")
    x = read_idx(find(f"{split}-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(f"{split}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64),
                         nn.ReLU(), nn.Linear(64, 10))


def cnn():  # firmware_example/models/cnn.hpp
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 6 * 6, 10))


# The modes of ctnn-bench-fashion: (model, default epochs, batch, lr, weight decay, cosine).
MODES = {"mlp": (mlp, 10, 128, 1e-3, 0.0, False), "cnn": (cnn, 30, 64, 3e-3, 5e-4, True)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    make, epochs, batch, lr, decay, cosine = MODES[a.mode]
    epochs = a.epochs or epochs
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    xtr, ytr = load(a.dir, "train")
    xte, yte = load(a.dir, "t10k")
    xtr, xte = xtr.unsqueeze(1), xte.unsqueeze(1)  # N×1×28×28
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)  # L2, as ctnn's
    loss_fn = nn.CrossEntropyLoss()
    seconds, n = 0.0, xtr.shape[0]
    for e in range(epochs):
        if cosine:  # ctnn: min_lr + (lr − min_lr)(1 + cos(π e / epochs)) / 2, min_lr = 0
            for g in opt.param_groups:
                g["lr"] = lr * (1 + np.cos(np.pi * e / epochs)) / 2
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        seconds += time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = float((model(xte).argmax(1) == yte).float().mean())
    print(json.dumps({"tool": "pytorch " + torch.__version__, "mode": a.mode,
                      "threads": a.threads, "epochs": epochs, "batch": batch,
                      "train_seconds": round(seconds, 3),
                      "seconds_per_epoch": round(seconds / epochs, 4),
                      "samples_per_second": round(n * epochs / seconds),
                      "final_train_loss": round(float(loss), 5), "test_accuracy": round(acc, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
