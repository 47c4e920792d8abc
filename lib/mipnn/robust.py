"""BDNN training problems of Kurtz & Bah (2021) on top of the shared BNN-MILP, and their robust variant.

The MILP itself is :func:`mipnn.formulations.bnn_milp.build_bnn_milp` (Theorem 1 of Aspman et al., i.e. Bah &
Kurtz's formulation), shared with notebook 01. This module sets it up the way Kurtz & Bah's BDNN experiments do
and adds what is specific to them:

* :func:`solve_bdnn` — one training MILP: hidden widths plus one output unit per class (Hamming loss to the
  one-hot label), weights in [−1, 1] (continuous) or {−1, 0, 1} (integer), one learned threshold per unit
  bounded by ``B = max(max_i ‖xⁱ‖₁, widest layer)``, big-M ``‖xⁱ‖₁ + B`` in the first layer and
  ``d_{k−1} + B`` after it, optional activation sharing (data splitting), fixed weights (local search),
  warm starts and the robust rows below;
* :func:`add_robust_first_layer` — the L∞-robust model: every training input may move anywhere in the box
  ``‖δ‖∞ ≤ ρ``; since ``min_δ W(x+δ) = Wx − ρ‖W‖₁`` (and the max is ``Wx + ρ‖W‖₁``) row by row, replacing the
  first-layer big-M rows by

      ``W_j x − ρ Σ_l ξ_jl ≥ λ_j − M(1 − u_j)``   and   ``W_j x + ρ Σ_l ξ_jl ≤ λ_j − ε + M u_j``,
      ``ξ ≥ W``, ``ξ ≥ −W``  (so ``Σ_l ξ_jl ≥ ‖W_j‖₁``),

  makes the first-layer activations — hence the whole output — constant on the box (checked in the tests);
* :func:`predict_bdnn` / :func:`point_losses` — numpy prediction (class of the output unit with the largest
  margin ``W_K u_{K−1} − λ_K``) and per-point Hamming losses;
* :func:`random_sign_attack` — the attack test: accuracy on ``x + ε·sign(noise)`` for ε ∈ {0, 0.5, 1, 1.5, 2}.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from .formulations import bnn_milp
from .solve import SolveRecord, solve
from .validation import check_choice, check_int_sequence, check_number, check_positive_int

__all__ = ["BDNNFit", "EPS", "ATTACK_EPSILONS", "threshold_bound", "build_bdnn", "add_robust_first_layer",
           "solve_bdnn", "forward_bdnn", "output_margins", "predict_bdnn", "point_losses", "random_sign_attack"]

#: Margin that models the strict "<" of the activation rule (the shared formulation's default).
EPS = 1e-4
#: The attack strengths of Kurtz & Bah's robustness experiment.
ATTACK_EPSILONS = (0.0, 0.5, 1.0, 1.5, 2.0)


def threshold_bound(X, widths) -> float:
    """Kurtz & Bah's bound on the learned thresholds: ``max(max_i ‖xⁱ‖₁, max layer width)``."""
    X = np.asarray(X, dtype=np.float64)
    return float(max(np.abs(X).sum(axis=1).max(), max(widths)))


def _lam_expr(m, k, j):
    t = m.meta["threshold"]
    if t == "neuron":
        return m.lam[k, j]
    if t == "layer":
        return m.lam_layer[k]
    return m.meta["threshold_value"]


def add_robust_first_layer(model, radius: float) -> None:
    """Turn a built BNN-MILP into its L∞-robust version of radius ``radius`` (in place).

    Deactivates the first-layer rows ``first_upper``/``first_lower`` and adds ``xi[j, l] ≥ |W1[j, l]|`` and the
    robust rows ``robust_upper``/``robust_lower`` (module docstring) with big-M enlarged by ``ρ·d0``.
    """
    check_number("radius", radius, low=0.0)
    meta = model.meta
    layers, X, group, eps = meta["layers"], meta["X"], meta["group"], meta["eps"]
    d0, d1 = layers[0], layers[1]
    m1 = np.asarray(meta["M1"], dtype=np.float64) + radius * d0
    N = X.shape[0]
    model.first_upper.deactivate()
    model.first_lower.deactivate()
    model.XIIDX = pyo.Set(dimen=2, initialize=[(j, l) for j in range(d1) for l in range(d0)])
    model.xi = pyo.Var(model.XIIDX, bounds=(0, 1))
    # ξ ≥ |W1|: ρ Σ_l ξ_jl then bounds the worst-case shift ρ‖W1_j‖₁ of unit j's pre-activation.
    model.xi_pos = pyo.Constraint(model.XIIDX, rule=lambda m, j, l: m.xi[j, l] >= m.W[1, j, l])
    model.xi_neg = pyo.Constraint(model.XIIDX, rule=lambda m, j, l: m.xi[j, l] >= -m.W[1, j, l])
    rows = [(i, j) for i in range(N) for j in range(d1)]

    def pre(i, j):
        return sum(float(X[i, l]) * model.W[1, j, l] for l in range(d0) if X[i, l] != 0.0)

    def shift(j):
        return radius * sum(model.xi[j, l] for l in range(d0))

    # u = 0 must survive the worst upward move:   W x + ρ‖W‖₁ ≤ λ − ε   (relaxed by M when u = 1)
    model.robust_upper = pyo.Constraint(rows, rule=lambda m, i, j: pre(i, j) + shift(j) - _lam_expr(m, 1, j)
                                        <= -eps + (float(m1[i]) + eps) * m.u[group[i], 1, j])
    # u = 1 must survive the worst downward move: W x − ρ‖W‖₁ ≥ λ       (relaxed by M when u = 0)
    model.robust_lower = pyo.Constraint(rows, rule=lambda m, i, j: pre(i, j) - shift(j) - _lam_expr(m, 1, j)
                                        >= -float(m1[i]) * (1 - m.u[group[i], 1, j]))
    meta["robust_radius"] = float(radius)


def build_bdnn(X, y, *, hidden=(10,), n_classes: int | None = None, weights: str = "continuous",
               groups=None, fixed_weights=None, robust_radius: float = 0.0, eps: float = EPS,
               bound: float | None = None):
    """Build Kurtz & Bah's BDNN training MILP (see the module docstring); returns the Pyomo model.

    ``hidden=()`` gives a one-layer network (used by local search on a fixed hidden representation);
    ``bound`` overrides the threshold bound ``B`` (default :func:`threshold_bound` of ``X``).
    """
    hidden = check_int_sequence("hidden", hidden, allow_empty=True)
    check_number("bound", bound, low=0.0, low_open=True, allow_none=True)
    check_choice("weights", weights, ("continuous", "integer"))
    check_number("robust_radius", robust_radius, low=0.0)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if n_classes is None:
        n_classes = int(y.max()) + 1
    check_positive_int("n_classes", n_classes, minimum=2)
    layers = (X.shape[1], *hidden, int(n_classes))
    B = threshold_bound(X, layers[1:]) if bound is None else float(bound)
    model = bnn_milp.build_bnn_milp(X, bnn_milp.one_hot(y.astype(np.int64), n_classes), layers, loss="hamming",
                                    weights=weights, threshold="neuron", threshold_bound=B, big_m="per_sample",
                                    eps=eps, share_activations=groups, fixed_weights=fixed_weights)
    if robust_radius > 0:
        add_robust_first_layer(model, robust_radius)
    return model


@dataclass(frozen=True)
class BDNNFit:
    """A solved BDNN MILP: the network ``[(W1, λ1), …, (WK, λK)]``, the solver's record, build time, model."""

    network: list
    record: SolveRecord
    build_time: float
    model: object


def solve_bdnn(X, y, *, hidden=(10,), n_classes: int | None = None, weights: str = "continuous", groups=None,
               fixed_weights=None, fixed_thresholds=None, robust_radius: float = 0.0, start=None,
               time_limit: float = 60.0, options=None, mip_gap: float = 1e-4, eps: float = EPS,
               bound: float | None = None) -> BDNNFit:
    """Build and solve one BDNN MILP with HiGHS; return a :class:`BDNNFit`.

    ``start`` is a network (list of ``(W, λ)``) handed to HiGHS as a MIP start (completed with its forward-pass
    activations). ``fixed_thresholds`` is ``{layer k: λ_k array}`` fixing those thresholds (local search).
    A time-out returns the incumbent; no incumbent raises :class:`~mipnn.exceptions.NoSolutionError`.
    """
    t0 = time.perf_counter()
    model = build_bdnn(X, y, hidden=hidden, n_classes=n_classes, weights=weights, groups=groups,
                       fixed_weights=fixed_weights, robust_radius=robust_radius, eps=eps, bound=bound)
    for k, lam in (fixed_thresholds or {}).items():
        for j, v in enumerate(np.asarray(lam, dtype=np.float64)):
            model.lam[k, j].fix(float(v))
    if start is not None:
        bnn_milp.set_warm_start(model, start)
    build = time.perf_counter() - t0
    record = solve(model, time_limit=time_limit, warm_start=start is not None, options=options, mip_gap=mip_gap,
                   build_time=build)
    # A weight whose input feature is 0 on every training point appears in no row: give it the value 0.
    for v in model.W.values():
        if v.value is None:
            v.set_value(0.0)
    # Clip solver round-off (|W| = 1 + 1e-14) so the network can be handed back as a start without warnings.
    network = [(np.clip(W, -1.0, 1.0), lam) for W, lam in bnn_milp.extract_weights(model)]
    if weights == "integer":
        network = [(np.rint(W), lam) for W, lam in network]
    return BDNNFit(network=network, record=record, build_time=build, model=model)


def forward_bdnn(network, X, *, eps: float = EPS) -> list[np.ndarray]:
    """Activations ``[u1, …, uK]`` of the network (threshold in the middle of the MILP's ε-band)."""
    return bnn_milp.bnn_forward(np.asarray(X, dtype=np.float64), network, tol=eps / 2)


def output_margins(network, X, *, eps: float = EPS) -> np.ndarray:
    """Output pre-activations minus thresholds, ``W_K u_{K−1} − λ_K`` (n × classes)."""
    acts = forward_bdnn(network[:-1], X, eps=eps) if len(network) > 1 else [np.asarray(X, dtype=np.float64)]
    W, lam = network[-1]
    return acts[-1] @ np.asarray(W).T - np.asarray(lam) + eps / 2


def predict_bdnn(network, X, *, eps: float = EPS) -> np.ndarray:
    """Predicted class: the output unit with the largest margin (equals the active unit when exactly one fires)."""
    return np.argmax(output_margins(network, X, eps=eps), axis=1)


def point_losses(network, X, y, n_classes: int, *, eps: float = EPS) -> np.ndarray:
    """Hamming distance of each point's output pattern to its one-hot label (the MILP's loss per point)."""
    out = forward_bdnn(network, X, eps=eps)[-1]
    return np.abs(out - bnn_milp.one_hot(np.asarray(y).astype(np.int64), n_classes)).sum(axis=1)


def random_sign_attack(predict, X, y, epsilons=ATTACK_EPSILONS, *, n_trials: int = 1, random_state: int = 0):
    """Accuracy of ``predict`` on ``X + ε·sign(noise)`` for each ε (Kurtz & Bah's attack test).

    Each trial draws Gaussian noise and moves every feature by exactly ±ε, a corner of the L∞ ball of radius ε
    around the point. The same signs are used for every ε of a trial, so the curves differ only in ε.
    Returns a DataFrame with columns ``epsilon``, ``trial`` and ``accuracy``.
    """
    import pandas as pd

    check_positive_int("n_trials", n_trials)
    check_number("random_state", random_state, low=0, integer=True)
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
