"""One way to solve: a Pyomo model or plain matrices, handed to HiGHS, reported as a :class:`SolveRecord`.

Two entry points share one core:

* :func:`solve` takes a Pyomo ``ConcreteModel``, compiles it to sparse matrices with Pyomo's linear
  standard-form compiler, runs HiGHS through ``highspy`` and loads the solution (and, for LPs, duals and
  reduced costs into ``dual``/``rc`` suffixes when the model declares them) back into the model.
* :func:`solve_matrices` takes ``min/max c·x  s.t.  row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper``
  directly. Large LPs (hundreds of thousands of rows) should use this path: building Pyomo expressions for
  them costs far more than solving.

Why not Pyomo's own HiGHS interfaces? The legacy ``appsi_highs`` ignores ``config.time_limit`` and neither
interface exposes MIP starts from partial assignments or HiGHS's callbacks, which we need for the
"stop once the incumbent is good enough" rule of Thorbjarnarson & Yorke-Smith. Compiling the model ourselves
keeps a single, fully controlled path for both entry points.

Every solve has a time limit. A time-out returns the incumbent with ``status="time_limit"``; a solve that ends
with no incumbent, an infeasible or an unbounded model raises a :class:`~mipnn.exceptions.SolveError`
subclass carrying the record.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from .backends import (
    BACKENDS,
    MIN_FEASIBILITY_TOLERANCE,
    Outcome,
    backend_version,
    check_solver_options,
    new_highs,
    require,
    run_gurobi,
    run_scip,
)
from .budget import MIN_SOLVE_TIME
from .exceptions import (
    InfeasibleError,
    NoSolutionError,
    SolveError,
    SolvesDisabledError,
    UnboundedError,
    VerificationError,
)
from .numerics import TOL
from .validation import check_choice, check_number

__all__ = ["SolveRecord", "MatrixSolution", "solve", "solve_matrices", "compile_model", "highs_version",
           "relative_gap", "Watchdog", "OPTIMALITY_GAP", "TIGHT_TOLERANCE", "LIMIT_STATUSES", "DEFAULT_TOLERANCES",
           "big_m_tolerance", "verify_objective", "BACKENDS", "NO_SOLVE_ENV", "check_solves_allowed"]

#: A MIP whose relative gap is at most this is reported as "optimal"; a larger gap with HiGHS's "optimal"
#: (because a relaxed ``mip_gap`` was met) is reported as "gap_limit". Every ``mip_gap`` default in mipnn.
OPTIMALITY_GAP = 1e-4
#: Feasibility tolerance (rows and integrality) for solves whose values are compared to 1e-9 (value functions,
#: duals): HiGHS's defaults (1e-6 / 1e-7) leave errors of about 1e-6 in the optimal value.
TIGHT_TOLERANCE = 1e-9
#: HiGHS's own defaults for the two tolerances a ``feasibility_tolerance`` sets (HiGHS 1.16); the tighter of the two
#: is kept for each.
DEFAULT_TOLERANCES = {"mip_feasibility_tolerance": 1e-6, "primal_feasibility_tolerance": 1e-7}


def big_m_tolerance(epsilon: float, scale: float) -> float:
    """The feasibility tolerance under which big-M rows with margin ``epsilon`` keep their meaning once the
    solution is rounded and re-evaluated outside the solver (pass it as ``feasibility_tolerance``).

    The rows in question switch a unit ``u`` (binary) between ``a ≥ λ`` (``u = 1``) and ``a ≤ λ − ε`` (``u = 0``)
    with a big-M constant ``M``:  ``a − λ ≥ −M(1 − u)``  and  ``a − λ ≤ −ε + (M + ε)u``. A forward pass that puts
    the threshold in the middle of the band (``a ≥ λ − ε/2``) agrees with the solver's ``u`` exactly when no
    pre-activation lands on the wrong side of ``λ − ε/2``. With a tolerance ``t`` on integrality and on rows:

    * the binary may sit at ``1 − t`` (or ``t``), which relaxes either row by ``M t``; the row itself may be
      violated by ``t``;
    * the forward pass recomputes ``a`` from the returned (rounded, clipped) parameters, which moves it by at
      most ``S t``, with ``S`` the sum of the absolute coefficients of the rounded variables in ``a``
      (``‖x‖₁`` in a first layer, ``2 d`` for ``d`` products of a weight and a binary in a deeper layer).

    So every unit stays on its side when ``(M + S + 2) t < ε/2``. ``scale`` is the largest ``M + S + 2`` over the
    model's rows; the tolerance returned is ``t = ε / (4·scale)`` (a factor 2 to spare). Each backend keeps its
    own default where that is tighter, and refuses a ``t`` below what it accepts (HiGHS 1e-10, Gurobi 1e-9).
    HiGHS's own 1e-6 with ``M = 250`` relaxes a row by ``2.5e-4 > ε = 1e-4``: that is the failure this prevents.
    """
    check_number("epsilon", epsilon, low=0.0, low_open=True)
    check_number("scale", scale, low=1.0)
    return float(epsilon) / (4.0 * float(scale))


def verify_objective(record: SolveRecord, recomputed: float, *, integral: bool, one_sided: bool = False,
                     what: str = "the returned solution") -> None:
    """Raise :class:`~mipnn.exceptions.VerificationError` unless ``recomputed`` — the objective of the solution
    the solve returned, evaluated outside the solver (e.g. a numpy forward pass) — agrees with the solver's.

    ``integral``: the objective takes integer values (a count of errors), so the two must round to the same
    integer (``|difference| < ½``); otherwise they must agree to 1e-6 relative to ``max(1, |objective|)``.
    ``one_sided``: the model's objective is only a bound on the true one in the model's own sense (a
    relaxation that may undercount a maximisation); then only a recomputed value that is *worse* is an error.
    """
    if record.objective is None:
        return
    obj, rec = float(record.objective), float(recomputed)
    tol = 0.5 if integral else 1e-6 * max(1.0, abs(obj))
    diff = rec - obj if record.sense == "min" else obj - rec  # > 0: the solution is worse than reported
    if diff >= tol or (not one_sided and -diff >= tol):
        raise VerificationError(
            f"the solver reports objective {obj:.10g} ({record.status}) but {what}, evaluated outside the solver, "
            f"has {rec:.10g}: a feasibility tolerance let a relaxed row stand in for the model (tighten "
            f"mip_feasibility_tolerance, see mipnn.solve.big_m_tolerance, or rescale the inputs)", record)

_INF = highspy.kHighsInf
_MS = highspy.HighsModelStatus

#: Largest magnitude accepted for an objective or constraint coefficient (HiGHS's ``large_matrix_value``: it refuses
#: a larger matrix entry, and counts a cost of 1e20 as infinite). A larger one is a modelling error, named.
MAX_COEFFICIENT = 1e15
#: Finite bounds at least this large are what HiGHS takes for infinite (its ``infinite_bound``): refused, named.
MAX_FINITE_BOUND = 1e20


def highs_version() -> str:
    """The version of the HiGHS library behind ``highspy``."""
    return backend_version("highs")


@dataclass(frozen=True)
class SolveRecord:
    """What one solve produced. Immutable; ``as_dict()`` gives a JSON-ready copy.

    ``objective`` is the incumbent's objective in the model's own sense (offset included), ``bound`` the best
    proven bound on the optimum (equal to ``objective`` for a solved LP), and ``gap`` the relative gap
    ``|objective - bound| / |objective|`` computed here (0 when both are equal, ``inf`` when the objective is 0
    and the bound is not). ``status`` is one of ``optimal``, ``gap_limit``, ``time_limit``, ``target_reached``,
    ``iteration_limit``, ``work_limit`` (a node, leaf or solution-count limit), ``interrupted``, ``infeasible``,
    ``unbounded``, ``no_solution`` or ``error``; ``solver_status`` is the solver's own wording. ``solver`` names the
    backend (``"highs"``, ``"gurobi"``, ``"scip"``). ``first_incumbent_time``: seconds into the solve at which the
    solver had its first feasible MIP solution (an accepted MIP start counts; ``None`` for an LP or no solution).
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    wall_time: float
    build_time: float | None
    handoff_time: float
    n_variables: int
    n_constraints: int
    n_binaries: int
    n_integers: int
    n_nonzeros: int
    is_mip: bool
    sense: str
    solver_status: str
    node_count: int | None
    simplex_iterations: int | None
    time_limit: float
    mip_gap: float
    solver: str = "highs"
    solver_version: str = ""
    first_incumbent_time: float | None = None

    @property
    def has_solution(self) -> bool:
        return self.objective is not None

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("objective", "bound", "gap"):
            v = out[key]
            if v is not None and not math.isfinite(v):
                out[key] = None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return out

    def summary(self) -> str:
        """A one-line human summary, e.g. for a notebook cell."""
        obj = "—" if self.objective is None else f"{self.objective:.6g}"
        bnd = "—" if self.bound is None else f"{self.bound:.6g}"
        gap = "—" if self.gap is None else f"{100 * self.gap:.3g}%"
        kind = "MIP" if self.is_mip else "LP"
        return (f"{kind} {self.status}: objective {obj}, bound {bnd}, gap {gap}, "
                f"{self.wall_time:.2f}s solve (+{self.handoff_time:.2f}s hand-off), "
                f"{self.n_variables} vars ({self.n_binaries} bin, {self.n_integers} int), {self.n_constraints} rows")


@dataclass(frozen=True)
class MatrixSolution:
    """Solution vectors of :func:`solve_matrices` (``None`` where HiGHS has none, e.g. duals of a MIP)."""

    x: np.ndarray
    row_activity: np.ndarray
    row_dual: np.ndarray | None
    col_dual: np.ndarray | None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective − bound| / |objective|``; 0 if they agree (to :data:`~mipnn.numerics.TOL`), ``inf`` if the
    objective is 0."""
    if objective is None or bound is None or not math.isfinite(objective):
        return None
    if not math.isfinite(bound):
        return math.inf
    diff = abs(objective - bound)
    if diff <= TOL * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


def _check_common(time_limit, mip_gap, threads, objective_target):
    check_number("time_limit", time_limit, low=0, low_open=True)
    if not math.isfinite(time_limit):
        raise ValueError("time_limit must be finite: every solve in mipnn has a time limit (seconds, > 0)")
    check_number("mip_gap", mip_gap, low=0.0, high=1.0)
    check_number("threads", threads, low=1, integer=True, allow_none=True)
    check_number("objective_target", objective_target, allow_none=True)


#: Environment variable: set to anything but ``""``/``"0"`` and every solve raises
#: :class:`~mipnn.exceptions.SolvesDisabledError`. ``make figures`` sets it: re-rendering from the committed stores
#: must never solve (a store that lacks a run must say which command produces it instead).
NO_SOLVE_ENV = "MIPNN_NO_SOLVE"


def check_solves_allowed(what: str = "a solve") -> None:
    """Raise :class:`~mipnn.exceptions.SolvesDisabledError` when ``$MIPNN_NO_SOLVE`` is set; every entry point
    (:func:`solve`, :func:`solve_matrices`, hence every backend) calls it before any work."""
    if os.environ.get(NO_SOLVE_ENV, "").strip() not in ("", "0"):
        raise SolvesDisabledError(f"{what} was requested with {NO_SOLVE_ENV}={os.environ[NO_SOLVE_ENV]!r}: solving is "
                                  f"disabled here (figures are rendered from the committed stores under results/); "
                                  f"unset {NO_SOLVE_ENV} to solve, or run the command that fills the missing store")


def solve_matrices(c, A, row_lower, row_upper, col_lower, col_upper, integrality=None, *, sense: str = "min",
                   offset: float = 0.0, time_limit: float = 60.0, mip_gap: float = OPTIMALITY_GAP,
                   threads: int | None = None, warm_start=None, objective_target: float | None = None,
                   solver: str = "highs", lp_method: str = "choose", feasibility_tolerance: float | None = None,
                   options: Mapping[str, Any] | None = None, build_time: float | None = None,
                   log: bool = False, heuristic=None) -> tuple[SolveRecord, MatrixSolution]:
    """Solve ``sense c·x + offset  s.t.  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper``.

    Parameters
    ----------
    c, A, row_lower, row_upper, col_lower, col_upper
        Objective vector (n,), constraint matrix (m × n, dense or scipy sparse), row and column bounds
        (use ``±numpy.inf`` for none).
    integrality
        Optional length-n array: 0 continuous, 1 integer (binaries are integers with bounds [0, 1]).
    sense
        ``"min"`` or ``"max"``.
    time_limit
        Seconds, finite and > 0. A time-out returns the incumbent (``status="time_limit"``).
    mip_gap
        Relative MIP gap at which the solver may stop. The record always carries the real gap.
    threads
        Solver threads (``None``: the solver's default). HiGHS's process-wide thread pool is reset whenever a
        solve asks for a different count; SCIP solves on one thread.
    warm_start
        Optional MIP start: a length-n array (``nan`` for unknown entries) or a dict ``{column: value}``.
    objective_target
        Stop as soon as the incumbent is at least this good (≤ for min, ≥ for max): ``status="target_reached"``.
    solver
        The backend: ``"highs"`` (default, always installed), ``"gurobi"`` or ``"scip"`` (:mod:`mipnn.backends`).
    lp_method
        HiGHS's ``solver`` option for LPs: ``"choose"``, ``"simplex"``, ``"ipm"`` or ``"pdlp"`` (HiGHS only).
    feasibility_tolerance
        Largest violation allowed for rows and integrality (``None``: the solver's defaults; a solver's default is
        kept where it is tighter). See :func:`big_m_tolerance` for big-M models.
    options
        Further options of the backend, passed verbatim under its own names (applied last).
    build_time
        Seconds the caller spent building the data; stored in the record.
    heuristic
        HiGHS only: a primal heuristic run *inside* the branch and bound. HiGHS calls it at its user-solution points
        (several times at the root, then every hundred nodes or so) whenever its incumbent changed, as
        ``heuristic(x)`` with the incumbent (length-n array, or ``None`` before the first); it returns a complete
        length-n solution to offer or ``None``. HiGHS checks an offered solution and keeps it only if it is
        feasible and better, so the optimum is unchanged. The heuristic's time counts against ``time_limit``.
    """
    t0 = time.perf_counter()
    check_solves_allowed("solve_matrices")
    check_choice("sense", sense, ("min", "max"))
    check_choice("solver", solver, BACKENDS)
    check_choice("lp_method", lp_method, ("choose", "simplex", "ipm", "pdlp"))
    if solver != "highs" and lp_method != "choose":
        raise ValueError(f"lp_method={lp_method!r} is a HiGHS option; with solver={solver!r} leave it 'choose' and "
                         f"pass {solver}'s own LP method in options")
    _check_common(time_limit, mip_gap, threads, objective_target)
    if heuristic is not None and (solver != "highs" or not callable(heuristic)):
        raise ValueError(f"heuristic must be a callable and needs solver='highs' (HiGHS's user-solution callback); "
                         f"got heuristic={heuristic!r} with solver={solver!r}")
    check_number("feasibility_tolerance", feasibility_tolerance, low=0.0, low_open=True, allow_none=True)
    if feasibility_tolerance is not None and feasibility_tolerance < MIN_FEASIBILITY_TOLERANCE[solver]:
        raise ValueError(f"feasibility_tolerance={feasibility_tolerance:g} is below the smallest {solver} accepts "
                         f"({MIN_FEASIBILITY_TOLERANCE[solver]:g}): rescale the model (a smaller big-M) or raise the "
                         "margin epsilon")
    check_solver_options(solver, options)
    check_number("offset", offset)
    if not math.isfinite(float(offset)) or abs(float(offset)) >= MAX_FINITE_BOUND:
        raise ValueError(f"offset={offset!r}: the objective offset must be finite (|offset| < {MAX_FINITE_BOUND:g})")
    A, arrays, integ = _checked_arrays(c, A, row_lower, row_upper, col_lower, col_upper, integrality)
    m, n = A.shape
    start = None if warm_start is None else _start_entries(warm_start, n)
    is_mip = bool(integ.any())
    shared = dict(build_time=build_time, is_mip=is_mip, sense=sense, integ=integ, A=A, arrays=arrays,
                  time_limit=time_limit, mip_gap=mip_gap, solver=solver)
    if solver != "highs":
        require(solver)
        run = run_gurobi if solver == "gurobi" else run_scip
        outcome = run(A, arrays, integ, offset=offset, sense=sense, time_limit=time_limit, mip_gap=mip_gap,
                      threads=threads, start=start, objective_target=objective_target,
                      feasibility_tolerance=feasibility_tolerance, options=options, log=log)
        handoff = time.perf_counter() - t0 - outcome.wall_time
        return _finish(outcome, handoff=handoff, row_activity=None, duals=None, **shared)

    run = functools.partial(_run_highs, A, arrays, integ, offset=offset, sense=sense, mip_gap=mip_gap,
                            lp_method=lp_method, threads=threads, log=log, feasibility_tolerance=feasibility_tolerance,
                            start=start, objective_target=objective_target, heuristic=heuristic)
    handoff = time.perf_counter() - t0
    outcome, row_activity, duals = run(time_limit=time_limit, options=options, deadline=t0 + float(time_limit))
    if is_mip and outcome.x is not None and not _has_reported_objective(outcome, arrays["c"], offset):
        # HiGHS 1.16 can end a MIP started from a complete solution with its optimum as the reported objective but
        # the start as the solution vector (seen after its presolve with some random seeds: a BDNN output-layer
        # MIP, objective 94 reported, the vector's 199). The same model without presolve returns both right.
        first = outcome
        outcome, row_activity, duals = run(time_limit=max(time_limit - first.wall_time, 1.0),
                                           options={**(options or {}), "presolve": "off"})
        outcome = dataclasses.replace(
            outcome, wall_time=first.wall_time + outcome.wall_time,
            solver_status=f"{outcome.solver_status} (re-solved without presolve: HiGHS had reported objective "
                          f"{first.objective:g} with a solution vector of objective "
                          f"{float(arrays['c'] @ first.x) + offset:g})")
        if outcome.x is not None and not _has_reported_objective(outcome, arrays["c"], offset):
            raise SolveError(f"HiGHS reported objective {outcome.objective:g} but returned a solution vector of "
                             f"objective {float(arrays['c'] @ outcome.x) + offset:g}, with and without presolve")
    return _finish(outcome, handoff=handoff, row_activity=row_activity, duals=duals, **shared)


def _run_highs(A, arrays, integ, *, offset, sense, time_limit, mip_gap, lp_method, threads, log, feasibility_tolerance,
               options, start, objective_target, heuristic, deadline=None):
    """One HiGHS run of :func:`solve_matrices`: its outcome (with the time to the first incumbent), row activities
    and LP duals. ``deadline`` (a :func:`time.perf_counter` value): the solver gets no more than what is left of
    it once the model is passed (the hand-off counts against the caller's limit), at least
    :data:`~mipnn.budget.MIN_SOLVE_TIME`."""
    n = A.shape[1]
    is_mip = bool(integ.any())
    h = new_highs()
    _raise_on_status(h.passModel(_highs_lp(A, arrays, integ, offset, sense)), "passing the model to HiGHS")
    if deadline is not None:
        time_limit = max(min(float(time_limit), deadline - time.perf_counter()), MIN_SOLVE_TIME)
    _set_options(h, time_limit=time_limit, mip_gap=mip_gap, lp_method=lp_method, threads=threads, log=log,
                 feasibility_tolerance=feasibility_tolerance, options=options)
    if start is not None and is_mip and start[0].size:
        h.setSolution(int(start[0].size), start[0], start[1])
    if objective_target is not None and is_mip:
        # HiGHS stops the MIP as soon as the incumbent reaches the target (model status "objective target").
        h.setOptionValue("objective_target", float(objective_target))
    ctrl_c = _CtrlC()
    watchdog = Watchdog(time_limit, ctrl_c)
    for event in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        event.subscribe(watchdog)
    user = None
    if heuristic is not None and is_mip:
        user = _UserSolutions(heuristic, n)
        h.cbMipImprovingSolution.subscribe(user.improved)
        h.cbMipUserSolution.subscribe(user)
    first: list[float] = []
    if is_mip:
        h.cbMipImprovingSolution.subscribe(lambda _e: first or first.append(time.perf_counter() - watchdog.start))
    _use_thread_pool(threads)
    t1 = watchdog.start = time.perf_counter()
    if user is not None:
        user.deadline = t1 + float(time_limit)
    with ctrl_c:
        run_status = h.run()
    wall = time.perf_counter() - t1
    if user is not None and user.error is not None:
        raise user.error
    outcome, row_activity, duals = _highs_outcome(h, run_status, wall=wall, is_mip=is_mip, sense=sense,
                                                  watchdog_fired=watchdog.fired)
    if outcome.x is not None and is_mip:
        outcome = dataclasses.replace(outcome, first_incumbent_time=first[0] if first else 0.0)
    return outcome, row_activity, duals


def _has_reported_objective(outcome, c, offset) -> bool:
    """Whether the solution vector has the objective value the solver reported (to 1e-6 of the objective's scale:
    its value or the sum of its terms' magnitudes, whichever is larger)."""
    value = float(c @ outcome.x) + float(offset)
    scale = max(1.0, abs(outcome.objective), float(np.abs(c) @ np.abs(outcome.x)))
    return abs(value - outcome.objective) <= 1e-6 * scale


#: Thread count of HiGHS's process-wide task scheduler, once a solve has started it (0: HiGHS's default).
_SCHEDULER: dict[str, int] = {}


def _use_thread_pool(threads: int | None) -> None:
    """HiGHS starts one global thread pool at the first solve of a process and then refuses any other ``threads``
    value ("Not Set" status). Reset the pool whenever a solve asks for a different thread count, so that any
    sequence of thread counts works in one process (solves in a process run one after another)."""
    want = 0 if threads is None else int(threads)
    if _SCHEDULER.get("threads", want) != want:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER["threads"] = want


def _checked_arrays(c, A, row_lower, row_upper, col_lower, col_upper, integrality):
    """The model data as float64 arrays of matching lengths (a CSC matrix for ``A``), or a clear error."""
    try:
        A = sp.csc_matrix(A, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"A must be a matrix of numbers (a 2-D array with rows of one length, or a scipy sparse "
                         f"matrix): {err}") from None
    m, n = A.shape
    if n == 0:
        raise ValueError(f"the model has no variables (A is {m} × 0): there is nothing to solve")
    bad = ~np.isfinite(A.data)
    if bad.any():
        k = int(np.argmax(bad))
        col = int(np.searchsorted(A.indptr, k, side="right") - 1)
        raise ValueError(f"A[{int(A.indices[k])}, {col}] = {A.data[k]}: every constraint coefficient must be finite "
                         f"({int(bad.sum())} entr{'y is' if bad.sum() == 1 else 'ies are'} not)")
    huge = np.abs(A.data) >= MAX_COEFFICIENT
    if huge.any():
        k = int(np.argmax(huge))
        col = int(np.searchsorted(A.indptr, k, side="right") - 1)
        raise ValueError(f"A[{int(A.indices[k])}, {col}] = {A.data[k]:g}: constraint coefficients must be smaller than "
                         f"{MAX_COEFFICIENT:g} in magnitude ({int(huge.sum())} are not); rescale the model")
    vectors = {"c": (c, n), "col_lower": (col_lower, n), "col_upper": (col_upper, n),
               "row_lower": (row_lower, m), "row_upper": (row_upper, m)}
    arrays = {}
    for name, (vec, size) in vectors.items():
        arr = np.asarray(vec, dtype=np.float64).reshape(-1)
        if arr.shape != (size,):
            raise ValueError(f"{name} must have length {size} to match A's shape {A.shape}; got {arr.shape}")
        if np.isnan(arr).any():
            raise ValueError(f"{name}[{int(np.argmax(np.isnan(arr)))}] is NaN: {name} must not contain NaN")
        _check_magnitudes(name, arr)
        arrays[name] = arr
    if integrality is None:
        integ = np.zeros(n, dtype=np.int32)
    else:
        integ = np.asarray(integrality, dtype=np.int32).reshape(-1)
        if integ.shape != (n,) or not np.isin(integ, (0, 1)).all():
            raise ValueError(f"integrality must be a length-{n} array of 0 (continuous) / 1 (integer)")
    for kind in ("col", "row"):
        lo, up = arrays[f"{kind}_lower"], arrays[f"{kind}_upper"]
        wrong = (lo > up) | (lo == np.inf) | (up == -np.inf)
        if wrong.any():
            i = int(np.argmax(wrong))
            raise InfeasibleError(f"{kind} {i}: lower bound {lo[i]} and upper bound {up[i]} leave no value: the model "
                                  "is infeasible before solving")
    return A, arrays, integ


def _check_magnitudes(name, arr):
    """Objective coefficients finite and below :data:`MAX_COEFFICIENT`; finite bounds below
    :data:`MAX_FINITE_BOUND` (``±inf`` is no bound)."""
    if name == "c" and (np.abs(arr) >= MAX_COEFFICIENT).any():
        j = int(np.argmax(np.abs(arr) >= MAX_COEFFICIENT))
        raise ValueError(f"c[{j}] = {arr[j]:g}: every objective coefficient must be finite and smaller than "
                         f"{MAX_COEFFICIENT:g} in magnitude; rescale the objective")
    huge = np.isfinite(arr) & (np.abs(arr) >= MAX_FINITE_BOUND)
    if name != "c" and huge.any():
        j = int(np.argmax(huge))
        raise ValueError(f"{name}[{j}] = {arr[j]:g}: a finite bound must be smaller than {MAX_FINITE_BOUND:g} in "
                         f"magnitude (the solver would take it for infinite); use ±numpy.inf for no bound")


def _highs_lp(A, arrays, integ, offset, sense) -> highspy.HighsLp:
    m, n = A.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = arrays["c"]
    lp.col_lower_ = np.where(np.isinf(arrays["col_lower"]), -_INF, arrays["col_lower"])
    lp.col_upper_ = np.where(np.isinf(arrays["col_upper"]), _INF, arrays["col_upper"])
    lp.row_lower_ = np.where(np.isinf(arrays["row_lower"]), -_INF, arrays["row_lower"])
    lp.row_upper_ = np.where(np.isinf(arrays["row_upper"]), _INF, arrays["row_upper"])
    lp.offset_ = float(offset)
    lp.sense_ = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
    if integ.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous for v in integ]
    return lp


def _set_options(h, *, time_limit, mip_gap, lp_method, threads, log, feasibility_tolerance, options):
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("solver", lp_method)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if feasibility_tolerance is not None:
        for key, default in DEFAULT_TOLERANCES.items():
            h.setOptionValue(key, min(default, float(feasibility_tolerance)))
    if log:
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", True)
    for key, value in (options or {}).items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"options[{key!r}]={value!r} was refused by HiGHS; see the HiGHS option list")


class Watchdog:
    """Backstop for HiGHS's own ``time_limit``: interrupts the solve from HiGHS's simplex, IPM and MIP interrupt
    callbacks once the wall time exceeds the limit by a grace period. HiGHS 1.16 does not check its time limit
    while re-solving the root LP of a MIP (seen on notebook 02's max-correct models at N = 240: one solve ran
    past 10 minutes with a 60 s limit). It also stops the solve when ``ctrl_c`` (a :class:`_CtrlC`) saw a
    Ctrl-C."""

    def __init__(self, time_limit, ctrl_c=None):
        self.deadline = float(time_limit) + max(1.0, 0.02 * float(time_limit))
        self.start = time.perf_counter()
        self.fired = False
        self.ctrl_c = ctrl_c

    def __call__(self, event):
        if self.ctrl_c is not None and self.ctrl_c.pending:
            event.interrupt()
        elif time.perf_counter() - self.start > self.deadline:
            self.fired = True
            event.interrupt()


class _CtrlC:
    """Ctrl-C (SIGINT, a Jupyter kernel interrupt) during a HiGHS run stays a :class:`KeyboardInterrupt`.

    Python raises ``KeyboardInterrupt`` inside whichever of our callbacks HiGHS happens to be running, and highspy
    turns that into a HiGHS error ("failed numerically or internally") while the solve goes on. Around the run,
    this context records the signal instead; the :class:`Watchdog` then stops HiGHS at its next interrupt callback
    and the run raises ``KeyboardInterrupt`` once HiGHS has returned. Only in the main thread, and only when
    SIGINT has Python's default handler (a handler of the user's is left alone)."""

    def __init__(self):
        self.pending = False
        self._previous = None

    def _handler(self, signum, frame):
        self.pending = True

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        if self.pending and exc[0] is None:
            raise KeyboardInterrupt("interrupted during a HiGHS solve")
        return False


class _UserSolutions:
    """HiGHS's user-solution callback around a ``heuristic(x) -> x | None`` (see :func:`solve_matrices`): the
    heuristic runs once per incumbent HiGHS has (and once before the first). HiGHS does not pass the incumbent to
    this callback, so :meth:`improved` (its improving-solution callback) keeps a copy."""

    def __init__(self, heuristic, n):
        self.heuristic, self.n = heuristic, n
        self.incumbent = None
        self.fresh = True
        self.error: BaseException | None = None
        self.deadline: float | None = None  # perf_counter value past which the heuristic is not started

    def improved(self, event):
        x = np.asarray(event.data_out.mip_solution, dtype=np.float64)
        if x.shape == (self.n,):
            self.incumbent, self.fresh = x.copy(), True

    def __call__(self, event):
        if not self.fresh or (self.deadline is not None and time.perf_counter() >= self.deadline):
            return  # nothing new, or the solve's time is up: HiGHS is about to stop, the heuristic is not run
        self.fresh = False
        try:
            offer = self.heuristic(None if self.incumbent is None else self.incumbent.copy())
            if offer is not None:
                offer = np.asarray(offer, dtype=np.float64).reshape(-1)
                if offer.shape != (self.n,):
                    raise ValueError(f"the heuristic returned a solution of shape {offer.shape}; expected "
                                     f"({self.n},)")
                event.data_in.setSolution(offer)
        except Exception as err:  # noqa: BLE001 - re-raised by solve_matrices once HiGHS has stopped
            self.error = err
            event.data_in.user_interrupt = True


def _raise_on_status(status, what):
    if status == highspy.HighsStatus.kError:
        raise SolveError(f"HiGHS reported an error while {what}")


def _start_entries(warm_start, n):
    """A MIP start (length-n array with ``nan`` = unknown, or ``{column: value}``) as ``(indices, values)``."""
    if isinstance(warm_start, Mapping):
        idx = np.fromiter(warm_start.keys(), dtype=np.int32, count=len(warm_start))
        val = np.fromiter(warm_start.values(), dtype=np.float64, count=len(warm_start))
    else:
        full = np.asarray(warm_start, dtype=np.float64).reshape(-1)
        if full.shape != (n,):
            raise ValueError(f"warm_start must have length {n} (one entry per column, nan = unknown)")
        idx = np.flatnonzero(~np.isnan(full)).astype(np.int32)
        val = full[idx]
    if idx.size and ((idx < 0) | (idx >= n)).any():
        raise ValueError(f"warm_start refers to columns outside 0..{n - 1}")
    return idx, val


#: Statuses of a solve stopped by our own limit (time, nodes, iterations, gap) before it proved its optimum.
LIMIT_STATUSES = frozenset({"time_limit", "work_limit", "gap_limit", "interrupted", "iteration_limit"})

_STATUS_NAMES = {
    _MS.kOptimal: "optimal",
    _MS.kTimeLimit: "time_limit",
    _MS.kIterationLimit: "iteration_limit",
    _MS.kSolutionLimit: "work_limit",  # HiGHS: node, leaf or improving-solution limit (mip_max_nodes, ...)
    _MS.kInterrupt: "interrupted",
    _MS.kInfeasible: "infeasible",
    _MS.kUnbounded: "unbounded",
    _MS.kUnboundedOrInfeasible: "unbounded",
    _MS.kObjectiveBound: "objective_bound",
    _MS.kObjectiveTarget: "target_reached",
}


def _highs_outcome(h, run_status, *, wall, is_mip, sense, watchdog_fired=False):
    """HiGHS's report as an :class:`~mipnn.backends.Outcome`, plus its row activities and LP duals."""
    model_status = h.getModelStatus()
    info = h.getInfo()
    solver_status = h.modelStatusToString(model_status)
    status = _STATUS_NAMES.get(model_status, "error")
    if watchdog_fired and model_status == _MS.kInterrupt:
        status, solver_status = "time_limit", solver_status + " (time limit enforced by mipnn's watchdog)"
    has_primal = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    if run_status == highspy.HighsStatus.kError and not has_primal and status not in ("infeasible", "unbounded"):
        status = "error"  # HiGHS failed without a solution
    objective = float(info.objective_function_value) if has_primal else None
    if is_mip:
        bound = float(info.mip_dual_bound) if has_primal or math.isfinite(info.mip_dual_bound) else None
        if bound is not None and not math.isfinite(bound):
            bound = -math.inf if sense == "min" else math.inf
    else:
        bound = objective if model_status == _MS.kOptimal else None
    x = row_activity = duals = None
    if has_primal:
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=np.float64)
        row_activity = np.asarray(sol.row_value, dtype=np.float64)
        if not is_mip and sol.dual_valid:
            duals = (np.asarray(sol.row_dual, dtype=np.float64), np.asarray(sol.col_dual, dtype=np.float64))
    outcome = Outcome(status=status, solver_status=solver_status, objective=objective, bound=bound,
                      node_count=int(info.mip_node_count) if is_mip else None,
                      iterations=int(info.simplex_iteration_count), version=h.version(), x=x, wall_time=wall)
    return outcome, row_activity, duals


def _finish(out: Outcome, *, handoff, row_activity, duals, build_time, is_mip, sense, integ, A, arrays, time_limit,
            mip_gap, solver):
    """The shared rules, whatever the backend: the real gap, "gap_limit" for an optimum that only met a relaxed
    gap, the errors for infeasible / unbounded / failed / no solution, integers rounded."""
    m, n = A.shape
    status = out.status
    gap = relative_gap(out.objective, out.bound)
    if status == "optimal" and is_mip and gap is not None and gap > OPTIMALITY_GAP:
        status = "gap_limit"
    is_binary = (integ == 1) & (arrays["col_lower"] >= 0) & (arrays["col_upper"] <= 1)
    name = {"highs": "HiGHS", "gurobi": "Gurobi", "scip": "SCIP"}[solver]
    record = SolveRecord(
        status=status, objective=out.objective, bound=out.bound, gap=gap, wall_time=out.wall_time,
        build_time=build_time, handoff_time=handoff, n_variables=n, n_constraints=m,
        n_binaries=int(is_binary.sum()), n_integers=int(((integ == 1) & ~is_binary).sum()), n_nonzeros=int(A.nnz),
        is_mip=is_mip, sense=sense, solver_status=out.solver_status, node_count=out.node_count,
        simplex_iterations=out.iterations, time_limit=float(time_limit), mip_gap=float(mip_gap), solver=solver,
        solver_version=out.version, first_incumbent_time=out.first_incumbent_time)
    if status == "infeasible":
        raise InfeasibleError(f"the model is infeasible ({name}: {out.solver_status})", record)
    if status == "unbounded":
        raise UnboundedError(f"the model is unbounded or infeasible ({name}: {out.solver_status})", record)
    if status == "error" and out.x is None:
        raise SolveError(f"{name} failed numerically or internally ({name}: {out.solver_status})", record)
    if status == "error":
        raise SolveError(f"{name} ended with a solution it does not vouch for ({name}: {out.solver_status})", record)
    if out.x is None:
        raise NoSolutionError(
            f"{name} stopped with status {status!r} after {out.wall_time:.1f}s (time_limit={time_limit}) without any "
            f"feasible solution; raise time_limit or give a warm start", record)
    x = np.where(integ == 1, np.round(out.x), out.x) if is_mip else out.x
    solution = MatrixSolution(
        x=x, row_activity=np.asarray(A @ out.x, dtype=np.float64) if row_activity is None else row_activity,
        row_dual=None if duals is None else duals[0], col_dual=None if duals is None else duals[1])
    return record, solution


def compile_model(model):
    """Compile a linear Pyomo model into the arrays :func:`solve_matrices` takes.

    Returns ``(data, columns, rows)``: a dict with c, A, row_lower, row_upper, col_lower, col_upper, integrality,
    sense and offset; the Pyomo variables in column order; and ``(constraint, multiplier)`` per row.
    """
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.core.base.objective import ObjectiveSense
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    try:
        info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    except InfeasibleConstraintException as err:  # a row without variables that cannot hold
        raise InfeasibleError(f"the model is infeasible before solving: {err}") from err
    columns = info.columns
    n = len(columns)
    if len(info.objectives) > 1:
        raise ValueError("the model has more than one active objective; deactivate all but one")
    if info.objectives:
        obj = info.objectives[0]
        sense = "max" if obj.sense == ObjectiveSense.maximize else "min"
        c = np.asarray(info.c.toarray()[0], dtype=np.float64) if info.c.shape[0] else np.zeros(n)
        offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    else:
        sense, c, offset = "min", np.zeros(n), 0.0
    rhs = np.asarray(info.rhs, dtype=np.float64).reshape(-1)
    mult = np.array([r[1] for r in info.rows], dtype=np.int8)
    row_lower = np.where(mult <= 0, rhs, -np.inf)
    row_upper = np.where(mult >= 0, rhs, np.inf)
    col_lower = np.array([-np.inf if v.lb is None else v.lb for v in columns], dtype=np.float64)
    col_upper = np.array([np.inf if v.ub is None else v.ub for v in columns], dtype=np.float64)
    integrality = np.array([1 if v.is_integer() or v.is_binary() else 0 for v in columns], dtype=np.int32)
    return dict(c=c, A=info.A, row_lower=row_lower, row_upper=row_upper, col_lower=col_lower,
                col_upper=col_upper, integrality=integrality, sense=sense, offset=offset), columns, info.rows


def solve(model, *, time_limit: float = 60.0, mip_gap: float = OPTIMALITY_GAP, threads: int | None = None,
          warm_start: bool = False, objective_target: float | None = None, solver: str = "highs",
          lp_method: str = "choose", feasibility_tolerance: float | None = None,
          options: Mapping[str, Any] | None = None, build_time: float | None = None,
          log: bool = False) -> SolveRecord:
    """Solve a linear Pyomo model (LP or MILP) with ``solver`` (HiGHS by default) and load the solution into it.

    ``warm_start=True`` hands the variables' current values (those that are not ``None``) to the solver as a MIP
    start; a partial start is completed by the solver. After the solve, every variable that appears in the model
    holds its value; if the model has a ``Suffix`` named ``dual`` (``rc``), LP duals (reduced costs) are
    imported into it (HiGHS only). See :func:`solve_matrices` for the other parameters and the errors raised.

    A model may carry what it needs to be solved safely, so that this function applies it whatever path the user
    takes (e.g. :func:`mipnn.bnn.build_bnn_milp`): ``model.mipnn_safe_tolerance(model)`` gives the feasibility
    tolerance used when ``feasibility_tolerance`` is ``None`` (big-M rows need a tighter one than the solver's
    default), and ``model.mipnn_verify(model, record)`` checks the loaded solution after the solve (raising
    :class:`~mipnn.exceptions.VerificationError`).
    """
    from pyomo.core import Block, Suffix

    check_solves_allowed("solve")
    if not isinstance(model, Block):
        raise TypeError(f"model={model!r} must be a Pyomo model (pyomo.environ.ConcreteModel); for arrays use "
                        "mipnn.solve.solve_matrices")
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_choice("solver", solver, BACKENDS)
    for name in ("dual", "rc"):
        suffix = getattr(model, name, None)
        if solver != "highs" and isinstance(suffix, Suffix) and suffix.import_enabled():
            raise ValueError(f"the model asks for LP duals (Suffix {name!r}); mipnn reads them from HiGHS only: "
                             f"use solver='highs' (solver={solver!r} was given)")
    if feasibility_tolerance is None and callable(getattr(model, "mipnn_safe_tolerance", None)):
        feasibility_tolerance = model.mipnn_safe_tolerance(model)
    t0 = time.perf_counter()
    data, columns, rows = compile_model(model)
    start = None
    if warm_start:
        start = {j: float(v.value) for j, v in enumerate(columns) if v.value is not None}
    compile_time = time.perf_counter() - t0
    # the compile counts against the limit: time_limit bounds the whole call (the record keeps the caller's limit)
    record, solution = solve_matrices(
        data["c"], data["A"], data["row_lower"], data["row_upper"], data["col_lower"], data["col_upper"],
        data["integrality"], sense=data["sense"], offset=data["offset"],
        time_limit=max(float(time_limit) - compile_time, MIN_SOLVE_TIME),
        mip_gap=mip_gap, threads=threads, warm_start=start, objective_target=objective_target, solver=solver,
        lp_method=lp_method, feasibility_tolerance=feasibility_tolerance, options=options, build_time=build_time,
        log=log)
    record = dataclasses.replace(record, handoff_time=record.handoff_time + compile_time,
                                 time_limit=float(time_limit))
    for v, value in zip(columns, solution.x, strict=True):
        v.set_value(float(value), skip_validation=True)
    dual = getattr(model, "dual", None)
    if solution.row_dual is not None and isinstance(dual, Suffix) and dual.import_enabled():
        dual.clear()
        for (con, _), y in zip(rows, solution.row_dual, strict=True):
            dual[con] = dual.get(con, 0.0) + float(y)
    rc = getattr(model, "rc", None)
    if solution.col_dual is not None and isinstance(rc, Suffix) and rc.import_enabled():
        rc.clear()
        for v, d in zip(columns, solution.col_dual, strict=True):
            rc[v] = float(d)
    if callable(getattr(model, "mipnn_verify", None)):
        model.mipnn_verify(model, record)
    return record
