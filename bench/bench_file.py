"""The peers' side of bench_tree and bench_gbm: read the raw file those
drivers write (bench/bench_data.h describes it) and measure this process's
memory the way the drivers measure kiln's."""
import numpy as np


def read(path):
    """X (rows x cols), y, the task (1 classify, 2 regress) and the class count."""
    head = np.fromfile(path, dtype=np.int64, count=4)
    rows, cols, task, n_classes = (int(v) for v in head)
    data = np.fromfile(path, dtype=np.float64, offset=32)
    return data[: rows * cols].reshape(rows, cols), data[rows * cols:], task, n_classes


def memory_mb():
    """VmRSS and VmHWM (peak) of this process in MB."""
    rss = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return rss, peak
