"""Provenance of a result: package and solver versions, Python, platform, host, BLAS kernel and git commit.

Two parts, so that tracked files stay byte-stable:

* :func:`stable_provenance` — what decides the numbers and does not change from one run (or commit) to the next on
  the same environment: package and solver versions, Python, the BLAS kernel. Tracked files (``summary.json``) carry
  only this part.
* :data:`VOLATILE_KEYS` — platform string, host name, CPU count, git commit and dirty flag, UTC timestamp: they change
  with every commit, machine or run, so they go to the run stores (one line per run) and to an untracked sidecar
  ``summary<suffix>.provenance.json`` beside each summary (:func:`mipnn.experiments.write_summary`).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import socket
import subprocess
from functools import lru_cache
from importlib import metadata
from typing import Any

from ..paths import REPO_ROOT, in_checkout

__all__ = ["provenance", "stable_provenance", "volatile_provenance", "VOLATILE_KEYS"]

_PACKAGES = ("mipnn", "numpy", "scipy", "pandas", "pyomo", "highspy", "scikit-learn", "matplotlib", "seaborn")


@lru_cache(maxsize=1)
def _static_provenance() -> dict[str, Any]:
    versions = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        from ..solve import highs_version
        versions["highs"] = highs_version()
    except Exception:  # pragma: no cover - highspy missing is caught at import elsewhere
        versions["highs"] = None
    commit = dirty = None
    if in_checkout():
        try:
            commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True,
                                    text=True, timeout=5).stdout.strip() or None
            dirty = bool(subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain",
                                         "--untracked-files=no"], capture_output=True, text=True,
                                        timeout=5).stdout.strip())
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
    libs = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]
    # sorted: the order in which numpy's and scipy's copies were loaded differs between processes
    return sorted(libs, key=lambda lib: tuple(str(lib[k]) for k in ("internal_api", "version", "architecture")))


#: Keys of :func:`provenance` that change with the machine, the commit or the moment (never in tracked files).
VOLATILE_KEYS = ("platform", "hostname", "cpu_count", "git_commit", "git_dirty", "timestamp")


def provenance() -> dict[str, Any]:
    """Versions of the packages and solver, Python, platform, host, git commit and a UTC timestamp."""
    out = dict(_static_provenance())
    out["timestamp"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return out


def stable_provenance() -> dict[str, Any]:
    """:func:`provenance` without :data:`VOLATILE_KEYS`: versions, Python and BLAS kernel."""
    return {k: v for k, v in provenance().items() if k not in VOLATILE_KEYS}


def volatile_provenance() -> dict[str, Any]:
    """Only the :data:`VOLATILE_KEYS` of :func:`provenance` (host, platform, git commit, timestamp …)."""
    full = provenance()
    return {k: full[k] for k in VOLATILE_KEYS}
