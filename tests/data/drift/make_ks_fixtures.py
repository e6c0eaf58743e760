#!/usr/bin/python3
"""Two-sample Kolmogorov-Smirnov fixtures for tests/unit/test_drift.c.

Written by scipy (Debian's /usr/bin/python3). Each case:
    case NAME N1 N2
    a <N1 values>
    b <N2 values>
    d  <scipy.stats.ks_2samp statistic>
    p_asymp <ks_2samp(method='asymp') p-value: the finite-n Kolmogorov
             distribution at round(en), which kiln approximates>
    p_limit <scipy.special.kolmogorov((sqrt(en) + 0.12 + 0.11/sqrt(en)) d):
             exactly what kiln computes>
    end
The case "sketch" has 5000 training values, more than kiln keeps (1000).
"""
import numpy as np
from scipy import special, stats


def case(f, name, a, b):
    r = stats.ks_2samp(a, b, method="asymp")
    en = np.sqrt(len(a) * len(b) / (len(a) + len(b)))
    p_limit = special.kolmogorov((en + 0.12 + 0.11 / en) * r.statistic)
    f.write(f"case {name} {len(a)} {len(b)}\n")
    f.write("a " + " ".join(repr(float(v)) for v in a) + "\n")
    f.write("b " + " ".join(repr(float(v)) for v in b) + "\n")
    f.write(f"d {float(r.statistic)!r}\np_asymp {float(r.pvalue)!r}\np_limit {float(p_limit)!r}\nend\n")


rng = np.random.default_rng(7)
with open("ks_fixtures.txt", "w") as f:
    case(f, "same", rng.normal(size=300), rng.normal(size=300))
    case(f, "shift", rng.normal(size=400), rng.normal(0.25, size=250))
    case(f, "scale", rng.normal(size=120), rng.normal(scale=1.6, size=90))
    case(f, "ties", np.round(rng.normal(size=200), 1), np.round(rng.normal(0.1, size=180), 1))
    case(f, "small", rng.normal(size=40), rng.normal(0.6, size=35))
    case(f, "sketch", rng.normal(size=5000), rng.normal(0.05, size=800))
