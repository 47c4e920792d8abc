"""Notebook 05's committed runs: every trainer on every dataset, seed and budget, into
``results/05_which_trainer/runs_<profile>.jsonl`` (resumable: a rerun skips what is stored). Not a test: run it by
hand from the repository root, in slices if need be, e.g.

    MIPNN_DATA_DIR=~/mipnn-data nice -n 5 .venv/bin/python benchmarks/run_05_trainers.py \\
        --datasets digits synthetic breast_cancer_wisconsin --seeds 0 --budgets 60 --until 14:00
    MIPNN_DATA_DIR=~/mipnn-data nice -n 5 .venv/bin/python benchmarks/run_05_trainers.py --budgets 60
    MIPNN_DATA_DIR=~/mipnn-data nice -n 5 .venv/bin/python benchmarks/run_05_trainers.py --budgets 600
    .venv/bin/python benchmarks/run_05_trainers.py --missing      # what the store still lacks, per dataset
    MIPNN_DATA_DIR=~/mipnn-data nice -n 5 .venv/bin/python benchmarks/run_05_trainers.py --sizes \\
        --seeds 0 --until 18:00                                    # accuracy against training-set size
    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/run_05_trainers.py --budgets 600 \\
        --executor tcp://scheduler-host:8786                       # the 600 s grid on a Dask cluster

The ``session`` profile (default) is the comparison's grid: the datasets of
:mod:`mipnn.experiments.trainer_data`, the 13 trainers of :mod:`mipnn.experiments.trainers`, seeds 0–4 and budgets
of 60 s and 600 s per fit (one thread, the budget covers the whole fit); ``paper`` adds seeds 5–9 and one hour.
Runs go one at a time in this process, cheapest budget first, then seed, dataset and trainer (the gradient
trainers first within a dataset: seconds each); ``--until HH:MM`` (UTC) starts no run after that time.
Unsupported (trainer, dataset) pairs are stored with the reason. The budget is wall-clock: on a loaded machine it
buys less CPU, so every run records the machine's load (``load_1min``).
``--executor`` (``local``, ``dask`` or a scheduler address; :mod:`mipnn.executors`) runs the selection as one
sweep on parallel workers instead: ``--jobs N`` single-threaded ones for ``local`` and ``dask``, a cluster's own
for an address. ``--until`` does not apply (stop it with Ctrl-C; a rerun resumes); this process alone writes the
store, each run as it finishes. Give each worker a core of its own: the budget is wall-clock.
``--sizes [N ...]`` runs the size study instead (:func:`mipnn.experiments.trainer_runs.size_grid`: 25, 50
and 100 training points of four datasets, seeds 0–2, 60 s per fit) into
``results/05_which_trainer/sizes_session.jsonl``. After a slice, re-render the notebook's figures:
``MIPNN_NO_SOLVE=1 python -m mipnn.figures --notebook 05_which_trainer``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from mipnn.executors import check_executor
from mipnn.experiments import ResultStore, run_key, run_sweep
from mipnn.experiments.trainer_runs import PROFILES, profile_grid, run_trainer, size_grid, size_store_path, store_path
from mipnn.experiments.trainers import TRAINERS


def _until(text: str | None) -> dt.datetime:
    now = dt.datetime.now(dt.timezone.utc)
    if not text:
        return now + dt.timedelta(days=3650)
    try:
        h, m = (int(x) for x in text.split(":"))
        until = now.replace(hour=h, minute=m, second=0, microsecond=0)
    except ValueError:
        raise SystemExit(f"--until={text!r} must be a UTC time HH:MM") from None
    return until if until > now else until + dt.timedelta(days=1)


def _path(args):
    return size_store_path() if args.sizes is not None else store_path(args.profile)


def _grid(args) -> list[dict]:
    try:
        if args.sizes is not None:
            return size_grid(datasets=args.datasets, trainers=args.trainers, seeds=args.seeds,
                             sizes=args.sizes or None, solver=args.solver)
        return profile_grid(args.profile, datasets=args.datasets, trainers=args.trainers, seeds=args.seeds,
                            budgets=args.budgets, solver=args.solver)
    except ValueError as err:
        raise SystemExit(str(err)) from None


def missing(args) -> int:
    grid = _grid(args)
    done = ResultStore(_path(args)).done_keys()
    todo = [p for p in grid if run_key(p) not in done]
    print(f"{_path(args)}: {len(grid) - len(todo)} of {len(grid)} runs stored")
    by = {}
    for p in todo:
        by.setdefault((p["budget"], p["dataset"], p["max_train"] or 0), []).append(p)
    for (budget, dataset, n), ps in sorted(by.items()):
        print(f"  missing {len(ps):3d} at {budget:g} s on {dataset}" + (f", {n} training points" if n else ""))
    return 0


def _cheap_first(todo: list[dict]) -> list[dict]:
    """The runs in grid order, except that within one (budget, size, seed, dataset) the gradient trainers (seconds
    each) go first: a slice cut short by ``--until`` then still has the baselines its comparison needs."""
    cell = {}
    for p in todo:
        cell.setdefault((p["budget"], p["max_train"], p["seed"], p["dataset"]), len(cell))
    return sorted(todo, key=lambda p: (cell[p["budget"], p["max_train"], p["seed"], p["dataset"]],
                                       TRAINERS[p["trainer_name"]].kind != "gradient"))


def sweep(args) -> int:
    until = _until(args.until)
    path = _path(args)
    grid = _grid(args)
    done = ResultStore(path).done_keys()
    todo = _cheap_first([p for p in grid if run_key(p) not in done])
    print(f"{len(todo)} of {len(grid)} runs to do into {path}", flush=True)
    if args.jobs > 1 or args.executor != "local":
        df = run_sweep(run_trainer, todo, path, n_jobs=args.jobs, executor=args.executor,
                       desc=f"{len(todo)} runs on {args.jobs} {args.executor} workers")
        print(f"{len(df)} runs stored; all runs of the selection done", flush=True)
        return 0
    for p in todo:
        if dt.datetime.now(dt.timezone.utc) >= until:
            print(f"stopped at {until:%H:%M} UTC before {p}", flush=True)
            return 0
        r = run_sweep(run_trainer, [p], path, progress=False).iloc[0]
        acc = f"test {r['test_accuracy']:.3f}" if r.get("supported", False) else f"unsupported: {r['reason']}"
        print(dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S"), p["budget"], p["max_train"] or "", p["seed"],
              p["dataset"], p["trainer_name"], acc, r.get("stop_reason", ""), flush=True)
    print("all runs of the selection done", flush=True)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="session", choices=[p for p in PROFILES if p != "default"])
    ap.add_argument("--datasets", nargs="+", help="only these datasets (default: the profile's)")
    ap.add_argument("--trainers", nargs="+", help="only these trainers (default: the profile's)")
    ap.add_argument("--seeds", nargs="+", type=int, help="only these seeds")
    ap.add_argument("--budgets", nargs="+", type=float, help="only these budgets (seconds per fit)")
    ap.add_argument("--solver", default="highs", help="MIP backend (highs, gurobi, scip)")
    ap.add_argument("--until", help="start no run after this UTC time (HH:MM)")
    ap.add_argument("--executor", default="local",
                    help="where runs go: local (this process; with --jobs N, N spawned processes), dask (a "
                         "LocalCluster of --jobs workers) or a scheduler address tcp://host:port")
    ap.add_argument("--jobs", type=int, default=1,
                    help="single-threaded workers to start for local or dask (default 1; a scheduler address uses "
                         "the cluster's own)")
    ap.add_argument("--missing", action="store_true", help="list what the store lacks, run nothing")
    ap.add_argument("--sizes", nargs="*", type=int, metavar="N",
                    help="run the size study instead (training points; default 25 50 100)")
    args = ap.parse_args(argv)
    if args.sizes is not None and (args.budgets or args.profile != "session"):
        ap.error("--sizes runs at the size study's own budget (60 s) and profile: drop --budgets / --profile")
    if args.jobs < 1:
        ap.error(f"--jobs={args.jobs}: must be a whole number ≥ 1")
    try:
        args.executor = check_executor(args.executor)
    except ValueError as err:
        ap.error(str(err))
    if args.until and (args.jobs > 1 or args.executor != "local"):
        ap.error("--until applies to runs one at a time in this process: a parallel sweep (--jobs > 1 or "
                 "--executor) runs to the end; stop it with Ctrl-C and rerun to resume")
    return missing(args) if args.missing else sweep(args)


if __name__ == "__main__":
    sys.exit(main())
