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
