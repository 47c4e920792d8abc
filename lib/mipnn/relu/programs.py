"""The mixed-integer and linear programs of Goebbels (2021) that train one ReLU building block.

Reference: S. Goebbels, "Training of ReLU activated multilayered neural networks with mixed integer linear
programs", technical report, Niederrhein University of Applied Sciences, 2021 (arXiv:2008.08386).

The block and its parameters are a :class:`~mipnn.relu.structure.LayerStructure`.

Programs (all built straight as sparse matrices and handed to HiGHS through :func:`mipnn.solve.solve_matrices`;
a training run solves hundreds of them, and compiling Pyomo models would cost more than solving them):

* :func:`weight_milp` — §2.1, (1)–(6): inputs fixed, weights variable, minimise the ℓ1 distance of the outputs to
  the targets. Neurons that share no parameter are independent, so :func:`mipnn.relu.fit_layer_weights` solves
  one MILP per group of coupled neurons (one per neuron for a dense layer), optionally in worker processes. Each
  MILP starts from the better of two LPs with the activation pattern fixed (beyond the paper; ``lp_start``).
* :func:`last_layer_lp` — (7)–(8): output layer with identity activation and one-sided error where the target
  is 0.
* :func:`input_milp` (:func:`mipnn.relu.fit_layer_inputs` for a whole batch) — §2.2: weights fixed, the inputs
  of one training vector variable inside the box (9); an MILP for a ReLU layer, an LP for the identity output layer.
* :func:`postprocess_lp` — §2.3: last-layer weights minimising ``Σ (δ − s)`` with slacks
  ``0 ≤ s ≤ min(0.49, δ)``, i.e. errors below 0.49 are free.

Big-M (``big_m``): ``"printed"`` uses the paper's single constant ``M = d·(1.1·M̃ + 0.1) + 1`` (``M̃`` the
largest input); ``"tight"`` uses, per sample and neuron, the exact interval of ``a = W x + c`` implied by the
weight (or input) bounds (:func:`preactivation_bounds`), with separate lower and upper constants. Both give the
same optimum; the tight constants give a much stronger LP relaxation.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..backends import BACKENDS, translate_options
from ..exceptions import SolveError
from ..numerics import TOL
from ..solve import OPTIMALITY_GAP, SolveRecord, solve_matrices
from ..validation import check_choice, check_number
from .structure import INPUT_BOX, LayerStructure, check_input_box, printed_big_m, relu
from .tiebreak import check_tie_break, closest_on_optimal_face, tie_break_reference, with_stage

__all__ = [
    "BIG_M_CHOICES", "SLACK_CAP", "check_matrix", "param_box", "preactivation_matrix", "interval",
    "preactivation_bounds", "WeightResult", "weight_milp", "last_layer_lp", "postprocess_lp", "InputResult",
    "input_bounds", "input_milp",
]

BIG_M_CHOICES = ("printed", "tight")
#: §2.3: output errors up to this value are not penalised by the post-processing LP.
SLACK_CAP = 0.49
#: Relative padding of the tight big-M constants (keeps rows valid at the solver's feasibility tolerance).
_BIG_M_PAD = 1e-6


def check_matrix(name, X, *, nonneg=False, cols=None, rows=None):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples × features), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} must be finite")
    if nonneg and (X < 0).any():
        raise ValueError(f"{name} must be non-negative (layer inputs are ReLU outputs or pixels)")
    if cols is not None and X.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got {X.shape[1]}")
    if rows is not None and X.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows, got {X.shape[0]}")
    return X


def param_box(structure, lower, upper):
    """Per-parameter bounds as two float arrays (default ``[-1, 1]``; scalars broadcast)."""
    P = structure.n_params
    lo = np.broadcast_to(np.asarray(-1.0 if lower is None else lower, dtype=np.float64), (P,)).copy()
    hi = np.broadcast_to(np.asarray(1.0 if upper is None else upper, dtype=np.float64), (P,)).copy()
    if (lo > hi).any():
        raise ValueError("lower must not exceed upper for any parameter")
    return lo, hi


def preactivation_matrix(X, structure, neurons, params):
    """Sparse ``(m·J) × len(params)`` matrix ``G`` with ``a_{k,j} = G θ_group`` (row ``k·J + jj``)."""
    m, d = X.shape
    J = len(neurons)
    local = np.full(structure.n_params, -1, dtype=np.int64)
    local[params] = np.arange(len(params))
    X1 = np.column_stack([X, np.ones(m)])
    rows, cols, vals = [], [], []
    for jj, j in enumerate(neurons):
        idx = structure.param_index[j]
        free = np.flatnonzero(idx >= 0)
        if free.size == 0:
            continue
        sub = X1[:, free]
        kk, ii = np.nonzero(sub)
        rows.append(kk * J + jj)
        cols.append(local[idx[free[ii]]])
        vals.append(sub[kk, ii])
    if rows:
        rows, cols, vals = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
        vals = np.zeros(0)
    return sp.csr_matrix((vals, (rows, cols)), shape=(m * J, len(params)))


def interval(G, lo, hi):
    """Exact range ``[L, U]`` of ``G θ`` over the box ``lo ≤ θ ≤ hi``."""
    Gp = G.maximum(0)
    Gn = G.minimum(0)
    U = Gp @ hi + Gn @ lo
    L = Gp @ lo + Gn @ hi
    return np.asarray(L).ravel(), np.asarray(U).ravel()


def preactivation_bounds(X, structure: LayerStructure, *, neurons=None, lower=None, upper=None):
    """Exact range ``[L, U]`` of every pre-activation ``a = W x + c`` over the weight box ``lower ≤ θ ≤ upper``.

    These are the tight big-M constants (``big_m="tight"``) before padding. Returns two arrays of shape
    ``(len(X), len(neurons))`` (default: all neurons; every neuron sharing a weight with them must be included).
    """
    X = check_matrix("X", X, nonneg=True, cols=structure.n_inputs)
    lo, hi = param_box(structure, lower, upper)
    neurons = np.arange(structure.n_outputs) if neurons is None else np.asarray(neurons, dtype=np.int64)
    sub = structure.param_index[neurons]
    params = np.unique(sub[sub >= 0])
    L, U = interval(preactivation_matrix(X, structure, neurons, params), lo[params], hi[params])
    return L.reshape(X.shape[0], len(neurons)), U.reshape(X.shape[0], len(neurons))


def _relu_rows(G, r, off, big_L, big_U, n_cols, col_a_extra=None):
    """Rows (4)–(6) of the ReLU big-M model for ``r`` pairs; columns: ``a`` via ``G``, then o, b at ``off``.

    ``off = (col_o, col_b)``: first column of the ``o`` block and of the ``b`` block.
    Returns (A, lower, upper).
    """
    col_o, col_b = off
    I = sp.identity(r, format="csr")
    pad_left = G.shape[1]

    def block(Ga, o_coef, b_diag):
        parts = [Ga, sp.csr_matrix((r, col_o - pad_left))] if col_o > pad_left else [Ga]
        parts.append(o_coef * I)
        parts.append(sp.diags(b_diag, format="csr"))
        rest = n_cols - (col_b + r)
        if rest:
            parts.append(sp.csr_matrix((r, rest)))
        return sp.hstack(parts, format="csr")

    zero = sp.csr_matrix(G.shape)
    # (4) a ≤ U b   and   a ≥ L (1 − b)
    A4u = block(G, 0.0, -big_U)
    A4l = block(G, 0.0, big_L)
    # (5) o − a ≤ −L (1 − b)   and   o − a ≥ −U (1 − b)
    A5u = block(-G, 1.0, -big_L)
    A5l = block(-G, 1.0, -big_U)
    # (6) o ≤ U b
    A6 = block(zero, 1.0, -big_U)
    A = sp.vstack([A4u, A4l, A5u, A5l, A6], format="csr")
    inf = np.full(r, np.inf)
    lower = np.concatenate([-inf, big_L, -inf, -big_U, -inf])
    upper = np.concatenate([np.zeros(r), inf, -big_L, inf, np.zeros(r)])
    return A, lower, upper


def _big_m_pair(kind, r, printed_M, interval):
    if kind == "printed":
        return np.full(r, -printed_M), np.full(r, printed_M)
    L, U = interval
    pad = _BIG_M_PAD * (1.0 + np.maximum(np.abs(L), np.abs(U)))
    return np.minimum(L - pad, -_BIG_M_PAD), np.maximum(U + pad, _BIG_M_PAD)


@dataclass(frozen=True)
class WeightResult:
    """Result of one weight program: parameters of the group, the solver's objective and the record."""

    neurons: np.ndarray
    params: np.ndarray
    theta: np.ndarray
    objective: float
    record: SolveRecord
    big_m: float | None


def _warm_start_relu(G, theta0, t, r):
    a = G @ theta0
    b = (a > 0).astype(float)
    o = relu(a)
    return np.concatenate([theta0, o, b, relu(o - t), relu(t - o)])


def _fixed_pattern_lps(program, patterns, p, r, time_limit):
    """Best solution of the LPs obtained from the MILP ``program`` by fixing its binaries to each pattern.

    With the activation pattern ``b`` fixed, (4)–(6) become linear: ``o = a ≥ 0`` where ``b = 1`` and
    ``a ≤ 0 = o`` elsewhere (the paper's remark that the MILP splits into 2^m LPs, here for one or two chosen
    patterns). Every solution is feasible for the MILP. Returns ``(x, record)`` of the best, or ``(None, None)``
    if every pattern is infeasible (possible in a box that excludes the start).
    """
    cost, A, row_lower, row_upper, col_lower, col_upper, _ = program
    best = (None, None)
    for b in patterns:
        lo, hi = col_lower.copy(), col_upper.copy()
        lo[p + r:p + 2 * r] = b
        hi[p + r:p + 2 * r] = b
        try:
            record, sol = solve_matrices(cost, A, row_lower, row_upper, lo, hi, time_limit=time_limit)
        except SolveError:
            continue
        if best[1] is None or record.objective < best[1].objective:
            best = (sol.x, record)
    return best


def _l1_relu_milp(G, t, lo, hi, big_L, big_U, relu_shift=None):
    """Matrices of "minimise Σ|o − t| with o = σ(G·v)" over the free vector ``v`` in ``[lo, hi]``.

    Columns: ``v`` (len(lo)), then per output row ``o``, the activation binary ``b``, ``δ⁺`` and ``δ⁻``. Used for
    both the weight MILP (v = weights) and the input MILP (v = inputs, with the constant offset moved into the
    ReLU rows' bounds via ``relu_shift``).
    """
    p, r = len(lo), len(t)
    A_relu, rl, ru = _relu_rows(G, r, (p, p + r), big_L, big_U, p + 4 * r)
    if relu_shift is not None:
        rl, ru = rl + relu_shift, ru + relu_shift
    I = sp.identity(r, format="csr")
    # (1) o − δ⁺ + δ⁻ = t
    A1 = sp.hstack([sp.csr_matrix((r, p)), I, sp.csr_matrix((r, r)), -I, I], format="csr")
    A = sp.vstack([A1, A_relu], format="csr")
    # (2) minimise Σ δ⁺ + δ⁻
    cost = np.concatenate([np.zeros(p + 2 * r), np.ones(2 * r)])
    col_lower = np.concatenate([lo, np.zeros(4 * r)])
    col_upper = np.concatenate([hi, big_U, np.ones(r), np.full(2 * r, np.inf)])
    integrality = np.concatenate([np.zeros(p + r), np.ones(r), np.zeros(2 * r)]).astype(np.int32)
    return cost, A, np.concatenate([t, rl]), np.concatenate([t, ru]), col_lower, col_upper, integrality


def weight_program(X, T, structure: LayerStructure, *, neurons=None, lower=None, upper=None, big_m: str = "tight"):
    """The matrices of the weight MILP (1)–(6) (see :func:`weight_milp`) as the arguments of
    :func:`mipnn.solve.solve_matrices` ``(c, A, row_lower, row_upper, col_lower, col_upper, integrality)``, and
    ``(neurons, params, G, t, lo, hi, M)``: the neurons and parameters, the pre-activation matrix, the flattened
    targets, the parameter box and the printed big-M. Columns: parameters, then per row ``o``, ``b``, ``δ⁺``, ``δ⁻``.
    """
    check_choice("big_m", big_m, BIG_M_CHOICES)
    X = check_matrix("X", X, nonneg=True, cols=structure.n_inputs)
    T = check_matrix("T", T, cols=structure.n_outputs, rows=X.shape[0])
    lo_all, hi_all = param_box(structure, lower, upper)
    if neurons is None:
        neurons = np.arange(structure.n_outputs)
    neurons = np.asarray(neurons, dtype=np.int64)
    sub = structure.param_index[neurons]
    params = np.unique(sub[sub >= 0])
    others = np.setdiff1d(np.arange(structure.n_outputs), neurons)
    if others.size and np.isin(structure.param_index[others], params).any():
        raise ValueError("neurons must include every neuron that shares a parameter with them")
    r = X.shape[0] * len(neurons)
    G = preactivation_matrix(X, structure, neurons, params)
    lo, hi = lo_all[params], hi_all[params]
    t = T[:, neurons].reshape(-1)  # row k·J + jj
    M = printed_big_m(X)
    big_L, big_U = _big_m_pair(big_m, r, M, interval(G, lo, hi) if big_m == "tight" else None)
    return _l1_relu_milp(G, t, lo, hi, big_L, big_U), (neurons, params, G, t, lo, hi, M)


def weight_milp(X, T, structure: LayerStructure, *, neurons=None, lower=None, upper=None, big_m: str = "tight",
                theta0=None, time_limit: float = 60.0, options=None, mip_gap: float = OPTIMALITY_GAP,
                lp_start: bool = True, tie_break: str = "none", solver: str = "highs") -> WeightResult:
    """(1)–(6): weights of a ReLU layer (or of the neurons ``neurons``) closest in ℓ1 to the targets ``T``.

    Parameters
    ----------
    X : (m, d) non-negative inputs, fixed.  T : (m, n) targets (columns of all outputs).
    structure : which weights exist / are shared. ``neurons`` must be closed under sharing (default: all).
    lower, upper : per-parameter bounds (length ``structure.n_params``, scalars allowed); default ``[-1, 1]``.
    big_m : ``"printed"`` (the paper's M) or ``"tight"`` (per sample and neuron, from the weight box).
    theta0 : optional full parameter vector used as MIP start (clipped into the box).
    time_limit, options, mip_gap : passed to :func:`mipnn.solve.solve_matrices` (e.g.
        ``options={"mip_max_nodes": 200}`` for a deterministic work limit).
    lp_start : before the MILP, solve two LPs with the activation pattern fixed — that of ``theta0`` (if
        given) and the targets' own pattern ``t > 0`` — and hand the better solution to HiGHS as MIP start
        (beyond the paper; each LP takes milliseconds). An LP solution with objective 0 is optimal (the
        objective is a sum of non-negative terms): the MILP is skipped and its record is the LP's.
    tie_break : ``"none"`` (the solver's solution), ``"previous"`` (among the solutions with the same activation
        pattern and no worse objective, the one closest in ℓ1 to ``theta0``) or ``"l1"`` (closest to 0); a
        second LP stage inside ``time_limit`` (:mod:`mipnn.relu.tiebreak`; beyond the paper).
    solver : the backend of the MILP (:data:`mipnn.backends.BACKENDS`; the paper used CPLEX), on one thread; HiGHS
        names in ``options`` (``mip_max_nodes``) are translated. The LP start and the tie-break LP stay on HiGHS.
    """
    check_tie_break(tie_break)
    check_choice("solver", solver, BACKENDS)
    t_begin, budget = time.perf_counter(), time_limit
    program, (neurons, params, G, t, lo, hi, M) = weight_program(X, T, structure, neurons=neurons, lower=lower,
                                                                  upper=upper, big_m=big_m)
    p, r = len(params), len(t)
    start = th = None
    if theta0 is not None:
        th = np.clip(np.asarray(theta0, dtype=np.float64).reshape(-1)[params], lo, hi)
        start = _warm_start_relu(G, th, t, r)
    ref = tie_break_reference(tie_break, th, p)  # before any solve: 'previous' needs theta0
    record = None
    if lp_start:
        patterns = [(t > 0).astype(float)]
        if th is not None and not np.array_equal(current := (G @ th > 0).astype(float), patterns[0]):
            patterns.append(current)  # the same pattern twice would solve the same LP twice
        t0 = time.perf_counter()
        x_lp, lp_record = _fixed_pattern_lps(program, patterns, p, r, time_limit)
        time_limit = max(time_limit - (time.perf_counter() - t0), 1e-3)
        start_objective = np.inf if start is None else float(program[0] @ start)
        if lp_record is not None and lp_record.objective <= start_objective:
            start = x_lp
            if lp_record.objective <= TOL:
                record, x = lp_record, x_lp
    if record is None:
        record, sol = solve_matrices(*program, time_limit=time_limit, mip_gap=mip_gap, warm_start=start,
                                     options=translate_options(options, solver), solver=solver,
                                     threads=None if solver == "highs" else 1)
        x = sol.x
    if ref is not None:
        left = max(budget - (time.perf_counter() - t_begin), 1e-3)
        x, stage = closest_on_optimal_face(program, x, p, ref, time_limit=left)
        record = with_stage(record, stage)
    theta = np.clip(x[:p], lo, hi)
    return WeightResult(neurons=neurons, params=params, theta=theta, objective=float(record.objective),
                     record=record, big_m=M if big_m == "printed" else None)


def _one_sided_rows(G, t, p, cap_slack: bool, target=None):
    """Rows/columns shared by (7)–(8) and §2.3: ``a − δ⁺ + δ⁻ = t`` (+ ``s ≤ δ`` if ``cap_slack``)."""
    r = G.shape[0]
    I = sp.identity(r, format="csr")
    two_sided = ((t if target is None else target) != 0).astype(float)  # (8): δ⁻ counts only where the target is not 0
    if not cap_slack:
        A = sp.hstack([G, -I, I], format="csr")
        cost = np.concatenate([np.zeros(p), np.ones(r), two_sided])
        return A, t, t, cost, 2 * r
    # §2.3: s − δ⁺ − [t≠0] δ⁻ ≤ 0, 0 ≤ s ≤ 0.49, minimise Σ (δ − s)
    A_eq = sp.hstack([G, -I, I, sp.csr_matrix((r, r))], format="csr")
    A_s = sp.hstack([sp.csr_matrix((r, p)), -I, -sp.diags(two_sided, format="csr"), I], format="csr")
    A = sp.vstack([A_eq, A_s], format="csr")
    row_lower = np.concatenate([t, np.full(r, -np.inf)])
    row_upper = np.concatenate([t, np.zeros(r)])
    cost = np.concatenate([np.zeros(p), np.ones(r), two_sided, -np.ones(r)])
    return A, row_lower, row_upper, cost, 3 * r


def _linear_output_fit(X, T, structure, lower, upper, postprocess, time_limit, lp_method, options, tie_break="none",
                       theta0=None):
    X = check_matrix("X", X, nonneg=True, cols=structure.n_inputs)
    T = check_matrix("T", T, cols=structure.n_outputs, rows=X.shape[0])
    lo, hi = param_box(structure, lower, upper)
    neurons = np.arange(structure.n_outputs)
    params = np.arange(structure.n_params)
    th = None if theta0 is None else np.clip(np.asarray(theta0, dtype=np.float64).reshape(-1), lo, hi)
    ref = tie_break_reference(tie_break, th, len(params))
    t0 = time.perf_counter()
    G = preactivation_matrix(X, structure, neurons, params)
    t = T.reshape(-1)
    p = len(params)
    A, rl, ru, cost, extra = _one_sided_rows(G, t, p, postprocess)
    r = G.shape[0]
    col_lower = np.concatenate([lo, np.zeros(extra)])
    col_upper = np.concatenate([hi, np.full(2 * r, np.inf)] + ([np.full(r, SLACK_CAP)] if postprocess else []))
    build = time.perf_counter() - t0
    record, sol = solve_matrices(cost, A, rl, ru, col_lower, col_upper, time_limit=time_limit, lp_method=lp_method,
                                 options=options, build_time=build)
    x = sol.x
    if ref is not None:
        left = max(time_limit - (time.perf_counter() - t0), 1e-3)
        x, stage = closest_on_optimal_face((cost, A, rl, ru, col_lower, col_upper, None), x, p, ref, time_limit=left)
        record = with_stage(record, stage)
    theta = np.clip(x[:p], lo, hi)
    return WeightResult(neurons=neurons, params=params, theta=theta, objective=float(record.objective),
                     record=record, big_m=None)


def last_layer_lp(X, T, structure: LayerStructure, *, lower=None, upper=None, time_limit: float = 60.0,
                  lp_method: str = "choose", options=None, tie_break: str = "none", theta0=None) -> WeightResult:
    """(7)–(8): output-layer weights with identity activation; error ``max(a, 0)`` where ``t = 0``, ``|a − t|`` else.

    ``tie_break`` and ``theta0`` (the previous weights, needed by ``"previous"``) as in :func:`weight_milp`."""
    check_tie_break(tie_break)
    return _linear_output_fit(X, T, structure, lower, upper, False, time_limit, lp_method, options, tie_break, theta0)


def _compact_rows(G, t):
    """§2.3 with one epigraph variable per pair: ``e ≥ a − t − 0.49`` everywhere, ``e ≥ t − a − 0.49`` where
    ``t ≠ 0``, ``e ≥ 0``; minimising ``Σ e`` gives ``Σ max(δ − 0.49, 0)``, the optimum of the slack form."""
    r, p = G.shape
    two = np.flatnonzero(t != 0)
    I = sp.identity(r, format="csr")
    A = sp.vstack([sp.hstack([G, -I]), sp.hstack([G[two], I[two]])], format="csr")
    row_lower = np.concatenate([np.full(r, -np.inf), t[two] - SLACK_CAP])
    row_upper = np.concatenate([t + SLACK_CAP, np.full(two.size, np.inf)])
    cost = np.concatenate([np.zeros(p), np.ones(r)])
    return A, row_lower, row_upper, cost


def _combined_record(records, build_time, objective):
    """One :class:`SolveRecord` for independent LPs solved in turn: sizes and times add up, the status is the
    first non-optimal one (else ``"optimal"``)."""
    worst = next((r for r in records if r.status != "optimal"), records[0])
    total = lambda name: sum(getattr(r, name) for r in records)  # noqa: E731
    bounds = [r.bound for r in records]
    return dataclasses.replace(
        worst, objective=objective, bound=None if any(b is None for b in bounds) else float(sum(bounds)),
        wall_time=total("wall_time"), build_time=build_time, handoff_time=total("handoff_time"),
        n_variables=total("n_variables"), n_constraints=total("n_constraints"), n_nonzeros=total("n_nonzeros"),
        simplex_iterations=None if any(r.simplex_iterations is None for r in records) else total("simplex_iterations"))


def postprocess_lp(X, T, structure: LayerStructure, *, lower=None, upper=None, time_limit: float = 1800.0,
                   lp_method: str = "ipm", options=None, formulation: str = "compact") -> WeightResult:
    """§2.3: output-layer weights minimising ``Σ (δ − s)``, ``0 ≤ s ≤ min(0.49, δ)``, δ as in (8).

    Meant for many samples (all 60,000 MNIST images); built as sparse matrices and solved with the interior
    point method (with crossover) by default. The optimum equals ``Σ max(δ − 0.49, 0)``.

    ``formulation="paper"`` builds the slack form as printed: per image and class δ⁺, δ⁻, s and two rows, one
    LP for the whole layer (1.2 M rows for 60,000 images). ``"compact"`` (default) reaches the same optimum
    with one epigraph variable per image and class and one row (two where the target is 1), and solves one LP
    per group of output neurons that share no weight (one per class for a dense layer); ``time_limit`` is
    shared by the groups in turn. The record then sums sizes and times over the groups.
    """
    check_choice("formulation", formulation, ("compact", "paper"))
    if formulation == "paper":
        return _linear_output_fit(X, T, structure, lower, upper, True, time_limit, lp_method, options)
    X = check_matrix("X", X, nonneg=True, cols=structure.n_inputs)
    T = check_matrix("T", T, cols=structure.n_outputs, rows=X.shape[0])
    lo, hi = param_box(structure, lower, upper)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    theta = np.zeros(structure.n_params)
    records, objective, build, t_start = [], 0.0, 0.0, time.perf_counter()
    for neurons, params in structure.groups():
        t0 = time.perf_counter()
        G = preactivation_matrix(X, structure, neurons, params)
        t = T[:, neurons].reshape(-1)
        A, rl, ru, cost = _compact_rows(G, t)
        p = len(params)
        col_lower = np.concatenate([lo[params], np.zeros(G.shape[0])])
        col_upper = np.concatenate([hi[params], np.full(G.shape[0], np.inf)])
        build += time.perf_counter() - t0
        left = max(time_limit - (time.perf_counter() - t_start), 1.0)
        record, sol = solve_matrices(cost, A, rl, ru, col_lower, col_upper, time_limit=left, lp_method=lp_method,
                                     options=options, build_time=time.perf_counter() - t0)
        theta[params] = np.clip(sol.x[:p], lo[params], hi[params])
        objective += float(record.objective)
        records.append(record)
    return WeightResult(neurons=np.arange(structure.n_outputs), params=np.arange(structure.n_params), theta=theta,
                     objective=objective, record=_combined_record(records, build, objective), big_m=None)


def input_bounds(x_prev, input_box=INPUT_BOX):
    """Box (9): ``max(0, 0.9 x̃ − 0.1) ≤ x ≤ 1.1 x̃ + 0.1``; ``input_box = (r, a)`` gives
    ``max(0, (1 − r) x̃ − a) ≤ x ≤ (1 + r) x̃ + a`` (the paper's is ``(0.1, 0.1)``)."""
    r, a = check_input_box(input_box)
    x_prev = np.asarray(x_prev, dtype=np.float64)
    return np.maximum(0.0, (1.0 - r) * x_prev - a), (1.0 + r) * x_prev + a


@dataclass(frozen=True)
class InputResult:
    x: np.ndarray
    objective: float
    record: SolveRecord


def input_milp(x_prev, t, W, c, *, activation: str = "relu", big_m: str = "tight", printed_m: float | None = None,
               time_limit: float = 30.0, options=None, input_box=INPUT_BOX) -> InputResult:
    """§2.2 for one training vector: weights fixed, inputs ``x`` variable in box (9) around ``x_prev``
    (``input_box``, see :func:`input_bounds`).

    ReLU layer: minimise ``Σ_j |o_j − t_j|`` under (1), (3)–(6) (an MILP). Identity output layer: minimise the
    one-sided error (7)–(8) (an LP). ``printed_m`` overrides the paper's M (default computed from ``x_prev``;
    pass the batch-wide value to use ``M̃`` over the whole batch).
    """
    check_choice("activation", activation, ("relu", "identity"))
    check_choice("big_m", big_m, BIG_M_CHOICES)
    W = np.asarray(W, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    n, d = W.shape
    x_prev = check_matrix("x_prev", np.reshape(x_prev, (1, -1)), nonneg=True, cols=d)[0]
    t = check_matrix("t", np.reshape(t, (1, -1)), cols=n)[0]
    lo, hi = input_bounds(x_prev, input_box)
    # a = W x + c as a linear map of x; constant c moves into the row bounds via a shifted "G"
    G = sp.csr_matrix(W)
    if activation == "identity":
        A, rl, ru, cost, extra = _one_sided_rows(G, t - c, d, False, target=t)
        col_lower = np.concatenate([lo, np.zeros(extra)])
        col_upper = np.concatenate([hi, np.full(extra, np.inf)])
        record, sol = solve_matrices(cost, A, rl, ru, col_lower, col_upper, time_limit=time_limit, options=options)
        return InputResult(x=np.clip(sol.x[:d], lo, hi), objective=float(record.objective), record=record)
    r = n
    if big_m == "printed":
        M = float(printed_m) if printed_m is not None else printed_big_m(x_prev[None, :], input_box)
        big_L, big_U = np.full(r, -M), np.full(r, M)
    else:
        L, U = interval(G, lo, hi)
        big_L, big_U = _big_m_pair("tight", r, 0.0, (L + c, U + c))
    # rows use a = Gx + c: shift bounds of rows containing a by −c (rows 4u, 4l contain +a; 5u, 5l contain −a)
    shift = np.concatenate([-c, -c, c, c, np.zeros(r)])
    cost, A, row_lower, row_upper, col_lower, col_upper, integ = _l1_relu_milp(G, t, lo, hi, big_L, big_U,
                                                                               relu_shift=shift)
    a0 = W @ x_prev + c
    o0 = relu(a0)
    start = np.concatenate([x_prev, o0, (a0 > 0).astype(float), relu(o0 - t), relu(t - o0)])
    record, sol = solve_matrices(cost, A, row_lower, row_upper, col_lower, col_upper, integ,
                                 time_limit=time_limit, warm_start=start, options=options)
    return InputResult(x=np.clip(sol.x[:d], lo, hi), objective=float(record.objective), record=record)
