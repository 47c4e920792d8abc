"""Benchmark: the Dask executor against the local process executor, on this machine.

* Overhead: a sweep of ``--runs`` (200) runs of 50 ms of CPU work each, on 2 workers: the local executor (spawned
  one-process pools) and a Dask ``LocalCluster`` of 2 single-threaded worker processes. Target: Dask within 1.3×.
* Speed-up: notebook 02's default-profile grid (every objective, N ∈ {40, 80}, P ∈ {1, 3, 7, 15} for sat-margin,
  seed 0, 10 nodes per MIP — deterministic work) on a LocalCluster of 1 worker and of 2 workers. Expected ≥ 1.7× on
  2 cores for independent solves; the same grid on the local executor with 1 and 2 processes shows what the
  machine itself allows. (A simulated larger cluster on one machine would not measure one.)

Each sweep writes to a fresh temporary store, so every run is computed; the times include starting the workers.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_dask.py [--runs 200] [--skip-speedup]

Writes ``results/benchmarks/bench_dask.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from mipnn.experiments import provenance, run_sweep
from mipnn.paths import benchmarks_dir


def busy(i, seconds=0.05):
    """50 ms of CPU work (a spin on the clock), returning its index."""
    t0 = time.perf_counter()
    x = 0
    while time.perf_counter() - t0 < seconds:
        x += 1
    return {"index": i, "spins": x}


def timed_sweep(run, grid, *, executor, n_jobs):
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        df = run_sweep(run, grid, Path(tmp) / "runs.jsonl", executor=executor, n_jobs=n_jobs, progress=False)
        wall = time.perf_counter() - t0
    assert len(df) == len(grid)
    return wall


def adult_default_grid():
    grid = []
    for obj in ("max_correct", "min_hinge", "sat_margin", "gd_nn"):
        for P in (1, 3, 7, 15) if obj == "sat_margin" else (1,):
            for N in (40, 80):
                extra = {} if obj == "gd_nn" else {"solver_options": {"mip_max_nodes": 10}}
                grid.append(dict(objective=obj, P=P, N=N, random_state=0, time_limit=60.0, hidden=[16], **extra))
    return grid


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--skip-speedup", action="store_true")
    args = ap.parse_args()
    out = {"provenance": provenance()}
    grid = [{"i": i} for i in range(args.runs)]
    local = timed_sweep(busy, grid, executor="local", n_jobs=2)
    dask = timed_sweep(busy, grid, executor="dask", n_jobs=2)
    out["overhead"] = dict(runs=args.runs, run_seconds=0.05, local_2_workers_s=local, dask_2_workers_s=dask,
                           ratio_dask_over_local=dask / local, ideal_s=args.runs * 0.05 / 2)
    print(f"overhead: {args.runs} runs of 50 ms on 2 workers: local {local:.2f} s, Dask LocalCluster {dask:.2f} s "
          f"(ratio {dask / local:.2f}; ideal {args.runs * 0.05 / 2:.1f} s)", flush=True)
    if not args.skip_speedup:
        from mipnn.experiments.adult import run_experiment

        grid = adult_default_grid()
        one = timed_sweep(run_experiment, grid, executor="dask", n_jobs=1)
        two = timed_sweep(run_experiment, grid, executor="dask", n_jobs=2)
        # the same with the local executor: how much of the speed-up the machine itself allows
        local_one = timed_sweep(run_experiment, grid, executor="local", n_jobs=1)
        local_two = timed_sweep(run_experiment, grid, executor="local", n_jobs=2)
        out["speedup"] = dict(grid="notebook 02 default profile, seed 0", runs=len(grid), dask_1_worker_s=one,
                              dask_2_workers_s=two, speedup=one / two, local_1_worker_s=local_one,
                              local_2_workers_s=local_two, local_speedup=local_one / local_two)
        print(f"speed-up: notebook 02's default grid ({len(grid)} runs) on Dask: 1 worker {one:.1f} s, 2 workers "
              f"{two:.1f} s, speed-up {one / two:.2f}×; local executor: 1 process {local_one:.1f} s, 2 processes "
              f"{local_two:.1f} s, speed-up {local_one / local_two:.2f}×", flush=True)
    path = benchmarks_dir() / "bench_dask.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
