#!/usr/bin/python3
"""Time kiln's lr against scikit-learn's LogisticRegression (lbfgs) on the same rows.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/bench_lr_sklearn.py \
        build/bench/bench_lr [--repeats 3] [--sets breast_cancer,digits,binary200k,multi60k] \
        [--scale 1.0]

For each set: a stratified 70/30 split (random_state=1; the generated sets hold out a
fixed number of rows), a StandardScaler fitted on the training rows, the standardised
rows written once to a temporary file; then scikit-learn's LogisticRegression(C=1,
max_iter=1000) is fitted `repeats` times and bench_lr (kiln's lr, C=1, max_iter=1000,
2 threads) reads the same file and fits `repeats` times. Prints the median fit times
(wall, and the process's CPU time over all threads, steadier on a busy machine), their
ratios kiln / scikit-learn, the held-out log loss and accuracy of both, and the
iterations each solver used. --scale shrinks the generated sets (rows) for a quick run.

Sets: breast_cancer (569 x 30, binary), digits (1797 x 64, 10 classes), binary200k
(make_classification 240000 x 50, 200000 training rows), multi60k
(make_classification 70000 x 784, 10 classes, 60000 training rows: an equivalent of
Fashion-MNIST's shape, which is not packaged here).
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def dataset(name, scale):
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        return train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
    if name == "binary200k":
        n_train, n_test = int(200000 * scale), int(40000 * scale)
        X, y = make_classification(n_samples=n_train + n_test, n_features=50, n_informative=20,
                                   n_redundant=10, flip_y=0.05, random_state=0)
    elif name == "multi60k":
        n_train, n_test = int(60000 * scale), int(10000 * scale)
        X, y = make_classification(n_samples=n_train + n_test, n_features=784, n_informative=60,
                                   n_redundant=60, n_classes=10, n_clusters_per_class=1, class_sep=2.0,
                                   flip_y=0.02, random_state=0)
    else:
        raise SystemExit(f"unknown set {name}")
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def write(path, Xtr, Xte, ytr, yte, k):
    with open(path, "wb") as f:
        np.array([len(ytr), len(yte), Xtr.shape[1], k], dtype="<i8").tofile(f)
        for a in (Xtr, ytr, Xte, yte):
            np.ascontiguousarray(a, dtype="<f8").tofile(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench_lr")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sets", default="breast_cancer,digits,binary200k,multi60k")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    print(f"{'set':14s} {'rows x cols':>13s} {'k':>3s} | {'sklearn s':>9s} {'kiln s':>8s} {'ratio':>6s} | "
          f"{'sk cpu':>7s} {'kiln cpu':>8s} {'ratio':>6s} | "
          f"{'sk logloss':>10s} {'kiln logloss':>12s} {'rel diff':>8s} | {'sk acc':>6s} {'kiln acc':>8s} | "
          f"{'sk iter':>7s} {'kiln iter':>9s}")
    for name in a.sets.split(","):
        Xtr, Xte, ytr, yte = dataset(name, a.scale)
        sc = StandardScaler().fit(Xtr)
        Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        classes = np.unique(ytr)
        ytr, yte = np.searchsorted(classes, ytr), np.searchsorted(classes, yte)
        times, cpus = [], []
        for _ in range(a.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            m = LogisticRegression(C=1.0, max_iter=1000).fit(Xtr, ytr)
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        sk_s, sk_c = statistics.median(times), statistics.median(cpus)
        sk_ll = log_loss(yte, m.predict_proba(Xte), labels=range(len(classes)))
        sk_acc = accuracy_score(yte, m.predict(Xte))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, f"{name}.bin")
            write(path, Xtr, Xte, ytr, yte, len(classes))
            out = subprocess.run([a.bench_lr, path, str(a.repeats), "2", "C=1", "max_iter=1000"],
                                 check=True, capture_output=True, text=True).stdout.split()
        k_s, k_c, k_ll, k_acc, k_it = float(out[1]), float(out[2]), float(out[3]), float(out[4]), out[5]
        print(f"{name:14s} {f'{Xtr.shape[0]}x{Xtr.shape[1]}':>13s} {len(classes):3d} | {sk_s:9.4f} {k_s:8.4f} "
              f"{k_s / sk_s:6.3f} | {sk_c:7.3f} {k_c:8.3f} {k_c / sk_c:6.3f} | {sk_ll:10.6f} {k_ll:12.6f} {(k_ll - sk_ll) / sk_ll:+8.2%} | "
              f"{sk_acc:6.4f} {k_acc:8.4f} | {int(np.max(m.n_iter_)):7d} {k_it:>9s}", flush=True)


if __name__ == "__main__":
    main()
