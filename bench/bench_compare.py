"""kiln compare against the same step written on scikit-learn / XGBoost.

    /usr/bin/python3 bench/bench_compare.py build/kiln datasets/breast_cancer.csv target [folds]

Runs `kiln compare DATA --target COL --threads 2` once and times it (wall clock,
the whole process: CSV read, split, every model x fold, the winner's refit and
held-out score). Then does what PyCaret's compare_models does on the peers:
train_test_split(train_size=0.7, stratified, shuffled), StratifiedKFold /
KFold(folds) without reshuffling, and for each of the same models
cross_validate(..., n_jobs=2) with PyCaret's metrics, the winner refitted on
the training part and scored on the held-out rows. Linear models and kNN get a
StandardScaler inside the fold (kiln's default); trees get raw features.

The split and folds follow the same rules and sizes as kiln's but are drawn by
numpy's RNG, so the rows differ: compare the timings, and the best scores only
within their fold-to-fold spread. Prints one line per side and the ratio.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

SEED = 1
os.environ["PYTHONWARNINGS"] = "ignore"  # the fold workers are separate processes


def scaled(m):
    return make_pipeline(StandardScaler(), m)


def classifiers():
    return {
        "lr": scaled(LogisticRegression(max_iter=1000)),
        "knn": scaled(KNeighborsClassifier()),
        "nb": GaussianNB(),
        "dt": DecisionTreeClassifier(random_state=SEED),
        "svm": scaled(LinearSVC(random_state=SEED)),
        "ridge": scaled(RidgeClassifier()),
        "rf": RandomForestClassifier(random_state=SEED, n_jobs=1),
        "et": ExtraTreesClassifier(random_state=SEED, n_jobs=1),
        "gbm": XGBClassifier(n_estimators=100, learning_rate=0.1, max_depth=6, n_jobs=1, random_state=SEED),
        "dummy": DummyClassifier(),
    }


def regressors():
    return {
        "lr": scaled(LinearRegression()),
        "knn": scaled(KNeighborsRegressor()),
        "dt": DecisionTreeRegressor(random_state=SEED),
        "svm": scaled(LinearSVR(random_state=SEED)),
        "ridge": scaled(Ridge()),
        "rf": RandomForestRegressor(random_state=SEED, n_jobs=1),
        "et": ExtraTreesRegressor(random_state=SEED, n_jobs=1),
        "gbm": XGBRegressor(n_estimators=100, learning_rate=0.1, max_depth=6, n_jobs=1, random_state=SEED),
        "lasso": scaled(Lasso()),
        "en": scaled(ElasticNet()),
        "dummy": DummyRegressor(),
    }


def run_kiln(kiln, data, target):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "c.json")
        t0 = time.perf_counter()
        subprocess.run([kiln, "compare", data, "--target", target, "--threads", "2", "--json", out, "--no-log"],
                       check=True, stdout=subprocess.DEVNULL)
        secs = time.perf_counter() - t0
        with open(out) as f:
            res = json.load(f)
    return secs, res


def run_peer(data, target, task, folds):
    df = pd.read_csv(data)
    y = df.pop(target).to_numpy()
    X = df.to_numpy(dtype=float)
    clf = task == "classification"
    Xtr, Xte, ytr, yte = train_test_split(X, y, train_size=0.7, shuffle=True, random_state=SEED,
                                          stratify=y if clf else None)
    cv = StratifiedKFold(folds) if clf else KFold(folds)
    scoring = (["accuracy", "roc_auc_ovr_weighted", "recall_weighted", "precision_weighted", "f1_weighted"]
               if clf else ["neg_mean_absolute_error", "neg_mean_squared_error", "r2"])
    main = "test_accuracy" if clf else "test_r2"
    models = classifiers() if clf else regressors()
    t0 = time.perf_counter()
    board = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model in models.items():
            r = cross_validate(model, Xtr, ytr, cv=cv, scoring=scoring, n_jobs=2, error_score=np.nan)
            board[name] = float(np.mean(r[main]))
        best = max(board, key=lambda k: -np.inf if np.isnan(board[k]) else board[k])
        final = clone(models[best]).fit(Xtr, ytr)
        pred = final.predict(Xte)
    secs = time.perf_counter() - t0
    holdout = accuracy_score(yte, pred) if clf else r2_score(yte, pred)
    return secs, best, board[best], holdout


def main():
    kiln, data, target = sys.argv[1], sys.argv[2], sys.argv[3]
    folds = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    ksecs, res = run_kiln(kiln, data, target)
    metric = "Accuracy" if res["task"] == "classification" else "R2"
    kbest = res["leaderboard"][0]
    print(f"kiln    {ksecs:7.3f} s  best {res['best']:6s} CV {metric} {kbest[metric]:.4f}  "
          f"held-out {res['holdout'][metric]:.4f}")
    psecs, pbest, pcv, phold = run_peer(data, target, res["task"], folds)
    print(f"sklearn {psecs:7.3f} s  best {pbest:6s} CV {metric} {pcv:.4f}  held-out {phold:.4f}")
    print(f"kiln / sklearn wall time: {ksecs / psecs:.3f}")


if __name__ == "__main__":
    main()
