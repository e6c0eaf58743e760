"""XGBoost's side of bench_gbm: fit XGBoost 1.7 tree_method="hist" with the same
trees as kiln's gbm on the raw file bench_gbm wrote (bench/bench_data.h describes
it) and print one line: fit_seconds held_out_loss rss_mb peak_mb nodes
model_bytes 0 (the bytes of Booster.save_raw(); bench_data.h describes the line).
The loss is the log loss (mean squared error for regression); the memory is
this process's VmRSS before the fit and its VmHWM after. Run by bench_gbm with
/usr/bin/python3 (Debian's python3-xgboost).

Both sides start from the same score: kiln starts from the training targets'
mean (the positive rate for binary; its log-odds as the raw score), as
XGBoost 2.0 and later do by default, so base_score is set to that mean here
(1.7's default is 0.5). A start that differs moves 100 rounds of shrunken
trees to a different end: on the generated sets XGBoost's own held-out loss
moves by 1 % (binary) to 9 % (regression) between the two starts. Softmax
takes one base_score for every class in 1.7, so the multiclass fit keeps the
default."""
import sys
import time
import numpy as np
from bench_file import memory_mb, read
import xgboost as xgb


train, test, rounds, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
Xtr, ytr, task, n_classes = read(train)
Xte, yte, _, _ = read(test)
same = dict(n_estimators=rounds, max_depth=6, learning_rate=0.1, reg_lambda=1.0, min_child_weight=1.0,
            tree_method="hist", max_bin=255, n_jobs=threads, random_state=0)
if task == 2 or n_classes == 2:
    same["base_score"] = float(np.mean(ytr))
model = xgb.XGBRegressor(**same) if task == 2 else xgb.XGBClassifier(**same)
rss, _ = memory_mb()
t0 = time.perf_counter()
model.fit(Xtr, ytr.astype(np.int64) if task == 1 else ytr)
secs = time.perf_counter() - t0
_, peak = memory_mb()
if task == 2:
    loss = float(np.mean((model.predict(Xte) - yte) ** 2))
else:
    p = model.predict_proba(Xte)[np.arange(len(yte)), yte.astype(np.int64)]
    loss = float(-np.mean(np.log(np.clip(p, 1e-15, 1))))
nodes = sum(len(t.strip().split("\n")) for t in model.get_booster().get_dump())
model_bytes = len(model.get_booster().save_raw())
print(secs, loss, rss, peak, nodes, model_bytes, 0, flush=True)
