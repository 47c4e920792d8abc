"""Benchmark: the post-processing LP of Goebbels (2021) §2.3 over all 60,000 MNIST training images.

The LP refits the 8→10 output layer of a 784-8-8-8-10 network (90 weights). ``--formulation paper`` is the
slack form as printed (per image and class δ⁺, δ⁻, s and two rows: 1.2 M rows for 60,000 images);
``--formulation compact`` (the library default) has the same optimum with one epigraph variable per image and class
and one LP per output neuron (11 rows per image in all). Both are built as sparse matrices and handed to HiGHS
with :func:`mipnn.solve.solve_matrices`. Measured: build time, hand-off time, solve time, peak resident memory.

The hidden layers (the LP's inputs) come from a 784-8-8-8 ReLU network trained by Adam for 3 epochs
(``--hidden adam``, scikit-learn, realistic hidden features), from random weights in [−1, 1] (``--hidden random``,
many dead units, an easier LP), or from batch learning with MILPs (``--hidden milp``: ``--milp-batches`` batches of
100 images, ≤ 50 nodes per MILP, ≤ 3 while-iterations per batch, as in notebook 03 at the paper's scale).

Besides time and memory it records how informative the optimum is: the LP objective against 0.02·n, the objective of
the network that outputs 0.49 for every class (the slack makes that constant cost only 0.51 − 0.49 per image), the
number of distinct activation patterns of the last hidden layer over the n images, and the training (and test)
accuracy before and after the LP, predicting the class whose output is closest to 1 as the paper does.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_postprocess_lp.py [--n 60000] [--solver ipm]
        [--formulation compact] [--hidden adam|random|milp] [--milp-batches 3]
Writes results/benchmarks/bench_03_postprocess_lp_<solver>_<n>[_<formulation>_<hidden>].json (the suffix is
left out for the paper form on random hidden layers, the first measurement).
"""

import argparse
import json
import resource
import time

import numpy as np

from mipnn.data import load_mnist, scale_pixels
from mipnn.experiments import provenance
from mipnn.numerics import one_hot
from mipnn.paths import benchmarks_dir
from mipnn.relu import batch_learning, closest_to_one, dense_structures, init_network, postprocess_lp, relu_forward


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--solver", default="ipm", choices=["ipm", "simplex", "choose", "pdlp"])
    ap.add_argument("--time-limit", type=float, default=1800.0)
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--formulation", default="compact", choices=["compact", "paper"])
    ap.add_argument("--hidden", default="adam", choices=["adam", "random", "milp"])
    ap.add_argument("--milp-batches", type=int, default=3, help="batches of 100 images for --hidden milp")
    args = ap.parse_args()
    tr = load_mnist("train")
    X = scale_pixels(tr.images[:args.n].reshape(args.n, -1))
    y = tr.labels[:args.n]
    net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=args.random_state)
    if args.hidden == "adam":
        from sklearn.neural_network import MLPClassifier

        mlp = MLPClassifier((8, 8, 8), solver="adam", learning_rate_init=1e-3, batch_size=100, max_iter=3,
                            random_state=args.random_state).fit(X, y)  # 3 epochs; a ConvergenceWarning is expected
        h = X
        for W, b in zip(mlp.coefs_[:-1], mlp.intercepts_[:-1], strict=True):
            h = np.maximum(h @ W + b, 0.0)
        hidden = h
    elif args.hidden == "milp":
        net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=4711)
        net, _ = batch_learning(net, X, y.astype(int), n_batches=args.milp_batches, options={"mip_max_nodes": 50},
                                max_iterations=3)
        hidden = net.forward(X)[-2]
    else:
        hidden = net.forward(X)[-2]
    train_before = None if args.hidden == "adam" else net.accuracy(X, y)  # the network is ours unless Adam's
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    fit = postprocess_lp(hidden, one_hot(y.astype(int), 10), net.structures[-1], lp_method=args.solver,
                         time_limit=args.time_limit,
                         formulation=args.formulation)
    total = time.perf_counter() - t0
    rec = fit.record
    W, c = net.structures[-1].to_weights(fit.theta)
    after = relu_forward(hidden, W, c, "identity")
    test_before = test_after = None
    if args.hidden != "adam":  # the whole network is ours: evaluate it on the 10,000 test images
        te = load_mnist("test")
        Xt, yt = scale_pixels(te.images.reshape(len(te), -1)), te.labels.astype(int)
        refit = net.copy()
        refit.thetas[-1] = fit.theta
        test_before, test_after = net.accuracy(Xt, yt), refit.accuracy(Xt, yt)
    acc = float(np.mean(closest_to_one(after) == y))
    hidden_name = args.hidden + (str(args.milp_batches) if args.hidden == "milp" else "")
    out = {"n_images": args.n, "solver": args.solver, "formulation": args.formulation, "hidden": args.hidden,
           "status": rec.status, "objective": rec.objective,
           "rows": rec.n_constraints, "columns": rec.n_variables, "nonzeros": rec.n_nonzeros,
           "build_time": rec.build_time, "handoff_time": rec.handoff_time, "solve_time": rec.wall_time,
           "build_plus_handoff_over_solve": (rec.build_time + rec.handoff_time) / rec.wall_time,
           "total_time": total, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "rss_before_mb": rss0, "train_accuracy_after": acc,
           "train_accuracy_before": train_before,
           "constant_output_objective": 0.02 * args.n, "objective_over_constant": rec.objective / (0.02 * args.n),
           "hidden_patterns": int(len(np.unique(hidden > 0, axis=0))),
           "test_accuracy_before": test_before, "test_accuracy_after": test_after,
           "note": f"hidden layers: {hidden_name} (random state "
                   f"{4711 if args.hidden == 'milp' else args.random_state}); "
                   "the machine's 2 cores may be shared",
           "provenance": provenance()}
    suffix = "" if (args.formulation, args.hidden) == ("paper", "random") else f"_{args.formulation}_{hidden_name}"
    path = benchmarks_dir() / f"bench_03_postprocess_lp_{args.solver}_{args.n}{suffix}.json"
    path.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "provenance"}, indent=2, default=str))


if __name__ == "__main__":
    main()
