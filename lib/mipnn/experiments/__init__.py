"""Experiments: resumable sweeps with provenance (core), and the drivers of the notebooks' experiments.

Core (knows no paper)::

    param_grid(**axes) -> list of parameter dicts          run_sweep(run, grid, path, n_jobs=1) -> DataFrame
    ResultStore(path), run_key(params), to_jsonable(obj)   provenance() -> dict
    write_summary(notebook, summary, parameters, suffix="", volatile=None) -> Path
    split_timings(summary) -> (summary without wall-clock keys, {path: timing}) for write_summary's volatile=

Per-paper drivers and readers (import them by module; they build on the family subpackages):

* :mod:`mipnn.experiments.adult` — Thorbjarnarson & Yorke-Smith on UCI Adult (notebook 02);
* :mod:`mipnn.experiments.bdnn` — Kurtz & Bah's BDNN comparison runs (notebook 04);
* :mod:`mipnn.experiments.benchmarks` — readers of the Goebbels benchmark results (notebook 03);
* :mod:`mipnn.experiments.layerwise` — resumable Goebbels runs on MNIST: initialisation screening, Algorithm 1;
* :mod:`mipnn.experiments.parameters` — every notebook's declared parameters, checked in its second cell.
* :mod:`mipnn.experiments.tame` — Aspman, Korpas & Marecek: a BNN trained by conservative fields, MILP targets,
  the STE and the primal MILP (notebook 01); :mod:`mipnn.experiments.tame_figures` — its explore stores, registered
  figures and results-at-a-glance table;
* :mod:`mipnn.experiments.trainers` — every trainer of the package as a scikit-learn estimator behind one contract,
  with the labels it fits and its paper (the registry that compares them all).
"""

import importlib

from .provenance import provenance  # light (standard library); eager, as its name is also its module's

#: Loaded on first access, so that importing one driver (e.g. the light ``experiments.parameters`` that every
#: notebook's checking cell imports) does not pull in the sweep machinery (scikit-learn, tqdm, pandas).
_LAZY = {"ResultStore": ".store", "run_key": ".store", "to_jsonable": ".store",
         "write_summary": ".summary", "split_timings": ".summary", "param_grid": ".sweep", "run_sweep": ".sweep"}

__all__ = ["param_grid", "run_sweep", "ResultStore", "run_key", "to_jsonable", "provenance", "write_summary",
           "split_timings"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'mipnn.experiments' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
