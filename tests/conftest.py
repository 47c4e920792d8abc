"""Shared fixtures: keep tests from writing into the committed figures/ and results/ folders."""

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("MIPNN_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("MIPNN_RESULTS_DIR", str(tmp_path / "results"))
    yield


def shared_datasets_dir():
    """The verified dataset copies (``$MIPNN_DATA_DIR``), or None when not configured."""
    path = os.environ.get("MIPNN_DATA_DIR")
    return path if path and os.path.isdir(path) else None


#: Test modules that assert on wall-clock time (bounds, time limits that must strike, a busy-looping neighbour), start
#: servers on fixed ports or kill processes by signal: ``make unit`` runs them one after another on an otherwise
#: idle machine (``-m serial``), after the rest has run on two pytest-xdist workers (``-m "not serial"``). A plain
#: ``pytest tests`` runs everything in one process.
SERIAL_MODULES = frozenset({"test_budget.py", "test_dask_executor.py", "test_figures.py", "test_interrupts.py",
                            "test_lab.py", "test_report.py", "test_sweep_faults.py"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)
