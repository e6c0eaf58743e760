"""Seed corpus for fuzz_model: model files written independently of kiln's C
writer (struct + zlib.crc32), following docs/model-file.md.

    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import os
import struct
import zlib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def model(sections, version=1, writer=b"0.1.0"):
    body = b"KILNMODL" + struct.pack("<II", version, len(writer)) + writer
    for tag, payload in sections:
        body += tag + struct.pack("<Q", len(payload)) + payload
    return body + struct.pack("<I", zlib.crc32(body))


def string(s):
    return struct.pack("<I", len(s)) + s


# Each read in fuzz_model is an op byte (op % 8 picks the type, op // 8 % 4 + 1 the array length).
schm = (bytes([6]) + string(b"sepal_length") + bytes([7]) + struct.pack("<Q3d", 3, 1.5, -0.0, 2.0**-1074)
        + bytes([0]) + struct.pack("<I", 7))
estm = (bytes([2]) + struct.pack("<d", 0.25) + bytes([3]) + struct.pack("<f", -1.0)
        + bytes([4]) + struct.pack("<i", -5) + bytes([5]) + b"k" + bytes([1]) + struct.pack("<Q", 2**64 - 1))
seeds = {
    "valid.kiln": model([(b"SCHM", schm), (b"ESTM", estm), (b"FUZZ", b"")]),
    "no_sections.kiln": model([]),
    "newer_version.kiln": model([(b"ESTM", estm)], version=2),
    "not_a_model.csv": b"sepal_length,species\n5.1,setosa\n",
}
os.makedirs(HERE, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
