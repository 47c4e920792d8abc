"""Benchmark: levers for HiGHS on the sign-net MIPs of notebook 02, one at a time, over solver seeds.

The sign-net rows are where HiGHS is furthest behind Gurobi in ``bench_solvers.py``. Their bound is trivial (every
sample can in principle meet its margin), so the work is primal: finding the incumbent that meets the 90 % cut-off or
the optimum. Each configuration below solves the same compiled model (``build_sign_net(..., symmetry_breaking=True)``,
the tolerance of ``safe_tolerance``), one thread, with solver seeds 0, 1, …:

* ``highs`` — HiGHS 1.16 with its defaults;
* ``highs+effort0.3`` — ``mip_heuristic_effort`` 0.3 (default 0.05);
* ``highs+presolve_off`` — ``presolve="off"``;
* ``highs+tree_search`` — the local search of :mod:`mipnn.signnet.search` run *inside* the branch and bound
  (``solve_matrices(heuristic=...)``, HiGHS's user-solution callback): each time HiGHS has a new incumbent, the search
  starts from its weights for at most ``--search-budget`` seconds and offers what it finds if it is better (HiGHS
  checks the offer; the optimum is unchanged). Its time is part of the wall time;
* ``highs+presolve_off+tree_search`` — both;
* ``gurobi`` — Gurobi 13 with its defaults (the instances fit the size-limited license).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_signnet_levers.py [--seeds 5] [--time-limit 30]

Writes ``results/benchmarks/bench_signnet_levers.json`` (every run) and ``.md`` (the ablation table). A run that hits
the limit counts with the limit's time in the geometric means (a lower bound on its real time).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import pandas as pd

from mipnn.backends import available_backends
from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir
from mipnn.solve import compile_model, solve_matrices

INSTANCES = (("sat_margin", 40, 4, "optimum"), ("sat_margin", 40, 4, "cut-off"), ("min_hinge", 30, 4, "optimum"),
             ("sat_margin", 80, 2, "cut-off"))
CONFIGS = ("highs", "highs+effort0.3", "highs+presolve_off", "highs+tree_search", "highs+presolve_off+tree_search",
           "gurobi")


class TreeSearch:
    """The in-tree heuristic: the incumbent's weights → local search → a complete solution vector, or ``None``."""

    def __init__(self, model, columns, data, X, Y, objective, hidden, budget):
        self.model, self.columns, self.data = model, columns, data
        self.X, self.Y, self.objective, self.hidden, self.budget = X, Y, objective, hidden, budget
        self.sense = 1.0 if data["sense"] == "max" else -1.0
        self.calls, self.time, self.offers = 0, 0.0, 0

    def __call__(self, x):
        from mipnn.signnet import search_sign_net
        from mipnn.signnet.model import extract_weights, set_start
        from mipnn.signnet.network import sort_hidden

        t0 = time.perf_counter()
        self.calls += 1
        start = current = None
        if x is not None:
            for v, value in zip(self.columns, x, strict=True):
                v.set_value(float(value), skip_validation=True)
            start = extract_weights(self.model)
            current = float(self.data["c"] @ x + self.data["offset"])
        found = search_sign_net(self.X, self.Y, objective=self.objective, hidden=self.hidden, P=1,
                                start_weights=start, target_accuracy=1.0 if self.objective == "sat_margin" else None,
                                time_limit=self.budget, random_state=self.calls)
        offer = None
        if current is None or self.sense * (found.objective - current) > 1e-9:
            set_start(self.model, self.X, self.Y, sort_hidden(found.weights))
            offer = np.array([v.value for v in self.columns], dtype=np.float64)
            self.offers += 1
        self.time += time.perf_counter() - t0
        return offer


def build(objective, N, hidden):
    from mipnn.data import adult_split
    from mipnn.numerics import one_hot
    from mipnn.signnet import build_sign_net, safe_tolerance

    sp = adult_split(N, 0)
    Y = one_hot(((sp.y_train + 1) // 2).astype(int), 2, off=-1)
    model = build_sign_net(sp.X_train, Y, hidden=(hidden,), P=1, objective=objective, symmetry_breaking=True)
    data, columns, _ = compile_model(model)
    return sp.X_train, Y, model, columns, data, safe_tolerance(model)


def instances():
    """Each instance compiled once: ``(name, objective, hidden, X, Y, model, columns, data, tol, target, matrices)``,
    with ``target`` the HiGHS objective target of a cut-off instance (``None`` for one solved to optimality)."""
    from mipnn.signnet import objective_target

    for objective, N, hidden, goal in INSTANCES:
        X, Y, model, columns, data, tol = build(objective, N, hidden)
        target = None
        if goal == "cut-off":
            t = objective_target(objective, N, 0.9, n_outputs=2)
            target = t - 0.5 if objective != "min_hinge" else t
        matrices = [data[k] for k in ("c", "A", "row_lower", "row_upper", "col_lower", "col_upper", "integrality")]
        name = f"{objective} N={N} hidden {hidden} → {goal}"
        yield name, objective, hidden, X, Y, model, columns, data, tol, target, matrices


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--search-budget", type=float, default=0.3)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS))
    args = ap.parse_args()
    configs = [c for c in args.configs if c != "gurobi" or "gurobi" in available_backends()]
    rows = []
    for name, objective, hidden, X, Y, model, columns, data, tol, target, matrices in instances():
        for seed in range(args.seeds):
            for config in configs:
                solver = "gurobi" if config == "gurobi" else "highs"
                options = {"random_seed": seed} if solver == "highs" else {"Seed": seed}
                if config == "highs+effort0.3":
                    options["mip_heuristic_effort"] = 0.3
                if "presolve_off" in config:
                    options["presolve"] = "off"
                heuristic = (TreeSearch(model, columns, data, X, Y, objective, (hidden,), args.search_budget)
                             if "tree_search" in config else None)
                rec, _ = solve_matrices(*matrices, sense=data["sense"], offset=data["offset"], solver=solver,
                                        threads=1, time_limit=args.time_limit, feasibility_tolerance=tol,
                                        objective_target=target, options=options, heuristic=heuristic)
                row = dict(instance=name, config=config, seed=seed, status=rec.status, wall=rec.wall_time,
                           objective=rec.objective, bound=rec.bound, nodes=rec.node_count,
                           first_incumbent=rec.first_incumbent_time,
                           heuristic_time=None if heuristic is None else heuristic.time,
                           heuristic_offers=None if heuristic is None else heuristic.offers)
                rows.append(row)
                print(f"{name:36s} {config:20s} seed {seed} {rec.status:15s} {rec.wall_time:7.2f} s obj "
                      f"{rec.objective} nodes {rec.node_count}", flush=True)
    df = pd.DataFrame(rows)
    df["finished"] = df["status"].isin(("optimal", "target_reached"))
    df["log_t"] = np.log(df["wall"].clip(lower=0.01))
    table = df.groupby(["instance", "config"]).agg(
        finished=("finished", "sum"), runs=("seed", "size"), geomean_s=("log_t", lambda s: math.exp(s.mean())),
        min_s=("wall", "min"), max_s=("wall", "max")).reset_index()
    overall = df.groupby("config").agg(finished=("finished", "sum"), runs=("seed", "size"),
                                       geomean_s=("log_t", lambda s: math.exp(s.mean()))).reset_index()
    base = float(overall.loc[overall["config"] == "highs", "geomean_s"].iloc[0])
    overall["vs_plain_highs"] = overall["geomean_s"] / base
    if "gurobi" in set(overall["config"]):
        overall["vs_gurobi"] = overall["geomean_s"] / float(overall.loc[overall["config"] == "gurobi",
                                                                           "geomean_s"].iloc[0])
    out = dict(time_limit=args.time_limit, seeds=args.seeds, search_budget=args.search_budget,
               runs=df.drop(columns=["log_t"]).to_dict("records"), table=table.to_dict("records"),
               overall=overall.to_dict("records"), provenance=provenance())
    path = benchmarks_dir() / "bench_signnet_levers.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    md = [_markdown(table), "", _markdown(overall)]
    (benchmarks_dir() / "bench_signnet_levers.md").write_text("\n".join(md) + "\n")
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))
    print(overall.to_string(index=False))
    print(f"wrote {path}")


def _markdown(df):
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
