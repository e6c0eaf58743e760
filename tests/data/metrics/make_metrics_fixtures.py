#!/usr/bin/python3
"""Reference values of kiln's metrics, from scikit-learn.

    /usr/bin/python3 tests/data/metrics/make_metrics_fixtures.py

Writes metrics_fixtures.txt next to this script, read by tests/unit/test_metrics.c.
Format, whitespace-separated, one record per line:

    case NAME classify N K PROBA      then: y (N values), N lines "s" + K scores
    case NAME regress N               then: y (N values), p (N values)
    expect METRIC VALUE               (repeated; "nan" for NaN)
    end

Where kiln's definition is not one scikit-learn call, the script computes it
explicitly and checks it against scikit-learn wherever scikit-learn applies:
  - AUC: binary from column 1; multiclass one-vs-rest roc_auc_score per class
    present in y, weighted by support (sklearn's multi_class="ovr",
    average="weighted", which refuses decision scores and absent classes);
  - LogLoss: -mean log clip(p[i, y_i], 1e-15, 1 - 1e-15), rows not renormalised;
  - RMSLE: sqrt(mean((log1p |y| - log1p |p|)^2)), PyCaret's definition
    (pycaret/containers/metrics/regression.py: mean_squared_log_error of the
    absolute values; sklearn alone refuses any negative value);
  - MAPE: mean |y - p| / |y| over rows with y != 0 (sklearn divides by
    max(|y|, eps) instead).
"""
import math
import os
import warnings

import numpy as np
from sklearn import metrics

warnings.simplefilter("ignore")  # zero-division and single-class warnings are expected
HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-15


def close(a, b, tol=1e-12):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def auc_kiln(y, s):
    k = s.shape[1]
    if k == 2:
        if len(np.unique(y)) < 2:
            return math.nan
        return metrics.roc_auc_score(y == 1, s[:, 1])
    total = 0.0
    for c in range(k):
        nc = int(np.sum(y == c))
        if nc == 0:
            continue
        if nc == len(y):
            return math.nan
        total += nc * metrics.roc_auc_score(y == c, s[:, c])
    return total / len(y)


def logloss_kiln(y, s):
    q = np.clip(s[np.arange(len(y)), y], EPS, 1 - EPS)
    return float(-np.mean(np.log(q)))


def classify_expect(y, s, proba):
    k = s.shape[1]
    pred = np.argmax(s, axis=1)  # first maximum on ties, like kiln_argmax_row
    avg = "binary" if k == 2 else "weighted"
    out = {
        "Accuracy": metrics.accuracy_score(y, pred),
        "AUC": auc_kiln(y, s),
        "Recall": metrics.recall_score(y, pred, average=avg, zero_division=0),
        "Prec.": metrics.precision_score(y, pred, average=avg, zero_division=0),
        "F1": metrics.f1_score(y, pred, average=avg, zero_division=0),
        "Kappa": metrics.cohen_kappa_score(y, pred),
        "MCC": metrics.matthews_corrcoef(y, pred),
        "LogLoss": logloss_kiln(y, s) if proba else math.nan,
    }
    present = len(np.unique(y))
    if proba and present == k and present > 2 and np.allclose(s.sum(axis=1), 1.0):
        ref = metrics.roc_auc_score(y, s, multi_class="ovr", average="weighted")
        assert close(out["AUC"], ref), ("AUC", out["AUC"], ref)
    if proba and np.allclose(s.sum(axis=1), 1.0, rtol=0, atol=1e-15):
        ref = metrics.log_loss(y, s, eps=EPS, labels=list(range(k)))
        assert close(out["LogLoss"], ref), ("LogLoss", out["LogLoss"], ref)
    return out


def regress_expect(y, p):
    mse = metrics.mean_squared_error(y, p)
    rmsle = math.sqrt(float(np.mean((np.log1p(np.abs(y)) - np.log1p(np.abs(p))) ** 2)))
    ref = math.sqrt(metrics.mean_squared_log_error(np.abs(y), np.abs(p)))
    assert close(rmsle, ref), ("RMSLE", rmsle, ref)
    nz = y != 0
    mape = float(np.mean(np.abs(y[nz] - p[nz]) / np.abs(y[nz]))) if nz.any() else math.nan
    if nz.all():
        assert close(mape, metrics.mean_absolute_percentage_error(y, p)), "MAPE"
    return {
        "MAE": metrics.mean_absolute_error(y, p),
        "MSE": mse,
        "RMSE": metrics.mean_squared_error(y, p, squared=False),
        "R2": metrics.r2_score(y, p),
        "RMSLE": rmsle,
        "MAPE": mape,
    }


def num(x):
    return "nan" if math.isnan(x) else repr(float(x))


def write_classify(f, name, y, s, proba):
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    n, k = s.shape
    f.write("case %s classify %d %d %d\n" % (name, n, k, proba))
    f.write("y " + " ".join(str(int(v)) for v in y) + "\n")
    for row in s:
        f.write("s " + " ".join(num(v) for v in row) + "\n")
    for key, val in classify_expect(y, s, proba).items():
        f.write("expect %s %s\n" % (key, num(val)))
    f.write("end\n")


def write_regress(f, name, y, p):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    f.write("case %s regress %d\n" % (name, len(y)))
    f.write("y " + " ".join(num(v) for v in y) + "\n")
    f.write("p " + " ".join(num(v) for v in p) + "\n")
    for key, val in regress_expect(y, p).items():
        f.write("expect %s %s\n" % (key, num(val)))
    f.write("end\n")


def proba_rows(rng, n, k, decimals=None):
    p = rng.dirichlet(np.ones(k), size=n)
    if decimals is not None:  # coarse values: ties inside a column
        p = np.round(p, decimals)
        p[:, -1] = 1.0 - p[:, :-1].sum(axis=1)
        p = np.clip(p, 0.0, 1.0)
    return p


def noisy_labels(rng, p, keep=0.7):
    """Labels that mostly agree with the argmax, so the metrics are not trivial."""
    y = np.argmax(p, axis=1)
    flip = rng.random(len(y)) > keep
    y[flip] = rng.integers(0, p.shape[1], flip.sum())
    return y


def main():
    rng = np.random.default_rng(20240601)
    path = os.path.join(HERE, "metrics_fixtures.txt")
    with open(path, "w") as f:
        # Binary probabilities on a coarse grid: many tied scores.
        p1 = np.round(rng.random(40), 1)
        y = (rng.random(40) < 0.3 + 0.5 * p1).astype(int)
        write_classify(f, "binary_proba_ties", y, np.column_stack([1 - p1, p1]), 1)

        # Binary decision scores, negative and positive, with ties; column 0 = -f.
        fx = np.round(rng.normal(0, 2, 50), 0)
        y = (fx + rng.normal(0, 2, 50) > 0.5).astype(int)
        write_classify(f, "binary_decision", y, np.column_stack([-fx, fx]), 0)

        # Probabilities of exactly 0 and 1: LogLoss clipping matters.
        s = np.array([[1, 0], [0, 1], [1, 0], [0.25, 0.75], [0.5, 0.5], [0.9, 0.1]], dtype=float)
        write_classify(f, "binary_clip", [1, 1, 0, 0, 1, 0], s, 1)

        # A binary target holding only class 0: AUC undefined, Recall/Prec. 0.
        s = np.column_stack([1 - np.linspace(0.1, 0.9, 8), np.linspace(0.1, 0.9, 8)])
        write_classify(f, "binary_one_class", [0] * 8, s, 1)

        # Multiclass probabilities, 3 and 10 classes.
        p = proba_rows(rng, 60, 3)
        write_classify(f, "multi3_proba", noisy_labels(rng, p), p, 1)
        p = proba_rows(rng, 300, 10, decimals=2)
        write_classify(f, "multi10_proba_ties", noisy_labels(rng, p, 0.5), p, 1)

        # Multiclass decision scores with negative values.
        d = np.round(rng.normal(0, 1.5, (80, 4)), 1)
        write_classify(f, "multi4_decision", noisy_labels(rng, d), d, 0)

        # Class 2 never occurs in y (but may be predicted).
        p = proba_rows(rng, 50, 4)
        y = noisy_labels(rng, p)
        y[y == 2] = rng.choice([0, 1, 3], int(np.sum(y == 2)))
        write_classify(f, "multi4_missing_class", y, p, 1)

        # A perfect multiclass classifier.
        y = np.arange(30) % 5
        write_classify(f, "multi5_perfect", y, np.eye(5)[y] * 0.8 + 0.04, 1)

        # Regression: zeros in y, small negatives.
        y = np.round(rng.exponential(2.0, 60) - 0.5, 2)
        y = np.where(y < -0.9, 0.0, y)
        y[::7] = 0.0
        p = np.clip(y + rng.normal(0, 0.4, 60), -0.95, None)
        write_regress(f, "regress_zeros", y, p)

        # Regression with values below -1 (RMSLE of their absolute values).
        y = rng.normal(10, 20, 80)
        write_regress(f, "regress_negative", y, y + rng.normal(0, 5, 80))

        # Larger values (diabetes-like scale).
        y = rng.uniform(25, 346, 400).round()
        write_regress(f, "regress_scale", y, np.clip(y * 0.8 + rng.normal(30, 40, 400), 0, None))

        # Constant targets: R2 is 1 for a perfect fit, else 0; all-zero y: MAPE NaN.
        write_regress(f, "regress_constant_perfect", [3, 3, 3, 3], [3, 3, 3, 3])
        write_regress(f, "regress_constant", [3, 3, 3, 3], [3, 4, 2.5, 3])
        write_regress(f, "regress_all_zero", [0, 0, 0], [0.5, -0.25, 0])
    print(path)


if __name__ == "__main__":
    main()
