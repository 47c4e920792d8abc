"""Numeric conventions shared by every network family: one comparison tolerance and one label encoding.

* :data:`TOL` — the tolerance for comparing two computed floats that should agree exactly in exact arithmetic
  (a rounded quotient, a grid point, a gap of zero). Solver tolerances are a different thing: see
  :data:`mipnn.solve.TIGHT_TOLERANCE`.
* :func:`one_hot` — integer class indices as a one-hot matrix; ``off=-1`` gives the ±1 encoding of the sign
  networks, ``off=0`` (default) the 0/1 encoding of the BNN/BDNN and ReLU networks;
* :func:`label_targets` — labels or a target matrix as the (N, d_out) 0/1 targets of a network's output layer.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["TOL", "one_hot", "label_targets"]

#: Two computed floats closer than this (absolutely, or relative to max(1, |value|)) count as equal.
TOL = 1e-9


def one_hot(labels, n_classes: int | None = None, *, off: float = 0.0) -> np.ndarray:
    """Integer labels ``0..C-1`` as an (N, C) float matrix with 1 for the true class and ``off`` elsewhere.

    ``n_classes=None`` takes ``C = max(labels) + 1``. Raises ``ValueError`` for labels that are not
    non-negative integers or not below ``n_classes``.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)) or (arr < 0).any():
        raise ValueError("labels must be a 1-D array of non-negative integers (class indices)")
    if n_classes is not None and (isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral)
                                  or n_classes < 1):
        raise ValueError(f"n_classes={n_classes!r} must be None or an integer >= 1")
    C = (int(arr.max()) + 1 if arr.size else 0) if n_classes is None else int(n_classes)
    if arr.size and arr.max() >= C:
        raise ValueError(f"n_classes={n_classes} is smaller than the largest label + 1 ({arr.max() + 1})")
    out = np.full((arr.size, C), float(off))
    out[np.arange(arr.size), arr] = 1.0
    return out


def label_targets(y, d_out: int, n: int) -> np.ndarray:
    """The (n, d_out) float targets of an output layer with ``d_out`` units: ``n`` integer labels become one-hot rows
    (a single output unit takes the labels themselves as a column), an (n, d_out) matrix is taken as it is. Raises
    ``ValueError`` for another shape or for NaN / inf."""
    y = np.asarray(y)
    if y.ndim == 1 and y.shape == (n,):
        y = one_hot(y.astype(np.int64), d_out) if d_out > 1 else y.reshape(-1, 1)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (n, d_out):
        raise ValueError(f"y must have shape ({n}, {d_out}) (or be {n} integer labels); got {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("y contains NaN or inf")
    return y
