#!/usr/bin/python3
"""Per-class reference values of kiln_metrics_per_class, from scikit-learn's
classification_report (precision_recall_fscore_support, zero_division=0).

    /usr/bin/python3 tests/data/metrics/make_per_class_fixture.py

Writes per_class_fixture.txt next to this script, read by tests/unit/test_metrics.c:
    N K
    y (N values)
    N lines of K scores
    K lines: precision recall f1 support
Five classes, 60 rows; class 4 never occurs and is never predicted (0/0 -> 0).
"""
import os

import numpy as np
from sklearn.metrics import classification_report, precision_recall_fscore_support

rng = np.random.default_rng(7)
n, k = 60, 5
y = rng.integers(0, k - 1, n)
scores = rng.random((n, k))
scores[:, k - 1] = 0.0  # never the argmax
scores[np.arange(n), y] += rng.random(n) * 0.8  # a better than chance classifier
pred = scores.argmax(axis=1)
prec, rec, f1, sup = precision_recall_fscore_support(y, pred, labels=range(k), zero_division=0)
print(classification_report(y, pred, labels=range(k), zero_division=0, digits=4))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "per_class_fixture.txt")
with open(path, "w") as out:
    out.write("%d %d\n" % (n, k))
    out.write(" ".join("%d" % v for v in y) + "\n")
    for row in scores:
        out.write(" ".join(repr(float(v)) for v in row) + "\n")
    for c in range(k):
        out.write("%r %r %r %d\n" % (float(prec[c]), float(rec[c]), float(f1[c]), sup[c]))
