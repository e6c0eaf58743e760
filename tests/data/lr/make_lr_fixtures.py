#!/usr/bin/python3
"""Reference values for kiln's lr: scikit-learn's LogisticRegression(C=1, max_iter=1000)
(lbfgs, L2) and LinearRegression on standardised rows.

For each data set: a stratified 70/30 split (random_state=1), StandardScaler fitted on the
training rows, then the held-out accuracy and log loss (classification) or R2 (regression).
Writes <name>_train.csv and <name>_test.csv (standardised features, the target last) and
expected.csv (one row per data set). Run from anywhere: /usr/bin/python3 make_lr_fixtures.py
"""
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, X, y):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join([f"x{j}" for j in range(X.shape[1])] + ["y"]) + "\n")
        for row, t in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + repr(float(t)) + "\n")


rows = []
for name, loader, task in [("breast_cancer", load_breast_cancer, "c"), ("digits", load_digits, "c"),
                           ("iris", load_iris, "c"), ("diabetes", load_diabetes, "r")]:
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=1,
                                          stratify=y if task == "c" else None)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    write(f"{name}_train.csv", Xtr, ytr)
    write(f"{name}_test.csv", Xte, yte)
    if task == "c":
        m = LogisticRegression(C=1.0, max_iter=1000).fit(Xtr, ytr)
        p = m.predict_proba(Xte)
        rows.append((name, accuracy_score(yte, m.predict(Xte)), log_loss(yte, p), 0.0))
    else:
        m = LinearRegression().fit(Xtr, ytr)
        rows.append((name, 0.0, 0.0, r2_score(yte, m.predict(Xte))))

with open(os.path.join(HERE, "expected.csv"), "w") as f:
    f.write("dataset,accuracy,logloss,r2\n")
    for i, (name, acc, ll, r2) in enumerate(rows):
        f.write(f"{i},{acc!r},{ll!r},{r2!r}\n")
print("datasets in expected.csv order:", [r[0] for r in rows])
