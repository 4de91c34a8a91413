# SPDX-License-Identifier: MIT
"""Parity-test models for ctnn-import (issue 14), defined and run in PyTorch.

usage: make_models.py OUT_DIR

For each model M writes OUT_DIR/M.onnx (torch.onnx.export), OUT_DIR/M.inputs.f32 (the test
inputs, float32 little-endian, in ctnn's layout: images as HWC) and OUT_DIR/M.outputs.f32
(PyTorch's outputs for them). Also writes the malformed and unsupported models of the
error tests into OUT_DIR/bad/. Everything is seeded; no network access.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper

SAMPLES = 32


class Mlp(nn.Module):
    """784-32-10, relu, softmax: Gemm (transB=1) + Relu + Softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


class Activations(nn.Module):
    """20-16-12-8-4 with leaky relu (0.2), sigmoid, tanh; the middle layer is x @ W + b
    (MatMul + Add, W already input-major); logits out."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 16)
        self.w2 = nn.Parameter(torch.randn(16, 12) * 0.4)
        self.b2 = nn.Parameter(torch.randn(12) * 0.1)
        self.fc3 = nn.Linear(12, 8)
        self.fc4 = nn.Linear(8, 4)

    def forward(self, x):
        x = F.leaky_relu(self.fc1(x), 0.2)
        x = torch.sigmoid(x @ self.w2 + self.b2)
        x = torch.tanh(self.fc3(x))
        return self.fc4(x)


class Cnn(nn.Module):
    """The CNN shape: conv 3x3 valid → max pool → conv 3x3 same → max pool → flatten →
    dense. The first block is written relu(max_pool(conv)) (the activation moves), the
    second conv → relu → pool."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 6 * 6, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))  # 28 → 26 → 13
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # 13 → 13 → 6
        return self.fc(torch.flatten(x, 1))


class CnnRgb(nn.Module):
    """3-channel, non-square kernel path: conv 3x3 stride 2 'same' (pads 1 on 15x15) + tanh
    → avg pool 2 → conv 2x3 valid + leaky relu (1/100) → global average pool → reshape →
    dense + sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(6, 8, (2, 3))
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)  # 15 → 8 → 4
        x = F.leaky_relu(self.conv2(x), 0.01)  # 4x4 → 3x2
        x = F.adaptive_avg_pool2d(x, 1).reshape(-1, 8)
        return torch.sigmoid(self.fc(x))


class CnnFlatDense(nn.Module):
    """Two conv layers (sigmoid, then tanh), flatten of 5x5x6 straight into a dense layer:
    the CHW → HWC row reordering on a 2-layer-deep image with several channels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 5, 3)
        self.conv2 = nn.Conv2d(5, 6, 3, padding=1)
        self.fc1 = nn.Linear(6 * 5 * 7, 12)
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        x = torch.sigmoid(self.conv1(x))  # 7x9 → 5x7
        x = torch.tanh(self.conv2(x))  # 5x7 same
        x = x.reshape(x.shape[0], -1)
        return self.fc2(torch.relu(self.fc1(x)))


class Depthwise(nn.Module):
    """Depthwise blocks (issue 14 with the layers issue's ctnn::depthwise_conv2d and
    ctnn::global_avg_pool): groups=C with depth multiplier 2 (valid), then 1 ('same'),
    global average pool, flatten, dense + softmax."""

    def __init__(self):
        super().__init__()
        self.dw1 = nn.Conv2d(3, 6, 3, groups=3)
        self.dw2 = nn.Conv2d(6, 6, 3, padding=1, groups=6)
        self.pw = nn.Conv2d(6, 8, 1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu(self.dw1(x))  # 10x12 → 8x10
        x = torch.tanh(self.dw2(x))  # same
        x = F.relu(self.pw(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return torch.softmax(self.fc(x), dim=1)


class BnFold(nn.Module):
    """BatchNormalization folded at import: after a Conv (spliced into the ONNX graph, since
    torch.onnx.export folds Conv+BN itself) and after a Linear (BatchNorm1d, which the
    exporter keeps), with non-trivial running statistics, eval mode."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)
        self.bn1 = nn.BatchNorm2d(4, eps=1e-3)
        self.fc1 = nn.Linear(4 * 5 * 5, 6)
        self.bn2 = nn.BatchNorm1d(6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv(x)))  # 7x7 → 5x5
        x = torch.tanh(self.bn2(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


class Block(nn.Module):
    """A ResNet basic block: relu(bn(conv(relu(bn(conv(x))))) + skip(x)), the skip a 1x1
    strided Conv + BN when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.bn1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.c2(F.relu(self.bn1(self.c1(x)))))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class Residual(nn.Module):
    """conv stem, a block with the identity skip, a block with a 1x1 stride-2 projection
    (9x9 → 5x5; odd sizes, where PyTorch's padding=1 is TensorFlow's 'same'), global
    average pool, dense."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.b1 = Block(4, 4, 1)
        self.b2 = Block(4, 8, 2)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.b2(self.b1(F.relu(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ResidualDense(nn.Module):
    """A residual block on vectors: x + fc(relu(fc(x))) without an activation after the
    Add (ctnn::residual<…, identity>), written skip-first."""

    def __init__(self):
        super().__init__()
        self.fc0 = nn.Linear(12, 8)
        self.fa = nn.Linear(8, 8)
        self.fb = nn.Linear(8, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        x = torch.relu(self.fc0(x))
        x = x + self.fb(torch.relu(self.fa(x)))
        return self.out(x)


class BnLayer(nn.Module):
    """BatchNormalization with nothing to fold into, as ctnn::batch_norm: on the input
    (eps 1e-3, moved into the variance), after a relu (then a relu of its own: batch_norm<relu>),
    and BatchNorm1d after a relu before the last Linear."""

    def __init__(self):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(2, eps=1e-3)
        self.conv = nn.Conv2d(2, 3, 3)
        self.bn1 = nn.BatchNorm2d(3)
        self.fc1 = nn.Linear(3 * 4 * 4, 5)
        self.bn2 = nn.BatchNorm1d(5)
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        x = F.relu(self.bn1(F.relu(self.conv(self.bn0(x)))))  # 6x6 → 4x4
        x = self.bn2(F.relu(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


def randomise_batch_norms(model):
    """Running statistics and affine parameters far from the identity, so a wrong fold
    shows."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.3, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)


# name, model class, input shape (without batch), opset, dynamic batch
MODELS = [
    ("mlp", Mlp, (784,), 11, False),
    ("activations", Activations, (20,), 14, True),
    ("cnn", Cnn, (1, 28, 28), 14, False),
    ("cnn_rgb", CnnRgb, (3, 15, 15), 13, True),
    ("cnn_flat_dense", CnnFlatDense, (2, 7, 9), 14, False),
    ("depthwise", Depthwise, (3, 10, 12), 14, False),
    ("bn_fold", BnFold, (2, 7, 7), 14, False),
    ("residual", Residual, (1, 9, 9), 14, False),
    ("residual_dense", ResidualDense, (12,), 13, False),
    ("bn_layer", BnLayer, (2, 6, 6), 14, False),
]


def splice_conv_batch_norm(model, path):
    """torch.onnx.export folds a BatchNorm2d into the Conv before it; to test the
    importer's own fold, export with bn1 as Identity and put a BatchNormalization node with
    bn1's parameters after the Conv."""
    bn = model.bn1
    model.bn1 = nn.Identity()
    torch.onnx.export(model, torch.zeros(1, 2, 7, 7), path, input_names=["x"],
                      output_names=["y"], opset_version=14)
    model.bn1 = bn
    m = onnx.load(path)
    g = m.graph
    conv = next(n for n in g.node if n.op_type == "Conv")
    out = conv.output[0]
    conv.output[0] = out + "_conv"
    names = ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"]
    for name, t in zip(names, [bn.weight, bn.bias, bn.running_mean, bn.running_var]):
        g.initializer.append(init(name, t.detach().numpy().astype(np.float32)))
    node = helper.make_node("BatchNormalization", [out + "_conv"] + names, [out], name="bn1",
                            epsilon=bn.eps)
    g.node.insert(list(g.node).index(conv) + 1, node)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def insert_dropped_nodes(path):
    """Puts an Identity and a Dropout after the first node (both must be dropped)."""
    m = onnx.load(path)
    g = m.graph
    first = g.node[0]
    out = first.output[0]
    first.output[0] = out + "_pre"
    ident = helper.make_node("Identity", [out + "_pre"], [out + "_id"], name="identity0")
    drop = helper.make_node("Dropout", [out + "_id"], [out], name="dropout0")
    g.node.insert(1, ident)
    g.node.insert(2, drop)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def export(out_dir, index, name, cls, shape, opset, dynamic):
    torch.manual_seed(1000 + index)
    model = cls()
    randomise_batch_norms(model)
    model.eval()
    x = torch.rand((SAMPLES,) + shape)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out_dir, name + ".onnx")
    kwargs = {}
    if dynamic:
        kwargs["dynamic_axes"] = {"x": {0: "batch"}, "y": {0: "batch"}}
    if name == "bn_fold":
        splice_conv_batch_norm(model, path)
    else:
        torch.onnx.export(model, x[:1], path, input_names=["x"], output_names=["y"],
                          opset_version=opset, **kwargs)
    if name == "activations":
        insert_dropped_nodes(path)
    # ctnn reads images as HWC: the caller's side of the layout conversion.
    xc = x.permute(0, 2, 3, 1) if x.dim() == 4 else x
    xc.contiguous().numpy().astype("<f4").tofile(os.path.join(out_dir, name + ".inputs.f32"))
    if name == "bn_layer":  # also as --calibration-data (int8_batch_norm_test.cpp)
        with open(os.path.join(out_dir, name + ".inputs.csv"), "w") as f:
            flat = xc.reshape(SAMPLES, -1)
            f.write(",".join(f"x{i}" for i in range(flat.shape[1])) + "\n")
            for row in flat.tolist():  # float32 → double → repr → float32 is exact
                f.write(",".join(repr(v) for v in row) + "\n")
    y.numpy().astype("<f4").tofile(os.path.join(out_dir, name + ".outputs.f32"))


def init(name, array):
    return helper.make_tensor(name, TensorProto.FLOAT, array.shape, array.flatten().tolist())


def mlp_graph(nodes, inits, in_dims=(1, 6), out_dims=(1, 4), opset=14):
    g = helper.make_graph(nodes, "bad", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                       list(in_dims))],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_dims))],
                          inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def bad_models(out_dir):
    """Malformed and unsupported models: each must get a one-line error and exit 2."""
    bad = os.path.join(out_dir, "bad")
    os.makedirs(bad, exist_ok=True)
    rng = np.random.default_rng(7)
    w = rng.standard_normal((4, 6)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    gemm = helper.make_node("Gemm", ["x", "W", "B"], ["y"], name="fc", transB=1)
    models = {
        "unknown_op": mlp_graph([helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="fc",
                                                  transB=1),
                                 helper.make_node("Erf", ["h"], ["y"], name="erf1")],
                                [init("W", w), init("B", b)]),
        "wrong_opset": mlp_graph([gemm], [init("W", w), init("B", b)], opset=99),
        "dynamic_features": mlp_graph([gemm], [init("W", w), init("B", b)],
                                      in_dims=("batch", "features")),
        "mismatched_initializer": mlp_graph([gemm], [init("W", rng.standard_normal(
            (4, 7)).astype(np.float32)), init("B", b)]),
        "branch": mlp_graph(
            [helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="fc1", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("Gemm", ["r", "W2", "B"], ["h2"], name="fc2", transB=1),
             helper.make_node("Gemm", ["r", "W2", "B"], ["h3"], name="fc3", transB=1),
             helper.make_node("Add", ["h2", "h3"], ["y"], name="sum")],
            [init("W", w), init("B", b),
             init("W2", rng.standard_normal((4, 4)).astype(np.float32))]),
        "residual_shape": mlp_graph(
            [helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="fc1", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("Gemm", ["r", "W3", "B3"], ["h2"], name="fc2", transB=1),
             helper.make_node("Add", ["h2", "r"], ["y"], name="residual")],
            [init("W", w), init("B", b),
             init("W3", rng.standard_normal((3, 4)).astype(np.float32)),
             init("B3", rng.standard_normal(3).astype(np.float32))]),
        "batchnorm_training": mlp_graph(
            [helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="fc", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("BatchNormalization", ["r", "s", "B", "m", "v"], ["y"],
                              name="bn_training", training_mode=1)],
            [init("W", w), init("B", b), init("s", np.ones(4, np.float32)),
             init("m", np.zeros(4, np.float32)), init("v", np.ones(4, np.float32))]),
        "leaky_alpha": mlp_graph([helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="fc",
                                                   transB=1),
                                  helper.make_node("LeakyRelu", ["h"], ["y"], name="leaky",
                                                   alpha=0.014142135623730951)],
                                 [init("W", w), init("B", b)]),
        "asymmetric_pads": mlp_graph(
            [helper.make_node("Conv", ["x", "K"], ["y"], name="conv_pad", pads=[0, 0, 1, 1])],
            [init("K", rng.standard_normal((2, 1, 3, 3)).astype(np.float32))],
            in_dims=(1, 1, 5, 5), out_dims=(1, 2, 4, 4)),
        "grouped_conv": mlp_graph(
            [helper.make_node("Conv", ["x", "K"], ["y"], name="grouped", group=2)],
            [init("K", rng.standard_normal((4, 2, 3, 3)).astype(np.float32))],
            in_dims=(1, 4, 5, 5), out_dims=(1, 4, 3, 3)),
    }
    for name, m in models.items():
        with open(os.path.join(bad, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    whole = open(os.path.join(out_dir, "mlp.onnx"), "rb").read()
    with open(os.path.join(bad, "truncated.onnx"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    with open(os.path.join(bad, "garbage.onnx"), "wb") as f:
        f.write(bytes(rng.integers(0, 256, 4096, dtype=np.uint8)))
    open(os.path.join(bad, "empty.onnx"), "wb").close()


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for i, (name, cls, shape, opset, dynamic) in enumerate(MODELS):
        export(out_dir, i, name, cls, shape, opset, dynamic)
    bad_models(out_dir)


if __name__ == "__main__":
    main()
