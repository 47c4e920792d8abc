"""Benchmark (notebook 03b, hypothesis 10): does the MILP solver decide where Algorithm 1 ends?

The paper solved its MILPs with CPLEX; we use HiGHS. Both solve each weight MILP (1)–(6) to optimality, but many
weight vectors are optimal (hypothesis 3), each solver returns the one its own search finds, and the next layer's
targets follow from it. Gurobi, a commercial solver like CPLEX, is a backend of :mod:`mipnn.solve`; every weight
MILP of Algorithm 1 on 100 images fits gurobipy's size-limited license (at most 1,185 variables and 600 rows per
neuron at 28×28). So this runs Algorithm 1 on the first 100 MNIST training images at 28×28 from the same states
with the weight MILPs solved by each backend (``solver`` of :func:`mipnn.relu.algorithm1`; the LPs and the input
MILPs of §2.2 stay on HiGHS), exact by default (``--mip-nodes 0``, 60 s per MILP), and reports the training
accuracy, the test accuracy (reported only), the MILP statuses and the time spent in the weight MILPs.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_solver.py [--states 40 14 13] [--solvers gurobi highs]
        [--mip-nodes 0] [--max-iterations 10] [--n-jobs 1]

Writes results/benchmarks/bench_03_solver<tag>.jsonl (one run per state and solver, resumable), .csv and .json, and
figures/benchmarks/bench_03_solver<tag>.png/.pdf/.csv.
"""

import argparse

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from bench_03_tie_break import add_algorithm1_arguments, algorithm1_settings, write_summary
from mipnn.backends import BACKENDS, backend_version
from mipnn.experiments import param_grid, run_sweep
from mipnn.experiments.layerwise import run_algorithm1
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_algorithm1_arguments(ap, top=3, max_iterations=10, n_jobs=1)
    ap.set_defaults(mip_nodes=0)
    ap.add_argument("--solvers", nargs="+", choices=BACKENDS, default=["gurobi", "highs"])
    args = ap.parse_args(argv)
    out = benchmarks_dir()
    states, nodes, tag = algorithm1_settings(args, default_iterations=10)
    tag = "" if (nodes, args.max_iterations, args.time_limit) == (None, 10, 60.0) else tag
    runs = run_sweep(run_algorithm1, param_grid(solver=list(args.solvers), random_state=list(states),
                                                max_iterations=[args.max_iterations], mip_nodes=[nodes],
                                                time_limit=[args.time_limit], evaluate=[True]),
                     out / f"bench_03_solver{tag}.jsonl", n_jobs=args.n_jobs, desc="solver")
    status = runs.filter(like="statuses.").fillna(0)
    table = pd.DataFrame({
        "random_state": runs["random_state"], "solver": runs["solver"], "train_accuracy": runs["train_accuracy"],
        "test_accuracy": runs["test_accuracy"], "iterations": [len(i) for i in runs["iterations"]],
        "test_patterns": runs["test_patterns"],
        "solves_optimal": status.get("statuses.optimal", 0),
        "solves_stopped": status.drop(columns=["statuses.optimal"], errors="ignore").sum(axis=1),
        "solve_s": runs["solve_time"], "run_wall_s": runs["run_wall_s"]})
    table.to_csv(out / f"bench_03_solver{tag}.csv", index=False, float_format="%.6g")
    summary = write_summary(f"bench_03_solver{tag}", table, "solver", ["train_accuracy", "test_accuracy", "solve_s",
                                                                     "run_wall_s"],
                            states=states, nodes=nodes, args=args,
                            solvers={s: backend_version(s) for s in args.solvers})
    figure(table, tag)
    return summary


def figure(table, tag):
    set_style()
    long = table.melt(id_vars=["random_state", "solver"], value_vars=["train_accuracy", "test_accuracy"],
                      var_name="accuracy on", value_name="accuracy")
    long["state"] = long["random_state"].astype(str)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    sns.barplot(data=long[long["accuracy on"] == "train_accuracy"], x="state", y="accuracy", hue="solver",
                ax=axes[0])
    axes[0].axhline(1.0, color="0.4", ls="--", lw=1)
    axes[0].set(ylim=(0, 1.05), xlabel="random state", ylabel="training accuracy (100 images)",
                title="Algorithm 1, weight MILPs per solver (dashed: paper)")
    sns.barplot(data=table.assign(state=table["random_state"].astype(str)), x="state", y="solve_s", hue="solver",
                ax=axes[1])
    axes[1].set(xlabel="random state", ylabel="seconds in solves", title="time in the solves")
    save_figure(fig, "benchmarks", f"bench_03_solver{tag}", data=long)
    plt.close(fig)


if __name__ == "__main__":
    main()
