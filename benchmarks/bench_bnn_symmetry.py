"""Benchmark: one formulation lever on the BNN/BDNN MILPs — ordering the hidden units (symmetry breaking).

Every hidden layer's units can be permuted (with the next layer's columns) without changing the network, so a MILP
over h units has h! equivalent optima; ``symmetry_breaking=True`` of :func:`mipnn.bnn.build_bnn_milp` /
:func:`mipnn.bnn.build_bdnn` keeps only the order with non-increasing sums of incoming weights (the optimum is kept;
tests/test_bnn_milp.py compares optima with and without). HiGHS, one thread, 30 s, the tolerance the big-M needs:
the Theorem 1 2-3-3-2 BNN on XOR points and exact BDNNs on standardised subsets of iris, the 1000×10 random data and
breast cancer.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_bnn_symmetry.py

Prints one line per instance (status, seconds, objective, nodes, without and with the ordering).
"""

import numpy as np

from mipnn.bnn import build_bdnn, build_bnn_milp, safe_tolerance
from mipnn.data import load_dataset
from mipnn.solve import solve


def instances():
    cases = []
    for N, seed in ((12, 1), (16, 1), (12, 2), (16, 3)):
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1, 1, (N, 2))
        y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
        cases.append((f"BNN 2-3-3-2 XOR N={N} seed {seed}",
                      lambda sb, X=X, y=y: build_bnn_milp(X, y, (2, 3, 3, 2), symmetry_breaking=sb)))
    for name, n, h, seed in (("iris", 30, 3, 0), ("iris", 30, 4, 0), ("iris", 30, 4, 1), ("random_1000x10", 40, 4, 0),
                             ("random_1000x10", 40, 4, 1), ("breast_cancer", 30, 3, 0)):
        X, y = load_dataset(name, random_state=seed)
        pick = np.random.default_rng(seed).choice(len(y), size=n, replace=False)
        X, y = X[pick], y[pick]
        X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)
        cases.append((f"BDNN {name} n={n} hidden {h} seed {seed}",
                      lambda sb, X=X, y=y, h=h: build_bdnn(X, y, hidden=(h,), n_classes=int(y.max()) + 1,
                                                           symmetry_breaking=sb)))
    return cases


def main():
    for name, build in instances():
        out = []
        for sb in (False, True):
            m = build(sb)
            r = solve(m, time_limit=30, threads=1, feasibility_tolerance=safe_tolerance(m))
            out.append((r.status, round(r.wall_time, 2), r.objective, r.node_count))
        print(f"{name:40s} plain {out[0]}  ordered {out[1]}", flush=True)


if __name__ == "__main__":
    main()
