"""Time for HiGHS to reach the 90 % training-accuracy cut-off of Thorbjarnarson & Yorke-Smith on Adult, and an
ablation of the formulation levers. Not a test: run it by hand,

    MIPNN_DATA_DIR=/work/shared/datasets .venv/bin/python benchmarks/bench_02_time_to_cutoff.py [--time-limit 60]

Part 1 (ablation, N = 80, P = 1, seed 0, sat-margin and min-hinge): time to the cut-off with each lever switched
on or off — per-sample vs. one global big-M, symmetry breaking among the hidden neurons, a MIP start from the
straight-through (STE) network (its training time is included), dropping (22) of sat-margin (it cannot bind when
maximising), and more HiGHS heuristic effort.
Part 2 (scaling): the default configuration (per-sample big-M + symmetry breaking) for N ∈ {40, 80, 120, 160}
against the authors' mean runtime (Gurobi 9.0.1, 8 cores) from data/reference/.

Runs go through the resumable results store results/benchmarks/bench_02_runs.jsonl; the table is written to
results/benchmarks/bench_02_time_to_cutoff.csv (and .md). Times are wall-clock seconds on this machine; a run that
hits the limit is reported as "> limit". The machine's two cores are shared, so absolute times are inflated.
"""

from __future__ import annotations

import argparse
import pandas as pd

from mipnn.experiments import run_key, run_sweep
from mipnn.paths import REPO_ROOT
from mipnn.training import adult_experiments as ae

OUT = REPO_ROOT / "results" / "benchmarks"

CONFIGS = {
    "plain (global big-M)": dict(tight_big_m=False, symmetry_breaking=False),
    "per-sample big-M": dict(tight_big_m=True, symmetry_breaking=False),
    "per-sample big-M + symmetry (default)": dict(tight_big_m=True, symmetry_breaking=True),
    "default + STE MIP start": dict(tight_big_m=True, symmetry_breaking=True, warm_start="ste"),
    "default + heuristic effort 0.3": dict(tight_big_m=True, symmetry_breaking=True,
                                           solver_options={"mip_heuristic_effort": 0.3}),
    "default + drop (22)": dict(tight_big_m=True, symmetry_breaking=True, one_sided=True),
}


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--ablation-n", type=int, default=80)
    ap.add_argument("--sizes", type=int, nargs="+", default=[40, 80, 120, 160])
    ap.add_argument("--objectives", nargs="+", default=["sat_margin", "min_hinge"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    grid, labels = [], []
    for obj in args.objectives:
        for name, cfg in CONFIGS.items():
            if cfg.get("one_sided") and obj != "sat_margin":
                continue
            grid.append(dict(objective=obj, P=1, N=args.ablation_n, seed=args.seed, time_limit=args.time_limit,
                             **cfg))
            labels.append(("ablation", name))
        for n in args.sizes:
            grid.append(dict(objective=obj, P=1, N=n, seed=args.seed, time_limit=args.time_limit,
                             **CONFIGS["per-sample big-M + symmetry (default)"]))
            labels.append(("scaling", "per-sample big-M + symmetry (default)"))
    # de-duplicate (the default config at the ablation N appears in both parts)
    runs = run_sweep(ae.run_experiment, grid, OUT / "bench_02_runs.jsonl", desc="bench 02")
    ref = ae.load_reference().set_index(["objective", "P", "N"])
    by_key = {key: row for key, row in zip(runs["key"], runs.to_dict("records"))}

    rows = []
    for (part, name), params in zip(labels, grid):
        r = by_key[run_key(params)]
        reached = r["stop_reason"] in ("target", "optimal")
        paper = ref.loc[(params["objective"], 1, params["N"])]
        rows.append({
            "part": part, "objective": params["objective"], "N": params["N"], "config": name,
            "time_to_cutoff_s": round(r["runtime"], 2) if reached else f"> {args.time_limit:g}",
            "reached_cutoff": reached, "stop_reason": r["stop_reason"],
            "train_acc": round(r["train_acc"], 2), "guaranteed_train_acc": round(r["guaranteed_train_acc"], 2),
            "test_acc": round(r["test_acc"], 2), "build_time_s": round(r["build_time"], 2),
            "paper_runtime_mean_s": paper["runtime_s_mean"],
            "within_paper_time": bool(reached and r["runtime"] <= paper["runtime_s_mean"]),
        })
    table = pd.DataFrame(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "bench_02_time_to_cutoff.csv", index=False)
    (OUT / "bench_02_time_to_cutoff.md").write_text(
        f"Time to the 90 % cut-off (HiGHS, 2 shared cores, limit {args.time_limit:g} s, seed {args.seed})\n\n"
        + _markdown(table) + "\n", encoding="utf-8")
    print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    main()
