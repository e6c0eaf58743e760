"""Model files of each released format version, kept so that every later kiln
is tested to read them (tests/unit/test_model_compat.c).

    /usr/bin/python3 tests/data/models/make_models.py build/kiln

Writes, with the kiln built from the format-1 sources (kiln 0.1.0):
- train.csv: 40 rows, two numbers (one missing), a category, a class label and a real target;
- v1/<id>.kiln for every estimator, trained on train.csv with a small ensemble, classification
  where the estimator supports it, else regression; v1/<id>_pred.csv: `kiln predict --raw-score`
  of train.csv by that model, the scores the test expects;
- future_v2.kiln: v1/lr.kiln relabelled as format version 2 (with its CRC32 recomputed), which must
  be refused naming both versions.
Run it only to add a format version's files: files of a released version never change.
"""
import os
import random
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
KILN = sys.argv[1]
REGRESSION_ONLY = {"lasso", "en"}
IDS = ["lr", "knn", "nb", "dt", "svm", "ridge", "rf", "et", "gbm", "lasso", "en", "dummy"]


def write_train():
    rng = random.Random(8)
    rows = ["x1,x2,color,label,value"]
    for i in range(40):
        x1, x2 = round(rng.uniform(0, 1), 3), round(rng.uniform(0, 3), 3)
        color = rng.choice(["red", "green", "blue"])
        label = "yes" if x1 + 0.2 * x2 + (color == "red") * 0.3 + rng.gauss(0, 0.2) > 0.8 else "no"
        value = round(2 * x1 - x2 + (color == "blue") + rng.gauss(0, 0.1), 4)
        rows.append("%s,%s,%s,%s,%s" % (x1, "" if i % 9 == 4 else x2, color, label, value))
    with open(os.path.join(HERE, "train.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def train_all():
    os.makedirs(os.path.join(HERE, "v1"), exist_ok=True)
    data = os.path.join(HERE, "train.csv")
    for model_id in IDS:
        target = "value" if model_id in REGRESSION_ONLY else "label"
        model = os.path.join(HERE, "v1", model_id + ".kiln")
        params = ["--param", "n_estimators=5"] if model_id in ("rf", "et", "gbm") else []
        subprocess.run([KILN, "train", data, "--target", target, "--model", model_id, "--test-size", "0",
                        "--seed", "1", "--threads", "1", "-o", model] + params, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([KILN, "predict", model, data, "--raw-score", "--threads", "1",
                        "-o", os.path.join(HERE, "v1", model_id + "_pred.csv")], check=True)


def write_future():
    with open(os.path.join(HERE, "v1", "lr.kiln"), "rb") as f:
        body = f.read()[:-4]
    body = body[:8] + struct.pack("<I", 2) + body[12:]
    with open(os.path.join(HERE, "future_v2.kiln"), "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body)))


write_train()
train_all()
write_future()
