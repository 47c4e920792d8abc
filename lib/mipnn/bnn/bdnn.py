"""Kurtz & Bah's BDNN training MILP on top of the shared BNN-MILP, and the numpy side of a BDNN.

The MILP itself is :func:`mipnn.bnn.build_bnn_milp` (Theorem 1 of Aspman et al., i.e. Bah & Kurtz's
formulation), shared with notebook 01. This module sets it up the way Kurtz & Bah's BDNN experiments do (the
paper is available to us as its abstract only; the settings follow the authors' public code,
github.com/JannisKu/BDNN2021):

* :func:`build_bdnn` / :func:`solve_bdnn` — one training MILP: hidden widths plus one output unit per class
  (Hamming loss to the one-hot label), weights in [−1, 1] (continuous) or {−1, 0, 1} (integer), one learned
  threshold per unit bounded by ``B = max(max_i ‖xⁱ‖₁, widest layer)`` (:func:`threshold_bound`), big-M
  ``‖xⁱ‖₁ + B`` in the first layer and ``d_{k−1} + B`` after it, optional activation sharing (data splitting),
  fixed weights (local search), MIP starts and the robust rows of :mod:`mipnn.bnn.robust`;
* :func:`output_margins`, :func:`predict_bdnn`, :func:`point_losses` — numpy prediction (the authors' argmax of
  the binary output units, ties to the lowest class, or the class of the output unit with the largest margin
  ``W_K u_{K−1} − λ_K``) and per-point Hamming losses, with the forward pass
  :func:`mipnn.bnn.bnn_forward`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..backends import MIN_FEASIBILITY_TOLERANCE
from ..budget import MIN_SOLVE_TIME, check_handoff
from ..exceptions import NoSolutionError
from ..numerics import one_hot
from ..solve import OPTIMALITY_GAP, SolveRecord, big_m_tolerance
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int
from .milp import (
    EPSILON,
    WEIGHT_DOMAINS,
    big_m_constants,
    big_m_scale,
    bnn_forward,
    build_bnn_milp,
    extract_weights,
    set_warm_start,
    solve_bnn_milp,
    verify_bnn_solution,
)
from .robust import add_robust_first_layer

__all__ = ["PREDICTION_RULES", "BDNNResult", "threshold_bound", "check_scale", "build_bdnn", "solve_bdnn",
           "output_margins",
           "predict_bdnn", "point_losses", "trivial_network"]


def threshold_bound(X, widths) -> float:
    """Kurtz & Bah's bound on the learned thresholds: ``max(max_i ‖xⁱ‖₁, max layer width)``."""
    X = np.asarray(X, dtype=np.float64)
    return float(max(np.abs(X).sum(axis=1).max(), max(widths)))


def check_scale(X, widths, *, robust_radius: float = 0.0, epsilon: float = EPSILON, solver: str = "highs") -> None:
    """Refuse, before any work, features so large in scale that the BDNN MILP's big-M rows (layer ``widths``: the
    hidden widths, then the number of classes) would need a feasibility tolerance below the smallest ``solver``
    accepts (:func:`mipnn.bnn.safe_tolerance`); say to what ‖x‖₁ to scale them (Kurtz & Bah scale to [0, 1])."""
    check_choice("solver", solver, tuple(MIN_FEASIBILITY_TOLERANCE))
    X = np.asarray(X, dtype=np.float64)
    layers = (X.shape[1], *(int(w) for w in widths))
    B = threshold_bound(X, layers[1:])
    m1, mk = big_m_constants(X, layers, big_m="per_sample", threshold_bound=B)
    tol = big_m_tolerance(epsilon, big_m_scale(X, layers, m1, mk, robust_radius))
    low = MIN_FEASIBILITY_TOLERANCE[solver]
    if tol < low:
        l1 = float(np.abs(X).sum(axis=1).max())
        # the scale is about 3‖x‖₁ + 2 (+ ρ d₀) once ‖x‖₁ exceeds the layer widths
        most = max((epsilon / (4.0 * low) - 2.0 - robust_radius * layers[0]) / 3.0, max(layers[1:]))
        raise ValueError(f"features whose largest row has ‖x‖₁ = {l1:.3g} need a feasibility tolerance of {tol:.2g} "
                         f"in the MILP's big-M rows, below the smallest {solver} accepts ({low:g}): scale X first "
                         "(e.g. with sklearn.preprocessing.MinMaxScaler, as Kurtz & Bah do) so that no row's ‖x‖₁ "
                         f"exceeds about {most:.3g}")


def build_bdnn(X, y, *, hidden=(10,), n_classes: int | None = None, weight_domain: str = "continuous",
               groups=None, fixed_weights=None, robust_radius: float = 0.0, epsilon: float = EPSILON,
               bound: float | None = None, symmetry_breaking: bool = False, deadline: float | None = None):
    """Build Kurtz & Bah's BDNN training MILP (see the module docstring); returns the Pyomo model.

    ``hidden=()`` gives a one-layer network (used by local search on a fixed hidden representation);
    ``bound`` overrides the threshold bound ``B`` (default :func:`threshold_bound` of ``X``); ``deadline`` (a
    :func:`time.perf_counter` value) stops the build with :class:`~mipnn.exceptions.BuildTimeError`.
    """
    hidden = check_int_sequence("hidden", hidden, allow_empty=True)
    check_number("bound", bound, low=0.0, low_open=True, allow_none=True)
    check_choice("weight_domain", weight_domain, WEIGHT_DOMAINS)
    check_number("robust_radius", robust_radius, low=0.0)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if n_classes is None:
        n_classes = int(y.max()) + 1
    check_positive_int("n_classes", n_classes, minimum=2)
    layers = (X.shape[1], *hidden, int(n_classes))
    B = threshold_bound(X, layers[1:]) if bound is None else float(bound)
    model = build_bnn_milp(X, one_hot(y.astype(np.int64), n_classes), layers, loss="hamming",
                           weight_domain=weight_domain, threshold="neuron", threshold_bound=B, big_m="per_sample",
                           epsilon=epsilon, share_activations=groups, fixed_weights=fixed_weights,
                           symmetry_breaking=symmetry_breaking, deadline=deadline)
    if robust_radius > 0:
        add_robust_first_layer(model, robust_radius)
    return model


@dataclass(frozen=True)
class BDNNResult:
    """A solved BDNN MILP: the network ``[(W1, λ1), …, (WK, λK)]``, the solver's record, build time, model."""

    network: list
    record: SolveRecord
    build_time: float
    model: object


def solve_bdnn(X, y, *, hidden=(10,), n_classes: int | None = None, weight_domain: str = "continuous",
               groups=None, fixed_weights=None, fixed_thresholds=None, robust_radius: float = 0.0, start=None,
               time_limit: float = 60.0, options=None, mip_gap: float = OPTIMALITY_GAP, epsilon: float = EPSILON,
               bound: float | None = None, solver: str = "highs", threads: int | None = None,
               feasibility_tolerance: float | None = None, deadline: float | None = None) -> BDNNResult:
    """Build and solve one BDNN MILP (with HiGHS, or ``solver="gurobi"``/``"scip"``); return a :class:`BDNNResult`.

    ``start`` is a network (list of ``(W, λ)``) handed to HiGHS as a MIP start (completed with its forward-pass
    activations). ``fixed_thresholds`` is ``{layer k: λ_k array}`` fixing those thresholds (local search).
    A time-out returns the incumbent; when HiGHS has none at the limit, the ``start`` is returned (``status``
    ``"time_limit"``, its loss as the objective; HiGHS checks a start only after its presolve); without a start
    that raises :class:`~mipnn.exceptions.NoSolutionError`. ``feasibility_tolerance=None`` derives the tolerance
    from the model's big-M (:func:`mipnn.bnn.safe_tolerance`); the returned network's loss is checked against the
    solver's objective (:func:`mipnn.bnn.verify_bnn_solution`). ``deadline`` (a :func:`time.perf_counter` value,
    e.g. :attr:`mipnn.budget.TimeBudget.deadline`) is the end of the whole fit this MIP belongs to: the solver gets
    at most what is left of it once the model is built (at least :data:`mipnn.budget.MIN_SOLVE_TIME`); the build
    itself stops there (:class:`~mipnn.exceptions.BuildTimeError`).
    """
    t0 = time.perf_counter()
    model = build_bdnn(X, y, hidden=hidden, n_classes=n_classes, weight_domain=weight_domain, groups=groups,
                       fixed_weights=fixed_weights, robust_radius=robust_radius, epsilon=epsilon, bound=bound,
                       deadline=deadline)
    for k, lam in (fixed_thresholds or {}).items():
        for j, v in enumerate(np.asarray(lam, dtype=np.float64)):
            model.lam[k, j].fix(float(v))
    if start is not None:
        set_warm_start(model, start)
    build = time.perf_counter() - t0
    check_handoff(deadline, build, f"the MIP (N={len(X)} samples)")
    if deadline is not None:
        time_limit = min(time_limit, max(deadline - time.perf_counter(), MIN_SOLVE_TIME))
    start_loss = float(pyo.value(model.loss)) if start is not None else None
    try:
        record = solve_bnn_milp(model, time_limit=time_limit, warm_start=start is not None, options=options,
                                mip_gap=mip_gap, build_time=build, solver=solver, threads=threads,
                                feasibility_tolerance=feasibility_tolerance)
    except NoSolutionError as err:
        if start is None:
            raise
        # HiGHS checks a MIP start only once its presolve is done; on a large model the limit can strike first.
        # The start is feasible (set_warm_start completed it with its own activations), so it is what we have:
        # return it, marked, instead of failing.
        set_warm_start(model, start)
        for v in model.W.values():
            if v.value is None:
                v.set_value(0.0)
        record = dataclasses.replace(err.record, objective=start_loss, gap=None,
                                     solver_status=err.record.solver_status + " (no incumbent within the limit: "
                                                                              "the MIP start is returned)")
        verify_bnn_solution(model, record)
    # Clip solver round-off (|W| = 1 + 1e-14) so the network can be handed back as a start without warnings.
    network = [(np.clip(W, -1.0, 1.0), lam) for W, lam in extract_weights(model)]
    if weight_domain == "integer":
        network = [(np.rint(W), lam) for W, lam in network]
    return BDNNResult(network=network, record=record, build_time=build, model=model)


def trivial_network(n_features: int, widths) -> list:
    """The all-zero network of the given layer ``widths`` (hidden widths then the number of outputs): every
    weight and threshold 0, so every pre-activation is 0 ≥ λ = 0 and every unit fires on every input.

    It is feasible for every BDNN MILP (no point falls in the strict band below a threshold), so a solve started
    from it always ends with an incumbent; its loss — every output fires, ``n_classes − 1`` per point — is what a
    capped solve that learned nothing returns.
    """
    dims = (int(n_features), *(int(w) for w in widths))
    return [(np.zeros((dims[k + 1], dims[k])), np.zeros(dims[k + 1])) for k in range(len(dims) - 1)]


def output_margins(X, network, *, epsilon: float = EPSILON) -> np.ndarray:
    """Output pre-activations minus thresholds, ``W_K u_{K−1} − λ_K`` (n × classes)."""
    X = np.asarray(X, dtype=np.float64)
    hidden = bnn_forward(X, network[:-1], tol=epsilon / 2)[-1] if len(network) > 1 else X
    W, lam = network[-1]
    return hidden @ np.asarray(W).T - np.asarray(lam) + epsilon / 2


#: Prediction rules of :func:`predict_bdnn`: ``"units"`` — the authors' argmax of the binary output units (ties,
#: including no unit firing, go to the lowest class index); ``"margin"`` — argmax of the output margins.
PREDICTION_RULES = ("units", "margin")


def predict_bdnn(X, network, *, rule: str = "margin", epsilon: float = EPSILON) -> np.ndarray:
    """Predicted class. ``rule="margin"``: the output unit with the largest margin (equals the active unit when
    exactly one fires); ``rule="units"``: Kurtz & Bah's rule, the argmax of the binary output units, so a tie
    (no unit or several units firing) goes to the lowest class index. The two rules agree whenever exactly one
    unit fires; the margin rule breaks the ties by the margins instead of sending them to class 0."""
    check_choice("rule", rule, PREDICTION_RULES)
    if rule == "units":
        return np.argmax(bnn_forward(np.asarray(X, dtype=np.float64), network, tol=epsilon / 2)[-1], axis=1)
    return np.argmax(output_margins(X, network, epsilon=epsilon), axis=1)


def point_losses(X, y, network, n_classes: int, *, epsilon: float = EPSILON) -> np.ndarray:
    """Hamming distance of each point's output pattern to its one-hot label (the MILP's loss per point)."""
    out = bnn_forward(X, network, tol=epsilon / 2)[-1]
    return np.abs(out - one_hot(np.asarray(y).astype(np.int64), n_classes)).sum(axis=1)
