"""Whole layers of Goebbels' Algorithm 1: the weights of every neuron group, and the inputs of every training vector.

* :func:`fit_layer_weights` — one MILP (1)–(6) per independent group of neurons (neurons that share no weight),
  or the LP (7)–(8) for the identity output layer; the groups are independent and may run in worker processes
  (``n_jobs``; the paper notes the parallelism);
* :func:`fit_layer_inputs` — §2.2 for every row of a batch independently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..backends import BACKENDS
from ..budget import MIN_SOLVE_TIME
from ..executors import check_executor, shared_executor
from ..validation import check_choice, check_positive_int
from .programs import BIG_M_CHOICES, check_matrix, input_milp, last_layer_lp, param_box, weight_milp
from .structure import INPUT_BOX, LayerStructure, printed_big_m
from .tiebreak import check_tie_break

__all__ = ["LayerResult", "fit_layer_weights", "fit_layer_inputs", "capped_limit"]


def capped_limit(time_limit: float, deadline: float | None) -> float:
    """``time_limit`` of the next solve, capped by what is left until ``deadline`` (a :func:`time.perf_counter`
    value, the end of the whole fit; ``None``: no cap), but never below :data:`mipnn.budget.MIN_SOLVE_TIME`."""
    if deadline is None:
        return time_limit
    return min(time_limit, max(deadline - time.perf_counter(), MIN_SOLVE_TIME))


@dataclass(frozen=True)
class LayerResult:
    """Weights of a whole layer after :func:`fit_layer_weights` (objective summed over the groups)."""

    W: np.ndarray
    c: np.ndarray
    theta: np.ndarray
    objective: float
    records: list
    solve_time: float


def _fit_group(args):
    X, T, structure, neurons, lo, hi, big_m, theta0, time_limit, options, lp_start, tie_break, solver = args
    return weight_milp(X, T, structure, neurons=neurons, lower=lo, upper=hi, big_m=big_m, theta0=theta0,
                       time_limit=time_limit, options=options, lp_start=lp_start, tie_break=tie_break, solver=solver)


def fit_layer_weights(X, T, structure: LayerStructure, *, lower=None, upper=None, big_m: str = "tight",
                      theta0=None, activation: str = "relu", time_limit: float = 60.0, options=None,
                      n_jobs: int = 1, executor: str = "local", lp_start: bool = True,
                      tie_break: str = "none", solver: str = "highs", deadline: float | None = None) -> LayerResult:
    """Weights of a whole layer: one MILP (1)–(6) per independent group of neurons, or the LP (7)–(8) when
    ``activation="identity"`` (the output layer). The groups are independent: ``n_jobs > 1`` or
    ``executor="dask"`` / a Dask scheduler address solves them on :func:`mipnn.executors.shared_executor` (kept
    alive between calls; ``mipnn.executors.close_shared_executors()`` stops it); ``lp_start`` as in
    :func:`weight_milp`; ``tie_break`` picks among optimal weights (:mod:`mipnn.relu.tiebreak`); ``solver`` is the
    backend of the MILPs (:func:`weight_milp`; the output layer's LP stays on HiGHS). ``deadline`` (a
    :func:`time.perf_counter` value, the end of the whole fit) caps each solve's ``time_limit`` by what is left
    (:func:`capped_limit`). Parameters not used by any neuron keep ``theta0`` (or 0)."""
    check_choice("activation", activation, ("relu", "identity"))
    check_choice("big_m", big_m, BIG_M_CHOICES)
    check_positive_int("n_jobs", n_jobs)
    check_tie_break(tie_break)
    check_choice("solver", solver, BACKENDS)
    executor = check_executor(executor)
    X = check_matrix("X", X, nonneg=True, cols=structure.n_inputs)
    T = check_matrix("T", T, cols=structure.n_outputs, rows=X.shape[0])
    lo, hi = param_box(structure, lower, upper)
    theta = np.zeros(structure.n_params) if theta0 is None else np.clip(np.asarray(theta0, float), lo, hi)
    if activation == "identity":
        fits = [last_layer_lp(X, T, structure, lower=lo, upper=hi, time_limit=capped_limit(time_limit, deadline),
                              options=options, tie_break=tie_break, theta0=None if theta0 is None else theta)]
    else:
        jobs = [(X, T, structure, neurons, lo, hi, big_m, None if theta0 is None else theta, time_limit, options,
                 lp_start, tie_break, solver)
                for neurons, _ in structure.groups()]
        if executor == "local" and (n_jobs == 1 or len(jobs) == 1):
            fits = [_fit_group((*j[:8], capped_limit(time_limit, deadline), *j[9:])) for j in jobs]
        else:
            done = {}
            jobs = [(*j[:8], capped_limit(time_limit, deadline), *j[9:]) for j in jobs]
            shared_executor(executor, n_jobs).run(_fit_group, [(i, (job,)) for i, job in enumerate(jobs)],
                                                  lambda i, fit, wall, where: done.__setitem__(i, fit),
                                                  label=lambda i: f"the MILP of neuron group {i}")
            fits = [done[i] for i in range(len(jobs))]
    for f in fits:
        theta[f.params] = f.theta
    W, c = structure.to_weights(theta)
    return LayerResult(W=W, c=c, theta=theta, objective=float(sum(f.objective for f in fits)),
                    records=[f.record for f in fits], solve_time=float(sum(f.record.wall_time for f in fits)))


def fit_layer_inputs(X_prev, T, W, c, *, activation: str = "relu", big_m: str = "tight", time_limit: float = 30.0,
                     options=None, input_box=INPUT_BOX, deadline: float | None = None
                     ) -> tuple[np.ndarray, float, list]:
    """§2.2 for every row of ``X_prev`` independently, each within ``input_box`` (box (9) by default, see
    :func:`~mipnn.relu.input_bounds`). Returns ``(X_new, total objective, records)``. Once ``deadline`` (a
    :func:`time.perf_counter` value, the end of the whole fit) has passed, the remaining rows keep their inputs
    (a move of zero, inside the box) and add no objective; before, each solve's limit is capped by what is left."""
    X_prev = check_matrix("X_prev", X_prev, nonneg=True, cols=np.shape(W)[1])
    T = check_matrix("T", T, cols=np.shape(W)[0], rows=X_prev.shape[0])
    M = printed_big_m(X_prev, input_box)
    out, total, records = np.empty_like(X_prev), 0.0, []
    for k in range(X_prev.shape[0]):
        if deadline is not None and time.perf_counter() >= deadline:
            out[k:] = X_prev[k:]
            break
        fit = input_milp(X_prev[k], T[k], W, c, activation=activation, big_m=big_m, printed_m=M,
                         time_limit=capped_limit(time_limit, deadline), options=options, input_box=input_box)
        out[k] = fit.x
        total += fit.objective
        records.append(fit.record)
    return out, total, records
