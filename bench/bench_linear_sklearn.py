"""Time scikit-learn's LinearSVC on the rows bench_linear wrote (same split, defaults).

    bench_linear 100000 28 2 /tmp/svm.csv && \
    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/bench_linear_sklearn.py /tmp/svm.csv 100000
"""
import sys
import time
import warnings
import numpy as np
from sklearn.svm import LinearSVC

warnings.simplefilter("ignore")
data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
n = int(sys.argv[2])
X, y = data[:, :-1], data[:, -1]
for dual in (False, True):
    t0 = time.perf_counter()
    m = LinearSVC(dual=dual, random_state=0).fit(X[:n], y[:n])
    secs = time.perf_counter() - t0
    w = np.append(m.coef_[0], m.intercept_[0])
    h = np.maximum(0, 1 - np.where(y[:n] > 0, 1, -1) * (X[:n] @ m.coef_[0] + m.intercept_[0]))
    print(f"sklearn LinearSVC {n}x{X.shape[1]} dual={str(dual):5s} fit {secs:.4f} s  iter {m.n_iter_}  "
          f"objective {0.5 * w @ w + (h * h).sum():.8g}  accuracy {m.score(X[n:], y[n:]):.4f}")
