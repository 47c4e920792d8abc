"""Benchmark: Goebbels (2021) Figure 3 — batch learning of the 784-8-8-8-10 net on batches of 100 MNIST images;
with ``--net conv`` the paper's 49-25-10 convolutional net on 7×7 images (weights from [0, 1]; the paper: 10 batches,
then the LP over all 60,000 images, ``--n-batches 10 --lp-after 10``: 87.11 % in 3,933 s).

Target from the issue: 20 batches in ≤ 1,448 s wall on 2 cores with test accuracy ≥ 0.69. Also measures the
speed-up of solving the independent per-neuron MILPs in worker processes (``--n-jobs 2``).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_batches.py --n-batches 20 [--n-jobs 2]
        [--mip-nodes 50] [--time-limit 60] [--input 28x28] [--no-lp-start] [--lp-after 10 --lp-images 60000]
        [--random-state 4711] [--tie-break none|previous|l1] [--input-box 1 1] [--patience 0] [--solver gurobi]
        [--net conv --input 7x7] [--init glorot_uniform|uniform:0.1] [--max-iterations 50]
Writes results/benchmarks/bench_03_batches_<input>_<n_batches>x<batch>_jobs<n>[...].json (``bench_03_conv_...``
for the conv net; one row per batch inside, with dead units and activation patterns of the network on the test
images, and the solves that stopped at the time limit), rewritten after every batch (``"finished": false`` until the
last one), so a stopped run keeps its data.
"""

import argparse
import json
import time

import numpy as np

from mipnn.backends import BACKENDS
from mipnn.data import load_mnist, pool_mnist, scale_pixels
from mipnn.experiments import provenance, to_jsonable
from mipnn.paths import benchmarks_dir
from mipnn.relu import (
    INPUT_BOX,
    MAX_ITERATIONS,
    TIE_BREAKS,
    batch_learning,
    check_init,
    check_input_box,
    conv_structures,
    dense_structures,
    diagnostics_columns,
    init_network,
    postprocess_last_layer,
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", choices=["dense", "conv"], default="dense",
                    help="784-8-8-8-10 (dense, Figure 3) or the 49-25-10 convolutional net (7x7 input only)")
    ap.add_argument("--n-batches", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--mip-nodes", type=int, default=None)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--max-iterations", type=int, default=10,
                    help=f"cap on Algorithm 1's while-iterations per batch (the library's default is {MAX_ITERATIONS}; "
                         "10 keeps the earlier stores' settings)")
    ap.add_argument("--init", default="uniform",
                    help="the random start (mipnn.relu.INITS): uniform (U[-1, 1], or U[0, 1] for the conv net), "
                         "glorot_uniform or uniform:<a>")
    ap.add_argument("--input", choices=["28x28", "7x7"], default="28x28")
    ap.add_argument("--random-state", type=int, default=4711)
    ap.add_argument("--lp-after", type=int, default=None,
                    help="after this batch, refit the output layer by the post-processing LP on --lp-images images")
    ap.add_argument("--lp-images", type=int, default=60000)
    ap.add_argument("--note", default="", help="measurement conditions, e.g. 'cores shared with another job'")
    ap.add_argument("--no-lp-start", dest="lp_start", action="store_false",
                    help="plain warm start for the weight MILPs (no fixed-activation-pattern LP start)")
    ap.add_argument("--tie-break", choices=TIE_BREAKS, default="none",
                    help="which optimal weights each fit keeps (mipnn.relu.tiebreak; notebook 03b, hypothesis 3)")
    ap.add_argument("--input-box", type=float, nargs=2, default=list(INPUT_BOX), metavar=("R", "A"),
                    help="box of the proposed inputs, max{0,(1-r)x-a} <= x <= (1+r)x+a; the paper's (9) is 0.1 0.1 "
                         "(notebook 03b, hypothesis 7)")
    ap.add_argument("--solver", choices=BACKENDS, default="highs",
                    help="backend of the weight MILPs (the paper used CPLEX; notebook 03b, hypothesis 10)")
    ap.add_argument("--patience", type=int, default=0,
                    help="while-iterations in a row without improvement before Algorithm 1 stops (paper: 0)")
    args = ap.parse_args()
    box = check_input_box(tuple(args.input_box))
    args.init = check_init(args.init)
    if args.net == "conv" and args.input != "7x7":
        ap.error("--net conv: the paper's convolutional net takes 7x7 images (--input 7x7)")
    tr, te = load_mnist("train"), load_mnist("test")
    if args.input == "28x28":
        X, Xt = (scale_pixels(d.images.reshape(len(d), -1)) for d in (tr, te))
    else:
        X, Xt = (scale_pixels(pool_mnist(d.images)).reshape(len(d), -1) for d in (tr, te))
    conv_range = dict(low=0.0, high=1.0) if args.init == "uniform" else {}  # the conv net's literal start is U[0, 1]
    net = (init_network(conv_structures(), init=args.init, random_state=args.random_state, **conv_range)
           if args.net == "conv"
           else init_network(dense_structures((X.shape[1], 8, 8, 8, 10)), init=args.init,
                             random_state=args.random_state))
    opts = None if args.mip_nodes is None else {"mip_max_nodes": args.mip_nodes}
    lp, rows = {}, []
    prefix = "bench_03_conv" if args.net == "conv" else "bench_03_batches"
    name = (f"{prefix}_{args.input}_{args.n_batches}x{args.batch_size}_jobs{args.n_jobs}"
            f"{'' if args.mip_nodes is None else f'_nodes{args.mip_nodes}'}{'' if args.lp_start else '_nolpstart'}"
            f"{'' if args.lp_after is None else f'_lp{args.lp_after}'}"
            f"{'' if args.random_state == 4711 else f'_s{args.random_state}'}"
            f"{'' if args.tie_break == 'none' else f'_tb{args.tie_break}'}"
            f"{'' if box == INPUT_BOX else f'_box{box[0]:g}-{box[1]:g}'}"
            f"{'' if args.patience == 0 else f'_pat{args.patience}'}"
            f"{'' if args.solver == 'highs' else f'_{args.solver}'}"
            f"{'' if args.time_limit == 60.0 else f'_tl{args.time_limit:g}'}"
            f"{'' if args.init == 'uniform' else '_' + args.init.replace(':', '')}"
            f"{'' if args.max_iterations == 10 else f'_it{args.max_iterations}'}.json")  # 60 s: earlier stores' names
    path = benchmarks_dir() / name
    weights_path = path.with_name(path.stem + "_weights.npz")
    snapshots: dict[str, np.ndarray] = {}  # kept: batch --lp-after (and its LP refit), the best-test and the last batch

    def write(finished: bool):
        # batches only: the post-processing LP's time is reported on its own
        wall = time.perf_counter() - t0 - lp.get("wall_time", 0.0)
        out = {"args": vars(args), "finished": finished, "batches_done": len(rows), "wall_time": wall,
               "best_test_accuracy": max(r["test_accuracy"] for r in rows),
               "final_test_accuracy": rows[-1]["test_accuracy"], "history": rows, "postprocess_lp": lp or None,
               "paper": ({"wall_time": 3933.0, "test_accuracy_after_lp": 0.8711} if args.net == "conv"
                         else {"wall_time": 1448.0, "best_test_accuracy": 0.69}),
               "note": args.note, "provenance": provenance()}
        path.write_text(json.dumps(to_jsonable(out), indent=2) + "\n")
        return out

    def keep_weights(label, network):
        # the weights of a snapshot, for read-out analyses of the hidden features (bench_03_readout.py)
        for i, theta in enumerate(network.thetas):
            snapshots[f"{label}_layer{i + 1}"] = np.asarray(theta, dtype=np.float64)
        np.savez_compressed(weights_path, **snapshots)

    def after_batch(batch, network, row):
        if batch == args.lp_after:
            n = args.lp_images
            t = time.perf_counter()
            net_pp, rec = postprocess_last_layer(network, X[:n], tr.labels[:n].astype(int))
            lp.update(after_batch=batch, images=n, status=rec.status, solve_time=rec.wall_time,
                      wall_time=time.perf_counter() - t, rows=rec.n_constraints,
                      test_accuracy_before=row["test_accuracy"],
                      test_accuracy=net_pp.accuracy(Xt, te.labels.astype(int)))
            print(f"post-processing LP after batch {batch}: {lp}", flush=True)
            keep_weights(f"lp_after_batch{batch}", net_pp)
        if row["test_accuracy"] >= max((r["test_accuracy"] for r in rows), default=-1.0):
            for key in [k for k in snapshots if k.startswith("best_")]:  # one best-test snapshot only
                del snapshots[key]
            keep_weights(f"best_batch{batch}", network)
        if batch in (args.lp_after, args.n_batches):
            keep_weights(f"batch{batch}", network)
        rows.append({**row, **diagnostics_columns(network, Xt, prefix="test_")})
        write(finished=False)  # every finished batch is on disk

    t0 = time.perf_counter()
    net, hist = batch_learning(net, X, tr.labels.astype(int), batch_size=args.batch_size, n_batches=args.n_batches,
                               X_test=Xt, y_test=te.labels.astype(int), time_limit=args.time_limit, options=opts,
                               n_jobs=args.n_jobs, max_iterations=args.max_iterations, lp_start=args.lp_start,
                               callback=after_batch, tie_break=args.tie_break, input_box=box,
                               patience=args.patience, solver=args.solver)
    out = write(finished=True)
    wall = out["wall_time"]
    print(hist.round(3).to_string())
    print(f"wall {wall:.1f} s, best test accuracy {out['best_test_accuracy']:.4f}")


if __name__ == "__main__":
    main()
