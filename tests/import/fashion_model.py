# SPDX-License-Identifier: MIT
"""A CNN trained by PyTorch on a Fashion-MNIST slice, for ctnn-import's accuracy and int8
tests (issue 14). Seeded, single-threaded, a few seconds; no network access.

usage: fashion_model.py DATA_DIR OUT_DIR

Trains on the first 4000 training images (÷255, as ctnn's trainers and torchvision's
ToTensor scale them) for 4 epochs with Adam, in eval mode exports OUT_DIR/fashion_cnn.onnx
(its BatchNorm2d folded into the Conv by torch.onnx.export), and writes the test slice:
fashion.inputs.f32 (the first 1000 test images ÷255, HWC = row-major for one channel),
fashion.labels.u8, fashion.outputs.f32 (PyTorch's logits) and fashion.accuracy.txt.
"""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TRAIN, TEST, EPOCHS = 4000, 1000, 4


def images(path, count):
    data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    return np.frombuffer(data, np.uint8, count * 784, offset=16).reshape(count, 1, 28, 28)


def labels(path, count):
    data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    return np.frombuffer(data, np.uint8, count, offset=8)


def find(data_dir, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(data_dir, candidate)):
            return os.path.join(data_dir, candidate)
    raise SystemExit("fashion_model.py: %s holds no %s" % (data_dir, name))


class FashionCnn(nn.Module):
    """conv 8@3x3 + BN + relu → max pool → conv 16@3x3 same + relu → max pool → dense 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 6 * 6, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def main():
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(14)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    x = torch.tensor(images(find(data_dir, "train-images-idx3-ubyte"), TRAIN),
                     dtype=torch.float32) / 255
    y = torch.tensor(labels(find(data_dir, "train-labels-idx1-ubyte"), TRAIN), dtype=torch.long)
    xt = torch.tensor(images(find(data_dir, "t10k-images-idx3-ubyte"), TEST),
                      dtype=torch.float32) / 255
    yt = labels(find(data_dir, "t10k-labels-idx1-ubyte"), TEST)
    model = FashionCnn()
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(TRAIN)
        for i in range(0, TRAIN, 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(xt)
    accuracy = float((logits.argmax(1).numpy() == yt).mean())
    torch.onnx.export(model, xt[:1], os.path.join(out_dir, "fashion_cnn.onnx"),
                      input_names=["x"], output_names=["y"], opset_version=14)
    xt.numpy().astype("<f4").tofile(os.path.join(out_dir, "fashion.inputs.f32"))
    yt.astype(np.uint8).tofile(os.path.join(out_dir, "fashion.labels.u8"))
    logits.numpy().astype("<f4").tofile(os.path.join(out_dir, "fashion.outputs.f32"))
    with open(os.path.join(out_dir, "fashion.accuracy.txt"), "w") as f:
        f.write("%.4f\n" % accuracy)
    print("fashion_model.py: PyTorch test accuracy on %d images: %.4f" % (TEST, accuracy))


if __name__ == "__main__":
    main()
