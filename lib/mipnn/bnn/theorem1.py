"""``BNNMILPClassifier``: the BNN-MILP of Theorem 1 of Aspman, Korpas & Marecek (AAAI 2024) as a scikit-learn
estimator — one MILP over all weights, thresholds and activations of a binarized network, solved once.

Reference: J. Aspman, G. Korpas, J. Marecek, "Taming Binarized Neural Networks and Mixed-Integer Programs",
AAAI 2024 (Theorem 1 restates the formulation of Bah & Kurtz, 2020). The model is :func:`mipnn.bnn.build_bnn_milp`,
solved and verified by :func:`mipnn.bnn.solve_bnn_milp`.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pyomo.environ as pyo

from ..budget import MIN_SOLVE_TIME
from ..exceptions import NoSolutionError
from ..numerics import one_hot
from ..solve import OPTIMALITY_GAP
from ..validation import check_bool, check_choice, check_int_sequence
from .bdnn import trivial_network
from .estimator import BinarizedNetClassifier
from .milp import (
    BIG_M,
    LOSSES,
    THRESHOLDS,
    WEIGHT_DOMAINS,
    build_bnn_milp,
    extract_weights,
    set_warm_start,
    solve_bnn_milp,
)

__all__ = ["BNNMILPClassifier"]


class BNNMILPClassifier(BinarizedNetClassifier):
    """Binarized network (binary units ``u = 1[W u_prev ≥ λ]``) trained by the one MILP of Theorem 1.

    Parameters
    ----------
    hidden : hidden layer widths (notebook 01's XOR net: ``(3, 3)``).
    loss : ``"hamming"`` (default, as printed), ``"zero_one"`` or ``"squared"`` (:data:`mipnn.bnn.LOSSES`).
    weight_domain : ``"continuous"`` (``W`` in [−1, 1], as printed) or ``"integer"`` ({−1, 0, 1}).
    threshold : ``"layer"`` (one learned λ per layer in [−1, 1], as printed), ``"neuron"`` (one per unit) or
        ``"fixed"`` (λ = 0).
    big_m : ``"printed"`` (the theorem's ``M1 = n r + 1``) or ``"per_sample"`` (``‖xⁱ‖₁ + 1``, tighter, same optimum).
    symmetry_breaking : order the hidden units by their summed weights (beyond the paper; keeps the optimum).
    time_limit : seconds for the whole fit (model build included; the solver gets what the build left). A time-out
        keeps the incumbent (``stop_reason_ = "time_limit"``).
    mip_gap, threads, solver, solver_options, random_state : as in :class:`mipnn.bnn.BDNNClassifier`
        (``random_state`` seeds the solver).

    Our reading where the paper is silent: the theorem states the training problem, not a classifier. The output
    layer has one unit per class and the targets are the one-hot labels (notebook 01's 2-3-3-2 XOR net); the
    predicted class is the output unit with the largest margin ``W_K u_{K−1} − λ_K`` (so a point whose output
    vector fires no unit, or several, still gets a class). The solve starts from the all-zero network (every unit
    fires; feasible for every ``threshold`` here, λ = 0 included), so a capped solve returns a network; if the
    solver has no incumbent at its limit, that start is returned.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (``(W, λ)`` per layer, ``W`` of shape
    ``(n_out, n_in)``; ``coefs_``/``intercepts_`` as in :class:`~mipnn.bnn.BDNNClassifier`), ``solve_record_``,
    ``objective_`` (the loss the solver reports, re-checked by a numpy forward pass), ``stop_reason_`` (the solve's
    status), ``stopped_at_limit_``, ``build_time_``, ``solve_time_``, ``fit_time_``, ``train_accuracy_``.
    """

    def __init__(self, hidden=(4,), loss="hamming", weight_domain="continuous", threshold="layer", big_m="printed",
                 symmetry_breaking=False, time_limit=60.0, mip_gap=OPTIMALITY_GAP, threads=None, solver="highs",
                 solver_options=None, random_state=None):
        self.hidden = hidden
        self.loss = loss
        self.weight_domain = weight_domain
        self.threshold = threshold
        self.big_m = big_m
        self.symmetry_breaking = symmetry_breaking
        self.time_limit = time_limit
        self.mip_gap = mip_gap
        self.threads = threads
        self.solver = solver
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_choice("loss", self.loss, LOSSES)
        check_choice("weight_domain", self.weight_domain, WEIGHT_DOMAINS)
        check_choice("threshold", self.threshold, THRESHOLDS)
        check_choice("big_m", self.big_m, BIG_M)
        check_bool("symmetry_breaking", self.symmetry_breaking)
        self._validate_common()

    def _fit_mip(self, X, y_idx):
        t0 = time.perf_counter()
        C = len(self.classes_)
        hidden = check_int_sequence("hidden", self.hidden, minimum=1)
        model = build_bnn_milp(X, one_hot(y_idx, C), (X.shape[1], *hidden, C), loss=self.loss,
                               weight_domain=self.weight_domain, threshold=self.threshold, big_m=self.big_m,
                               symmetry_breaking=bool(self.symmetry_breaking))
        start = trivial_network(X.shape[1], (*hidden, C))
        set_warm_start(model, start)
        build = time.perf_counter() - t0
        limit = max(float(self.time_limit) - build, MIN_SOLVE_TIME)
        try:
            record = solve_bnn_milp(model, time_limit=limit, mip_gap=self.mip_gap, warm_start=True,
                                    threads=self.threads, solver=self.solver, options=self._solver_options(),
                                    build_time=build)
            weights = [(np.clip(W, -1.0, 1.0), lam) for W, lam in extract_weights(model)]
        except NoSolutionError as err:  # no incumbent within the limit (the start was not checked in time)
            set_warm_start(model, start)
            record = dataclasses.replace(err.record, objective=float(pyo.value(model.loss)), gap=None,
                                         solver_status=err.record.solver_status + " (no incumbent within the "
                                                                                  "limit: the start is returned)")
            weights = start
        if self.weight_domain == "integer":
            weights = [(np.rint(W), lam) for W, lam in weights]
        return {"weights": weights, "solve_record": record, "stop_reason": record.status,
                "objective": record.objective, "build_time": build, "solve_time": record.wall_time}
