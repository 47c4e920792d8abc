"""Notebook 02's committed session runs (results/02_mip_training_adult/runs_session.jsonl): rescore, extend, summarise.
Not a test: run it by hand, from the repository root,

    MIPNN_DATA_DIR=~/mipnn-data .venv/bin/python benchmarks/run_02_session.py rescore
    MIPNN_DATA_DIR=~/mipnn-data nice -n 5 .venv/bin/python benchmarks/run_02_session.py sweep --until 03:50 --n-jobs 2
    MIPNN_DATA_DIR=~/mipnn-data .venv/bin/python benchmarks/run_02_session.py summaries

``rescore`` scores every stored network again from its weights (no solve) with the authors' tie rule
(:func:`mipnn.experiments.adult.rescore_record`): runs stored before the input scaling was a parameter get
``scaling="train"`` and their earlier accuracies are kept under ``rescored.before``. It refuses to run while a sweep
holds the store.

``sweep`` solves the session profile again on the authors' protocol — inputs min-max scaled over train and test and
rounded to 4 decimals, ties at random, min-hinge's authors' stop rule — into the same store (resumable: a rerun skips
what is stored), for both the plain MIP and the STE + local-search start. Points go cheapest first (by the time
their earlier runs took), one point (its three seeds) at a time, until ``--until`` (UTC, HH:MM) has passed;
``--max-run-seconds S`` keeps only the points whose every earlier run took at most S seconds. Every run records the
machine's load (``load_1min``): the limit is wall-clock, so on a loaded machine it buys less CPU.

``summaries`` rewrites ``summary_session.json`` (plain MIP) and ``summary_session_search.json`` (search start)
from the store with the verdict rule (:func:`mipnn.experiments.adult.reproduction_table`), each point on the
authors' scaling where all its seeds were solved on it (:func:`~mipnn.experiments.adult.prefer_scaling`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import sys
from pathlib import Path

from mipnn.experiments import ResultStore, run_sweep
from mipnn.experiments import adult as ae
from mipnn.experiments.summary import write_summary
from mipnn.paths import results_dir

NB = "02_mip_training_adult"
STORE = results_dir(NB) / "runs_session.jsonl"
#: notebook 02's ``session`` profile
SESSION = dict(sample_sizes=[40, 80, 120, 160, 200, 240, 280],
               objectives=["max_correct", "min_hinge", "sat_margin", "gd_nn"], P_values=[1, 3, 7, 15],
               random_states=[0, 1, 2], time_limit=60.0, hidden=[16], solver_options={})


def rescore(path: Path = STORE) -> None:
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(f"a sweep is writing {path}; rescore after it ends")
        records = ResultStore(path).records()
        out = [ae.rescore_record(r) if "rescored" not in r and "scaling" not in r["params"] else r for r in records]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in out), encoding="utf-8")
        os.replace(tmp, path)
        changed = sum(a is not b for a, b in zip(records, out, strict=True))
        print(f"{path}: {changed} of {len(out)} runs rescored")


def _grid(start):
    S = SESSION
    return ae.sweep_grid(S["objectives"] if start is None else [o for o in S["objectives"] if o != "gd_nn"],
                         S["P_values"], S["sample_sizes"], S["random_states"], time_limit=S["time_limit"],
                         hidden=S["hidden"], solver_options=S["solver_options"], start=start)


def _point(p):
    start = p.get("start")
    return (p["objective"], p["P"], p["N"], start if isinstance(start, str) else None)  # a frame has NaN for None


def sweep(until: dt.datetime, path: Path = STORE, max_run_seconds: float | None = None, n_jobs: int = 1) -> None:
    old = ResultStore(path).to_frame()
    old = old[old["scaling"].fillna(ae.LEGACY_SCALING) == ae.LEGACY_SCALING] if "scaling" in old else old
    cost, longest = {}, {}
    for r in old.to_dict("records"):
        key = _point(r)
        cost[key] = cost.get(key, 0.0) + float(r["wall_time"])
        longest[key] = max(longest.get(key, 0.0), float(r["wall_time"]))
    points: dict = {}
    for p in _grid(None) + _grid("search"):
        points.setdefault(_point(p), []).append(p)
    order = sorted(points, key=lambda k: (cost.get(k, float("inf")), str(k)))
    if max_run_seconds is not None:  # only points whose every earlier run took at most this long
        order = [k for k in order if longest.get(k, float("inf")) <= max_run_seconds]
    for i in range(0, len(order), n_jobs):  # n_jobs points at a time: their seeds keep n_jobs workers busy
        group = order[i:i + n_jobs]
        if dt.datetime.now(dt.timezone.utc) >= until:
            print(f"stopped at {until:%H:%M} UTC before {group[0]}", flush=True)
            return
        grid = [p for k in group for p in points[k]]
        runs = run_sweep(ae.run_experiment, grid, path, desc=str(group[0]), progress=False, n_jobs=n_jobs)
        keys = [_point(r) for r in runs.to_dict("records")]
        for k in group:
            part = runs[[key == k for key in keys]]
            print(dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S"), k, list(part["stop_reason"]),
                  [round(a, 2) for a in part["test_acc"].fillna(-1)], flush=True)
    print("all points done", flush=True)


def summaries(path: Path = STORE) -> None:
    runs = ae.prefer_scaling(ResultStore(path).to_frame())
    ref = ae.load_reference()
    old = {s: json.loads((results_dir(NB) / f"summary{s}.json").read_text(encoding="utf-8"))
           for s in ("_session", "_session_search") if (results_dir(NB) / f"summary{s}.json").exists()}
    for suffix, sel in (("_session", runs["start"].isna()),
                        ("_session_search", (runs["start"] == "search") | (runs["objective"] == "gd_nn"))):
        part = runs[sel]
        ours = ae.aggregate_runs(part)
        table = ae.reproduction_table(ours, ref)
        scalings = part.groupby(["objective", "P", "N"])["scaling"].first()
        summary = {"profile": "session", "limits": {"time_limit_s": SESSION["time_limit"],
                                                    "solver_options": SESSION["solver_options"]},
                   "regenerated_from": f"results/{NB}/{path.name} by benchmarks/run_02_session.py summaries",
                   "points": ae.summary_points(ours), "majority_share": ae.majority_share(),
                   "scaling": {f"{o}/P={P}/N={N}": v for (o, P, N), v in scalings.items()},
                   "verdict_counts": ae.verdict_counts(table).to_dict("index"),
                   "reproduction": table.drop(columns=["stop_reasons"]).to_dict("records")}
        if "search_start_N80" in old.get(suffix, {}):  # not from the store: kept from the notebook run that wrote it
            summary["search_start_N80"] = old[suffix]["search_start_N80"]
        params = dict(SESSION, profile="session", start="search" if "search" in suffix else None,
                      stop_rule="authors")
        print("wrote", write_summary(NB, summary, params, suffix=suffix))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["rescore", "sweep", "summaries"])
    parser.add_argument("--until", default=None, help="sweep: stop starting points after this UTC time (HH:MM)")
    parser.add_argument("--max-run-seconds", type=float, default=None,
                        help="sweep: only the points whose every earlier run took at most this many seconds (on a "
                             "loaded machine the 60 s wall-clock limit buys less CPU: keep the re-solves to points "
                             "far below it)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="sweep: worker processes, one thread each; that many points run at a time (keep it at "
                             "most the number of idle cores: the limit is wall-clock)")
    args = parser.parse_args(argv)
    if args.command == "rescore":
        rescore()
    elif args.command == "summaries":
        summaries()
    else:
        now = dt.datetime.now(dt.timezone.utc)
        until = now + dt.timedelta(days=365)
        if args.until:
            h, m = (int(x) for x in args.until.split(":"))
            until = now.replace(hour=h, minute=m, second=0, microsecond=0)
            if until <= now:
                until += dt.timedelta(days=1)
        sweep(until, max_run_seconds=args.max_run_seconds, n_jobs=args.n_jobs)


if __name__ == "__main__":
    main()
