"""Stored notebooks without volatile metadata: what papermill writes about *when* and *where* a run happened.

papermill records start and end times, durations and the paths of each run (notebook and cell metadata, and the
kernel's ``execution`` timestamps per cell). In the notebooks stored under ``notebooks/`` those change on every
run even when no output does, so re-executing them (``make outputs``) would leave ``git status`` dirty.
:func:`normalise` drops them and keeps everything else (sources, outputs, tags, the parameters of the run);
``python -m mipnn.notebook_files NOTEBOOK ...`` does it in place (``make outputs`` calls it after each run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["VOLATILE_NOTEBOOK_KEYS", "normalise", "normalise_file", "is_normalised", "main"]

#: Keys of the notebook's ``metadata.papermill`` that describe the run, not the notebook.
VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "exception", "input_path", "output_path",
                          "environment_variables", "version")


def normalise(nb: dict) -> dict:
    """``nb`` (a notebook as JSON) without papermill's timings and paths and the cells' ``execution`` timestamps;
    the same object, changed in place."""
    meta = nb.get("metadata", {})
    pm = meta.get("papermill")
    if isinstance(pm, dict):
        for key in VOLATILE_NOTEBOOK_KEYS:
            pm.pop(key, None)
    for cell in nb.get("cells", []):
        cm = cell.get("metadata", {})
        cm.pop("papermill", None)
        cm.pop("execution", None)
    return nb


def is_normalised(nb: dict) -> bool:
    """Whether ``nb`` carries none of the volatile metadata :func:`normalise` drops."""
    pm = nb.get("metadata", {}).get("papermill") or {}
    return not any(k in pm for k in VOLATILE_NOTEBOOK_KEYS) and not any(
        k in c.get("metadata", {}) for c in nb.get("cells", []) for k in ("papermill", "execution"))


def normalise_file(path: str | Path) -> bool:
    """Normalise the notebook at ``path`` in place (written as Jupyter writes it: one-space indent, a final
    newline); whether it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    out = json.dumps(normalise(nb), indent=1, ensure_ascii=False) + "\n"
    if out == text:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(out, encoding="utf-8")
    tmp.replace(path)
    return True


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m mipnn.notebook_files NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    for p in paths:
        normalise_file(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
