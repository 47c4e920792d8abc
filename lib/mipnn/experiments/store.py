"""The results file of a sweep: one JSON line per finished run, keyed by a hash of its parameters.

:class:`ResultStore` appends a line (flushed and fsynced) as soon as a run finishes, so an interrupted sweep loses
only the runs in flight; a line cut short by a crash is ignored when reading and its run is redone.
:func:`run_key` is the key (order of the parameters does not matter) and :func:`to_jsonable` turns numpy values,
paths and records into plain JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable", "run_key", "check_params_jsonable", "check_result_keys", "RESERVED_COLUMNS", "ResultStore"]

#: Columns :meth:`ResultStore.to_frame` adds to every run; a result must not use them.
RESERVED_COLUMNS = ("key", "wall_time")


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples, paths and dataclass-like records into plain JSON values.

    Non-finite floats stay floats: the store writes them as ``NaN`` / ``Infinity`` (Python's JSON extension), so
    they come back as floats, not as ``None`` or strings."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "as_dict"):
        return to_jsonable(obj.as_dict())
    return obj


def run_key(params: Mapping[str, Any]) -> str:
    """A short, stable hash of a parameter dict (order of keys does not matter)."""
    text = json.dumps(to_jsonable(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_params_jsonable(params: Mapping[str, Any]) -> None:
    """Refuse, naming it, a parameter that is not JSON data once :func:`to_jsonable` has converted numpy values,
    paths and tuples (the store keys a run by the JSON text of its parameters; json's own error named nothing)."""
    if not isinstance(params, Mapping):
        raise TypeError(f"each grid entry must be a dict of parameters, got {type(params).__name__}: {params!r}")
    for name, value in params.items():
        try:
            json.dumps(to_jsonable(value), allow_nan=True)
        except (TypeError, ValueError) as err:
            raise TypeError(f"parameter {name!r}={value!r} of run {dict(params)!r} is not JSON data ({err}): a sweep "
                            "stores and keys its runs by their parameters as JSON, so pass numbers, strings, "
                            "booleans, None, or lists and dicts of them (e.g. a name that the run function looks "
                            "up)") from None


def _flat_keys(result: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The frame's column names of a result: nested dicts flattened with ``"."`` (as :meth:`ResultStore.to_frame`)."""
    keys = []
    for k, v in result.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            keys.extend(_flat_keys(v, name + "."))
        else:
            keys.append(name)
    return keys


def check_result_keys(params: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """Refuse a result whose keys would overwrite a parameter or a reserved column in the frame of the runs, or
    each other once nested results are flattened (``{"a": {"b": 1}, "a.b": 2}`` both become column ``a.b``)."""
    flat = _flat_keys(result)
    clash = sorted((set(result) | set(flat)) & (set(params) | set(RESERVED_COLUMNS)))
    if clash:
        raise ValueError(f"result keys {clash} clash with the run's parameters or the reserved columns "
                         f"{list(RESERVED_COLUMNS)}: rename them in the run function")
    twice = sorted({k for k in flat if flat.count(k) > 1})
    if twice:
        raise ValueError(f"result keys {twice} occur twice once nested results are flattened into columns "
                         f"(a nested key and a dotted key of the same name): rename them in the run function")


class ResultStore:
    """An append-only JSON-lines file of finished runs, one line per run.

    A line that was cut short by an interrupted write is ignored when reading (and the run is redone).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def records(self) -> list[dict[str, Any]]:
        """The finished runs. A line that is not UTF-8 JSON is skipped — silently when it is the last line cut
        short by an interrupted write, with a :class:`UserWarning` naming the line otherwise — and its run is
        redone."""
        if not self.path.exists():
            return []
        out = []
        raw = self.path.read_bytes().split(b"\n")
        for number, line in enumerate(raw, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                if number < len(raw):  # not a final line cut short by a crash: say so
                    warnings.warn(f"{self.path}: line {number} is not valid UTF-8 JSON ({type(err).__name__}); "
                                  "skipped, its run will be redone", UserWarning, stacklevel=2)
                continue
            if isinstance(rec, dict) and "key" in rec:
                out.append(rec)
        return out

    def done_keys(self) -> set[str]:
        return {r["key"] for r in self.records()}

    def append(self, record: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            line = json.dumps(to_jsonable(record), sort_keys=True)
        except (TypeError, ValueError) as err:
            # keep what was computed: values JSON cannot hold are stored as their repr (and said so)
            warnings.warn(f"{self.path}: a value of this run is not JSON-serialisable ({err}); stored as its repr",
                          UserWarning, stacklevel=2)
            line = json.dumps(to_jsonable(record), sort_keys=True, default=repr)
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
            check_result_keys(r.get("params", {}), r.get("result") or {})
            row = {"key": r["key"], "wall_time": r.get("wall_time")}
            row.update(r.get("params", {}))
            row.update(_flatten(r["result"]) if r.get("result") else {})
            rows.append(row)
        return pd.DataFrame(rows)


def _flatten(result: dict, prefix: str = "", top: bool = True) -> dict:
    """A run's result as flat columns, the way :func:`pandas.json_normalize` names and orders them (nested keys
    joined by ``"."``, empty dicts dropped, top-level nested dicts after the plain values), at a fraction of its cost
    (it builds a DataFrame per record)."""
    flat, nested = {}, {}
    for k, v in result.items():
        if isinstance(v, dict):
            (nested if top else flat).update(_flatten(v, f"{prefix}{k}.", top=False))
        else:
            flat[f"{prefix}{k}"] = v
    flat.update(nested)
    return flat
