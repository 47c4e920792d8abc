"""The closing file of every notebook: ``results/<notebook>/summary<suffix>.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..paths import check_name, results_dir
from .provenance import provenance
from .store import to_jsonable

__all__ = ["write_summary"]


def write_summary(notebook: str, summary: Mapping[str, Any], parameters: Mapping[str, Any], *,
                  suffix: str = "") -> Path:
    """Write ``results/<notebook>/summary<suffix>.json``: the headline numbers, the parameters and the provenance.

    The default profile writes ``summary.json``; every other profile or run passes its own ``suffix`` (e.g.
    ``"_session"``), so that it never overwrites the committed summary of another profile.
    """
    if suffix:
        check_name("suffix", suffix)
    path = results_dir(notebook) / f"summary{suffix}.json"
    payload = {"notebook": notebook, "parameters": to_jsonable(parameters), **to_jsonable(summary),
               "provenance": provenance()}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
