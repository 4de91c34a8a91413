# SPDX-License-Identifier: MIT
"""The three MNIST "neural network from scratch" notebooks, in NumPy, as they do it.

Columns are samples (X is 784 x m), float64, pixels / 255. Forward: Z = W @ A + b, A = g(Z)
(ReLU or sigmoid hidden layers, softmax output). Loss: cross-entropy. Backward:
dZ_L = A_L - Y, dW = dZ @ A_prev.T / m, db = mean of dZ over the samples (per unit),
dZ_prev = (W.T @ dZ) * g'(Z_prev). Full-batch gradient descent: W -= lr * dW, b -= lr * db,
one step per iteration, on every training sample.

  notebook     layers            hidden   init (W and b)                      lr   its  dev
  784-10-10    [784, 10, 10]     ReLU     U(-0.5, 0.5), U(-0.5, 0.5)          0.1  500  1000
  784-64-10    [784, 64, 10]     sigmoid  U(-0.5, 0.5), U(-0.5, 0.5)          0.5  500  1000
  784-64-32-10 [784, 64, 32, 10] ReLU     N(0, 1) * sqrt(1 / n_in), N(0, 1)   0.1  800  0

dev: training samples held out at random as the notebook's dev set (0: none). The test
set (t10k) is scored too.

Initial draws: `numpy` (np.random.seed(seed), as the notebooks draw) or `ctnn` (the same
numbers ctnn's trainer draws for --seed: xoshiro256** through splitmix64, Marsaglia's polar
method, ctnn's logarithm, written again here from include/ctnn/train/rng.hpp and init.hpp).
The dev set is always the one ctnn's --validation holds out for the same --seed
(include/ctnn/train/data/preprocess.hpp), so that both score the same samples.
Shares no code with ctnn: the port is plain Python integer and float arithmetic.
"""
import gzip
import math
import os
import time

import numpy as np

NOTEBOOKS = {
    "784-10-10": {"layers": [784, 10, 10], "hidden": "relu", "init": "uniform", "lr": 0.1,
                  "iterations": 500, "dev": 1000, "trainer": "ctnn-train-scratch-10"},
    "784-64-10": {"layers": [784, 64, 10], "hidden": "sigmoid", "init": "uniform", "lr": 0.5,
                  "iterations": 500, "dev": 1000, "trainer": "ctnn-train-scratch-64"},
    "784-64-32-10": {"layers": [784, 64, 32, 10], "hidden": "relu", "init": "lecun", "lr": 0.1,
                     "iterations": 800, "dev": 0, "trainer": "ctnn-train-scratch-64-32"},
}

MASK = (1 << 64) - 1


class DataError(Exception):
    """Unusable data or settings (a missing file, a dev set as large as the training set)."""


# --- ctnn's random numbers, written again -------------------------------------------------
def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def _ctnn_log(x):
    """ctnn's detail::log: x = 2^e m, m in [sqrt(1/2), sqrt(2)), 2 atanh(s) as a series."""
    m, e = math.frexp(x)  # x = m 2^e, m in [0.5, 1): the same m and e as the bit split
    m, e = m * 2.0, e - 1
    if m > 1.4142135623730951:
        m *= 0.5
        e += 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = 1.0 / 29.0
    for k in range(13, 0, -1):
        p = 1.0 / (2 * k + 1) + s2 * p
    p = 1.0 + s2 * p
    de = float(e)
    return de * 6.93147180369123816490e-01 + (de * 1.90821492927058770002e-10 + 2.0 * s * p)


class CtnnRng:
    """xoshiro256** seeded through splitmix64, as ctnn::train::rng."""

    def __init__(self, seed):
        self.s, x = [], seed & MASK
        for _ in range(4):
            x, w = _splitmix64(x)
            self.s.append(w)

    def next(self):
        s = self.s
        result = (_rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def uniform(self):
        return float(self.next() >> 11) * 2.0**-53

    def below(self, n):
        threshold = ((1 << 64) - n) % n
        while True:
            x = self.next()
            if x >= threshold:
                return x % n

    def normal(self):
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                return u * math.sqrt(-2.0 * _ctnn_log(s) / s)


def dev_indices(n, count, seed):
    """The samples ctnn's split_validation holds out: a partial Fisher-Yates shuffle."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    order = list(range(n))
    r = CtnnRng(seed ^ 0x76616C6964617465)  # "validate"
    for i in range(count):
        j = i + r.below(n - i)
        order[i], order[j] = order[j], order[i]
    return np.sort(np.array(order[:count], dtype=np.int64))


def init_params(layers, init, draws, seed, init_range=0.5):
    """[(W, b)] with W of shape (n_out, n_in), b of shape (n_out, 1)."""
    params = []
    if draws == "numpy":
        np.random.seed(seed)
        for n_in, n_out in zip(layers[:-1], layers[1:]):
            if init == "uniform":  # np.random.rand(n, m) - 0.5, scaled to the range
                W = (np.random.rand(n_out, n_in) - 0.5) * (2 * init_range)
                b = (np.random.rand(n_out, 1) - 0.5) * (2 * init_range)
            else:  # lecun: randn * sqrt(1 / n_in), biases randn
                W = np.random.randn(n_out, n_in) * np.sqrt(1.0 / n_in)
                b = np.random.randn(n_out, 1)
            params.append((W, b))
        return params
    # ctnn: per layer its weights in storage order (W[in][out]), then its biases, rounded to
    # float as ctnn keeps them.
    r = CtnnRng(seed)
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        if init == "uniform":
            w = [(2.0 * r.uniform() - 1.0) * init_range for _ in range(n_in * n_out)]
            b = [(2.0 * r.uniform() - 1.0) * init_range for _ in range(n_out)]
        else:
            scale = math.sqrt(1.0 / n_in)
            w = [r.normal() * scale for _ in range(n_in * n_out)]
            b = [r.normal() for _ in range(n_out)]
        W = np.array(w, dtype=np.float32).astype(np.float64).reshape(n_in, n_out).T.copy()
        B = np.array(b, dtype=np.float32).astype(np.float64).reshape(n_out, 1)
        params.append((W, B))
    return params


# --- data --------------------------------------------------------------------------------
def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        buf = f.read()
    if buf[0:2] != b"\0\0" or buf[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file")
    ndim = buf[3]
    dims = [int.from_bytes(buf[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist_dir(directory, part, limit=0):
    """(X of shape (n, 784) in [0, 1], y) from <part>-images-idx3-ubyte[.gz] and labels;
    the first `limit` samples only if limit > 0."""
    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(directory, name)):
                return os.path.join(directory, name)
        raise DataError(f"{directory}: no {stem} or {stem}.gz")
    x = read_idx(find(f"{part}-images-idx3-ubyte"))
    y = read_idx(find(f"{part}-labels-idx1-ubyte"))
    if limit:
        x, y = x[:limit], y[:limit]
    return x.reshape(len(x), -1).astype(np.float64) / 255.0, y.astype(np.int64)


# --- the notebook's algorithm ------------------------------------------------------------
def forward(params, X, hidden):
    A, cache = X, []
    for i, (W, b) in enumerate(params):
        Z = W @ A + b
        cache.append((A, Z))
        if i < len(params) - 1:
            A = np.maximum(Z, 0) if hidden == "relu" else 1.0 / (1.0 + np.exp(-Z))
        else:
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            A = E / E.sum(axis=0, keepdims=True)
    return A, cache


def backward(params, cache, AL, Y, hidden):
    m = Y.shape[1]
    dZ, grads = AL - Y, [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        A_prev = cache[i][0]
        grads[i] = (dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m)
        if i > 0:
            dA = params[i][0].T @ dZ
            if hidden == "relu":
                dZ = dA * (cache[i - 1][1] > 0)
            else:
                dZ = dA * A_prev * (1.0 - A_prev)
    return grads


def cross_entropy(AL, Y):
    return float(-np.sum(Y * np.log(AL + 1e-12)) / Y.shape[1])


def accuracy(params, X, y, hidden):
    return float(np.mean(forward(params, X, hidden)[0].argmax(axis=0) == y))


def run(notebook, data_dir, iterations=None, limit_train=0, limit_test=0, dev=None,
        draws="ctnn", seed=42, lr=None, init_range=0.5):
    """Trains one notebook's network; returns a dict of accuracies and seconds."""
    nb = NOTEBOOKS[notebook]
    iterations = nb["iterations"] if iterations is None else iterations
    lr = nb["lr"] if lr is None else lr
    dev = nb["dev"] if dev is None else dev
    xtr, ytr = load_mnist_dir(data_dir, "train", limit_train)
    xte, yte = load_mnist_dir(data_dir, "t10k", limit_test)
    if dev >= len(xtr):
        raise DataError(f"a dev set of {dev} leaves none of the {len(xtr)} training samples")
    held = dev_indices(len(xtr), dev, seed)
    keep = np.setdiff1d(np.arange(len(xtr)), held)
    X, y = np.ascontiguousarray(xtr[keep].T), ytr[keep]
    Xdev, ydev = np.ascontiguousarray(xtr[held].T), ytr[held]
    Xte = np.ascontiguousarray(xte.T)
    classes = nb["layers"][-1]
    Y = np.eye(classes)[y].T.copy()
    params = [list(p) for p in init_params(nb["layers"], nb["init"], draws, seed, init_range)]
    hidden = nb["hidden"]

    start = time.perf_counter()
    for _ in range(iterations):
        AL, cache = forward(params, X, hidden)
        grads = backward(params, cache, AL, Y, hidden)
        for p, (dW, db) in zip(params, grads):
            p[0] -= lr * dW
            p[1] -= lr * db
    seconds = time.perf_counter() - start

    # Train loss and accuracy as the notebooks print them (and ctnn's history records them):
    # from the last iteration's forward pass, before its step.
    return {
        "notebook": notebook, "iterations": iterations, "lr": lr, "draws": draws,
        "train_samples": int(X.shape[1]), "dev_samples": int(len(held)),
        "train_seconds": seconds, "train_loss": cross_entropy(AL, Y),
        "train_accuracy": float(np.mean(AL.argmax(axis=0) == y)),
        "dev_accuracy": accuracy(params, Xdev, ydev, hidden) if len(held) else None,
        "test_accuracy": accuracy(params, Xte, yte, hidden),
    }
