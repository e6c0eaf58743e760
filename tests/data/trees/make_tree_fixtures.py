"""Fixtures for tests/unit/test_tree.c: scikit-learn's bundled data sets split
once (25 % test, a fixed permutation from numpy seed 0), and what scikit-learn's
trees score on them with the hyperparameters the test uses.

Run with Debian's python: /usr/bin/python3 tests/data/trees/make_tree_fixtures.py

Writes <name>_train.csv / <name>_test.csv (features, then the target; header
line), expected.csv (one row per data set: id, is_classification, n_classes,
decision tree score, random forest score averaged over SEEDS, extra trees
score averaged over SEEDS; accuracy or R2), stump.csv (id, feature,
threshold of scikit-learn's max_depth=1 tree on the whole training split), and
onehot_train.csv / onehot_test.csv with onehot_expected.csv: a generated set of
numeric and one-hot columns, where many features are constant in deep nodes,
and the mean held-out accuracy and mean nodes per tree of scikit-learn's
random forest on it over SEEDS (how max_features counts constant features
decides the trees' size there).
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


def one_hot_set(rng, n):
    """n rows: 4 numeric columns of 200 values (no more than kiln's bins, so
    its thresholds are scikit-learn's), 3 categorical ones of 6 levels one-hot
    encoded; a noisy class of both."""
    effect = np.array([-1.2, -0.6, -0.2, 0.3, 0.8, 1.4])
    num = np.round(rng.uniform(0, 2, size=(n, 4)), 2)
    cat = rng.randint(0, 6, size=(n, 3))
    onehot = np.concatenate([(cat[:, [c]] == np.arange(6)).astype(float) for c in range(3)], axis=1)
    s = (num[:, 0] * num[:, 1] - np.sin(2 * num[:, 2]) + effect[cat[:, 0]] +
         np.where(cat[:, 1] % 2 == 1, num[:, 3], -num[:, 3]) + 0.5 * effect[cat[:, 2]] + 0.5 * rng.normal(size=n))
    return np.concatenate([num, onehot], axis=1), (s > 0.3).astype(float)


def one_hot_fixture():
    X, y = one_hot_set(np.random.RandomState(1), 2000)
    Xtr, ytr, Xte, yte = X[:1500], y[:1500], X[1500:], y[1500:]
    write("onehot_train.csv", Xtr, ytr)
    write("onehot_test.csv", Xte, yte)
    acc, nodes = [], []
    for s in SEEDS:
        rf = RandomForestClassifier(n_estimators=N_TREES, random_state=s, n_jobs=2).fit(Xtr, ytr)
        acc.append(accuracy_score(yte, rf.predict(Xte)))
        nodes.append(np.mean([e.tree_.node_count for e in rf.estimators_]))
    with open(os.path.join(HERE, "onehot_expected.csv"), "w") as f:
        f.write("rf_accuracy,rf_nodes_per_tree\n")
        f.write("%r,%r\n" % (float(np.mean(acc)), float(np.mean(nodes))))
    print("onehot rf %.4f, %.1f nodes per tree" % (np.mean(acc), np.mean(nodes)))


def main():
    one_hot_fixture()
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
