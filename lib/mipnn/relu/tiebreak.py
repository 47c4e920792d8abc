"""Choosing among the optimal solutions of a weight program (notebook 03b, hypothesis 3; beyond the paper).

At 28×28 the 785 weights of a first-layer neuron can fit 100 targets exactly: the optimum of (1)–(6) is 0 and
is attained on a whole face of the feasible set. Which point of that face the solver returns is an accident of
its pivoting (CPLEX in the paper, HiGHS here), yet it decides how the layer generalises and, in batch learning,
the window that bound (10) opens for the next batch.

:func:`closest_on_optimal_face` makes the choice explicit with a second, linear stage. Given the program and
the solution ``x`` the solver returned, it fixes every integer column (the activation binaries ``b``) at its
value in ``x`` — with the pattern fixed, (4)–(6) are linear — keeps the paper's objective at most its value
at ``x`` (plus a feasibility tolerance), and minimises ``‖θ − θ_ref‖₁`` over the parameters:

* ``tie_break="previous"``: ``θ_ref`` = the weights before the update (the warm start), i.e. the smallest move
  that is still optimal;
* ``tie_break="l1"``: ``θ_ref = 0``, the sparsest / smallest optimal weights;
* ``tie_break="none"``: the solver's own choice (the paper's behaviour).

The stage never worsens the objective (a row forbids it), so the training step stays exact: the optimum
value is the same with and without it (tested). If the stage fails (numerics), the solver's solution is kept.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from ..exceptions import SolveError
from ..solve import SolveRecord, solve_matrices
from ..validation import check_choice

__all__ = ["TIE_BREAKS", "check_tie_break", "tie_break_reference", "closest_on_optimal_face", "with_stage"]

#: Second-stage choices among optimal weights: the solver's own, the closest to the previous weights, the
#: smallest in ℓ1.
TIE_BREAKS = ("none", "previous", "l1")
#: The objective may exceed its value at the solver's solution by this much (absolute + relative), the
#: solver's own feasibility tolerance.
_OBJECTIVE_SLACK = 1e-7


def check_tie_break(tie_break: str) -> str:
    return check_choice("tie_break", tie_break, TIE_BREAKS)


def tie_break_reference(tie_break: str, theta0, p: int):
    """``θ_ref`` of a tie-break (``None`` for ``"none"``); ``"previous"`` needs the previous weights ``theta0``."""
    check_tie_break(tie_break)
    if tie_break == "none":
        return None
    if tie_break == "l1":
        return np.zeros(p)
    if theta0 is None:
        raise ValueError("tie_break='previous' needs the previous weights (theta0); pass theta0 or choose 'l1'")
    return np.asarray(theta0, dtype=np.float64).reshape(-1)


def closest_on_optimal_face(program, x, p: int, reference, *, time_limit: float = 60.0):
    """Point of the face ``{objective ≤ objective(x), integer columns = x's}`` closest in ℓ1 to ``reference``.

    ``program`` is ``(c, A, row_lower, row_upper, col_lower, col_upper, integrality)`` (integrality may be
    ``None`` for an LP), ``x`` a feasible solution, the first ``p`` columns the parameters, ``reference`` their
    target. Returns ``(x_new, record)``; ``x_new`` is ``x`` and ``record`` is ``None`` if the LP fails.
    """
    cost, A, row_lower, row_upper, col_lower, col_upper, integrality = program
    x = np.asarray(x, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if reference.shape != (p,):
        raise ValueError(f"reference must have {p} entries (the parameters), got shape {reference.shape}")
    n = len(cost)
    lo, hi = np.array(col_lower, dtype=np.float64), np.array(col_upper, dtype=np.float64)
    if integrality is not None:
        ints = np.flatnonzero(np.asarray(integrality) > 0)
        lo[ints] = hi[ints] = np.round(x[ints])
    value = float(cost @ x)
    I = sp.identity(p, format="csr")
    A2 = sp.vstack([
        sp.hstack([sp.csr_matrix(A), sp.csr_matrix((A.shape[0], p))]),
        sp.hstack([sp.csr_matrix(np.asarray(cost, dtype=np.float64).reshape(1, -1)), sp.csr_matrix((1, p))]),
        # e ≥ θ − θ_ref and e ≥ θ_ref − θ
        sp.hstack([I, sp.csr_matrix((p, n - p)), -I]),
        sp.hstack([I, sp.csr_matrix((p, n - p)), I]),
    ], format="csr")
    rl = np.concatenate([row_lower, [-np.inf], np.full(p, -np.inf), reference])
    ru = np.concatenate([row_upper, [value + _OBJECTIVE_SLACK * (1.0 + abs(value))], reference, np.full(p, np.inf)])
    c2 = np.concatenate([np.zeros(n), np.ones(p)])
    try:
        record, sol = solve_matrices(c2, A2, rl, ru, np.concatenate([lo, np.zeros(p)]),
                                     np.concatenate([hi, np.full(p, np.inf)]), time_limit=time_limit)
    except SolveError:
        return x, None
    if record.status != "optimal":
        return x, None
    return sol.x[:n], record


def with_stage(record: SolveRecord, stage: SolveRecord | None) -> SolveRecord:
    """``record`` with the second stage's wall time added (the first stage's status, objective and gap)."""
    if stage is None:
        return record
    return dataclasses.replace(record, wall_time=record.wall_time + stage.wall_time)
