"""scikit-learn's side of bench/bench_knn.c: time KNeighborsClassifier(brute).predict
on the rows bench_knn wrote, and write its labels back for comparison.

usage: /usr/bin/python3 knn_sklearn.py DIR N_TRAIN N_TEST D K
(DIR holds train.f64, test.f64, ytrain.f64: raw little-endian doubles.)
"""
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

d_, ntr, nte, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
Xtr = np.fromfile(f"{d_}/train.f64").reshape(ntr, d)
Xte = np.fromfile(f"{d_}/test.f64").reshape(nte, d)
ytr = np.fromfile(f"{d_}/ytrain.f64")
clf = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(Xtr, ytr)
t0 = time.perf_counter()
pred = clf.predict(Xte)
t = time.perf_counter() - t0
pred.astype(np.float64).tofile(f"{d_}/sklearn_pred.f64")
print(f"{t:.6f}")
