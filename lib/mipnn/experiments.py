"""Resumable experiment sweeps with provenance.

A sweep is a list of parameter dicts and a function ``run(**params) -> dict``. :func:`run_sweep` writes every
finished run at once as one JSON line in a results file, keyed by a hash of its parameters, and skips the runs
whose key is already there. Interrupting a sweep (kernel restart, Ctrl-C, a crash) loses at most the runs in
flight; calling it again picks up where it stopped. Each line carries the parameters, the result, the wall
time and the provenance (package and solver versions, git commit, host), so a number in a figure can always be
traced back to what produced it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import multiprocessing
import os
import platform
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import ParameterGrid
from tqdm.auto import tqdm

from .validation import check_number

__all__ = ["param_grid", "run_key", "provenance", "ResultStore", "run_sweep", "to_jsonable", "write_summary"]

_PACKAGES = ("mipnn", "numpy", "scipy", "pandas", "pyomo", "highspy", "scikit-learn", "matplotlib", "seaborn")


def param_grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """All combinations of the given axes, in a stable order: ``param_grid(N=[40, 80], seed=[0, 1])``."""
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValueError(f"axis {name!r} must be a list of values, got {values!r}")
    return [dict(p) for p in ParameterGrid({k: list(v) for k, v in axes.items()})]


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples, paths and dataclass-like records into plain JSON values."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "as_dict"):
        return to_jsonable(obj.as_dict())
    return obj


def run_key(params: Mapping[str, Any]) -> str:
    """A short, stable hash of a parameter dict (order of keys does not matter)."""
    text = json.dumps(to_jsonable(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _static_provenance() -> dict[str, Any]:
    versions = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        from .solve import highs_version
        versions["highs"] = highs_version()
    except Exception:  # pragma: no cover - highspy missing is caught at import elsewhere
        versions["highs"] = None
    repo = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True, timeout=5).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {"versions": versions, "python": platform.python_version(), "platform": platform.platform(),
            "hostname": socket.gethostname(), "cpu_count": os.cpu_count(), "blas": _blas_info(),
            "git_commit": commit, "git_dirty": dirty}


def _blas_info() -> list[dict[str, Any]]:
    """The BLAS libraries numpy uses and the kernel each picked for this CPU (OpenBLAS picks per CPU unless
    ``OPENBLAS_CORETYPE`` is set). Layer outputs computed with different kernels differ in the last bits, and the
    MILPs of notebook 03 can break ties differently on them, so results record the kernel."""
    try:
        import numpy  # noqa: F401  (loads the BLAS library so that threadpoolctl sees it)
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return []
    return [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def provenance() -> dict[str, Any]:
    """Versions of the packages and solver, Python, platform, host, git commit and a UTC timestamp."""
    out = dict(_static_provenance())
    out["timestamp"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return out


class ResultStore:
    """An append-only JSON-lines file of finished runs, one line per run.

    A line that was cut short by an interrupted write is ignored when reading (and the run is redone).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a write interrupted half-way; the run will be redone
                if isinstance(rec, dict) and "key" in rec:
                    out.append(rec)
        return out

    def done_keys(self) -> set[str]:
        return {r["key"] for r in self.records()}

    def append(self, record: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(to_jsonable(record), sort_keys=True)
        with self.path.open("a", encoding="utf-8") as fh:
            # A previous interrupted write may have left a partial line: start on a fresh one.
            if fh.tell() > 0:
                with self.path.open("rb") as rb:
                    rb.seek(-1, os.SEEK_END)
                    if rb.read(1) != b"\n":
                        fh.write("\n")
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def to_frame(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per run: the parameters and the (flattened) result as columns, plus ``key``/``wall_time``."""
        recs = self.records()
        if keys is not None:
            wanted = list(keys)
            by_key = {r["key"]: r for r in recs}
            recs = [by_key[k] for k in wanted if k in by_key]
        rows = []
        for r in recs:
            row = {"key": r["key"], "wall_time": r.get("wall_time")}
            row.update(r.get("params", {}))
            row.update(pd.json_normalize(r.get("result", {}), sep=".").to_dict("records")[0]
                       if r.get("result") else {})
            rows.append(row)
        return pd.DataFrame(rows)


def _execute(run: Callable[..., Mapping[str, Any]], params: dict[str, Any]) -> tuple[dict, float]:
    t0 = time.perf_counter()
    result = run(**params)
    if not isinstance(result, Mapping):
        raise TypeError(f"the run function must return a dict of results, got {type(result).__name__}")
    return dict(result), time.perf_counter() - t0


def run_sweep(run: Callable[..., Mapping[str, Any]], grid: Iterable[Mapping[str, Any]], path: str | os.PathLike,
              *, n_jobs: int = 1, desc: str | None = None, progress: bool = True) -> pd.DataFrame:
    """Run ``run(**params)`` for every parameter dict in ``grid``, skipping those already stored in ``path``.

    Returns a DataFrame of all runs of ``grid`` (newly computed and earlier ones), in grid order. With
    ``n_jobs > 1`` runs go to that many spawned worker processes (``run`` must then be a module-level function,
    and a script calling this must guard its entry point with ``if __name__ == "__main__":``); results
    are written by this process as each finishes. Duplicate parameter dicts in ``grid`` run once.
    """
    check_number("n_jobs", n_jobs, low=1, integer=True)
    grid = [dict(p) for p in grid]
    store = ResultStore(path)
    keys = [run_key(p) for p in grid]
    done = store.done_keys()
    todo, seen = [], set(done)
    for key, params in zip(keys, grid):
        if key not in seen:
            todo.append((key, params))
            seen.add(key)
    prov = provenance()
    bar = tqdm(total=len(set(keys)), initial=len(set(keys)) - len(todo), desc=desc or Path(path).stem,
               disable=not progress, unit="run")

    def _store(key, params, result, wall):
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
            # spawn, not fork: a forked worker inherits the parent's HiGHS thread pool without its threads and
            # hangs in its first solve when the parent has solved anything before (seen in notebooks)
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                pending = {pool.submit(_execute, run, params): (key, params) for key, params in todo}
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        key, params = pending.pop(fut)
                        result, wall = fut.result()
                        _store(key, params, result, wall)
    finally:
        bar.close()
    return store.to_frame(keys=dict.fromkeys(keys))


def write_summary(notebook: str, summary: Mapping[str, Any], parameters: Mapping[str, Any]) -> Path:
    """Write ``results/<notebook>/summary.json``: the headline numbers, the parameters and the provenance."""
    from .paths import results_dir

    path = results_dir(notebook) / "summary.json"
    payload = {"notebook": notebook, "parameters": to_jsonable(parameters), **to_jsonable(summary),
               "provenance": provenance()}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
