"""Resumable experiment sweeps.

A sweep is a list of parameter dicts and a function ``run(**params) -> dict``. :func:`run_sweep` writes every
finished run at once as one JSON line in a results file (:class:`~mipnn.experiments.store.ResultStore`), keyed by
a hash of its parameters, and skips the runs whose key is already there. Interrupting a sweep (kernel restart,
Ctrl-C, a crash) loses at most the runs in flight; calling it again picks up where it stopped. Each line carries
the parameters, the result, the wall time and the provenance (package and solver versions, git commit, host), so
a number in a figure can always be traced back to what produced it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
import pickle
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import ParameterGrid
from tqdm.auto import tqdm

from ..executors import check_executor, open_executor, worker_info
from ..validation import check_number
from .provenance import provenance
from .store import ResultStore, check_params_jsonable, check_result_keys, run_key

__all__ = ["param_grid", "run_sweep"]


def param_grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """All combinations of the given axes, in a stable order: ``param_grid(N=[40, 80], random_state=[0, 1])``."""
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValueError(f"axis {name!r} must be a list of values, got {values!r}")
    return [dict(p) for p in ParameterGrid({k: list(v) for k, v in axes.items()})]


def _call_run(run: Callable[..., Mapping[str, Any]], params: dict[str, Any]):
    """One run in a worker (module-level, so that it pickles)."""
    return run(**params)


def _checked_result(result) -> dict:
    if not isinstance(result, Mapping):
        raise TypeError(f"the run function must return a dict of results, got {type(result).__name__}")
    return dict(result)


def run_sweep(run: Callable[..., Mapping[str, Any]], grid: Iterable[Mapping[str, Any]], path: str | os.PathLike,
              *, n_jobs: int = 1, executor: str = "local", desc: str | None = None,
              progress: bool = True, run_timeout: float | None = None) -> pd.DataFrame:
    """Run ``run(**params)`` for every parameter dict in ``grid``, skipping those already stored in ``path``.

    Returns a DataFrame of all runs of ``grid`` (newly computed and earlier ones), in grid order. Where the runs
    go (:mod:`mipnn.executors`): ``executor="local"`` with ``n_jobs=1`` runs them here, one after another; with
    ``n_jobs > 1`` on that many spawned worker processes; ``"dask"`` on a Dask ``LocalCluster`` of ``n_jobs``
    single-threaded workers started for the sweep; ``"tcp://host:port"`` on an existing Dask cluster. Off this
    process, ``run`` must be a module-level function (and a script must guard its entry point with
    ``if __name__ == "__main__":``). Whatever the executor, this process alone writes the store, each run as it
    finishes, and a rerun skips finished runs whoever computed them. Duplicate parameter dicts run once. Each
    stored run records where it ran (``worker``: host, pid, executor).

    Faults: local workers (and those of a LocalCluster started here) end when this process ends (even by
    ``kill -9``); a worker that dies loses only its run in flight, which is retried (local: once on a fresh
    worker; Dask: rescheduled up to the scheduler's ``allowed-failures``) before the sweep fails naming it; a
    Dask scheduler that goes away ends the sweep with an error, the store complete up to there. Two sweeps on one
    store: the second is refused at once (an exclusive lock on ``<path>.lock``).

    ``run_timeout`` (seconds, ``None``: none; local executor only): a run still going that long after it started
    in its worker process (a worker's own start-up is not counted) is stopped with its worker,
    and the sweep goes on with the others; it ends with a ``RuntimeWarning`` naming the stopped runs, which are not
    stored (a rerun tries them again) and are missing from the frame. With a ``run_timeout``, ``n_jobs=1`` runs in
    one worker process too (a run in this process could not be stopped). Every parameter must be JSON data
    (numbers, strings, booleans, None, lists and dicts of them; numpy values and paths are converted): the store
    keys runs by their JSON text, so anything else is refused, naming the parameter, before any run.
    """
    check_number("n_jobs", n_jobs, low=1, integer=True)
    check_number("run_timeout", run_timeout, low=0.0, low_open=True, allow_none=True)
    executor = check_executor(executor)
    if run_timeout is not None and executor != "local":
        raise ValueError(f"run_timeout={run_timeout!r} needs executor='local' (a Dask task cannot be stopped once "
                         f"it runs); got executor={executor!r}")
    grid = [dict(p) for p in grid]
    for params in grid:
        check_params_jsonable(params)
    with _exclusive(Path(path)):
        return _sweep(run, grid, ResultStore(path), n_jobs=n_jobs, executor=executor,
                      desc=desc or Path(path).stem, progress=progress, run_timeout=run_timeout)


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


def _check_sendable(run) -> None:
    """Refuse, before any run, a ``run`` that spawned local workers cannot load: they receive it by reference
    (module and name) and import it. A lambda or a local function cannot be pickled; a function defined in a
    notebook cell or an interactive session lives in a ``__main__`` the workers do not have (they died as
    "killed or out of memory", the cause only on stderr)."""
    where = "use executor='dask' (it sends the function itself), or n_jobs=1"
    try:
        pickle.dumps(run)
    except Exception as err:  # noqa: BLE001 - any pickling failure means the same thing here
        raise ValueError(f"run={run!r} cannot be sent to worker processes ({type(err).__name__}: {err}): define it "
                         f"with def at the top level of a module (.py file) and import it, or {where}") from None
    main = sys.modules.get("__main__")
    if getattr(run, "__module__", None) == "__main__" and not getattr(main, "__file__", None):
        raise ValueError(f"run={getattr(run, '__qualname__', run)!r} is defined in a notebook cell or an interactive "
                         f"session, which the local worker processes cannot import: define it in a module (.py "
                         f"file) and import it, or {where}")


def _sweep(run, grid, store, *, n_jobs, executor, desc, progress, run_timeout=None) -> pd.DataFrame:
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

    params_of = dict(todo)

    def _store(key, result, wall, where):
        params = params_of[key]
        result = _checked_result(result)
        check_result_keys(params, result)  # before storing: a clash would be silent in every later frame
        store.append({"key": key, "params": params, "result": result, "wall_time": wall,
                      "finished_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                      "provenance": prov, "worker": where})
        bar.update(1)

    try:
        if executor == "local" and (n_jobs == 1 or len(todo) <= 1) and run_timeout is None:
            for key, params in todo:
                t0 = time.perf_counter()
                result = run(**params)
                _store(key, result, time.perf_counter() - t0, dict(worker_info(), executor="in-process"))
        elif todo:
            if executor == "local":
                _check_sendable(run)
            ex = open_executor(executor, n_jobs)
            stopped = []
            try:
                ex.run(_call_run, [(key, (run, params)) for key, params in todo], _store,
                       label=lambda key: f"run {params_of[key]!r}",
                       **({} if run_timeout is None else {"timeout": run_timeout, "on_timeout": stopped.append}))
            finally:
                ex.close()
            if stopped:
                warnings.warn(f"{len(stopped)} run(s) stopped after run_timeout={run_timeout:g} s and not stored "
                              f"(a rerun tries them again): {', '.join(repr(params_of[k]) for k in stopped)}",
                              RuntimeWarning, stacklevel=3)
    finally:
        bar.close()
    return store.to_frame(keys=dict.fromkeys(keys))
