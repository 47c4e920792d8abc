"""Benchmark: what ``MIPNetClassifier`` and ``BDNNClassifier`` give with their defaults on
datasets they have not seen.

Setting of the issue: N = 60 training points (stratified sample, seeded), features min-max scaled to [0, 1] on the
training sample, hidden layer of 16 sign units, P = 3, 60 s for the whole fit, HiGHS on one thread. Datasets:
scikit-learn's breast cancer (WDBC), Adult (the notebook 02 features), iris versicolor against virginica and digits 3
against 8 (the estimator is binary). For each dataset and seed
it fits every ``start`` configuration (``None`` — the plain MIP —, ``"ste"``, ``"search"``, and ``default``: the
estimator built without a ``start`` argument) with all other parameters at their defaults and records training and
test accuracy (test: every point not in the training sample, capped at 2,000), the majority-class rate, the stop
reason, which stage produced the network (``credit_["stage"]``), and the fit's wall time.

``bdnn:<method>`` configurations fit ``BDNNClassifier(method=<method>, time_limit=60, threads=1)`` on the same samples,
every other parameter at its default (hidden layer of 10, continuous weights, ``time_limit`` for the whole fit), and
``bdnn:default`` the estimator built without a ``method`` argument.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_estimator_defaults.py [--seeds 0 1 2] [--time-limit 60]

Each finished fit is appended at once to ``results/benchmarks/bench_estimator_defaults.jsonl`` (a rerun skips the
fits already there); the summary goes to ``bench_estimator_defaults.csv`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd

from mipnn.bnn import BDNNClassifier
from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir
from mipnn.signnet import MIPNetClassifier

DATASETS = ("breast_cancer", "adult", "iris_versicolor_virginica", "digits_3_8")
STARTS = ("none", "ste", "search", "default", "bdnn:exact", "bdnn:local_search", "bdnn:data_splitting",
          "bdnn:default")


def estimator(config, time_limit, seed):
    """The estimator of one configuration (``start`` of MIPNetClassifier, or ``bdnn:<method>``)."""
    if config.startswith("bdnn:"):
        method = config.split(":", 1)[1]
        kwargs = {} if method == "default" else {"method": method}
        return BDNNClassifier(time_limit=time_limit, threads=1, random_state=seed, **kwargs)
    kwargs = {} if config == "default" else {"start": None if config == "none" else config}
    return MIPNetClassifier(hidden=(16,), P=3, time_limit=time_limit, threads=1, random_state=seed, **kwargs)


def load(name):
    import sklearn.datasets as skd

    if name == "adult":
        from mipnn.data import load_adult_features

        f = load_adult_features()
        return np.asarray(f.X_train, dtype=np.float64), (np.asarray(f.y_train) > 0).astype(int)
    if name == "breast_cancer":
        X, y = skd.load_breast_cancer(return_X_y=True)
        return X.astype(np.float64), y
    # MIPNetClassifier is binary: the two iris classes that are not linearly separable, digits 3 against 8
    X, y = (skd.load_iris if name.startswith("iris") else skd.load_digits)(return_X_y=True)
    pair = (1, 2) if name.startswith("iris") else (3, 8)
    keep = np.isin(y, pair)
    return X[keep].astype(np.float64), (y[keep] == pair[1]).astype(int)


def sample(X, y, n, seed, n_test=2000):
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    tr, rest = train_test_split(idx, train_size=n, stratify=y, random_state=seed)
    rest = np.random.default_rng(seed).permutation(rest)[:n_test]
    lo, hi = X[tr].min(axis=0), X[tr].max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scale = lambda A: np.clip((A - lo) / span, 0.0, 1.0)  # noqa: E731 - min-max on the training sample
    return scale(X[tr]), y[tr], scale(X[rest]), y[rest]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--starts", nargs="+", default=list(STARTS))
    args = ap.parse_args()
    store = benchmarks_dir() / "bench_estimator_defaults.jsonl"
    done = set()
    if store.exists():
        for line in store.read_text().splitlines():
            r = json.loads(line)
            done.add((r["dataset"], r["seed"], r["start"], r["time_limit"], r["n"]))
    prov = provenance()
    for name in args.datasets:
        X, y = load(name)
        for seed in args.seeds:
            Xtr, ytr, Xte, yte = sample(X, y, args.n, seed)
            majority = float(np.mean(ytr == np.bincount(ytr).argmax()))
            for start in args.starts:
                key = (name, seed, start, args.time_limit, args.n)
                if key in done:
                    continue
                clf = estimator(start, args.time_limit, seed)
                t0 = time.perf_counter()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    clf.fit(Xtr, ytr)
                row = dict(dataset=name, seed=seed, start=start, time_limit=args.time_limit, n=args.n,
                           train_accuracy=float(clf.score(Xtr, ytr)), test_accuracy=float(clf.score(Xte, yte)),
                           majority_train=majority, stop_reason=clf.stop_reason_, fit_time=time.perf_counter() - t0,
                           warnings=[str(w.message)[:200] for w in caught], solver="highs",
                           solver_version=prov.get("versions", {}).get("highspy"),
                           git_commit=prov.get("git_commit"), host=prov.get("hostname"))
                if isinstance(clf, MIPNetClassifier):
                    row.update(stage=clf.credit_["stage"], start_time=clf.credit_["start_time"],
                               solve_time=clf.credit_["solve_time"], solver=clf.solve_record_.solver,
                               solver_version=clf.solve_record_.solver_version)
                else:
                    row.update(stage=clf.method, start_time=0.0, solve_time=clf.solve_time_)
                with store.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(f"{name:14s} seed {seed} {start:20s} train {row['train_accuracy']:.3f} test "
                      f"{row['test_accuracy']:.3f} (majority {majority:.3f}) {row['stop_reason']:12s} "
                      f"{row['stage']:24s} {row['fit_time']:6.1f} s", flush=True)
    df = pd.read_json(store, lines=True)
    df = df[df["time_limit"] == args.time_limit]
    summary = df.groupby(["n", "dataset", "start"]).agg(
        runs=("seed", "size"), train_mean=("train_accuracy", "mean"), train_min=("train_accuracy", "min"),
        test_mean=("test_accuracy", "mean"), majority=("majority_train", "mean"), fit_s=("fit_time", "mean"),
        reached_90=("train_accuracy", lambda s: int((s >= 0.9).sum()))).reset_index()
    summary.to_csv(benchmarks_dir() / "bench_estimator_defaults.csv", index=False)
    cols = list(summary.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
              for row in summary.itertuples(index=False)]
    (benchmarks_dir() / "bench_estimator_defaults.md").write_text("\n".join(lines) + "\n")
    pd.set_option("display.width", 200)
    print(summary.to_string(index=False))


if __name__ == "__main__":
    main()
