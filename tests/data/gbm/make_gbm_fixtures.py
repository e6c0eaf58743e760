#!/usr/bin/python3
"""Reference fixtures for tests/unit/test_gbm.c: data splits and XGBoost's held-out score.

For each data set it writes <name>_train.csv and <name>_test.csv (features, then the
target as the last column; classes as indices 0..K-1) and <name>_ref.csv holding
XGBoost's held-out metric with the same trees kiln is asked to grow:
n_estimators=100, max_depth=6, learning_rate=0.1, reg_lambda=1, min_child_weight=1,
gamma=0, 255 bins, tree_method="hist". The starting score is the one kiln derives
from the data where XGBoost 1.7 lets us set it (mean / positive rate); multiclass
keeps XGBoost's uniform start. Metric: log loss (classification) or R2 (regression).

Run with Debian's python (python3-sklearn, python3-xgboost 1.7):
    /usr/bin/python3 tests/data/gbm/make_gbm_fixtures.py
"""
import os

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, make_classification
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
COMMON = dict(n_estimators=100, max_depth=6, learning_rate=0.1, reg_lambda=1.0, min_child_weight=1.0,
              gamma=0.0, max_bin=255, tree_method="hist", n_jobs=2, random_state=SEED)


def categorical_regression(n=1500):
    """Two numeric columns and two categorical ones (integer codes) with per-level effects."""
    rng = np.random.default_rng(SEED)
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-2, 2, size=n)
    c1 = rng.integers(0, 6, size=n)
    c2 = rng.integers(0, 12, size=n)
    effect1 = np.array([0.0, 2.0, -1.5, 0.5, 3.0, -2.5])
    effect2 = rng.normal(scale=1.5, size=12)
    y = 2 * x1 + np.sin(2 * x2) + effect1[c1] + effect2[c2] + x1 * (c1 == 4) + rng.normal(scale=0.5, size=n)
    return np.column_stack([x1, x2, c1, c2]), y


def datasets():
    bc = load_breast_cancer()
    yield "breast_cancer", "binary", bc.data, bc.target
    dg = load_digits()
    yield "digits", "multiclass", dg.data, dg.target
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, n_redundant=4,
                               n_classes=2, flip_y=0.05, random_state=SEED)
    yield "generated", "binary", X, y
    X, y = make_classification(n_samples=3000, n_features=16, n_informative=10, n_classes=5,
                               n_clusters_per_class=1, random_state=SEED + 1)
    yield "generated5", "multiclass", X, y
    db = load_diabetes()
    yield "diabetes", "regression", db.data, db.target
    X, y = categorical_regression()
    yield "categorical", "regression", X, y


def write_matrix(path, header, m):
    np.savetxt(path, m, delimiter=",", header=",".join(header), comments="", fmt="%.17g")


def main():
    for name, kind, X, y in datasets():
        strat = y if kind != "regression" else None
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=SEED, stratify=strat)
        cols = [f"x{j}" for j in range(X.shape[1])] + ["y"]
        write_matrix(os.path.join(HERE, f"{name}_train.csv"), cols, np.column_stack([Xtr, ytr]))
        write_matrix(os.path.join(HERE, f"{name}_test.csv"), cols, np.column_stack([Xte, yte]))
        if kind == "regression":
            model = xgb.XGBRegressor(objective="reg:squarederror", base_score=float(np.mean(ytr)), **COMMON)
            model.fit(Xtr, ytr)
            score, metric = r2_score(yte, model.predict(Xte)), "r2"
        elif kind == "binary":
            model = xgb.XGBClassifier(objective="binary:logistic", base_score=float(np.mean(ytr)), **COMMON)
            model.fit(Xtr, ytr)
            score, metric = log_loss(yte, model.predict_proba(Xte)), "log_loss"
        else:
            model = xgb.XGBClassifier(objective="multi:softprob", **COMMON)
            model.fit(Xtr, ytr)
            score, metric = log_loss(yte, model.predict_proba(Xte)), "log_loss"
        write_matrix(os.path.join(HERE, f"{name}_ref.csv"), [f"xgboost_{metric}"], np.array([[score]]))
        print(f"{name:14s} {kind:10s} n_train={len(ytr):5d} xgboost {metric}={score:.6f}")
    print(f"xgboost {xgb.__version__}, scikit-learn {sklearn.__version__}")


if __name__ == "__main__":
    main()
