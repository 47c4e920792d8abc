"""Where mipnn writes figures and results.

Defaults are the repository's ``figures/`` and ``results/`` folders; ``MIPNN_FIGURES_DIR`` and
``MIPNN_RESULTS_DIR`` override them (e.g. for tests that must not touch the committed artifacts).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _checked(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{kind}={name!r} must be a non-empty name of letters, digits, '_', '-' or '.'")
    return name


def figures_dir(notebook: str) -> Path:
    """``figures/<notebook>/`` (created if missing)."""
    base = Path(os.environ.get("MIPNN_FIGURES_DIR", REPO_ROOT / "figures"))
    path = base / _checked("notebook", notebook)
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir(notebook: str) -> Path:
    """``results/<notebook>/`` (created if missing)."""
    base = Path(os.environ.get("MIPNN_RESULTS_DIR", REPO_ROOT / "results"))
    path = base / _checked("notebook", notebook)
    path.mkdir(parents=True, exist_ok=True)
    return path
