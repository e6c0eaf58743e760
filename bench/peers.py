"""The peers' side of bench/run: fit and score scikit-learn / XGBoost on the same
CSV rows and hyperparameters kiln gets, with the same preprocessing.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/peers.py \
        TRAIN.csv TEST.csv TASK REPEATS THREADS ESTIMATOR...

TASK is classification or regression; the target is the last column. Prints one
JSON object per estimator and line: the peer's name, the fit and predict
seconds of every repeat, and the held-out metric (Accuracy or R2). svm and
classification lr get a second line: liblinear itself (Debian's
python3-liblinear), see liblinear_side.

What matches kiln (see algos/select/pipeline.c, algos/model.c):
- standardisation: lr, svm, knn, ridge, lasso and en get a StandardScaler
  (population standard deviation, as kiln's z-score) inside the pipeline, so
  it is fitted on training rows and timed with the fit, as in `kiln train`;
- predict time is what `kiln train --test` times: transform plus the scores
  kiln computes (class probabilities where the model has them, else decision
  values; regression values);
- hyperparameters are kiln's defaults written out (kiln models lists them).
"""
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

SCALED = {"lr", "svm", "knn", "ridge", "lasso", "en"}


def xgb_model(task, n_classes, threads):
    import xgboost
    common = dict(tree_method="hist", n_estimators=100, learning_rate=0.1, max_depth=6, reg_lambda=1.0,
                  min_child_weight=1.0, gamma=0.0, subsample=1.0, colsample_bytree=1.0, max_bin=256,
                  n_jobs=threads, random_state=0)
    if task == "regression":
        return "XGBoost %s XGBRegressor(hist)" % xgboost.__version__, xgboost.XGBRegressor(**common)
    return "XGBoost %s XGBClassifier(hist)" % xgboost.__version__, xgboost.XGBClassifier(**common)


def peer(est, task, n_rows, n_features, n_classes, threads):
    """(name, estimator) mirroring kiln's defaults for `est`."""
    clf = task == "classification"
    sk = "scikit-learn %s " % sklearn.__version__
    if est == "gbm":
        return xgb_model(task, n_classes, threads)
    if est == "dummy":
        m = DummyClassifier(strategy="prior") if clf else DummyRegressor(strategy="mean")
    elif est == "rf":
        m = (RandomForestClassifier(n_estimators=100, max_features="sqrt", n_jobs=threads, random_state=0) if clf
             else RandomForestRegressor(n_estimators=100, max_features=1.0, n_jobs=threads, random_state=0))
    elif est == "et":
        m = (ExtraTreesClassifier(n_estimators=100, max_features="sqrt", n_jobs=threads, random_state=0) if clf
             else ExtraTreesRegressor(n_estimators=100, max_features=1.0, n_jobs=threads, random_state=0))
    elif est == "dt":
        m = DecisionTreeClassifier(random_state=0) if clf else DecisionTreeRegressor(random_state=0)
    elif est == "lr":
        m = (LogisticRegression(C=1.0, tol=1e-4, max_iter=1000, solver="lbfgs") if clf
             else LinearRegression())
    elif est == "svm":
        # kiln's dual=auto: the dual solver only when rows <= features.
        m = LinearSVC(C=1.0, loss="squared_hinge", penalty="l2", dual=n_rows <= n_features, tol=1e-4,
                      max_iter=1000, random_state=0)
    elif est == "knn":
        m = (KNeighborsClassifier(n_neighbors=5, n_jobs=threads) if clf
             else KNeighborsRegressor(n_neighbors=5, n_jobs=threads))
    elif est == "ridge":
        m = RidgeClassifier(alpha=1.0) if clf else Ridge(alpha=1.0)
    elif est == "lasso":
        m = Lasso(alpha=1.0, max_iter=1000, tol=1e-4)
    elif est == "en":
        m = ElasticNet(alpha=1.0, l1_ratio=0.5, max_iter=1000, tol=1e-4)
    elif est == "nb":
        m = GaussianNB(var_smoothing=1e-9)
    else:
        raise SystemExit("peers.py: no peer for %s" % est)
    name = sk + type(m).__name__
    if est in SCALED:
        m = make_pipeline(StandardScaler(), m)
        name += " + StandardScaler"
    return name, m


def scores(model, X):
    """What kiln computes at predict time: probabilities, else decision values, else values."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return model.predict(X)


def metric(model, task, s, y):
    if task == "regression":
        return r2_score(y, s)
    classes = model.classes_
    pred = classes[np.argmax(s, axis=1)] if s.ndim == 2 else classes[(s > 0).astype(int)]
    return accuracy_score(y, pred)


def liblinear_options(est, n_rows, n_features):
    """kiln's svm and lr written as liblinear options: C 1, tolerance 1e-4, a bias feature of value 1.

    svm: L2-regularised squared hinge, the primal Newton solver (-s 2) or, when
    rows <= features, the dual coordinate descent (-s 1), kiln's dual=auto; the
    bias is a regularised feature in both. lr: L2-regularised logistic
    regression, primal Newton (-s 0); liblinear regularises the bias (kiln
    does not) and fits one-vs-rest for more than two classes (kiln: the
    multinomial loss)."""
    solver = 0 if est == "lr" else (1 if n_rows <= n_features else 2)
    return "-s %d -c 1 -e 0.0001 -B 1 -q" % solver


def liblinear_side(est, Xtr, ytr, Xte, yte, repeats):
    """liblinear's train on the standardised rows; fit = scaling + train.

    The rows are handed to liblinear in its own sparse format, built once per
    repeat outside the timer (the Python binding's conversion; kiln's and
    scikit-learn's fit times include their conversion). Predict: the scaled
    test rows times liblinear's weights in numpy (what LinearSVC's
    decision_function does), and for lr liblinear's probabilities; the binding's own
    predict loops over rows in Python and would time Python, not liblinear."""
    import liblinear
    import liblinearutil
    from scipy import sparse
    # Debian's binding (2.3.0) calls numpy through the name scipy (scipy.ctypeslib,
    # scipy.empty, scipy.ndarray), which scipy >= 1.9 no longer re-exports.
    liblinear.scipy = liblinearutil.scipy = np
    options = liblinear_options(est, Xtr.shape[0], Xtr.shape[1])
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-liblinear"], capture_output=True,
                             text=True).stdout.split("+")[0] or "?"
    fits, preds, value = [], [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        scaler = StandardScaler().fit(Xtr)
        Xs = scaler.transform(Xtr)
        t1 = time.perf_counter()
        prob = liblinear.problem(ytr, sparse.csr_matrix(Xs))
        t2 = time.perf_counter()
        m = liblinearutil.train(prob, liblinear.parameter(options))
        t3 = time.perf_counter()
        labels = np.array(m.get_labels(), dtype=float)
        n_w = len(labels) if len(labels) > 2 else 1
        w = np.ctypeslib.as_array(m.w, shape=(Xtr.shape[1] + 1, n_w))
        t4 = time.perf_counter()
        dec = scaler.transform(Xte) @ w[:-1] + m.bias * w[-1]
        if est == "lr":  # liblinear's probabilities: logistic, normalised over one-vs-rest classes
            proba = 1.0 / (1.0 + np.exp(-dec))
            proba = proba / proba.sum(axis=1, keepdims=True) if n_w > 1 else proba
        t5 = time.perf_counter()
        fits.append((t1 - t0) + (t3 - t2))
        preds.append(t5 - t4)
        pred = labels[np.argmax(dec, axis=1)] if n_w > 1 else np.where(dec[:, 0] > 0, labels[0], labels[1])
        value = accuracy_score(yte, pred)
    return {"estimator": est, "peer": "liblinear %s %s + StandardScaler" % (version, options.replace(" -q", "")),
            "fit_seconds": fits, "predict_seconds": preds, "metric": value}


def load(path):
    """The CSV's numbers, parsed once: bench/run calls this script once per
    estimator, so the array is kept as bench/work/<name>.npy beside the CSV's age."""
    cache = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", os.path.basename(path) + ".npy")
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(path):
        return np.load(cache)
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    np.save(cache + ".tmp.npy", data)
    os.replace(cache + ".tmp.npy", cache)
    return data


def main():
    train, test, task, repeats, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    warnings.simplefilter("ignore")
    tr, te = load(train), load(test)
    Xtr, ytr, Xte, yte = tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1]
    n_classes = len(np.unique(ytr)) if task == "classification" else 0
    for est in sys.argv[6:]:
        fits, preds, value = [], [], None
        for _ in range(repeats):
            name, m = peer(est, task, Xtr.shape[0], Xtr.shape[1], n_classes, threads)
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            t1 = time.perf_counter()
            s = scores(m, Xte)
            t2 = time.perf_counter()
            fits.append(t1 - t0)
            preds.append(t2 - t1)
            value = metric(m, task, s, yte)
        print(json.dumps({"estimator": est, "peer": name, "fit_seconds": fits, "predict_seconds": preds,
                          "metric": value}), flush=True)
        if est == "svm" or (est == "lr" and task == "classification"):
            print(json.dumps(liblinear_side(est, Xtr, ytr, Xte, yte, repeats)), flush=True)


if __name__ == "__main__":
    main()
