#!/usr/bin/python3
"""ROC and precision-recall fixtures for tests/unit/test_report.c.

Written by scikit-learn (Debian's /usr/bin/python3): roc_curve with
drop_intermediate=False, precision_recall_curve and roc_auc_score on a few
binary problems, with and without tied scores. Each case:
    case NAME N
    y <N labels 0/1>
    s <N scores>
    fpr M ...; tpr M ...; thr M ... (the first threshold written as inf)
    prec K ...; rec K ...
    auc VALUE
    end
"""
import numpy as np
from sklearn.metrics import precision_recall_curve, roc_auc_score, roc_curve


def row(f, tag, values):
    f.write(tag + " " + str(len(values)) + " " + " ".join(repr(float(v)) for v in values) + "\n")


def case(f, name, y, s):
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    thr = np.array(thr, dtype=float)
    thr[0] = np.inf
    prec, rec, _ = precision_recall_curve(y, s)
    f.write(f"case {name} {len(y)}\n")
    f.write("y " + " ".join(str(int(v)) for v in y) + "\n")
    f.write("s " + " ".join(repr(float(v)) for v in s) + "\n")
    row(f, "fpr", fpr)
    row(f, "tpr", tpr)
    row(f, "thr", [v if np.isfinite(v) else 1e308 for v in thr])
    row(f, "prec", prec)
    row(f, "rec", rec)
    f.write(f"auc {roc_auc_score(y, s)!r}\nend\n")


rng = np.random.default_rng(6)
with open("curve_fixtures.txt", "w") as f:
    case(f, "tiny", np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    y = rng.integers(0, 2, 200)
    case(f, "continuous", y, y * 0.8 + rng.normal(size=200))
    y = rng.integers(0, 2, 150)
    case(f, "ties", y, np.round(y * 0.5 + rng.normal(size=150), 1))
    y = (rng.random(300) < 0.1).astype(int)
    case(f, "imbalanced", y, y * 1.5 + rng.normal(size=300))
