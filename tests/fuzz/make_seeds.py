#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Regenerates the committed seed corpus (tests/fuzz/corpus/<target>/). A developer tool:
# nothing runs it in CI; the files it writes are committed. Standard library only.
import gzip
import os
import struct
import zlib

here = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def idx3(count, rows, cols, seed=1):
    pixels = bytes((seed * 37 + i * 11) % 256 for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x803, count, rows, cols) + pixels


def idx1(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


# IDX: selector bit 0 labels, bit 1 gzip in the harness, bit 2 pair mode (2-byte length).
images = idx3(3, 4, 4)
labels = idx1([0, 1, 2])
put("idx", "images", b"\x00" + images)
put("idx", "images_gz", b"\x00" + gz(images))
put("idx", "images_harness_gz", b"\x02" + images)
put("idx", "images_truncated", b"\x00" + images[:-5])
put("idx", "images_wrong_magic", b"\x00" + b"\x00\x00\x08\x01" + images[4:])
put("idx", "labels", b"\x01" + labels)
put("idx", "labels_gz", b"\x01" + gz(labels))
put("idx", "labels_trailing", b"\x01" + labels + b"\x07")
put("idx", "gz_truncated", b"\x01" + gz(labels)[:-6])
for classes, sel in ((10, 0x04 | (9 << 3)), (2, 0x04 | (1 << 3))):
    put("idx", f"pair_{classes}_classes", bytes([sel]) + struct.pack(">H", len(images)) +
        images + labels)
put("idx", "pair_gz", bytes([0x06 | (9 << 3)]) + struct.pack(">H", len(images)) + images + labels)

# CSV: the input is the file.
put("csv", "train", b"label,pixel0,pixel1,pixel2\n1,0,128,255\n0,3,4.5,6\n")
put("csv", "test", b"pixel0,pixel1\n0,255\n12,13\n")
put("csv", "crlf_blank", b"label,p0,p1\r\n9,1,2\r\n\r\n")
put("csv", "bad_cell", b"label,p0,p1\n1,x,2\n")
put("csv", "label_range", b"label,p0\n10,1\n")
put("csv", "short_row", b"label,p0,p1\n1,2\n")


# Checkpoint: selector bit 0 makes the harness fix the size field and the CRC.
def checkpoint(signature, params, slots=0, metadata=b"{}", scalar=4, epoch=3, step=42,
               optimizer=2, state=None, rng=(1, 2, 3, 4)):
    count = len(params) // scalar
    if state is None:
        state = bytes((i * 7) % 256 for i in range(slots * len(params)))
    size = 104 + len(signature) + len(params) + len(state) + len(metadata) + 4
    head = b"CTNNCKPT" + struct.pack("<IIQIIIIQQQ", 1, 0, size, scalar, optimizer, slots,
                                     len(signature), count, epoch, step)
    head += struct.pack("<4Q", *rng) + struct.pack("<Q", len(metadata))
    body = head + signature + params + state + metadata
    return body + struct.pack("<I", zlib.crc32(body))


sig = b"ctnn1|f32|fused|in(1x1x2)|dense(1,sigmoid)"
params = struct.pack("<3f", 0.5, -1.0, 0.25)
valid = checkpoint(sig, params)
put("checkpoint", "valid", b"\x00" + valid)
put("checkpoint", "valid_adam", b"\x00" + checkpoint(sig, params, slots=2))
put("checkpoint", "valid_double", b"\x00" + checkpoint(sig, struct.pack("<2d", 1.0, 2.0), scalar=8))
put("checkpoint", "bad_crc", b"\x00" + valid[:-1] + bytes([valid[-1] ^ 1]))
put("checkpoint", "truncated", b"\x00" + valid[:60])
put("checkpoint", "fixup_bad_lengths", b"\x01" + valid[:36] + struct.pack("<I", 9999) + valid[40:])

# Resume (the whole --resume path): valid checkpoints of the harness's network for each
# optimiser, then ones whose CRC is valid but whose contents are not.
meta = b'{"program":"fuzz","epochs":3,"lr":0.001,"history":[{"epoch":1,"train_loss":0.5}]}'
moments = struct.pack("<3f", 0.1, -0.2, 0.3)
second = struct.pack("<3f", 0.01, 0.02, 0.03)
put("resume", "valid_gd", b"\x00" + checkpoint(sig, params, optimizer=0, metadata=meta))
put("resume", "valid_sgd", b"\x00" + checkpoint(sig, params, optimizer=1))
put("resume", "valid_momentum", b"\x00" + checkpoint(sig, params, slots=1, state=moments))
put("resume", "valid_adam", b"\x00" + checkpoint(sig, params, slots=2, optimizer=3,
                                                  state=moments + second, metadata=meta))
nan = struct.pack("<3f", 0.5, float("nan"), 0.25)
put("resume", "nan_parameter", b"\x00" + checkpoint(sig, nan, optimizer=0))
put("resume", "zero_rng", b"\x00" + checkpoint(sig, params, optimizer=0, rng=(0, 0, 0, 0)))
put("resume", "bad_metadata", b"\x00" + checkpoint(sig, params, optimizer=0,
                                                    metadata=b'{"history":[{"epoch":"x"}]}'))
put("resume", "negative_second_moment",
    b"\x00" + checkpoint(sig, params, slots=2, optimizer=3, state=moments + moments))
put("resume", "huge_epoch", b"\x00" + checkpoint(sig, params, optimizer=0, epoch=1 << 40,
                                                  step=1 << 41))
