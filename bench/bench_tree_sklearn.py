"""scikit-learn's side of bench_tree: fit RandomForestClassifier(n_estimators,
n_jobs=threads) or DecisionTreeClassifier with their defaults on the raw file
bench_tree wrote (bench/bench_data.h describes it) and print one line:
fit_seconds held_out_accuracy rss_mb peak_mb nodes pickle_bytes 0.
The memory is this process's VmRSS before the fit and its VmHWM after. Run by
bench_tree with /usr/bin/python3 (Debian's python3-sklearn)."""
import pickle
import sys
import time
import numpy as np
from bench_file import memory_mb, read
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier


train, test, model_id, n_trees, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
Xtr, ytr, _, _ = read(train)
Xte, yte, _, _ = read(test)
if model_id == "rf":
    model = RandomForestClassifier(n_estimators=n_trees, n_jobs=threads, random_state=0)
else:
    model = DecisionTreeClassifier(random_state=0)
rss, _ = memory_mb()
t0 = time.perf_counter()
model.fit(Xtr, ytr)
secs = time.perf_counter() - t0
_, peak = memory_mb()
acc = float(np.mean(model.predict(Xte) == yte))
trees = model.estimators_ if model_id == "rf" else [model]
nodes = sum(t.tree_.node_count for t in trees)
print(secs, acc, rss, peak, nodes, len(pickle.dumps(model)), 0, flush=True)
