"""Benchmark: the post-processing LP of Goebbels (2021) §2.3 over all 60,000 MNIST training images.

The LP refits the 8→10 output layer of a 784-8-8-8-10 network (90 weights; per image and class δ⁺, δ⁻, s and
two rows). It is built as sparse matrices and handed to HiGHS with :func:`mipnn.solve.solve_matrices`.
Measured: build time, hand-off time, solve time, peak resident memory, for the chosen HiGHS solver.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_postprocess_lp.py [--n 60000] [--solver ipm]
Writes results/benchmarks/bench_03_postprocess_lp_<solver>_<n>.json.
"""

import argparse
import json
import resource
import time

import numpy as np

from mipnn.data import load_mnist, scale_pixels
from mipnn.experiments import provenance
from mipnn.formulations.relu_layer import postprocess_lp
from mipnn.paths import REPO_ROOT
from mipnn.training.layerwise import dense_structures, init_network, one_hot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--solver", default="ipm", choices=["ipm", "simplex", "choose", "pdlp"])
    ap.add_argument("--time-limit", type=float, default=1800.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tr = load_mnist("train")
    X = scale_pixels(tr.images[:args.n].reshape(args.n, -1))
    y = tr.labels[:args.n]
    net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=args.seed)
    hidden = net.forward(X)[-2]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    fit = postprocess_lp(hidden, one_hot(y), net.structures[-1], solver=args.solver, time_limit=args.time_limit)
    total = time.perf_counter() - t0
    rec = fit.record
    net.thetas[-1] = fit.theta
    out = {"n_images": args.n, "solver": args.solver, "status": rec.status, "objective": rec.objective,
           "rows": rec.n_constraints, "columns": rec.n_variables, "nonzeros": rec.n_nonzeros,
           "build_time": rec.build_time, "handoff_time": rec.handoff_time, "solve_time": rec.wall_time,
           "build_plus_handoff_over_solve": (rec.build_time + rec.handoff_time) / rec.wall_time,
           "total_time": total, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "rss_before_mb": rss0, "train_accuracy_after": net.accuracy(X, y),
           "note": "hidden layers random (seed), only the LP size/time matters; machine shared by other jobs",
           "provenance": provenance()}
    path = REPO_ROOT / "results" / "benchmarks" / f"bench_03_postprocess_lp_{args.solver}_{args.n}.json"
    path.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "provenance"}, indent=2, default=str))


if __name__ == "__main__":
    main()
