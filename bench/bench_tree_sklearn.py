"""scikit-learn's side of bench_tree: fit RandomForestClassifier(n_estimators, n_jobs=2)
and DecisionTreeClassifier on the CSVs bench_tree wrote; print one line per model:
name fit_seconds accuracy. Run by bench_tree with /usr/bin/python3."""
import sys
import time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

train, test, n_trees = sys.argv[1], sys.argv[2], int(sys.argv[3])
tr = np.loadtxt(train, delimiter=",", skiprows=1)
te = np.loadtxt(test, delimiter=",", skiprows=1)
for name, model in (("rf", RandomForestClassifier(n_estimators=n_trees, n_jobs=2, random_state=0)),
                    ("dt", DecisionTreeClassifier(random_state=0))):
    t0 = time.perf_counter()
    model.fit(tr[:, :-1], tr[:, -1])
    secs = time.perf_counter() - t0
    acc = float(np.mean(model.predict(te[:, :-1]) == te[:, -1]))
    print(name, secs, acc, flush=True)
