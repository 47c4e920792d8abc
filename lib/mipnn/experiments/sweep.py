"""Resumable experiment sweeps.

A sweep is a list of parameter dicts and a function ``run(**params) -> dict``. :func:`run_sweep` writes every
finished run at once as one JSON line in a results file (:class:`~mipnn.experiments.store.ResultStore`), keyed by
a hash of its parameters, and skips the runs whose key is already there. Interrupting a sweep (kernel restart,
Ctrl-C, a crash) loses at most the runs in flight; calling it again picks up where it stopped. Each line carries
the parameters, the result, the wall time and the provenance (package and solver versions, git commit, host), so
a number in a figure can always be traced back to what produced it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import fcntl
import multiprocessing
import os
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import ParameterGrid
from tqdm.auto import tqdm

from ..validation import check_number
from .provenance import provenance
from .store import ResultStore, check_result_keys, run_key

__all__ = ["param_grid", "run_sweep"]


def param_grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """All combinations of the given axes, in a stable order: ``param_grid(N=[40, 80], random_state=[0, 1])``."""
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValueError(f"axis {name!r} must be a list of values, got {values!r}")
    return [dict(p) for p in ParameterGrid({k: list(v) for k, v in axes.items()})]


def _execute(run: Callable[..., Mapping[str, Any]], params: dict[str, Any]) -> tuple[dict, float]:
    t0 = time.perf_counter()
    result = run(**params)
    if not isinstance(result, Mapping):
        raise TypeError(f"the run function must return a dict of results, got {type(result).__name__}")
    return dict(result), time.perf_counter() - t0


def _exit_with_parent(parent: int) -> None:  # pragma: no cover - runs in the worker processes
    """Worker initialiser: end this worker as soon as the sweep's process is gone (killed with -9 included), so
    no orphan keeps computing runs whose results nobody will store."""
    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="mipnn-parent-watch", daemon=True).start()


def _new_worker(parent: int) -> ProcessPoolExecutor:
    # spawn, not fork: a forked worker inherits the parent's HiGHS thread pool without its threads and hangs in
    # its first solve when the parent has solved anything before (seen in notebooks)
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent, initargs=(parent,))


def _run_pool(run, todo, n_jobs, store) -> None:
    """Run ``todo`` on ``n_jobs`` worker processes, storing each run as it finishes.

    Each worker is its own one-process pool running one run at a time, so a worker that dies (killed, out of
    memory) loses exactly the run it was computing and nothing else: that run goes back to the queue once, on a
    fresh worker; a run that loses its worker twice ends the sweep with an error naming it, after the runs in
    flight on the other workers have finished and been stored. An exception raised by ``run`` itself ends the
    sweep the same way (queued runs are not started; finished ones are stored)."""
    queue = collections.deque(todo)
    attempts: dict[str, int] = {}
    workers: list[ProcessPoolExecutor | None] = [None] * n_jobs
    busy: dict = {}  # future -> (worker slot, key, params)
    failure: BaseException | None = None
    clean = False
    try:
        while busy or (queue and failure is None):
            free = [i for i in range(n_jobs) if i not in {slot for slot, _, _ in busy.values()}]
            while free and queue and failure is None:
                i = free.pop(0)
                if workers[i] is None:
                    workers[i] = _new_worker(os.getpid())
                key, params = queue.popleft()
                busy[workers[i].submit(_execute, run, params)] = (i, key, params)
            finished, _ = wait(busy, return_when=FIRST_COMPLETED)
            for fut in finished:
                i, key, params = busy.pop(fut)
                try:
                    result, wall = fut.result()
                except BrokenProcessPool:
                    workers[i].shutdown(wait=False)
                    workers[i] = None
                    attempts[key] = attempts.get(key, 0) + 1
                    if attempts[key] > 1:
                        failure = failure or RuntimeError(
                            f"run {params!r} was lost twice: its worker process died (killed or out of memory); "
                            "every finished run is stored, rerun the sweep to retry it")
                    else:
                        warnings.warn(f"a worker process died running {params!r}; retrying that run once on a "
                                      "fresh worker", RuntimeWarning, stacklevel=4)
                        queue.append((key, params))
                    continue
                except BaseException as err:  # the run itself failed: stop starting runs, keep the others
                    failure = failure or err
                    continue
                store(key, params, result, wall)
        clean = True
    finally:  # idle workers are joined; after an interrupt they are told to stop and left to the parent watch
        for worker in workers:
            if worker is not None:
                worker.shutdown(wait=clean, cancel_futures=True)
    if failure is not None:
        raise failure


def run_sweep(run: Callable[..., Mapping[str, Any]], grid: Iterable[Mapping[str, Any]], path: str | os.PathLike,
              *, n_jobs: int = 1, desc: str | None = None, progress: bool = True) -> pd.DataFrame:
    """Run ``run(**params)`` for every parameter dict in ``grid``, skipping those already stored in ``path``.

    Returns a DataFrame of all runs of ``grid`` (newly computed and earlier ones), in grid order. With
    ``n_jobs > 1`` runs go to that many spawned worker processes (``run`` must then be a module-level function,
    and a script calling this must guard its entry point with ``if __name__ == "__main__":``); results
    are written by this process as each finishes. Duplicate parameter dicts in ``grid`` run once.

    Faults: workers end when this process ends (even by ``kill -9``); a worker that dies loses only its run in
    flight, which is retried once on fresh workers before the sweep fails naming it. Two sweeps on one store:
    the second is refused at once (an exclusive lock on ``<path>.lock``).
    """
    check_number("n_jobs", n_jobs, low=1, integer=True)
    grid = [dict(p) for p in grid]
    with _exclusive(Path(path)):
        return _sweep(run, grid, ResultStore(path), n_jobs=n_jobs, desc=desc or Path(path).stem, progress=progress)


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``<store>.lock`` for the whole sweep: a second sweep on the same store is refused
    at once (it would redo the first one's runs and duplicate its lines). The lock ends with the process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            owner = fh.read().strip() or "another process"
            raise RuntimeError(f"another sweep ({owner}) is writing {path}; wait for it to finish or give this "
                               "sweep its own store") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _sweep(run, grid, store, *, n_jobs, desc, progress) -> pd.DataFrame:
    keys = [run_key(p) for p in grid]
    done = store.done_keys()
    todo, seen = [], set(done)
    for key, params in zip(keys, grid, strict=True):
        if key not in seen:
            todo.append((key, params))
            seen.add(key)
    prov = provenance()
    bar = tqdm(total=len(set(keys)), initial=len(set(keys)) - len(todo), desc=desc, disable=not progress,
               unit="run")

    def _store(key, params, result, wall):
        check_result_keys(params, result)  # before storing: a clash would be silent in every later frame
        store.append({"key": key, "params": params, "result": result, "wall_time": wall,
                      "finished_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                      "provenance": prov})
        bar.update(1)

    try:
        if n_jobs == 1 or len(todo) <= 1:
            for key, params in todo:
                result, wall = _execute(run, params)
                _store(key, params, result, wall)
        else:
            _run_pool(run, todo, n_jobs, _store)
    finally:
        bar.close()
    return store.to_frame(keys=dict.fromkeys(keys))
