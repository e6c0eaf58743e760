"""Seed corpora for the fuzz targets, one folder per target under corpus/:

- model/: model files written independently of kiln's C writer (struct +
  zlib.crc32), following docs/model-file.md;
- csv/: the CSV fixtures of tests/data/csv behind fuzz_csv's option byte;
- libsvm/: the libsvm fixtures of tests/data/csv, and a few more;
- params/: "name=value" texts behind fuzz_params' estimator byte.

    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import os
import struct
import zlib

FUZZ = os.path.dirname(os.path.abspath(__file__))
HERE = os.path.join(FUZZ, "corpus")
CSV_FIXTURES = os.path.join(FUZZ, "..", "data", "csv")


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


def write(folder, files):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(HERE, folder, name), "wb") as f:
            f.write(data)


def fixtures(suffix):
    out = {}
    for name in sorted(os.listdir(CSV_FIXTURES)):
        if name.endswith(suffix):
            with open(os.path.join(CSV_FIXTURES, name), "rb") as f:
                out[name] = f.read()
    return out


# fuzz_csv: option byte (b % 5 picks sniff , ; \t |; bit 7 forces column "a" categorical), then the file.
csv_seeds = {name: b"\x00" + data for name, data in fixtures((".csv", ".tsv")).items()}
csv_seeds["forced.csv"] = b"\x81a,b\n1,x\n2,\"y,z\"\n"
csv_seeds["pipe.csv"] = b"\x04a|b\r\n1|2\r\nNA|?\r\n"
libsvm_seeds = fixtures(".svm")
libsvm_seeds["qid.svm"] = b"+1 qid:3 1:0.5 7:-2e3 # comment\n-1 2:1\n"
# fuzz_params: estimator byte (index into the registry), then "name=value".
texts = [b"C=0.5", b"max_depth=3", b"n_estimators=10", b"class_weight=balanced", b"max_features=sqrt",
         b"weights=distance", b"learning_rate=1e-3", b"penalty=l1", b"fit_intercept=false", b"alpha=",
         b"=1", b"bogus=1", b"tol=nan", b"n_neighbors=1e400"]
params_seeds = {"%02d_%d" % (a, i): bytes([a]) + t for a in range(12) for i, t in enumerate(texts)}

write("model", seeds)
write("csv", csv_seeds)
write("libsvm", libsvm_seeds)
write("params", params_seeds)
