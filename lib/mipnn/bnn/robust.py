"""Kurtz & Bah's robust BDNN training and their random-sign attack.

Kurtz & Bah (2021) protect the training points against perturbations in an L∞ ball of radius ``ρ``. Only the
abstract of the paper is available to us, so the rows are cited by what they do and follow the authors' public
code (github.com/JannisKu/BDNN2021: ρ·‖W_l‖₁ terms added to the first-layer constraints, with auxiliary ξ ≥ |W|).

Since ``min_δ W(x+δ) = Wx − ρ‖W‖₁`` and ``max_δ W(x+δ) = Wx + ρ‖W‖₁`` over ``‖δ‖∞ ≤ ρ``, row by row,
:func:`add_robust_first_layer` replaces the first-layer rows 1–2 of Theorem 1 (:mod:`mipnn.bnn.milp`) by

    (robust-ξ)     ``ξ ≥ W``, ``ξ ≥ −W``                               (so ``Σ_l ξ_jl ≥ ‖W_j‖₁``)
    (robust-up)    ``W_j x + ρ Σ_l ξ_jl ≤ λ_j − ε + M u_j``            (u = 0 survives the worst upward move)
    (robust-low)   ``W_j x − ρ Σ_l ξ_jl ≥ λ_j − M(1 − u_j)``           (u = 1 survives the worst downward move)

which makes the first-layer activations — hence the whole output — constant on the box (checked in the tests).
:func:`random_sign_attack` is the authors' attack test: accuracy on ``x + ε·sign(noise)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..validation import check_number, check_positive_int, check_random_state
from .milp import threshold_expr

__all__ = ["ATTACK_EPSILONS", "add_robust_first_layer", "random_sign_attack"]

#: The attack strengths of Kurtz & Bah's robustness experiment.
ATTACK_EPSILONS = (0.0, 0.5, 1.0, 1.5, 2.0)


def add_robust_first_layer(model, radius: float) -> None:
    """Turn a built BNN-MILP into its L∞-robust version of radius ``radius`` (in place).

    Deactivates the first-layer rows ``first_upper``/``first_lower`` and adds ``xi[j, l] ≥ |W1[j, l]|`` and the
    robust rows ``robust_upper``/``robust_lower`` (module docstring) with big-M enlarged by ``ρ·d0``.
    """
    check_number("radius", radius, low=0.0)
    meta = model.meta
    layers, X, group, eps = meta["layers"], meta["X"], meta["group"], meta["epsilon"]
    d0, d1 = layers[0], layers[1]
    m1 = np.asarray(meta["M1"], dtype=np.float64) + radius * d0
    N = X.shape[0]
    model.first_upper.deactivate()
    model.first_lower.deactivate()
    model.XIIDX = pyo.Set(dimen=2, initialize=[(j, l) for j in range(d1) for l in range(d0)])
    model.xi = pyo.Var(model.XIIDX, bounds=(0, 1))
    # (robust-ξ): ξ ≥ |W1|, so ρ Σ_l ξ_jl bounds the worst-case shift ρ‖W1_j‖₁ of unit j's pre-activation.
    model.xi_pos = pyo.Constraint(model.XIIDX, rule=lambda m, j, l: m.xi[j, l] >= m.W[1, j, l])
    model.xi_neg = pyo.Constraint(model.XIIDX, rule=lambda m, j, l: m.xi[j, l] >= -m.W[1, j, l])
    rows = [(i, j) for i in range(N) for j in range(d1)]

    def pre(i, j):
        return sum(float(X[i, l]) * model.W[1, j, l] for l in range(d0) if X[i, l] != 0.0)

    def shift(j):
        return radius * sum(model.xi[j, l] for l in range(d0))

    # (robust-up): u = 0 must survive the worst upward move:  W x + ρ‖W‖₁ ≤ λ − ε   (relaxed by M when u = 1)
    model.robust_upper = pyo.Constraint(rows, rule=lambda m, i, j: pre(i, j) + shift(j) - threshold_expr(m, 1, j)
                                        <= -eps + (float(m1[i]) + eps) * m.u[group[i], 1, j])
    # (robust-low): u = 1 must survive the worst downward move: W x − ρ‖W‖₁ ≥ λ     (relaxed by M when u = 0)
    model.robust_lower = pyo.Constraint(rows, rule=lambda m, i, j: pre(i, j) - shift(j) - threshold_expr(m, 1, j)
                                        >= -float(m1[i]) * (1 - m.u[group[i], 1, j]))
    meta["robust_radius"] = float(radius)


def random_sign_attack(predict, X, y, epsilons=ATTACK_EPSILONS, *, n_trials: int = 1, random_state: int = 0):
    """Accuracy of ``predict`` on ``X + ε·sign(noise)`` for each ε (Kurtz & Bah's attack test).

    Each trial draws Gaussian noise and moves every feature by exactly ±ε, a corner of the L∞ ball of radius ε
    around the point. The same signs are used for every ε of a trial, so the curves differ only in ε.
    Returns a DataFrame with columns ``epsilon``, ``trial`` and ``accuracy``.
    """
    check_positive_int("n_trials", n_trials)
    random_state = check_random_state(random_state, allow_none=False)
    eps = [float(check_number("epsilons[]", e, low=0.0)) for e in epsilons]
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    rng = np.random.default_rng(random_state)
    rows = []
    for t in range(n_trials):
        signs = np.sign(rng.standard_normal(X.shape))
        for e in eps:
            acc = float(np.mean(np.asarray(predict(X + e * signs)) == y))
            rows.append({"epsilon": e, "trial": t, "accuracy": acc})
    return pd.DataFrame(rows)
