"""Stored notebooks carry no record of when or where they ran, so re-executing them with unchanged outputs leaves
``git status`` clean; normalising keeps sources, outputs, tags and the run's parameters."""

import copy
import json
from pathlib import Path

import pytest

from mipnn.notebook_files import VOLATILE_NOTEBOOK_KEYS, is_normalised, main, normalise, normalise_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_stored_notebooks_carry_no_run_timestamps(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert is_normalised(nb), f"{path.name}: run python -m mipnn.notebook_files {path.relative_to(ROOT)}"
    assert "20" + "26-" not in json.dumps(nb.get("metadata", {}))


def _papermill_notebook():
    return {"cells": [
        {"cell_type": "code", "id": "a", "source": ["profile = 'default'"], "outputs": [], "execution_count": 1,
         "metadata": {"tags": ["parameters"], "papermill": {"duration": 0.1, "status": "completed"},
                      "execution": {"iopub.status.busy": "2030-01-01T00:00:00Z"}}},
        {"cell_type": "code", "id": "b", "source": ["print(1)"], "execution_count": 2,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}],
         "metadata": {"papermill": {"start_time": "2030-01-01"}}}],
        "metadata": {"kernelspec": {"name": "python3"}, "papermill": {
            "parameters": {"profile": "default"}, "default_parameters": {}, "start_time": "2030", "end_time": "2030",
            "duration": 3.0, "exception": None, "input_path": "a.ipynb", "output_path": "a.partial.ipynb",
            "environment_variables": {}, "version": "2.6.0"}},
        "nbformat": 4, "nbformat_minor": 5}


def test_normalise_drops_only_the_run_record(tmp_path):
    nb = _papermill_notebook()
    before = copy.deepcopy(nb)
    out = normalise(nb)
    assert is_normalised(out) and not is_normalised(before)
    assert out["cells"][0]["metadata"] == {"tags": ["parameters"]} and out["cells"][1]["metadata"] == {}
    assert [c["source"] for c in out["cells"]] == [c["source"] for c in before["cells"]]
    assert out["cells"][1]["outputs"] == before["cells"][1]["outputs"]
    assert out["metadata"]["papermill"] == {"parameters": {"profile": "default"}, "default_parameters": {}}
    assert not set(VOLATILE_NOTEBOOK_KEYS) & set(out["metadata"]["papermill"])
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(before), encoding="utf-8")
    assert normalise_file(path) is True
    first = path.read_bytes()
    assert normalise_file(path) is False and path.read_bytes() == first  # idempotent, byte for byte


def test_the_command_names_a_missing_notebook(tmp_path, capsys):
    assert main([str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
    assert main([]) == 2
