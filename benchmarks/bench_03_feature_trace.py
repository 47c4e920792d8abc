"""Benchmark (notebook 03b, hypothesis 9): do Algorithm 1's layer updates make the hidden features better on images
outside the batch?

Batch learning (Goebbels 2021, §3) from one random initialisation, with a linear probe of every hidden layer after
*every* layer update (:func:`mipnn.relu.probe_hidden_layers`: multinomial logistic regression fitted on the first
``--probe-images`` training images, scored on the 10,000 test images). The MILPs only see the 100 images of the
batch; the probe says whether what they change carries over. It also records, per update, the accuracy on the batch
(what Algorithm 1 compares), the trained network's test accuracy and, per hidden layer, dead units and activation
patterns on the probe images.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_feature_trace.py [--n-batches 5] [--mip-nodes 50]
        [--random-state 40] [--input-box 1 1] [--tie-break l1] [--probe-images 10000] [--note TEXT]
Writes results/benchmarks/bench_03_feature_trace_<n>x<size>_nodes<k>_s<state>[_tb…][_box…].json, rewritten after
every update (``"finished": false`` until the end), with the weights after each finished batch in ``…_weights.npz``:
a stopped run resumes after its last finished batch and loses only the batch in flight. Every run also redraws
``figures/benchmarks/bench_03_feature_trace`` from all trace files (data in the figure's .csv).
"""

import argparse
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from tqdm.auto import tqdm

from mipnn.data import load_mnist, scale_pixels
from mipnn.experiments import provenance, to_jsonable
from mipnn.experiments.benchmarks import feature_trace_runs
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style
from mipnn.relu import (
    INPUT_BOX,
    TIE_BREAKS,
    ReluNetwork,
    batch_learning,
    check_input_box,
    dense_structures,
    init_network,
    probe_hidden_layers,
)

SIZES = (784, 8, 8, 8, 10)


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-batches", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--mip-nodes", type=int, default=50)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--max-iterations", type=int, default=10)
    ap.add_argument("--random-state", type=int, default=40)
    ap.add_argument("--tie-break", choices=TIE_BREAKS, default="none")
    ap.add_argument("--input-box", type=float, nargs=2, default=list(INPUT_BOX), metavar=("R", "A"),
                    help="box of the proposed inputs; the paper's (9) is 0.1 0.1")
    ap.add_argument("--probe-images", type=int, default=10000,
                    help="the probes are fitted on the first this many training images")
    ap.add_argument("--note", default="", help="measurement conditions, e.g. 'cores shared with another job'")
    args = ap.parse_args()
    box = check_input_box(tuple(args.input_box))
    for name in ("n_batches", "batch_size", "mip_nodes", "max_iterations", "probe_images"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    if args.n_batches * args.batch_size > 60000 or args.probe_images > 60000:
        ap.error("--n-batches × --batch-size and --probe-images must be at most the 60,000 training images")
    return args, box


def main():
    args, box = parse_args()
    tr, te = load_mnist("train"), load_mnist("test")
    X, Xt = (scale_pixels(d.images.reshape(len(d), -1)) for d in (tr, te))
    y, yt = tr.labels.astype(int), te.labels.astype(int)
    Xp, yp = X[:args.probe_images], y[:args.probe_images]
    structures = dense_structures(SIZES)
    name = (f"bench_03_feature_trace_{args.n_batches}x{args.batch_size}_nodes{args.mip_nodes}_s{args.random_state}"
            f"{'' if args.tie_break == 'none' else f'_tb{args.tie_break}'}"
            f"{'' if box == INPUT_BOX else f'_box{box[0]:g}-{box[1]:g}'}")
    path = benchmarks_dir() / f"{name}.json"
    weights_path = benchmarks_dir() / f"{name}_weights.npz"

    old = resume(path, weights_path, args, structures)
    if old is None:
        return plot()
    rows, batches, snapshots, done, wall0, net = old

    def record(event, batch, iteration, layer, network):
        """One row: where in the run (``event`` init, update or kept: the network a batch ends with), the accuracy
        on the batch and on the test images, and per hidden layer the probe, dead units and patterns."""
        sl = slice((max(batch, 1) - 1) * args.batch_size, max(batch, 1) * args.batch_size)
        row = {"event": event, "batch": batch, "iteration": iteration, "layer": layer, "step": len(rows),
               "batch_accuracy": network.accuracy(X[sl], y[sl]), "test_accuracy": network.accuracy(Xt, yt)}
        for p in probe_hidden_layers(network, Xp, yp, Xt, yt, random_state=0).itertuples():
            row |= {f"probe_h{p.layer}": p.test_accuracy, f"probe_train_h{p.layer}": p.train_accuracy,
                    f"dead_h{p.layer}": p.dead_units, f"patterns_h{p.layer}": p.patterns}
        rows.append(row)
        bar.update(1)
        bar.set_postfix(batch=batch, probe_h3=f"{row['probe_h3']:.3f}")
        write(False)

    def write(finished):
        out = {"args": vars(args), "finished": finished, "wall_time": wall0 + time.perf_counter() - t0,
               "batches": batches, "updates": rows, "provenance": provenance()}
        path.write_text(json.dumps(to_jsonable(out), indent=2) + "\n")

    def after_batch(batch, network, row):
        batches.append({**row, "batch": batch})
        for i, theta in enumerate(network.thetas):
            snapshots[f"batch{batch}_layer{i + 1}"] = np.asarray(theta, dtype=np.float64)
        np.savez_compressed(weights_path, **snapshots)
        record("kept", batch, 0, 0, network)  # the best network on the batch, which the next batch starts from

    t0 = time.perf_counter()
    bar = tqdm(desc="layer updates", unit="update")
    if not rows:
        record("init", 0, 0, 0, net)  # the untrained network
    if done < args.n_batches:
        batch_learning(net, X, y, batch_size=args.batch_size, n_batches=args.n_batches, start_batch=done,
                       X_test=Xt, y_test=yt, time_limit=args.time_limit, options={"mip_max_nodes": args.mip_nodes},
                       max_iterations=args.max_iterations, tie_break=args.tie_break, input_box=box,
                       callback=after_batch,
                       on_update=lambda b, it, layer, n: record("update", b, it, layer, n))
    bar.close()
    write(True)
    print(pd.DataFrame(batches).round(4).to_string(index=False))
    plot()


def resume(path, weights_path, args, structures):
    """The state to start from: the untrained network, or the one after the last finished batch of an unfinished
    run with the same arguments (``None`` if the run is finished)."""
    net = init_network(structures, random_state=args.random_state)
    if not path.exists():
        return [], [], {}, 0, 0.0, net
    old = json.loads(path.read_text())
    if old["finished"]:
        print(f"{path.name} is finished; delete it to run again")
        return None
    same = {k: v for k, v in to_jsonable(vars(args)).items() if k != "note"}
    if {k: v for k, v in old["args"].items() if k != "note"} != same:
        raise SystemExit(f"{path} was written with other arguments ({old['args']}); move it away first")
    done = len(old["batches"])
    if not done:
        return [], [], {}, 0, 0.0, net
    with np.load(weights_path) as w:
        snapshots = dict(w)
    net = ReluNetwork(structures, [snapshots[f"batch{done}_layer{i + 1}"] for i in range(len(structures))])
    print(f"resuming after batch {done} of {args.n_batches}", flush=True)
    return ([r for r in old["updates"] if r["batch"] <= done], old["batches"], snapshots, done, old["wall_time"],
            net)


def plot():
    """All trace files in one figure: probe test accuracy of each hidden layer per update, one panel per run."""
    runs = feature_trace_runs()
    if runs.empty:
        return
    long = runs.melt(id_vars=["run", "step", "batch", "layer"], value_vars=["probe_h1", "probe_h2", "probe_h3",
                                                                            "test_accuracy"],
                     var_name="series", value_name="accuracy")
    long["series"] = long["series"].replace({"probe_h1": "probe h1", "probe_h2": "probe h2", "probe_h3": "probe h3",
                                             "test_accuracy": "network (trained output layer)"})
    set_style()
    g = sns.relplot(data=long, x="step", y="accuracy", hue="series", col="run", col_wrap=min(2, runs["run"].nunique()),
                    kind="line",
                    height=3.2, aspect=1.5, facet_kws={"sharex": False})
    for run, ax in g.axes_dict.items():
        ends = runs[(runs["run"] == run) & (runs["event"] == "kept")]["step"]
        for s in ends:
            ax.axvline(s, color="0.8", lw=0.8, zorder=0)
    g.set_axis_labels("layer update (grey: end of a batch)", "test accuracy")
    g.figure.suptitle("Hypothesis 9: linear probes of the hidden layers after every layer update", y=1.02)
    save_figure(g.figure, "benchmarks", "bench_03_feature_trace", data=long)
    plt.close(g.figure)


if __name__ == "__main__":
    main()
