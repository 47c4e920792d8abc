"""Sign networks with integer weights in plain numpy: the forward pass, predictions and the checks on weights.

A network is a list ``[(W1, b1), ..., (WL, bL)]`` with ``W`` of shape ``(n_in, n_out)`` and integer entries in
``{-P, …, P}``; hidden units are ``sign(a)`` (``+1`` for ``a ≥ 0``), the output layer gives one integer score per
class and the prediction is the class of the largest score. Ties between the largest scores are broken as
:data:`TIE_RULES` says: ``"lowest"`` (the lowest class index, ``numpy.argmax``) or ``"random"`` (uniformly among the
tied classes, seeded — the authors' rule; their code reseeds its generator at every evaluation).

The MIP models ``a < 0`` as ``a ≤ −ε`` (:data:`EPSILON`, the authors' 1e-4) and keeps the band ``(−ε, 0)`` empty;
:func:`sign_forward` therefore puts the threshold at ``−tol`` with ``tol = ε/2`` by default (the middle of the
band), which makes the check immune to the solver's feasibility tolerance. Networks trained by gradient descent
(:mod:`mipnn.signnet.ste`) know nothing of that band and are evaluated with ``tol=0``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..validation import check_choice

__all__ = ["EPSILON", "TIE_RULES", "sign_forward", "predict_index", "tied", "zero_input_mask", "check_data",
           "check_weights", "sort_hidden"]

#: Gap below zero for a negative pre-activation in (3), (15), (22); the authors' code uses 1e-4.
EPSILON = 1e-4
#: How :func:`predict_index` breaks ties between the largest outputs.
TIE_RULES = ("lowest", "random")


def sign_forward(X: np.ndarray, weights: Sequence[tuple[np.ndarray, np.ndarray]], tol: float = EPSILON / 2
                 ) -> list[np.ndarray]:
    """Pre-activations of every layer (the last one is the integer output ``s``).

    A hidden unit is ``+1`` when its pre-activation is ``≥ −tol`` (module docstring). Deeper pre-activations
    are integers, for which this is the same as ``≥ 0``.
    """
    h = np.asarray(X, dtype=np.float64)
    pre = []
    for layer, (W, b) in enumerate(weights):
        a = h @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        pre.append(a)
        if layer < len(weights) - 1:
            h = np.where(a >= -tol, 1.0, -1.0)
    return pre


def tied(s: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of ``s`` whose largest output is shared by two or more classes."""
    s = np.asarray(s)
    return (s == s.max(axis=1, keepdims=True)).sum(axis=1) > 1


def predict_index(s: np.ndarray, ties: str = "lowest", random_state=None) -> np.ndarray:
    """Class index of the largest output of each row of ``s``.

    ``ties="lowest"`` (default) gives a tie to the lowest index; ``"random"`` picks one of the tied classes
    uniformly with ``numpy.random.default_rng(random_state)`` (the paper's rule: "if the values are equal, we
    choose the label randomly"), so the same ``random_state`` always gives the same predictions.
    """
    check_choice("ties", ties, TIE_RULES)
    s = np.asarray(s)
    idx = np.argmax(s, axis=1)
    if ties == "random":
        rows = np.flatnonzero(tied(s))
        if rows.size:
            top = s[rows] == s[rows].max(axis=1, keepdims=True)
            rng = np.random.default_rng(random_state)
            # a uniform key per tied class; the largest key among the top classes wins
            keys = np.where(top, rng.random(top.shape), -1.0)
            idx[rows] = np.argmax(keys, axis=1)
    return idx


def zero_input_mask(X: np.ndarray) -> np.ndarray:
    """Boolean mask of the inputs that are zero in every row of ``X`` (their weights are fixed to 0)."""
    return ~np.any(np.asarray(X) != 0, axis=0)


def check_data(X, Y):
    """``X`` (N × n, finite) and ±1 one-hot ``Y`` (N × K, K ≥ 2) as float arrays, or ``ValueError``."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (samples × features), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must contain only finite values")
    if Y.ndim != 2 or Y.shape[0] != X.shape[0] or Y.shape[1] < 2:
        raise ValueError(f"Y must be a ±1 one-hot matrix with {X.shape[0]} rows and ≥ 2 columns, got {Y.shape}")
    if not np.isin(Y, (-1.0, 1.0)).all() or not (np.sum(Y > 0, axis=1) == 1).all():
        raise ValueError("Y must be ±1 one-hot: exactly one +1 per row, −1 elsewhere")
    return X, Y


def check_weights(weights, n_features: int, hidden: Sequence[int], n_outputs: int, P: int) -> None:
    """Raise ``ValueError`` unless ``weights`` is a list of integer ``(W, b)`` pairs of the right shapes in [-P, P]."""
    sizes = [n_features, *hidden, n_outputs]
    if len(weights) != len(sizes) - 1:
        raise ValueError(f"weights must have {len(sizes) - 1} (W, b) pairs, got {len(weights)}")
    for layer, (W, b) in enumerate(weights):
        W, b = np.asarray(W), np.asarray(b)
        if W.shape != (sizes[layer], sizes[layer + 1]) or b.shape != (sizes[layer + 1],):
            raise ValueError(f"weights[{layer}] has shapes {W.shape}, {b.shape}; expected "
                             f"{(sizes[layer], sizes[layer + 1])}, {(sizes[layer + 1],)}")
        for arr in (W, b):
            if not np.all(np.abs(arr) <= P) or not np.all(arr == np.round(arr)):
                raise ValueError(f"weights[{layer}] must be integers in [-{P}, {P}]")


def sort_hidden(weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Permute hidden neurons so that ``Σ_i w_ij + b_j`` is non-increasing (the symmetry-breaking order)."""
    ws = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in weights]
    for layer in range(len(ws) - 1):
        W, b = ws[layer]
        order = np.argsort(-(W.sum(axis=0) + b), kind="stable")
        ws[layer] = (W[:, order], b[order])
        Wn, bn = ws[layer + 1]
        ws[layer + 1] = (Wn[order, :], bn)
    return ws
