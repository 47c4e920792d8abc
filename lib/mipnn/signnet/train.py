"""Training a sign network by MIP: build the model, hand over a start, solve with the early-stop target, read back.

Thorbjarnarson & Yorke-Smith (2021) stop the solver as soon as the incumbent guarantees the target training
accuracy (90 % in their experiments); :func:`train_sign_net` passes that objective value to HiGHS as its
``objective_target`` (see :mod:`mipnn.signnet.objectives`) and then checks the solver's network with the plain
numpy forward pass: ``recomputed_objective`` must equal the solver's objective
(:func:`mipnn.solve.verify_objective`), under tolerances derived from the big-M constants
(:func:`mipnn.signnet.safe_tolerance`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..budget import MIN_SOLVE_TIME, check_handoff
from ..exceptions import NoSolutionError
from ..solve import OPTIMALITY_GAP, SolveRecord, solve
from ..validation import check_number
from .model import build_sign_net, check_params, check_scale, extract_weights, safe_tolerance, set_start
from .network import EPSILON, check_data, predict_index, sign_forward, sort_hidden, zero_input_mask
from .objectives import MARGIN, guaranteed_accuracy, objective_from_outputs, objective_target

__all__ = ["SignNetResult", "train_sign_net"]


@dataclass(frozen=True)
class SignNetResult:
    """Result of :func:`train_sign_net`.

    ``stop_reason`` is ``"target"`` (the incumbent guaranteed the target accuracy), ``"optimal"``,
    ``"time_limit"`` or another :class:`~mipnn.solve.SolveRecord` status.
    """

    weights: list
    record: SolveRecord
    stop_reason: str
    objective_target: float | None
    guaranteed_train_accuracy: float
    train_accuracy: float
    recomputed_objective: float
    build_time: float
    start_used: bool = False
    info: dict = field(default_factory=dict)


def train_sign_net(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1,
                   objective: str = "sat_margin", time_limit: float = 60.0, target_accuracy: float | None = 0.9,
                   margin: float = MARGIN, epsilon: float = EPSILON, tight_big_m: bool = True,
                   symmetry_breaking: bool = False, one_sided: bool = False, start_weights=None,
                   options: Mapping[str, Any] | None = None, threads: int | None = None,
                   mip_gap: float = OPTIMALITY_GAP, stop_rule: str = "authors", solver: str = "highs",
                   feasibility_tolerance: float | None = None) -> SignNetResult:
    """Build, solve (with the early-stop target) and read back a sign network. See :func:`build_sign_net`.

    ``target_accuracy=None`` disables the early stop (solve to ``mip_gap`` or ``time_limit``); ``stop_rule`` picks
    min-hinge's stopping threshold (:func:`~mipnn.signnet.objective_target`).
    ``start_weights`` (list of integer ``(W, b)``) is handed to HiGHS as a complete MIP start.
    ``time_limit`` bounds the whole call, the model build included: a build that cannot finish (and be handed to
    the solver) within it stops with :class:`~mipnn.exceptions.BuildTimeError`, which says how long it would take.
    """
    X, Y = check_data(X, Y)
    hidden = check_params(objective, hidden, P, margin, epsilon)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    check_number("target_accuracy", target_accuracy, low=0.0, high=1.0, allow_none=True)
    if feasibility_tolerance is None:  # before any work: data or a P too large for the solver's tolerances
        check_scale(X, hidden, P, epsilon, solver)
    t0 = time.perf_counter()
    model = build_sign_net(X, Y, hidden=hidden, P=P, objective=objective, margin=margin, epsilon=epsilon,
                           tight_big_m=tight_big_m, symmetry_breaking=symmetry_breaking, one_sided=one_sided,
                           deadline=t0 + float(time_limit))
    start_used = start_weights is not None
    if start_used:
        # the model fixes the weights of all-zero inputs to 0: do the same in the start (it changes nothing on
        # the training data), then put the hidden neurons in the symmetry-breaking order
        sw = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in start_weights]
        sw[0][0][zero_input_mask(X), :] = 0.0
        sw = sort_hidden(sw) if symmetry_breaking else sw
        set_start(model, X, Y, sw)
    build_time = time.perf_counter() - t0
    check_handoff(t0 + float(time_limit), build_time, f"the MIP (N={X.shape[0]} samples, hidden={tuple(hidden)})")
    N, K = Y.shape
    target = None if target_accuracy is None else objective_target(
        objective, N, target_accuracy, n_outputs=K, margin=margin, stop_rule=stop_rule)
    # HiGHS stops only when the incumbent is strictly better than its objective_target, so integer-valued
    # objectives (max-correct, sat-margin) get a half-unit slack: obj > target − ½ ⇔ obj ≥ target.
    highs_target = None if target is None else (target - 0.5 if objective != "min_hinge" else target)
    tol = safe_tolerance(model) if feasibility_tolerance is None else feasibility_tolerance
    # the model build counts against time_limit (the solve gets the rest; the record keeps the caller's limit)
    left = time_limit - (time.perf_counter() - t0)
    try:
        record = solve(model, time_limit=max(left, MIN_SOLVE_TIME), mip_gap=mip_gap, threads=threads,
                       warm_start=start_used, objective_target=highs_target, solver=solver,
                       feasibility_tolerance=tol, options=options, build_time=build_time)
    except NoSolutionError as err:
        raise NoSolutionError(f"no feasible network within time_limit={time_limit:g} s: building the model took "
                              f"{build_time:.1f} s and the solver found none in the {max(left, 0.0):.1f} s left; "
                              "raise time_limit or give the solver a MIP start", err.record) from None
    record = dataclasses.replace(record, time_limit=float(time_limit))
    weights = extract_weights(model)
    s = sign_forward(X, weights, epsilon / 2)[-1]
    train_acc = float(np.mean(predict_index(s) == np.argmax(Y, axis=1)))
    # solve() has checked the solver's objective against the returned network's (the model's verify_sign_net)
    recomputed = objective_from_outputs(objective, s, Y, hidden, P, margin)
    reason = {"target_reached": "target"}.get(record.status, record.status)
    return SignNetResult(weights=weights, record=record, stop_reason=reason, objective_target=target,
                         guaranteed_train_accuracy=guaranteed_accuracy(objective, record.objective, N,
                                                                       n_outputs=K, margin=margin),
                         train_accuracy=train_acc, recomputed_objective=recomputed, build_time=build_time,
                         start_used=start_used)
