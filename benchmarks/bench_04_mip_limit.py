"""Benchmark for notebook 04 (Kurtz & Bah): does our per-MIP time limit decide the medium profile's outcome?

The medium profile gives each of data splitting's MIPs 5 s (the authors: 7,200 s with Gurobi). On some datasets
every MIP then returns the authors' all-zero start, a network that answers one class. This benchmark solves the
*first* split's MIP of the medium protocol (one hidden layer of 100, integer weights, a batch of 64 training points,
two sets, the all-zero start; split ``random_state``) with longer limits and records what the network found by then
is worth: the MIP's status and the network's training / validation / test accuracy (the
authors' prediction rule) against the majority class.

Run:  ``.venv/bin/python benchmarks/bench_04_mip_limit.py [--limits 5 30 120] [--n-jobs 2]``
Results: ``results/benchmarks/bench_04_mip_limit.{jsonl,csv}`` (resumable; each finished run is written at once).
Limits are wall-clock: run it on idle cores, at most one job per core.
"""

from __future__ import annotations

import argparse

from mipnn.experiments import param_grid, run_sweep
from mipnn.experiments.bdnn import majority_share, run_bdnn_experiment
from mipnn.paths import benchmarks_dir

DATASETS = ["breast_cancer_wisconsin", "credit_card", "iris", "breast_cancer"]
#: the medium profile of notebook 04, one split
PROTOCOL = dict(hidden=[100], weight_domain="integer", max_train=None, batch_size=64, max_splits=1,
                method="data_splitting", node_limit=None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[5.0, 30.0, 120.0], help="seconds per MIP")
    ap.add_argument("--datasets", nargs="+", default=DATASETS, choices=DATASETS)
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=1, help="worker processes, one thread each")
    args = ap.parse_args(argv)
    store = benchmarks_dir() / "bench_04_mip_limit.jsonl"
    grid = [{**g, **PROTOCOL} for g in param_grid(dataset=args.datasets, time_limit=args.limits,
                                                   random_state=[args.random_state])]
    df = run_sweep(run_bdnn_experiment, grid, store, desc="bench 04 MIP limit", n_jobs=args.n_jobs)
    df["majority"] = [majority_share(d) for d in df["dataset"]]
    df["mip_status"] = [h[0]["status"] for h in df["history"]]
    cols = ["dataset", "time_limit", "mip_status", "solve_time", "fit_time", "train_accuracy", "val_accuracy",
            "test_accuracy", "majority"]
    table = df[cols].sort_values(["dataset", "time_limit"])
    table.to_csv(store.with_suffix(".csv"), index=False, float_format="%.6g")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
