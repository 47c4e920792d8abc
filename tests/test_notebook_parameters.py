"""Every notebook parameter is checked right after the parameters cell, against a schema declared in the library
good values pass (scalars for lists become one-element lists), bad ones fail naming the parameter and
what is allowed, and papermill runs with a bad value stop in that cell within seconds."""

from __future__ import annotations

import ast
import json
import math
import os
import sys
from pathlib import Path

import pytest

from mipnn.experiments.parameters import MAX_B_GRID, SCHEMAS, check_notebook_parameters, parameter_table
from mipnn.validation import Param, check_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(SCHEMAS)


def _cells(notebook):
    return json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text())["cells"]


def _parameters_cell(notebook):
    cells = _cells(notebook)
    i = next(k for k, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    return i, "".join(cells[i]["source"]), "".join(cells[i + 1]["source"])


def _defaults(notebook):
    namespace = {}
    exec(_parameters_cell(notebook)[1], namespace)  # noqa: S102 - the repository's own parameters cell
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def _profile_names(notebook):
    """The keys of the PROFILES (or SETTINGS) dict the notebook's checking cell defines."""
    tree = ast.parse(_parameters_cell(notebook)[2])
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.keys and all(isinstance(k, ast.Constant) for k in node.keys):
            keys = {k.value for k in node.keys}
            if "default" in keys:
                return keys
    raise AssertionError(f"{notebook}: no profiles dict found in the cell after the parameters cell")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_schema_declares_exactly_the_parameters_cell(notebook):
    defaults = _defaults(notebook)
    assert set(defaults) == set(SCHEMAS[notebook].params), "schema and parameters cell name different parameters"
    checked = check_notebook_parameters(notebook, defaults)
    assert set(checked) == set(defaults)
    assert set(SCHEMAS[notebook].params["profile"].allowed) == _profile_names(notebook)
    # the checking cell makes the one call, first thing
    assert f'check_notebook_parameters("{notebook}", globals())' in _parameters_cell(notebook)[2]
    table = parameter_table(notebook)
    assert list(table["parameter"]) == list(SCHEMAS[notebook].params)
    assert table["allowed"].str.len().min() > 0


BAD = [
    ("01_tame_bnn_dual", {"b_step": 0}, "b_step=0 is out of range"),
    ("01_tame_bnn_dual", {"b_step": 1e-5}, "grid points"),
    ("01_tame_bnn_dual", {"random_state": "abc"}, "random_state='abc'"),
    ("01_tame_bnn_dual", {"m": 10}, "m=10 must be at most n − 1 = 9"),
    ("01_tame_bnn_dual", {"b_min": 5.0}, "b_max=4.0 must be greater than b_min=5.0"),
    ("01_tame_bnn_dual", {"K_values": [2, 0]}, "K_values[1]=0"),
    ("01_tame_bnn_dual", {"n": 2.5}, "n=2.5 must be an integer"),
    ("01_tame_bnn_dual", {"profile": "fast"}, "profile='fast' is not allowed"),
    ("02_mip_training_adult", {"time_limit": "abc"}, "time_limit='abc' must be a real number"),
    ("02_mip_training_adult", {"time_limit": math.inf}, "time_limit=inf is out of range"),
    ("02_mip_training_adult", {"sample_sizes": "abc"}, "sample_sizes[0]='abc'"),
    ("02_mip_training_adult", {"sample_sizes": []}, "must not be empty"),
    ("02_mip_training_adult", {"P_values": [1, 0]}, "P_values[1]=0"),
    ("02_mip_training_adult", {"objectives": ["max_correct", "hinge"]}, "objectives[1]='hinge' is not allowed"),
    ("02_mip_training_adult", {"start": "warm"}, "start='warm' is not allowed"),
    ("02_mip_training_adult", {"stop_rule": "fast"}, "stop_rule='fast'"),
    ("02_mip_training_adult", {"n_jobs": 0}, "n_jobs=0 is out of range"),
    ("02_mip_training_adult", {"hidden": [16, -1]}, "hidden[1]=-1"),
    # checked before any work (were: 14 s in, 11 s in, 29 s in)
    ("02_mip_training_adult", {"sample_sizes": [40, 100000]}, "sample_sizes[1]=100000 is out of range"),
    ("02_mip_training_adult", {"random_states": [4294967296]}, "random_states[0]=4294967296 is out of range"),
    ("01_tame_bnn_dual", {"b_step": math.inf}, "b_step=inf is out of range"),
    ("03_layerwise_relu_mnist", {"profile": "big"}, "profile='big' is not allowed; choose one of 'default'"),
    ("04_data_splitting_heuristic", {"profile": "session"}, "profile='session' is not allowed"),
    ("04_data_splitting_heuristic", {"solver": "cplex"}, "solver='cplex' is not allowed"),
    ("02_mip_training_adult", {"solver": "Gurobi"}, "solver='Gurobi' is not allowed"),
    ("02_mip_training_adult", {"executor": "slurm"}, "executor='slurm' is not an executor"),
    ("03_layerwise_relu_mnist", {"executor": "tcp://"}, "executor='tcp://' is not an executor"),
    ("03_layerwise_relu_mnist", {"n_jobs": 0}, "n_jobs=0 is out of range"),
    ("04_data_splitting_heuristic", {"executor": None}, "executor=None is not an executor"),
]


@pytest.mark.parametrize(("notebook", "change", "message"), BAD, ids=[f"{nb[:2]}-{next(iter(c))}" for nb, c, _ in BAD])
def test_bad_values_name_the_parameter_and_the_allowed_values(notebook, change, message):
    values = {**_defaults(notebook), **change}
    with pytest.raises(ValueError) as err:
        check_notebook_parameters(notebook, values)
    assert message in str(err.value)
    name = next(iter(change))
    assert name in str(err.value)


def test_scalars_for_lists_and_none_from_the_profile():
    values = {**_defaults("02_mip_training_adult"), "sample_sizes": 40, "objectives": "min_hinge", "hidden": 8}
    checked = check_notebook_parameters("02_mip_training_adult", values)
    assert checked["sample_sizes"] == [40] and checked["objectives"] == ["min_hinge"] and checked["hidden"] == [8]
    assert checked["P_values"] is None  # taken from the profile
    assert check_notebook_parameters("01_tame_bnn_dual", {**_defaults("01_tame_bnn_dual"), "K_values": 4})[
        "K_values"] == [4]
    # the grid limit is the stated one
    d = _defaults("01_tame_bnn_dual")
    check_notebook_parameters("01_tame_bnn_dual", {**d, "b_min": 0.0, "b_max": 1.0, "b_step": 1 / (MAX_B_GRID - 1)})


def test_the_light_copies_match_the_library():
    import subprocess

    from mipnn.experiments.adult import METHODS
    from mipnn.experiments.parameters import ADULT_METHODS

    assert tuple(ADULT_METHODS) == tuple(METHODS)
    from mipnn.data.adult import EXPECTED_ROWS, VAL_FRACTION
    from mipnn.experiments.parameters import ADULT_MAX_N, MAX_SEED

    assert ADULT_MAX_N == EXPECTED_ROWS["train"] - int(round(VAL_FRACTION * EXPECTED_ROWS["train"]))
    assert MAX_SEED == 2**31 - 1
    # the checking cell's import stays light: no solver, scikit-learn or pandas behind it
    code = ("import sys, mipnn.experiments.parameters; "
            "print(sorted(m for m in ('pandas', 'sklearn', 'pyomo', 'highspy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_param_and_check_parameters():
    schema = {"a": Param("integer", low=0), "b": Param("choices", ("x", "y"))}
    assert check_parameters({"a": 1, "b": "x", "other": 3}, schema) == {"a": 1, "b": ["x"]}
    with pytest.raises(ValueError, match="not set"):
        check_parameters({"a": 1}, schema)
    with pytest.raises(ValueError, match="kind"):
        Param("list")
    with pytest.raises(ValueError, match="notebook="):
        check_notebook_parameters("05_nope", {})


def test_unknown_injected_parameters_are_an_error():
    # papermill injects every -p NAME as a global, declared or not, after a warning: `-p nn 5` (for n) then ran the
    # default profile and rewrote its tracked files
    defaults = _defaults("01_tame_bnn_dual")
    history = ["", "import numpy as np", "profile = 'default'\nn = 10", "# Parameters\nnn = 5\nm = 3\n"]
    with pytest.raises(ValueError, match=r"unknown parameter 'nn' \(did you mean 'n'\?\) for notebook 01"):
        check_notebook_parameters("01_tame_bnn_dual", {**defaults, "nn": 5, "In": history})
    history[-1] = "# Parameters\nn = 6\nm = 3\n"
    assert check_notebook_parameters("01_tame_bnn_dual", {**defaults, "n": 6, "In": history})["n"] == 6
    # nbval or Jupyter: no injected cell, other globals (imports, IPython's own) are not parameters
    assert check_notebook_parameters("01_tame_bnn_dual", {**defaults, "np": None, "In": history[:3]})["n"] == 10


# --- papermill: a bad value fails in the checking cell, fast -------------------------------------------------------

PAPERMILL_BAD = {
    "01_tame_bnn_dual": {"b_step": 0},
    "02_mip_training_adult": {"P_values": "abc"},
    "03_layerwise_relu_mnist": {"profile": "big"},
    "03b_layerwise_relu_investigation": {"profile": "big"},
    "04_data_splitting_heuristic": {"n_jbos": 2},  # an unknown name (papermill itself only warns)
    "05_which_trainer": {"solver": "cplex"},
}


def _papermill_bad_run(notebook, out_dir):
    """Execute ``notebook`` with its bad value; return the error papermill raised and the output notebook."""
    import papermill

    out = out_dir / f"{notebook}.ipynb"
    try:
        papermill.execute_notebook(str(ROOT / "notebooks" / f"{notebook}.ipynb"), str(out),
                                   parameters=PAPERMILL_BAD[notebook], kernel_name="python3",
                                   cwd=str(ROOT / "notebooks"), progress_bar=False, log_output=False,
                                   stdout_file=sys.stdout)
    except papermill.PapermillExecutionError as err:
        return err, out
    return None, out


@pytest.fixture(scope="module")
def papermill_runs(tmp_path_factory):
    """The four bad-value runs, two kernels at a time (each is a real papermill execution)."""
    pytest.importorskip("papermill")
    from concurrent.futures import ThreadPoolExecutor

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    out_dir = tmp_path_factory.mktemp("papermill")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {nb: pool.submit(_papermill_bad_run, nb, out_dir) for nb in NOTEBOOKS}
    return {nb: f.result() for nb, f in futures.items()}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_papermill_stops_in_the_checking_cell(notebook, papermill_runs):
    err, out = papermill_runs[notebook]
    assert err is not None, f"{notebook} ran through with a bad value"
    parameters = PAPERMILL_BAD[notebook]
    assert err.ename == "ValueError"
    assert next(iter(parameters)) in err.evalue
    assert "check_notebook_parameters" in err.source
    cells = json.loads(out.read_text())["cells"]
    failed = next(c for c in cells if c.get("metadata", {}).get("papermill", {}).get("exception"))
    # papermill puts its injected-parameters cell after the parameters cell: the checking cell comes next
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    i = next(k for k, t in enumerate(tags) if "injected-parameters" in t)
    assert next(c for c in cells[i + 1:] if c["cell_type"] == "code") is failed
    assert failed["metadata"]["papermill"]["duration"] < 5.0
    executed = [c for c in cells if c["cell_type"] == "code" and c.get("execution_count")]
    assert executed[-1] is failed, "no cell after the checking cell ran"


def test_the_parameter_reference_prints(capsys):
    from mipnn.experiments.parameters import main

    assert main([]) == 0
    out = capsys.readouterr().out
    assert all(f"## {nb}" in out for nb in NOTEBOOKS) and "| `sample_sizes` |" in out
