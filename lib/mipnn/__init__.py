"""mipnn: training neural networks with mixed-integer programming, reproduced with open-source solvers.

Layout — a core that knows no paper, and one subpackage per network family:

* core: :mod:`mipnn.solve` (HiGHS behind one :class:`~mipnn.solve.SolveRecord`), :mod:`mipnn.validation`,
  :mod:`mipnn.exceptions`, :mod:`mipnn.numerics`, :mod:`mipnn.paths`, :mod:`mipnn.plotting`,
  :mod:`mipnn.estimator` (the estimators' base classes), :mod:`mipnn.data`, the sweep machinery of
  :mod:`mipnn.experiments`, the figure registry :mod:`mipnn.figures` (``make figures``) and the notebooks' page
  helpers :mod:`mipnn.report`;
* :mod:`mipnn.bnn` — Aspman et al.'s Theorem 1 BNN-MILP and Kurtz & Bah's BDNNs (notebooks 01 and 04);
* :mod:`mipnn.duality` — Aspman et al.'s value functions, subadditive duals and conservative fields (notebook 01);
* :mod:`mipnn.signnet` — Thorbjarnarson & Yorke-Smith's sign networks (notebook 02);
* :mod:`mipnn.relu` — Goebbels' layer-wise ReLU training (notebook 03);
* :mod:`mipnn.baselines` — the Adam baselines of notebooks 03 and 04;
* :mod:`mipnn.experiments.adult`, :mod:`~mipnn.experiments.bdnn`, :mod:`~mipnn.experiments.benchmarks` — the
  notebooks' experiment drivers.

The estimators are importable from the top level (``mipnn.MIPNetClassifier``, ``mipnn.BDNNClassifier``,
``mipnn.STEBinaryNetClassifier``, ``mipnn.BNNMILPClassifier``, ``mipnn.FieldBNNClassifier``,
``mipnn.LayerwiseReLUClassifier``, ``mipnn.AdamMLPClassifier``); they are loaded on first access so that
``import mipnn`` stays light. :mod:`mipnn.experiments.trainers` lists them all with their papers.
"""

__version__ = "0.1.0"

_LAZY = {
    "MIPNetClassifier": "mipnn.signnet",
    "STEBinaryNetClassifier": "mipnn.signnet",
    "BDNNClassifier": "mipnn.bnn",
    "BNNMILPClassifier": "mipnn.bnn",
    "FieldBNNClassifier": "mipnn.duality",
    "LayerwiseReLUClassifier": "mipnn.relu",
    "AdamMLPClassifier": "mipnn.baselines",
    "SolveRecord": "mipnn.solve",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mipnn' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
