#!/usr/bin/python3
"""Fold assignments of scikit-learn's KFold and StratifiedKFold (shuffle=False).

    /usr/bin/python3 tests/data/split/make_split_fixtures.py

Writes split_fixtures.txt next to this script, read by tests/unit/test_split.c,
which must reproduce every fold id exactly. Records, whitespace-separated:

    kfold N K           then: fold (N ids)
    skfold N C K        then: y (N class indices in [0, C)), fold (N ids)
    tts N FRAC NTEST    train_test_split's test size for N rows and test_size=FRAC
"""
import os
import warnings

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def fold_ids(splitter, n, y=None):
    fold = np.full(n, -1)
    for f, (_, test) in enumerate(splitter.split(np.zeros((n, 1)), y)):
        fold[test] = f
    assert (fold >= 0).all()
    return fold


def write_kfold(out, n, k):
    out.write("kfold %d %d\n" % (n, k))
    out.write("fold " + " ".join(map(str, fold_ids(KFold(k), n))) + "\n")


def write_skfold(out, y, n_classes, k):
    y = np.asarray(y)
    counts = np.bincount(y)
    assert k <= counts[counts > 0].min(), "kiln refuses k above the smallest class count"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fold = fold_ids(StratifiedKFold(k), len(y), y)
    out.write("skfold %d %d %d\n" % (len(y), n_classes, k))
    out.write("y " + " ".join(map(str, y)) + "\n")
    out.write("fold " + " ".join(map(str, fold)) + "\n")


def write_tts(out, n, frac):
    _, test = train_test_split(np.arange(n), test_size=frac, random_state=0)
    out.write("tts %d %r %d\n" % (n, frac, len(test)))


def main():
    rng = np.random.default_rng(7)
    path = os.path.join(HERE, "split_fixtures.txt")
    with open(path, "w") as out:
        for n, k in [(10, 2), (10, 3), (11, 5), (97, 10), (150, 10), (5, 5), (1000, 7)]:
            write_kfold(out, n, k)
        # Classes first seen in the order 2, 0, 1; uneven sizes.
        y = np.array([2] * 20 + [0] * 13 + [1] * 7)
        rng.shuffle(y[3:])
        write_skfold(out, y, 3, 3)
        write_skfold(out, y, 3, 5)
        # Sorted labels, iris-like.
        write_skfold(out, np.repeat([0, 1, 2], 50), 3, 10)
        # Imbalanced binary, the rare class first.
        y = (rng.random(200) < 0.12).astype(int)
        y[0] = 1
        write_skfold(out, y, 2, 10)
        # Four classes with skewed frequencies, class 3 appearing first.
        y = rng.choice(4, 97, p=[0.4, 0.3, 0.2, 0.1])
        y[0] = 3
        for k in (3, 5):
            write_skfold(out, y, 4, k)
        # Class 2 of 5 absent, others interleaved.
        y = rng.choice([4, 0, 3, 1], 123, p=[0.1, 0.5, 0.25, 0.15])
        write_skfold(out, y, 5, 10)
        # Every class exactly as large as k.
        y = np.tile([1, 0, 2], 5)
        write_skfold(out, y, 3, 5)
        # Test sizes, including PyCaret's test_size = 1 - train_size = 1 - 0.7.
        for n, frac in [(150, 0.3), (150, 1 - 0.7), (10, 0.25), (7, 0.5), (569, 0.2), (2, 0.5), (1797, 0.1)]:
            write_tts(out, n, frac)
    print(path)


if __name__ == "__main__":
    main()
