"""Fixtures for tests/unit/test_tree.c: scikit-learn's bundled data sets split
once (25 % test, a fixed permutation from numpy seed 0), and what scikit-learn's
trees score on them with the hyperparameters the test uses.

Run with Debian's python: /usr/bin/python3 tests/data/trees/make_tree_fixtures.py

Writes <name>_train.csv / <name>_test.csv (features, then the target; header
line), expected.csv (one row per data set: id, is_classification, n_classes,
decision tree score, random forest score averaged over SEEDS, extra trees
score averaged over SEEDS; accuracy or R2), and stump.csv (id, feature,
threshold of scikit-learn's max_depth=1 tree on the whole training split).
"""
import os
import numpy as np
from sklearn import datasets
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = range(20)
N_TREES = 100
SETS = [("iris", datasets.load_iris, 1), ("wine", datasets.load_wine, 1),
        ("breast_cancer", datasets.load_breast_cancer, 1), ("digits", datasets.load_digits, 1),
        ("diabetes", datasets.load_diabetes, 0)]


def write(path, X, y):
    with open(os.path.join(HERE, path), "w") as f:
        f.write(",".join([f"x{j}" for j in range(X.shape[1])] + ["y"]) + "\n")
        for row, t in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + repr(float(t)) + "\n")


def score(clf, model, X, y):
    p = model.predict(X)
    return accuracy_score(y, p) if clf else r2_score(y, p)


def stump_gain(tree):
    n = tree.weighted_n_node_samples
    imp = tree.impurity
    return n[0] * imp[0] - n[1] * imp[1] - n[2] * imp[2] if tree.node_count == 3 else 0.0


def main():
    expected, stumps = [], []
    for i, (name, load, clf) in enumerate(SETS):
        X, y = load(return_X_y=True)
        perm = np.random.RandomState(0).permutation(len(y))
        n_test = len(y) // 4
        te, tr = perm[:n_test], perm[n_test:]
        write(f"{name}_train.csv", X[tr], y[tr])
        write(f"{name}_test.csv", X[te], y[te])
        Xtr, ytr, Xte, yte = X[tr], y[tr], X[te], y[te]
        DT = DecisionTreeClassifier if clf else DecisionTreeRegressor
        RF = RandomForestClassifier if clf else RandomForestRegressor
        ET = ExtraTreesClassifier if clf else ExtraTreesRegressor
        dt = np.mean([score(clf, DT(random_state=s).fit(Xtr, ytr), Xte, yte) for s in SEEDS])
        rf = np.mean([score(clf, RF(n_estimators=N_TREES, random_state=s, n_jobs=2).fit(Xtr, ytr), Xte, yte)
                      for s in SEEDS])
        et = np.mean([score(clf, ET(n_estimators=N_TREES, random_state=s, n_jobs=2).fit(Xtr, ytr), Xte, yte)
                      for s in SEEDS])
        n_classes = len(np.unique(y)) if clf else 0
        expected.append((i, clf, n_classes, dt, rf, et))
        stump = DT(max_depth=1, random_state=0).fit(Xtr, ytr).tree_
        gains = [stump_gain(DT(max_depth=1).fit(Xtr[:, [j]], ytr).tree_) for j in range(X.shape[1])]
        gain = stump_gain(stump)
        unique = sum(g >= gain - 1e-9 * abs(gain) for g in gains) == 1
        stumps.append((i, stump.feature[0], stump.threshold[0], gain, int(unique)))
        print(name, "dt %.4f rf %.4f et %.4f" % (dt, rf, et), "stump", stumps[-1][1:])
    with open(os.path.join(HERE, "expected.csv"), "w") as f:
        f.write("id,classification,n_classes,dt,rf,et\n")
        for r in expected:
            f.write("%d,%d,%d,%r,%r,%r\n" % (r[0], r[1], r[2], float(r[3]), float(r[4]), float(r[5])))
    with open(os.path.join(HERE, "stump.csv"), "w") as f:
        f.write("id,feature,threshold,gain,unique\n")
        for r in stumps:
            f.write("%d,%d,%r,%r,%d\n" % (r[0], r[1], float(r[2]), float(r[3]), r[4]))


if __name__ == "__main__":
    main()
