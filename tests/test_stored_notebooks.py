"""The stored notebooks show what they compute: a displayed image for every figure they save, no table cut by
pandas, a parameters cell checked right after it."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted(p for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")
                   if not p.name.endswith(".partial.ipynb"))
TRUNCATED = re.compile(r"\[\d+ rows x \d+ columns\]")
#: an elided row or column ("..." alone) or a cell value cut short ("text..." followed by a column gap or the end)
ELLIPSIS_ROW = re.compile(r"^\s*\.\.\.(\s|$)|\s\.\.\.\s*$|\S\.\.\.(\s{2,}|\s*$)", re.MULTILINE)


def _cells(nb):
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_saved_figure_is_displayed(nb):
    for i, cell in enumerate(_cells(nb)):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        saves = len(re.findall(r"\bsave_figure\(", src))
        if "def " in src:  # a helper that saves figures is counted where it is called
            continue
        calls = saves + len(re.findall(r"^\s*figure\(", src, re.MULTILINE))
        images = sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        assert images >= calls, f"{nb.name} cell {i}: {calls} figure(s) saved, {images} shown"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_table_is_truncated(nb):
    for i, cell in enumerate(_cells(nb)):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(data.get("text/plain", "")) + "".join(out.get("text", ""))
            assert not TRUNCATED.search(text), f"{nb.name} cell {i}: a table cut by pandas"
            if "text/html" in data:  # a DataFrame: no elided rows or columns
                assert not ELLIPSIS_ROW.search("".join(data.get("text/plain", ""))), \
                    f"{nb.name} cell {i}: a table with elided rows or columns"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_comes_first_and_is_checked(nb):
    cells = [c for c in _cells(nb) if c["cell_type"] == "code"]
    assert "parameters" in cells[0].get("metadata", {}).get("tags", []), f"{nb.name}: first code cell not tagged"
    assert "profile" in "".join(cells[0]["source"])
    check = "".join(cells[1]["source"])
    call = f'check_notebook_parameters("{nb.stem}", globals())'
    assert call in check, f"{nb.name}: parameters not checked right after"
