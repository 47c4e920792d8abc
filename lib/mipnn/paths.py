"""Where mipnn reads and writes files: the one place that knows the repository's layout.

* :func:`figures_dir` and :func:`results_dir` — ``figures/<notebook>/`` and ``results/<notebook>/``; the
  environment variables ``MIPNN_FIGURES_DIR`` and ``MIPNN_RESULTS_DIR`` move them (tests use this so that they
  never touch the committed artifacts);
* :func:`benchmarks_dir` — ``results/benchmarks/``, where the scripts in ``benchmarks/`` write (it follows
  ``MIPNN_RESULTS_DIR`` too);
* :func:`reference_file` — the authors' published numbers we compare against (``data/reference/``);
* :data:`REPO_ROOT` and :func:`in_checkout` — the source checkout holding ``lib/mipnn`` (the data cache and the
  git commit of the provenance are looked up there).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["REPO_ROOT", "in_checkout", "run_suffix", "figures_dir", "results_dir", "benchmarks_dir", "reference_file",
           "check_name"]

#: The folder that holds ``lib/mipnn`` when mipnn runs from a source checkout.
REPO_ROOT = Path(__file__).resolve().parents[2]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def in_checkout() -> bool:
    """True when this package is the ``lib/mipnn`` of a source checkout (not an installed copy)."""
    return Path(__file__).resolve().parent.parent.name == "lib"


def run_suffix(profile: str, overrides: Mapping[str, Any] | None = None) -> str:
    """The suffix of a notebook run's output files (figures, summary, sweep store when it has its own).

    ``""`` for the default profile, ``"_<profile>"`` for another named profile, and
    ``"_<profile>-<8 hex digits>"`` (a hash of the parameters that differ from the profile's) as soon as any
    parameter was changed: a run with non-default parameters never overwrites the tracked outputs of a named
    profile. ``overrides`` holds only the changed parameters (``{}`` or ``None``: none)."""
    check_name("profile", profile)
    base = "" if profile == "default" else f"_{profile}"
    if not overrides:
        return base
    text = json.dumps({str(k): overrides[k] for k in sorted(overrides)}, sort_keys=True, default=str)
    return f"_{profile}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def check_name(kind: str, name: str) -> str:
    """Return ``name`` if it is a safe file or folder name (letters, digits, ``_``, ``-``, ``.``); else raise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{kind}={name!r} must be a non-empty name of letters, digits, '_', '-' or '.'")
    return name


def _under(env_var: str, default: str, sub: str) -> Path:
    base = Path(os.environ.get(env_var) or REPO_ROOT / default)
    path = base / check_name("notebook", sub)
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir(notebook: str) -> Path:
    """``figures/<notebook>/`` (created if missing; ``$MIPNN_FIGURES_DIR`` replaces ``figures/``)."""
    return _under("MIPNN_FIGURES_DIR", "figures", notebook)


def results_dir(notebook: str) -> Path:
    """``results/<notebook>/`` (created if missing; ``$MIPNN_RESULTS_DIR`` replaces ``results/``)."""
    return _under("MIPNN_RESULTS_DIR", "results", notebook)


def benchmarks_dir() -> Path:
    """``results/benchmarks/``: what the scripts in ``benchmarks/`` wrote (created if missing)."""
    return results_dir("benchmarks")


def reference_file(name: str) -> Path:
    """``data/reference/<name>``: a published result we compare against (committed with the repository)."""
    path = REPO_ROOT / "data" / "reference" / check_name("name", name)
    if not path.is_file():
        raise FileNotFoundError(f"reference file {name!r} not found at {path}; it ships with the repository "
                                f"(data/reference/), so run from a source checkout")
    return path
