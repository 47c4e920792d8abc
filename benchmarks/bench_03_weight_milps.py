"""Benchmark: the weight MILPs (1)–(6) of one while-iteration of Algorithm 1, with and without the LP start.

Setting: the 784-8-8-8-10 network (random state 4711) on the first 100 MNIST training images at 28×28. The script runs
the start of the first while-iteration of Algorithm 1 (output-layer LP, then the §2.2 inputs as targets) and then
solves the per-neuron weight MILPs of the hidden layers 3, 2 and 1 (each fed with the targets proposed by the
layer above) in four ways: plain warm start from the current weights, or the fixed-activation-pattern LP start
(``lp_start``), each with a 50-node cap and solved to optimality (60 s limit per MILP); and the last one again
with the independent per-neuron MILPs spread over two worker processes (``n_jobs=2``; the workers are started
before the clock runs, as they are kept alive during training).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_weight_milps.py [--note "..."]

Writes results/benchmarks/bench_03_weight_milps.csv (one row per layer and variant) and prints it.
"""

import argparse
import time

import pandas as pd

from mipnn.data import load_mnist, scale_pixels
from mipnn.numerics import one_hot
from mipnn.paths import benchmarks_dir
from mipnn.relu import dense_structures, fit_layer_inputs, fit_layer_weights, init_network

VARIANTS = {"warm start, ≤50 nodes": (False, 50, 1), "LP start, ≤50 nodes": (True, 50, 1),
            "warm start, exact": (False, None, 1), "LP start, exact": (True, None, 1),
            "LP start, exact, 2 workers": (True, None, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--random-state", type=int, default=4711)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    tr = load_mnist("train")
    X = scale_pixels(tr.images.reshape(len(tr), -1))[:args.images]
    y = tr.labels[:args.images].astype(int)
    net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=args.random_state)
    acts = net.forward(X)
    out = fit_layer_weights(acts[3], one_hot(y, 10), net.structures[3], theta0=net.thetas[3], activation="identity")
    W, c = net.structures[3].to_weights(out.theta)
    targets, _, _ = fit_layer_inputs(acts[3], one_hot(y, 10), W, c, activation="identity")
    rows = []
    for layer in (2, 1, 0):
        S = net.structures[layer]
        reference = None
        for name, (lp_start, nodes, n_jobs) in VARIANTS.items():
            if n_jobs > 1:  # start the worker processes outside the measurement
                fit_layer_weights(acts[layer][:5], targets[:5], S, n_jobs=n_jobs, options={"mip_max_nodes": 1})
            t0 = time.perf_counter()
            fit = fit_layer_weights(acts[layer], targets, S, theta0=net.thetas[layer], lp_start=lp_start,
                                    time_limit=args.time_limit, n_jobs=n_jobs,
                                    options=None if nodes is None else {"mip_max_nodes": nodes})
            wall = time.perf_counter() - t0
            statuses = pd.Series([r.status for r in fit.records]).value_counts().to_dict()
            rows.append({"layer": layer + 1, "inputs": S.n_inputs, "variant": name, "wall_s": round(wall, 2),
                         "objective": round(fit.objective, 3), "statuses": statuses, "note": args.note})
            print(rows[-1], flush=True)
            if name == "LP start, exact":
                reference = fit
        # the next layer down gets the targets proposed with the exactly refitted weights (as Algorithm 1 does)
        if layer > 0:
            targets, _, _ = fit_layer_inputs(acts[layer], targets, reference.W, reference.c)
    df = pd.DataFrame(rows)
    df.to_csv(benchmarks_dir() / "bench_03_weight_milps.csv", index=False)
    print(df.drop(columns="note").to_string(index=False))


if __name__ == "__main__":
    main()
