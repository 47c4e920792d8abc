"""Benchmark: would restarts over HiGHS's random seed close the gap on the sign-net MIPs?

HiGHS's time on the sign-net MIPs of ``bench_signnet_levers.py`` is heavy-tailed over its random seed: some seeds
find the cut-off or the optimum at the root node, others search for seconds. A restart strategy (solve with seed 0
and a small work limit, then seed 1, …) pays off when root-node successes are frequent and cheap. This script
measures both for each instance: every seed solved with the root node only (``mip_max_nodes=1``), recording whether
that attempt reached the goal and its wall time, and every seed solved in full (``--time-limit``). The expected time
of root-only restarts is ``mean attempt time / success rate`` (attempts are independent over seeds).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_signnet_restarts.py [--seeds 12] [--presolve off]

Writes ``results/benchmarks/bench_signnet_restarts.json`` (every solve and the per-instance summary).
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pandas as pd

from bench_signnet_levers import instances
from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir
from mipnn.solve import solve_matrices


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--presolve", choices=["on", "off"], default="off")
    args = ap.parse_args()
    rows = []
    for name, _, _, _, _, _, _, data, tol, target, mats in instances():
        for mode, extra in (("root only", {"mip_max_nodes": 1}), ("full", {})):
            for seed in range(args.seeds):
                rec, _ = solve_matrices(*mats, sense=data["sense"], offset=data["offset"], threads=1,
                                        time_limit=args.time_limit, feasibility_tolerance=tol,
                                        objective_target=target,
                                        options={"random_seed": seed, "presolve": args.presolve, **extra})
                rows.append(dict(instance=name, mode=mode, seed=seed, status=rec.status, wall=rec.wall_time,
                                 objective=rec.objective, nodes=rec.node_count,
                                 reached=rec.status in ("optimal", "target_reached")))
                print(f"{name:36s} {mode:9s} seed {seed:2d} {rec.status:15s} {rec.wall_time:6.2f} s", flush=True)
    df = pd.DataFrame(rows)
    summary = []
    for name, g in df.groupby("instance", sort=False):
        root, full = g[g["mode"] == "root only"], g[g["mode"] == "full"]
        p = float(root["reached"].mean())
        summary.append(dict(instance=name, root_success=f"{int(root['reached'].sum())}/{len(root)}",
                            root_attempt_s=float(root["wall"].mean()),
                            restarts_expected_s=float(root["wall"].mean() / p) if p > 0 else math.inf,
                            full_geomean_s=float(np.exp(np.log(full["wall"].clip(lower=0.01)).mean())),
                            full_min_s=float(full["wall"].min()), full_max_s=float(full["wall"].max()),
                            full_reached=f"{int(full['reached'].sum())}/{len(full)}"))
    out = dict(seeds=args.seeds, time_limit=args.time_limit, presolve=args.presolve, runs=rows, summary=summary,
               provenance=provenance())
    path = benchmarks_dir() / "bench_signnet_restarts.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    pd.set_option("display.width", 200)
    print(pd.DataFrame(summary).round(2).to_string(index=False))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
