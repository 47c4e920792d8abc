"""Experiments: resumable sweeps with provenance (core), and the drivers of the notebooks' experiments.

Core (knows no paper)::

    param_grid(**axes) -> list of parameter dicts          run_sweep(run, grid, path, n_jobs=1) -> DataFrame
    ResultStore(path), run_key(params), to_jsonable(obj)   provenance() -> dict
    write_summary(notebook, summary, parameters, suffix="") -> Path

Per-paper drivers and readers (import them by module; they build on the family subpackages):

* :mod:`mipnn.experiments.adult` — Thorbjarnarson & Yorke-Smith on UCI Adult (notebook 02);
* :mod:`mipnn.experiments.bdnn` — Kurtz & Bah's BDNN comparison runs (notebook 04);
* :mod:`mipnn.experiments.benchmarks` — readers of the Goebbels benchmark results (notebook 03);
* :mod:`mipnn.experiments.parameters` — every notebook's declared parameters, checked in its second cell.
"""

from .provenance import provenance
from .store import ResultStore, run_key, to_jsonable
from .summary import write_summary
from .sweep import param_grid, run_sweep

__all__ = ["param_grid", "run_sweep", "ResultStore", "run_key", "to_jsonable", "provenance", "write_summary"]
