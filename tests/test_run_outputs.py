"""A run with non-default parameters never overwrites the tracked outputs of a named profile."""

import json
import re
from pathlib import Path

import pytest

from mipnn.paths import run_suffix

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_run_suffix():
    assert run_suffix("default") == "" and run_suffix("default", {}) == ""
    assert run_suffix("session") == "_session"
    a = run_suffix("default", {"n": 4, "m": 2})
    assert re.fullmatch(r"_default-[0-9a-f]{8}", a)
    assert a == run_suffix("default", {"m": 2, "n": 4})                  # order does not matter
    assert a != run_suffix("default", {"n": 4, "m": 3}) != run_suffix("paper", {"n": 4, "m": 2})
    with pytest.raises(ValueError, match="profile"):
        run_suffix("../x")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_output_of_a_notebook_carries_its_run_suffix(path):
    # every figure and the summary are named through the run's suffix (the default profile's is ""), so a
    # non-default run writes files of its own
    code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    figures = re.findall(r"save_figure\(\s*\w+\s*,\s*NB\s*,\s*([^,]+),", code)
    assert figures, "the notebook saves no figure through save_figure(fig, NB, name, ...)"
    unsuffixed = [f for f in figures if "SUFFIX" not in f]
    assert not unsuffixed, f"figures saved without the run's suffix: {unsuffixed}"
    direct = re.findall(r"(?:figures_dir|results_dir)\(NB\)\s*/\s*([^\n)]+)", code)
    written = [d for d in direct if re.search(r"to_csv|write_text|savefig", code) and "SUFFIX" not in d
               and not d.strip().startswith('"summary_') and "runs_" not in d]
    assert not written, f"files written under figures/ or results/ without the run's suffix: {written}"
    summaries = re.findall(r"write_summary\(([^\n]*(?:\n[^\n]*)?)\)", code)
    assert summaries and all("suffix=" in s for s in summaries), summaries
