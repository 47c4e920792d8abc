"""mipnn: training neural networks with mixed-integer programming, reproduced with open-source solvers.

The estimators are importable from the top level (``mipnn.MIPNetClassifier``, ``mipnn.BDNNClassifier``,
``mipnn.STEBinaryNetClassifier``); they are loaded on first access so that ``import mipnn`` stays light.
"""

__version__ = "0.1.0"

_LAZY = {
    "MIPNetClassifier": "mipnn.estimators",
    "STEBinaryNetClassifier": "mipnn.estimators",
    "BDNNClassifier": "mipnn.estimators",
    "solve": "mipnn.solve",
    "SolveRecord": "mipnn.solve",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mipnn' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
