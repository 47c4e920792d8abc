"""The closing file of every notebook: ``results/<notebook>/summary<suffix>.json``.

The summary is tracked, so it holds only what a re-run with the same numbers reproduces byte for byte: the headline
numbers, the parameters and the stable part of the provenance (package, solver and BLAS versions). What changes with
every commit, machine or run — git commit, host, platform, timestamp and any timings the notebook passes as
``volatile`` — goes to the untracked sidecar ``summary<suffix>.provenance.json`` beside it (``.gitignore`` lists
``results/*/*.provenance.json``). Re-executing a notebook whose numbers did not change therefore leaves ``git status``
clean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..paths import check_name, results_dir
from .provenance import stable_provenance, volatile_provenance
from .store import to_jsonable

__all__ = ["write_summary", "sidecar_path", "split_timings", "TIMING_KEY"]

#: Keys that hold a wall-clock measurement (seconds, or a verdict drawn from one): ``runtime``, ``wall_time``,
#: ``*_time``, ``*_time_s``, ``runtime_s_mean``, ``runtime_ours``, ``verdict_runtime``, ``*_seconds``. Limits
#: (``time_limit``, ``time_limit_s``) and the authors' published times (``runtime_paper``) are not measurements.
TIMING_KEY = re.compile(r"^(runtime(_s)?(_mean|_max|_std)?(_s)?|runtime_ours(_s)?|verdict_runtime|wall_time(_s)?"
                        r"|cumulative_time|.*_time(_s)?(_mean|_max)?(_s)?|.*_seconds)$")


def sidecar_path(summary_path: Path) -> Path:
    """The untracked ``summary<suffix>.provenance.json`` beside a summary file."""
    summary_path = Path(summary_path)
    return summary_path.with_name(summary_path.stem + ".provenance.json")


def write_summary(notebook: str, summary: Mapping[str, Any], parameters: Mapping[str, Any], *,
                  suffix: str = "", volatile: Mapping[str, Any] | None = None) -> Path:
    """Write ``results/<notebook>/summary<suffix>.json`` (headline numbers, parameters, stable provenance) and its
    untracked sidecar ``summary<suffix>.provenance.json`` (git commit, host, platform, timestamp and ``volatile``,
    e.g. the notebook's wall-clock timings). Returns the summary's path.

    The default profile writes ``summary.json``; every other profile or run passes its own ``suffix`` (e.g.
    ``"_session"``), so that it never overwrites the committed summary of another profile. Timings do not belong in
    ``summary``: pass them as ``volatile``.
    """
    if suffix:
        check_name("suffix", suffix)
    path = results_dir(notebook) / f"summary{suffix}.json"
    payload = {"notebook": notebook, "parameters": to_jsonable(parameters), **to_jsonable(summary),
               "provenance": stable_provenance()}
    text = json.dumps(payload, indent=2, sort_keys=False) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:  # unchanged numbers: the file is not touched
        path.write_text(text, encoding="utf-8")
    side = {"notebook": notebook, "summary": path.name, **volatile_provenance(),
            "volatile": to_jsonable(dict(volatile or {}))}
    sidecar_path(path).write_text(json.dumps(side, indent=2) + "\n", encoding="utf-8")
    return path


def split_timings(obj: Any, *, pattern: re.Pattern = TIMING_KEY) -> tuple[Any, dict[str, Any]]:
    """``(obj without timings, {dotted.path: timing})``: every mapping key matching ``pattern`` (wall-clock
    measurements, :data:`TIMING_KEY`) is removed, at any depth of nested mappings and lists.

    For :func:`write_summary`: ``stable, timings = split_timings(summary)`` then
    ``write_summary(nb, stable, params, volatile=timings)`` keeps the tracked summary byte-stable across re-runs
    while the timings stay in the untracked sidecar. ``obj`` is not modified."""
    timings: dict[str, Any] = {}

    def walk(o, path):
        if isinstance(o, Mapping):
            out = {}
            for k, v in o.items():
                where = f"{path}.{k}" if path else str(k)
                if isinstance(k, str) and pattern.match(k) and not k.startswith("time_limit"):
                    timings[where] = v
                else:
                    out[k] = walk(v, where)
            return out
        if isinstance(o, (list, tuple)):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(o)]
        return o

    return walk(obj, ""), timings
