"""Benchmark: Goebbels (2021) Figure 2 from a small start — Algorithm 1 on the first 100 MNIST images at 28×28, from
each of several kinds of random start (``mipnn.relu.INITS``) and random states, every weight MILP exact.

The paper draws its start from "random values in [−1, 1]" and says the result depends strongly on it; its Keras
baseline is seeded, and Keras' own default start (Glorot-uniform weights, zero offsets) lies inside [−1, 1] at a far
smaller scale than U[−1, 1]. With 784 pixels in [0, 1] the U[−1, 1] start gives hidden pre-activations of 5–20, where
the input box (9)'s absolute +0.1 barely moves a target; a small start gives 0.05–0.4, where it dominates. This runs
the printed Algorithm 1 (box (9), the printed stop rule, a cap of 50 while-iterations that the stop rule reaches
first) from each ``(init, random_state)``, weight MILPs exact by ``--solver`` (default Gurobi, whose size-limited
license fits every weight MILP at this size; the input MILPs and LPs on HiGHS), ``--time-limit`` seconds per MILP
(the number of MILPs stopped there is recorded).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_init.py [--inits glorot_uniform uniform:0.1]
        [--states 1 0 2 3 4] [--solver gurobi] [--mip-nodes 0] [--max-iterations 50] [--time-limit 60] [--n-jobs 1]

Writes results/benchmarks/bench_03_init<tag>.jsonl (one run per start, written as it finishes; a rerun resumes),
.csv and .json, and figures/benchmarks/bench_03_init<tag>.png/.pdf/.csv (final training accuracy per start);
``--report-only`` writes the last three from the runs the store holds so far, without solving.
"""

import argparse

import matplotlib.pyplot as plt
import seaborn as sns

from bench_03_tie_break import write_summary
from mipnn.backends import BACKENDS, backend_version
from mipnn.experiments import run_sweep
from mipnn.experiments.benchmarks import init_label, init_runs
from mipnn.experiments.layerwise import run_algorithm1
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style
from mipnn.relu import MAX_ITERATIONS, check_init


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inits", nargs="+", default=["glorot_uniform", "uniform:0.1"])
    ap.add_argument("--states", type=int, nargs="+", default=[1, 0, 2, 3, 4])
    ap.add_argument("--solver", choices=BACKENDS, default="gurobi")
    ap.add_argument("--mip-nodes", type=int, default=0, help="node cap per MILP (0: exact up to the time limit)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per MILP")
    ap.add_argument("--max-iterations", type=int, default=MAX_ITERATIONS)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--report-only", action="store_true",
                    help="no solve: write the table, summary and figure of the runs the store holds so far")
    args = ap.parse_args(argv)
    inits = [check_init(i) for i in args.inits]
    nodes = None if args.mip_nodes <= 0 else args.mip_nodes
    tag = "" if (nodes, args.solver, args.time_limit, args.max_iterations) == (None, "gurobi", 60.0, MAX_ITERATIONS) \
        else f"_nodes{nodes or 'exact'}_{args.solver}_tl{args.time_limit:g}_it{args.max_iterations}"
    # state-major, so the first states of every init finish first
    grid = [dict(init=i, random_state=s, solver=args.solver, max_iterations=args.max_iterations, mip_nodes=nodes,
                 time_limit=args.time_limit, evaluate=True) for s in args.states for i in inits]
    out = benchmarks_dir()
    if not args.report_only:
        run_sweep(run_algorithm1, grid, out / f"bench_03_init{tag}.jsonl", n_jobs=args.n_jobs, desc="starts")
    table = init_runs(out, name=f"bench_03_init{tag}")
    table.to_csv(out / f"bench_03_init{tag}.csv", index=False, float_format="%.6g")
    summary = write_summary(f"bench_03_init{tag}", table, "init", ["train_accuracy", "test_accuracy", "iterations",
                                                                 "run_wall_s"],
                            states=args.states, nodes=nodes, args=args, inits=inits,
                            solver={args.solver: backend_version(args.solver)})
    figure(table, tag)
    return summary


def figure(table, tag):
    set_style()
    data = table.assign(start=table["init"].map(init_label), state=table["random_state"].astype(str))
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    sns.stripplot(data=data, x="start", y="train_accuracy", hue="start", size=9, ax=ax, legend=False, jitter=0.15)
    for _, r in data.iterrows():
        ax.annotate(r["state"], (list(data["start"].unique()).index(r["start"]), r["train_accuracy"]),
                    xytext=(8, -3), textcoords="offset points", fontsize=8, color="0.3")
    ax.axhline(1.0, color="0.4", ls="--", lw=1)
    ax.axhline(0.95, color="0.6", ls=":", lw=1)
    ax.set(ylim=(0, 1.05), xlabel="random start (numbers: random state)",
           ylabel="training accuracy, 100 images",
           title="Algorithm 1 at 28×28, exact weight MILPs (dashed: paper 1.0; dotted: 0.95)")
    save_figure(fig, "benchmarks", f"bench_03_init{tag}", data=data.drop(columns=["accuracy_by_iteration"]))
    plt.close(fig)


if __name__ == "__main__":
    main()
