"""Benchmark: which optimal weights Algorithm 1 keeps (notebook 03b, hypothesis 3; mipnn.relu.tiebreak).

The 784-8-8-8-10 network on the first 100 MNIST training images at 28×28. For each random state and each
tie-break — ``none`` (the solver's own optimal solution, as in the paper), ``previous`` (the optimal weights
closest in ℓ1 to the weights before the update) and ``l1`` (the smallest optimal weights) — Algorithm 1 runs
with the same MILP settings; reported: training accuracy, accuracy on the 10,000 test images (reported only,
never used to choose), dead hidden units and distinct activation patterns of the last hidden layer on the test
images. Default states: the --top best of the initialisation screen (bench_03_init_screening.py's iteration
stage, training accuracy), so run that first, or pass --states.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_tie_break.py [--n-jobs 2] [--states 1 2 3]
        [--mip-nodes 50] [--max-iterations 3]

Writes results/benchmarks/bench_03_tie_break<tag>.jsonl (resumable), .csv, .json and
figures/benchmarks/bench_03_tie_break<tag>.png/.pdf/.csv, ``<tag>`` naming non-default MILP settings.
"""

import argparse
import json

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from mipnn.experiments import ResultStore, param_grid, provenance, run_sweep
from mipnn.experiments.layerwise import run_algorithm1
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style
from mipnn.relu import TIE_BREAKS, pick_initialisations


def add_algorithm1_arguments(ap, *, top: int, max_iterations: int, n_jobs: int):
    """The options shared by the Algorithm 1 benchmarks: which states, and the MILP settings."""
    ap.add_argument("--states", type=int, nargs="*", default=None)
    ap.add_argument("--top", type=int, default=top, help="without --states: the best of the screen's iteration stage")
    ap.add_argument("--mip-nodes", type=int, default=50, help="node cap per MILP (0 or less: exact up to the limit)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per MILP")
    ap.add_argument("--max-iterations", type=int, default=max_iterations)
    ap.add_argument("--n-jobs", type=int, default=n_jobs)


def algorithm1_settings(args, default_iterations: int):
    """``(states, mip_nodes, tag)``: the states (``--states`` or the ``--top`` best of
    bench_03_init_screening.py's iteration stage), the node cap (``None``: exact) and the file tag naming non-default
    MILP settings."""
    states = args.states
    if not states:
        screen = ResultStore(benchmarks_dir() / "bench_03_init_screening_iteration.jsonl").to_frame()
        if screen.empty:
            raise SystemExit("no screen: run benchmarks/bench_03_init_screening.py first or pass --states")
        states = pick_initialisations(screen, args.top, by="iteration_accuracy")
    nodes = None if args.mip_nodes <= 0 else args.mip_nodes
    tag = "" if (nodes, args.max_iterations, args.time_limit) == (50, default_iterations, 60.0) else (
        f"_nodes{nodes or 'exact'}_it{args.max_iterations}_tl{args.time_limit:g}")
    return states, nodes, tag


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_algorithm1_arguments(ap, top=3, max_iterations=3, n_jobs=2)
    args = ap.parse_args(argv)
    out = benchmarks_dir()
    states, nodes, tag = algorithm1_settings(args, default_iterations=3)
    runs = run_sweep(run_algorithm1, param_grid(random_state=list(states), tie_break=list(TIE_BREAKS),
                                                max_iterations=[args.max_iterations], mip_nodes=[nodes],
                                                time_limit=[args.time_limit], evaluate=[True]),
                     out / f"bench_03_tie_break{tag}.jsonl", n_jobs=args.n_jobs, desc="tie-break")
    cols = ["random_state", "tie_break", "train_accuracy", "test_accuracy", "test_dead_h1", "test_dead_h2",
            "test_dead_h3", "test_patterns", "run_wall_s"]
    table = runs[cols].assign(iterations=[len(i) for i in runs["iterations"]])
    table.to_csv(out / f"bench_03_tie_break{tag}.csv", index=False, float_format="%.6g")
    summary = write_summary(f"bench_03_tie_break{tag}", table, "tie_break", ["train_accuracy", "test_accuracy",
                                                                          "test_patterns", "run_wall_s"],
                            states=states, nodes=nodes, args=args)
    figure(table, tag)
    return summary


def write_summary(name, table, by, columns, *, states, nodes, args, **setting):
    """``<name>.json`` of an Algorithm 1 benchmark: its setting, the runs and the means of ``columns`` per ``by``;
    prints both tables. Returns the summary."""
    means = table.groupby(by, sort=False)[columns].mean()
    summary = {"setting": {"images": 100, "side": 28, "states": [int(s) for s in states], "mip_nodes": nodes,
                           "max_iterations": args.max_iterations, "time_limit_per_milp": args.time_limit, **setting},
               "runs": table.to_dict("records"), f"mean_by_{by}": means.to_dict("index"),
               "provenance": provenance()}
    (benchmarks_dir() / f"{name}.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(3).to_string(index=False))
        print(means.round(3).to_string())
    return summary


def figure(table, tag):
    set_style()
    long = table.melt(id_vars=["random_state", "tie_break"], value_vars=["train_accuracy", "test_accuracy"],
                      var_name="accuracy on", value_name="accuracy")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    sns.barplot(data=long, x="tie_break", y="accuracy", hue="accuracy on", ax=axes[0], errorbar=None)
    sns.stripplot(data=long, x="tie_break", y="accuracy", hue="accuracy on", dodge=True, ax=axes[0],
                  palette="dark:k", size=4, legend=False)
    axes[0].set(ylim=(0, 1), xlabel="tie-break", title="Algorithm 1, 100 images, 28×28")
    sns.barplot(data=table, x="tie_break", y="test_patterns", ax=axes[1], errorbar=None)
    sns.stripplot(data=table, x="tie_break", y="test_patterns", ax=axes[1], color="k", size=4)
    axes[1].set(xlabel="tie-break", ylabel="activation patterns (last hidden layer, test)")
    save_figure(fig, "benchmarks", f"bench_03_tie_break{tag}", data=table)
    plt.close(fig)


if __name__ == "__main__":
    main()
