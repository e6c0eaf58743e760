"""Reference predictions of scikit-learn's k-nearest neighbours for kiln's tests.

Run with Debian's python (/usr/bin/python3, scikit-learn 1.2). For each data
set: a fixed split (25% test, random_state=0, stratified for classifiers),
StandardScaler fitted on the training rows, then KNeighborsClassifier /
KNeighborsRegressor (n_neighbors=5) for every weighting and metric with
algorithm="brute", and with algorithm="kd_tree" for the low-dimensional sets.

Files per data set NAME:
  NAME_train.csv, NAME_test.csv   standardised features x0..x{d-1}, then y
  NAME_<algorithm>_<metric>_<weights>.csv
      classification: p0..p{C-1} (predict_proba), label (predict)
      regression: value (predict)
metric is euclidean, manhattan, minkowski3 (minkowski with p=3) or cosine.
Digits is subsampled (600 training rows, 100 test rows) to keep the files small.
"""
import os

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
K = 5
METRICS = {
    "euclidean": dict(metric="euclidean"),
    "manhattan": dict(metric="manhattan"),
    "minkowski3": dict(metric="minkowski", p=3),
    "cosine": dict(metric="cosine"),
}
SETS = [
    ("iris", datasets.load_iris, True, None, True),
    ("wine", datasets.load_wine, True, None, True),
    ("digits", datasets.load_digits, True, (600, 100), False),
    ("breast_cancer", datasets.load_breast_cancer, True, None, False),
    ("diabetes", datasets.load_diabetes, False, None, True),
]


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(repr(float(v)) for v in r) + "\n")


def main():
    for name, loader, classify, sub, tree in SETS:
        X, y = loader(return_X_y=True)
        Xtr, Xte, ytr, yte = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y if classify else None
        )
        if sub:
            Xtr, ytr, Xte, yte = Xtr[: sub[0]], ytr[: sub[0]], Xte[: sub[1]], yte[: sub[1]]
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
        head = [f"x{j}" for j in range(X.shape[1])] + ["y"]
        write(f"{name}_train.csv", head, np.column_stack([Xtr, ytr]))
        write(f"{name}_test.csv", head, np.column_stack([Xte, yte]))
        for algorithm in ["brute"] + (["kd_tree"] if tree else []):
            for mname, margs in METRICS.items():
                if algorithm == "kd_tree" and mname == "cosine":
                    continue
                for weights in ["uniform", "distance"]:
                    est = (KNeighborsClassifier if classify else KNeighborsRegressor)(
                        n_neighbors=K, weights=weights, algorithm=algorithm, **margs
                    ).fit(Xtr, ytr)
                    out = f"{name}_{algorithm}_{mname}_{weights}.csv"
                    if classify:
                        proba = est.predict_proba(Xte)
                        cols = [f"p{c}" for c in range(proba.shape[1])] + ["label"]
                        write(out, cols, np.column_stack([proba, est.predict(Xte)]))
                    else:
                        write(out, ["value"], est.predict(Xte)[:, None])


if __name__ == "__main__":
    main()
