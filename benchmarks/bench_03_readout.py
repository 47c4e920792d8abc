"""Benchmark (notebook 03b, hypothesis 8): why the post-processing LP of Goebbels (2021) §2.3 lowers test accuracy on
MILP-trained features, while the paper reports it raising accuracy to 0.7584.

For each network (a *source*), :func:`mipnn.relu.compare_readouts` fits several read-outs to the network's last hidden
layer on the first ``--lp-images`` MNIST training images and scores them on the 10,000 test images: the output layer
as trained, the paper's LP (closest-to-one rule, and argmax), multinomial logistic regression (the best linear
read-out by likelihood) and gradient-boosted trees (a non-linear read-out). The LP can only refit a linear output
layer, so ``logistic`` says what a better loss could get from the same features; ``boosting`` says roughly what any
read-out could get from them. For the Adam reference, ``trained`` is the MLP's own softmax output layer scored by
argmax (the closest-to-one rule means nothing for logits).

Sources (any number of each; every source is one resumable run of the store):
    --committee FILE      every member of a store of bench_03_committee.py (``…jsonl`` in results/benchmarks)
    --weights FILE SNAP   a snapshot of bench_03_batches.py (``…_weights.npz``; SNAP e.g. ``batch10``)
    --adam SEED           784-8-8-8 hidden layers from 3 epochs of Adam (scikit-learn MLPClassifier), a reference
    --random STATE        the untrained network init_network(random_state=STATE), a reference

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_readout.py --committee FILE.jsonl --adam 0 --random 40
        [--weights FILE_weights.npz batch10] [--lp-images 60000] [--tag NAME]
Writes results/benchmarks/bench_03_readout.jsonl (one run per source, kept across invocations), the table of the
sources asked for to ``bench_03_readout<tag>.csv`` and the figure ``figures/benchmarks/bench_03_readout<tag>``.
"""

from __future__ import annotations

import argparse
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from mipnn.experiments import provenance, run_sweep, to_jsonable
from mipnn.experiments.benchmarks import PAPER_NUMBERS
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style
from mipnn.relu import (
    READOUTS,
    LayerStructure,
    ReluNetwork,
    compare_readouts,
    dense_structures,
    diagnostics_columns,
    init_network,
)

SIZES = (784, 8, 8, 8, 10)
PAPER_LP = PAPER_NUMBERS["postprocess_lp"]  # Goebbels (2021) §3: best test accuracy after the LP on 60,000 images


def _data(n):
    from mipnn.data import load_mnist, scale_pixels

    tr, te = load_mnist("train"), load_mnist("test")
    X, Xt = (scale_pixels(d.images.reshape(len(d), -1)) for d in (tr, te))
    return X[:n], tr.labels[:n].astype(int), Xt, te.labels.astype(int)


def load_source(kind: str, name: str, detail) -> tuple[ReluNetwork, dict]:
    """The network of one source and what describes it (e.g. the Adam net's own test accuracy)."""
    structures = dense_structures(SIZES)
    if kind == "random":
        return init_network(structures, random_state=int(detail)), {}
    if kind == "committee":
        store = pd.read_json(benchmarks_dir() / name, lines=True)
        run = store[store["params"].map(lambda p: p["member"]) == int(detail)].iloc[-1]
        net = ReluNetwork(structures, [np.asarray(t, dtype=np.float64) for t in run["result"]["thetas"]])
        return net, {"state": run["params"]["state"], "input_box": run["params"].get("input_box", [0.1, 0.1])}
    if kind == "batches":
        with np.load(benchmarks_dir() / name) as snaps:
            thetas = [snaps[f"{detail}_layer{i + 1}"] for i in range(len(structures))]
        return ReluNetwork(structures, thetas), {}
    if kind == "adam":
        from sklearn.neural_network import MLPClassifier

        X, y, Xt, yt = _data(60000)
        mlp = MLPClassifier(SIZES[1:-1], solver="adam", learning_rate_init=1e-3, batch_size=100, max_iter=3,
                            random_state=int(detail)).fit(X, y)  # 3 epochs; a ConvergenceWarning is expected
        thetas = [LayerStructure.dense(*W.shape).to_params(W.T, b)
                  for W, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)]
        return ReluNetwork(structures, thetas), {"adam_test_accuracy": float(mlp.score(Xt, yt))}
    raise ValueError(f"unknown source kind {kind!r}; allowed: random, committee, batches, adam")


def run_source(kind, name, detail, lp_images):
    net, info = load_source(kind, name, detail)
    X, y, Xt, yt = _data(lp_images)
    t0 = time.perf_counter()
    table = compare_readouts(net, X, y, Xt, yt, random_state=0)
    return {"readouts": to_jsonable(table.to_dict("records")), **info, **diagnostics_columns(net, Xt, "test_"),
            "seconds": time.perf_counter() - t0}


def label(p) -> str:
    if p["kind"] == "committee":
        return f"{p['name'].removeprefix('bench_03_committee_').removesuffix('.jsonl')} member {p['detail']}"
    if p["kind"] == "batches":
        return f"{p['name'].removeprefix('bench_03_batches_').removesuffix('_weights.npz')} {p['detail']}"
    return f"{p['kind']} {p['detail']}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--committee", action="append", default=[], metavar="FILE")
    ap.add_argument("--weights", action="append", nargs=2, default=[], metavar=("FILE", "SNAPSHOT"))
    ap.add_argument("--adam", action="append", type=int, default=[], metavar="SEED")
    ap.add_argument("--random", action="append", type=int, default=[], metavar="STATE")
    ap.add_argument("--lp-images", type=int, default=60000)
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    grid = []
    for f in args.committee:
        path = benchmarks_dir() / f
        if not path.exists():
            raise FileNotFoundError(f"--committee {f}: no such store in {benchmarks_dir()}")
        members = sorted({p["member"] for p in pd.read_json(path, lines=True)["params"]})
        grid += [dict(kind="committee", name=f, detail=m, lp_images=args.lp_images) for m in members]
    for f, snap in args.weights:
        if not (benchmarks_dir() / f).exists():
            raise FileNotFoundError(f"--weights {f}: no such file in {benchmarks_dir()}")
        grid.append(dict(kind="batches", name=f, detail=snap, lp_images=args.lp_images))
    grid += [dict(kind="adam", name="", detail=s, lp_images=args.lp_images) for s in args.adam]
    grid += [dict(kind="random", name="", detail=s, lp_images=args.lp_images) for s in args.random]
    if not grid:
        ap.error("give at least one source: --committee, --weights, --adam or --random")
    runs = run_sweep(run_source, grid, benchmarks_dir() / "bench_03_readout.jsonl", desc="read-out sources")
    rows = []
    for p, (_, run) in zip(grid, runs.iterrows(), strict=True):
        for r in run["readouts"]:
            if p["kind"] == "adam" and r["readout"] == "trained":
                # the MLP's own output layer is a softmax layer: score it by its own rule (argmax), not by the
                # closest-to-one rule of Goebbels' nets, which means nothing for logits
                r = {**r, "train_accuracy": float("nan"), "test_accuracy": run["adam_test_accuracy"]}
            rows.append({"source": label(p), **{k: p[k] for k in ("kind", "name", "detail")},
                         "test_patterns": run["test_patterns"], **r})
    table = pd.DataFrame(rows)
    table.to_csv(benchmarks_dir() / f"bench_03_readout{args.tag}.csv", index=False)
    (benchmarks_dir() / f"bench_03_readout{args.tag}.json").write_text(
        json.dumps(to_jsonable({"args": vars(args), "paper_lp": PAPER_LP, "provenance": provenance()}), indent=1))
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print(table.pivot_table(index="source", columns="readout", values="test_accuracy", sort=False)
              .reindex(columns=list(READOUTS)).round(4).to_string())
    set_style()
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(grid) + 2))
    sns.barplot(table, y="source", x="test_accuracy", hue="readout", hue_order=list(READOUTS), ax=ax)
    ax.axvline(PAPER_LP, ls="--", color="k", lw=1, label=f"paper after the LP ({PAPER_LP})")
    ax.set(xlabel="test accuracy (10,000 images)", ylabel="", xlim=(0, 1),
           title=f"read-outs of the last hidden layer, fitted on {args.lp_images:,} training images")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    save_figure(fig, "benchmarks", f"bench_03_readout{args.tag}", data=table)
    plt.close(fig)


if __name__ == "__main__":
    main()
