#!/usr/bin/python3
"""Write scikit-learn's bundled data sets as CSV files next to this script.

    /usr/bin/python3 datasets/make_sklearn_csv.py

Each file has a header of the feature names and the target in the last column,
`target`. Numbers are written in Python's shortest round-trip form (repr), with
a trailing ".0" dropped, so reading them back gives the same doubles.
"""
import csv
import os

from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))

LOADERS = {
    "iris": lambda: datasets.load_iris(),
    "wine": lambda: datasets.load_wine(),
    "breast_cancer": lambda: datasets.load_breast_cancer(),
    "diabetes": lambda: datasets.load_diabetes(scaled=False),
    "digits": lambda: datasets.load_digits(),
}


def number(x):
    """Shortest repr that round-trips, "5" rather than "5.0"."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def csv_name(name):
    """A header cell that needs no quoting: no commas, quotes or line breaks."""
    name = str(name)
    for bad in ',"\r\n':
        name = name.replace(bad, "_")
    return name.strip()


def write(name, bunch):
    path = os.path.join(HERE, name + ".csv")
    header = [csv_name(f) for f in bunch.feature_names] + ["target"]
    assert len(set(header)) == len(header), name + ": duplicate column names"
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for row, t in zip(bunch.data, bunch.target):
            out.writerow([number(v) for v in row] + [number(t)])
    print("%s: %d rows, %d columns" % (path, bunch.data.shape[0], len(header)))


def main():
    for name, load in LOADERS.items():
        write(name, load())


if __name__ == "__main__":
    main()
