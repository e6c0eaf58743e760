#!/usr/bin/python3
"""Reference values for kiln's lr with penalty l1 / elasticnet: scikit-learn's
LogisticRegression(solver='saga') run to a tight tolerance (tol=1e-10), so that its
objective is the optimum to well under the 1e-4 the tests allow.

Rows: the standardised splits of tests/data/linear/ (breast_cancer binary, wine three
classes; saga fits the multinomial loss, as kiln does). The objective is scikit-learn's:
  C * sum_i logloss_i + l1_ratio * |W|_1 + (1 - l1_ratio) / 2 * |W|^2   (intercept free)
Writes penalty_expected.csv: case, objective, held-out accuracy, held-out log loss, iterations.
Run from anywhere: /usr/bin/python3 make_lr_penalty_fixtures.py
"""
import os
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss

HERE = os.path.dirname(os.path.abspath(__file__))
LINEAR = os.path.join(HERE, "..", "linear")

# (dataset, penalty, C, l1_ratio); the row index is the case number the test uses.
CASES = [("breast_cancer", "l1", 1.0, 1.0), ("breast_cancer", "l1", 0.1, 1.0),
         ("breast_cancer", "elasticnet", 1.0, 0.5), ("wine", "l1", 1.0, 1.0),
         ("wine", "l1", 0.1, 1.0), ("wine", "elasticnet", 1.0, 0.5)]


def load(name, part):
    a = np.loadtxt(os.path.join(LINEAR, f"{name}_{part}.csv"), delimiter=",", skiprows=1)
    return a[:, :-1], a[:, -1].astype(int)


def objective(m, X, y, C, rho):
    P = np.clip(m.predict_proba(X), 1e-300, 1)
    loss = -np.log(P[np.arange(len(y)), y]).sum()
    W = m.coef_
    return C * loss + rho * np.abs(W).sum() + 0.5 * (1 - rho) * (W * W).sum()


rows = []
for i, (name, penalty, C, rho) in enumerate(CASES):
    Xtr, ytr = load(name, "train")
    Xte, yte = load(name, "test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(penalty=penalty, C=C, solver="saga", tol=1e-10, max_iter=200000,
                               l1_ratio=rho if penalty == "elasticnet" else None).fit(Xtr, ytr)
    rows.append((i, objective(m, Xtr, ytr, C, rho), accuracy_score(yte, m.predict(Xte)),
                 log_loss(yte, m.predict_proba(Xte)), int(np.max(m.n_iter_))))
    print(name, penalty, C, rho, rows[-1])

with open(os.path.join(HERE, "penalty_expected.csv"), "w") as f:
    f.write("case,objective,accuracy,logloss,n_iter\n")
    for r in rows:
        f.write(",".join(repr(v) for v in r) + "\n")
