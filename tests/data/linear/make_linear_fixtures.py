"""Reference values for the linear family (svm, ridge, lasso, en, nb), from scikit-learn.

Run with Debian's python (/usr/bin/python3, scikit-learn 1.2). Each data set is split
70/30 (stratified for classification, random_state=0) and standardised with a
StandardScaler fitted on the training rows. Written, all as numeric CSV with one
header line:
  <ds>_train.csv, <ds>_test.csv     features then the target (class index or value)
  <ds>_svm_<case>.csv               one row per one-vs-rest problem:
                                    objective, intercept, coefficients
  <ds>_svm_<case>_acc.csv           held-out accuracy, 1 if liblinear met its stopping rule
  <ds>_ridge.csv / _lasso.csv / _en.csv   intercept then coefficients, one row per target
  <ds>_nb.csv                       predicted class, then class probabilities per test row
The SVM objective is liblinear's, with the bias as a regularised extra feature of value
intercept_scaling and per-row costs C_i (for one-vs-rest, liblinear weights the positive
class by its class weight and the rest by plain C; binary problems use both class weights).
"""
import os
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.linear_model import Ridge, RidgeClassifier, Lasso, ElasticNet
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.class_weight import compute_class_weight

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, header, rows):
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    np.savetxt(os.path.join(HERE, name), rows, delimiter=",", header=header, comments="", fmt="%.17g")


def split(ds, classify):
    X, y = ds.data, ds.target.astype(float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0,
                                          stratify=y if classify else None)
    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte), ytr, yte


def write_split(name, Xtr, Xte, ytr, yte):
    header = ",".join([f"x{j}" for j in range(Xtr.shape[1])] + ["y"])
    save(f"{name}_train.csv", header, np.column_stack([Xtr, ytr]))
    save(f"{name}_test.csv", header, np.column_stack([Xte, yte]))


def svm_objectives(m, X, y, params):
    """liblinear's primal objective of each one-vs-rest problem at scikit-learn's solution."""
    classes = np.unique(y)
    C, s = params.get("C", 1.0), params.get("intercept_scaling", 1.0)
    cw = params.get("class_weight")
    cw = compute_class_weight(cw, classes=classes, y=y) if cw == "balanced" else np.ones(len(classes))
    rows = []
    problems = [1] if len(classes) == 2 else range(len(classes))
    for r, k in enumerate(problems):
        yk = np.where(y == k, 1.0, -1.0)
        if len(classes) == 2:
            Ci = np.where(yk > 0, C * cw[1], C * cw[0])
        else:
            Ci = np.where(yk > 0, C * cw[k], C)
        w = np.append(m.coef_[r], m.intercept_[r] / s)
        margin = 1 - yk * (X @ m.coef_[r] + m.intercept_[r])
        hinge = np.maximum(margin, 0)
        loss = hinge if params.get("loss") == "hinge" else hinge ** 2
        reg = np.abs(w).sum() if params.get("penalty") == "l1" else 0.5 * w @ w
        rows.append([reg + (Ci * loss).sum(), m.intercept_[r]] + list(m.coef_[r]))
    return rows


SVM_CASES = {
    "primal": dict(dual=False),
    "balanced": dict(dual=False, class_weight="balanced"),
    "l1": dict(dual=False, penalty="l1", C=0.1),
    "dual": dict(dual=True, max_iter=20000),
    "hinge": dict(dual=True, loss="hinge", max_iter=20000),
}


def classification(name, ds):
    Xtr, Xte, ytr, yte = split(ds, True)
    write_split(name, Xtr, Xte, ytr, yte)
    d = Xtr.shape[1]
    for case, params in SVM_CASES.items():
        m = LinearSVC(tol=1e-4, random_state=0, **params).fit(Xtr, ytr)
        rows = svm_objectives(m, Xtr, ytr, params)
        save(f"{name}_svm_{case}.csv", "objective,intercept," + ",".join(f"c{j}" for j in range(d)), rows)
        converged = np.max(m.n_iter_) < params.get("max_iter", 1000)
        save(f"{name}_svm_{case}_acc.csv", "accuracy,converged", [[m.score(Xte, yte), converged]])
    rc = RidgeClassifier(alpha=1.0).fit(Xtr, ytr)
    save(f"{name}_ridgeclf.csv", "intercept," + ",".join(f"c{j}" for j in range(d)),
         np.column_stack([np.atleast_1d(rc.intercept_), np.atleast_2d(rc.coef_)]))
    nb = GaussianNB().fit(Xtr, ytr)
    save(f"{name}_nb.csv", "label," + ",".join(f"p{k}" for k in range(len(nb.classes_))),
         np.column_stack([nb.predict(Xte), nb.predict_proba(Xte)]))


def regression(name, ds):
    Xtr, Xte, ytr, yte = split(ds, False)
    write_split(name, Xtr, Xte, ytr, yte)
    d = Xtr.shape[1]
    header = "intercept," + ",".join(f"c{j}" for j in range(d))
    for tag, m in [("ridge", Ridge(alpha=1.0)), ("lasso", Lasso(alpha=0.5, tol=1e-4)),
                   ("en", ElasticNet(alpha=0.5, l1_ratio=0.5, tol=1e-4))]:
        m.fit(Xtr, ytr)
        save(f"{name}_{tag}.csv", header, [[m.intercept_] + list(m.coef_)])


if __name__ == "__main__":
    classification("breast_cancer", datasets.load_breast_cancer())
    classification("wine", datasets.load_wine())
    classification("digits", datasets.load_digits())
    regression("diabetes", datasets.load_diabetes())
