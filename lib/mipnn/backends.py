"""Gurobi and SCIP as backends of :func:`mipnn.solve.solve_matrices`, with HiGHS's semantics.

:mod:`mipnn.solve` checks the model data once and hands the same arrays — ``min/max c·x + offset`` subject to
``row_lower ≤ A x ≤ row_upper`` and ``col_lower ≤ x ≤ col_upper`` with integrality flags — to the backend the caller
names (``solver="highs"``, the default and always installed; ``"gurobi"`` through ``gurobipy``; ``"scip"`` through
``pyscipopt``). Each backend here returns an :class:`Outcome` that ``mipnn.solve`` turns into the one
:class:`~mipnn.solve.SolveRecord`, so the rules are the same whatever solved the model:

* **time limit** — Gurobi ``TimeLimit``, SCIP ``limits/time``; **relative gap** — ``MIPGap``, ``limits/gap``;
* **threads** — Gurobi ``Threads``; SCIP solves on one thread (``threads`` other than ``None``/1 is an error);
* **MIP start**, full or partial (``nan`` = unknown) — Gurobi's ``Start`` attributes (it completes a partial
  start itself), SCIP's ``createSol``/``createPartialSol`` (its *completesol* heuristic completes a partial one);
* **objective target** — stop once the incumbent is at least this good: Gurobi ``BestObjStop``, SCIP
  ``limits/primal``; reported as ``status="target_reached"``;
* **feasibility tolerance** (rows and integrality) — Gurobi ``FeasibilityTol`` and ``IntFeasTol`` (≥ 1e-9),
  SCIP ``numerics/feastol``;
* **status** — mapped onto mipnn's names (``optimal``, ``time_limit``, ``work_limit``, ``target_reached``, …);
  the gap, the node count and the solver's version go into the record.

LP duals are HiGHS's only (the duality code that reads them solves with HiGHS); the others return none.

gurobipy from the package registry carries a size-limited license (at most 2,000 variables and 2,000
constraints); a larger model raises :class:`~mipnn.exceptions.SolverUnavailableError` saying so.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .exceptions import SolverUnavailableError

__all__ = ["BACKENDS", "GUROBI_SIZE_LIMIT", "SEED_OPTION", "NODE_LIMIT_OPTION", "TIME_LIMIT_OPTION",
           "translate_options", "check_solver_options",
           "MIN_FEASIBILITY_TOLERANCE", "Outcome",
           "available_backends", "backend_version", "new_highs", "require",
           "run_gurobi", "run_scip"]

BACKENDS = ("highs", "gurobi", "scip")
#: Variables and constraints allowed by gurobipy's size-limited license (the one pip installs).
GUROBI_SIZE_LIMIT = 2000
_MODULES = {"highs": "highspy", "gurobi": "gurobipy", "scip": "pyscipopt"}
_EXTRAS = {"gurobi": "pip install 'mipnn[gurobi]' (or pip install gurobipy)",
           "scip": "pip install 'mipnn[scip]' (or pip install pyscipopt)"}
#: The option that seeds each backend's random choices (the estimators set it from ``random_state``).
SEED_OPTION = {"highs": "random_seed", "gurobi": "Seed", "scip": "randomization/randomseedshift"}
#: The option that caps each backend's branch-and-bound nodes (a deterministic work limit).
NODE_LIMIT_OPTION = {"highs": "mip_max_nodes", "gurobi": "NodeLimit", "scip": "limits/totalnodes"}
#: Each backend's own time-limit option: mipnn sets it from ``time_limit``, so it may not come in ``options``.
TIME_LIMIT_OPTION = {"highs": "time_limit", "gurobi": "TimeLimit", "scip": "limits/time"}
#: The smallest feasibility tolerance each backend accepts.
MIN_FEASIBILITY_TOLERANCE = {"highs": 1e-10, "gurobi": 1e-9, "scip": 1e-12}


@dataclass(frozen=True)
class Outcome:
    """What a backend reports, before :mod:`mipnn.solve` applies the shared rules (gap, errors)."""

    status: str
    solver_status: str
    objective: float | None
    bound: float | None
    node_count: int | None
    iterations: int | None
    version: str
    x: np.ndarray | None
    wall_time: float
    first_incumbent_time: float | None = None


def translate_options(options: Mapping[str, Any] | None, solver: str) -> dict[str, Any] | None:
    """HiGHS-named work limits in ``options`` (``mip_max_nodes``, ``random_seed``) under ``solver``'s own names, so
    that a profile written for HiGHS runs on another backend; any other option must already be ``solver``'s."""
    if options is None or solver == "highs":
        return None if options is None else dict(options)
    names = {NODE_LIMIT_OPTION["highs"]: NODE_LIMIT_OPTION[solver], SEED_OPTION["highs"]: SEED_OPTION[solver]}
    return {names.get(k, k): v for k, v in options.items()}


def check_solver_options(solver: str, options: Mapping[str, Any] | None, name: str = "options") -> None:
    """Check ``options`` before any work: a mapping whose keys are option names; not the backend's time limit
    (mipnn sets it from ``time_limit``, the budget of the whole solve or fit, and an option would override it);
    for HiGHS, every name known and every value accepted (a typo used to surface after the model was built and,
    in an estimator, after its MIP start phase)."""
    if options is None:
        return
    if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
        raise ValueError(f"{name}={options!r} must be None or a dict of {solver}'s options (names as strings)")
    limit = TIME_LIMIT_OPTION.get(solver)
    if limit in options:
        raise ValueError(f"{name}[{limit!r}]={options[limit]!r} conflicts with mipnn's own limit: set time_limit "
                         "instead (it bounds the whole solve or fit)")
    if solver != "highs":
        return
    names = None
    h = new_highs()
    for key, value in options.items():
        if h.setOptionValue(key, value) == _highs_ok():
            continue
        if names is None:
            names = [n for n in dir(h.getOptions()) if not n.startswith("_")]
        if key not in names:
            close = difflib.get_close_matches(key, names, 1)
            hint = f"; did you mean {close[0]!r}?" if close else "; see the HiGHS option list"
            raise ValueError(f"{name}[{key!r}]: HiGHS has no option {key!r}{hint}")
        raise ValueError(f"{name}[{key!r}]={value!r} was refused by HiGHS (wrong type or out of range); see the "
                         "HiGHS option list")


def _highs_ok():
    import highspy

    return highspy.HighsStatus.kOk


def available_backends() -> tuple[str, ...]:
    """The backends whose Python package is installed (HiGHS always)."""
    return tuple(b for b in BACKENDS if importlib.util.find_spec(_MODULES[b]) is not None)


def require(solver: str) -> None:
    """Raise :class:`~mipnn.exceptions.SolverUnavailableError` unless ``solver``'s package is installed."""
    if solver not in available_backends():
        raise SolverUnavailableError(f"solver={solver!r} needs the Python package {_MODULES[solver]!r}, which is "
                                     f"not installed: {_EXTRAS.get(solver, 'reinstall mipnn')}")


def backend_version(solver: str) -> str:
    """The version of the solver library behind ``solver`` (e.g. ``"13.0.3"`` for Gurobi)."""
    require(solver)
    if solver == "gurobi":
        import gurobipy

        return ".".join(map(str, gurobipy.gurobi.version()))
    if solver == "scip":
        import pyscipopt

        m = pyscipopt.Model()
        return f"{m.getMajorVersion()}.{m.getMinorVersion()}.{m.getTechVersion()}"
    return new_highs().version()


_banner_shown = False


def new_highs():
    """A fresh ``highspy.Highs`` with its output off. The first one in a process prints a copyright banner
    straight to file descriptor 1; that one construction is silenced, to keep it out of notebook outputs (nbval
    compares them)."""
    import os
    import sys

    import highspy

    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


# --- Gurobi ---------------------------------------------------------------------------------------------------------

_GUROBI_ENV: list = []

_GUROBI_STATUS = {2: "optimal", 3: "infeasible", 4: "unbounded", 5: "unbounded", 6: "objective_bound",
                  7: "iteration_limit", 8: "work_limit", 9: "time_limit", 10: "work_limit", 11: "interrupted",
                  12: "error", 13: "error", 14: "error", 15: "target_reached", 16: "work_limit", 17: "work_limit"}


def _gurobi_env():
    import gurobipy

    if not _GUROBI_ENV:
        env = gurobipy.Env(empty=True)
        env.setParam("OutputFlag", 0)  # also keeps the license banner out of notebook outputs
        env.start()
        _GUROBI_ENV.append(env)
    return _GUROBI_ENV[0]


def run_gurobi(A, arrays: Mapping[str, np.ndarray], integ, *, offset: float, sense: str, time_limit: float,
               mip_gap: float, threads: int | None, start, objective_target: float | None,
               feasibility_tolerance: float | None, options: Mapping[str, Any] | None, log: bool) -> Outcome:
    """Solve the checked arrays with Gurobi (see the module docstring)."""
    require("gurobi")
    import gurobipy

    model = gurobipy.Model(env=_gurobi_env())
    try:
        x = _gurobi_build(model, A, arrays, integ, offset, sense)
        _gurobi_params(model, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log,
                       objective_target=objective_target if np.any(integ) else None,
                       feasibility_tolerance=feasibility_tolerance, options=options)
        if start is not None and np.any(integ):  # (indices, values) from mipnn.solve
            values = np.full(A.shape[1], gurobipy.GRB.UNDEFINED)
            values[start[0]] = start[1]
            x.Start = values
        first = []

        def on_solution(m, where):  # time of the first incumbent (a MIP start counts when Gurobi accepts it)
            if where == gurobipy.GRB.Callback.MIPSOL and not first:
                first.append(m.cbGet(gurobipy.GRB.Callback.RUNTIME))

        t0 = time.perf_counter()
        try:
            model.optimize(on_solution if np.any(integ) else None)
        except gurobipy.GurobiError as err:
            if err.errno == 10010:  # model too large for the size-limited license
                raise SolverUnavailableError(
                    f"this model has {A.shape[1]} variables and {model.NumConstrs} constraints; gurobipy's "
                    f"size-limited license allows at most {GUROBI_SIZE_LIMIT} of each. Use solver='highs' (or "
                    "'scip'), a smaller model, or a full Gurobi license (https://www.gurobi.com/academia/)") from None
            raise
        return _gurobi_outcome(model, x, time.perf_counter() - t0, first[0] if first else None)
    finally:
        model.dispose()


def _gurobi_build(model, A, arrays, integ, offset, sense):
    from gurobipy import GRB

    vtype = np.where(np.asarray(integ) == 1, GRB.INTEGER, GRB.CONTINUOUS)
    x = model.addMVar(A.shape[1], lb=arrays["col_lower"], ub=arrays["col_upper"], vtype=vtype)
    lo, up = arrays["row_lower"], arrays["row_upper"]
    A = A.tocsr()
    eq = np.isfinite(lo) & np.isfinite(up) & (lo == up)
    if eq.any():
        model.addConstr(A[np.flatnonzero(eq)] @ x == lo[eq])
    le, ge = ~eq & np.isfinite(up), ~eq & np.isfinite(lo)  # a ranged row gives one of each
    if le.any():
        model.addConstr(A[np.flatnonzero(le)] @ x <= up[le])
    if ge.any():
        model.addConstr(A[np.flatnonzero(ge)] @ x >= lo[ge])
    model.setObjective(arrays["c"] @ x + float(offset), GRB.MAXIMIZE if sense == "max" else GRB.MINIMIZE)
    return x


def _gurobi_params(model, *, time_limit, mip_gap, threads, log, objective_target, feasibility_tolerance, options):
    import gurobipy

    model.Params.OutputFlag = 1 if log else 0
    model.Params.TimeLimit = float(time_limit)
    model.Params.MIPGap = float(mip_gap)
    if threads is not None:
        model.Params.Threads = int(threads)
    if feasibility_tolerance is not None:  # Gurobi's defaults are kept where tighter
        model.Params.FeasibilityTol = min(1e-6, float(feasibility_tolerance))
        model.Params.IntFeasTol = min(1e-5, float(feasibility_tolerance))
    if objective_target is not None:
        model.Params.BestObjStop = float(objective_target)
    for key, value in (options or {}).items():
        try:
            model.setParam(key, value)
        except gurobipy.GurobiError as err:
            raise ValueError(f"options[{key!r}]={value!r} was refused by Gurobi: {err}") from None


def _gurobi_outcome(model, x, wall, first_incumbent_time=None) -> Outcome:
    import gurobipy
    from gurobipy import GRB

    code = int(model.Status)
    has_primal = model.SolCount > 0
    objective = float(model.ObjVal) if has_primal else None
    bound = objective if code == GRB.OPTIMAL else None
    if model.IsMIP:
        try:
            bound = float(model.ObjBound)
        except (gurobipy.GurobiError, AttributeError):
            bound = None
    names = {v: k for k, v in vars(GRB.Status).items() if isinstance(v, int)}
    return Outcome(status=_GUROBI_STATUS.get(code, "error"), solver_status=names.get(code, str(code)),
                   objective=objective, bound=bound, node_count=int(model.NodeCount) if model.IsMIP else None,
                   iterations=int(model.IterCount), version=backend_version("gurobi"),
                   x=np.asarray(x.X, dtype=np.float64) if has_primal else None, wall_time=wall,
                   first_incumbent_time=first_incumbent_time if has_primal else None)


# --- SCIP -----------------------------------------------------------------------------------------------------------

_SCIP_STATUS = {"optimal": "optimal", "infeasible": "infeasible", "unbounded": "unbounded",
                "inforunbd": "unbounded", "timelimit": "time_limit", "nodelimit": "work_limit",
                "totalnodelimit": "work_limit", "stallnodelimit": "work_limit", "sollimit": "work_limit",
                "bestsollimit": "work_limit", "restartlimit": "work_limit", "memlimit": "work_limit",
                "gaplimit": "optimal", "userinterrupt": "interrupted", "primallimit": "target_reached",
                "duallimit": "objective_bound"}


def run_scip(A, arrays: Mapping[str, np.ndarray], integ, *, offset: float, sense: str, time_limit: float,
             mip_gap: float, threads: int | None, start, objective_target: float | None,
             feasibility_tolerance: float | None, options: Mapping[str, Any] | None, log: bool) -> Outcome:
    """Solve the checked arrays with SCIP (see the module docstring)."""
    require("scip")
    if threads not in (None, 1):
        raise ValueError(f"threads={threads!r}: SCIP solves on one thread; use threads=None or 1 with solver='scip'")
    import pyscipopt

    model = pyscipopt.Model()
    if not log:
        model.hideOutput()
    is_mip = bool(np.any(integ))
    xs = _scip_build(model, A, arrays, integ, offset, sense)
    _scip_params(model, time_limit=time_limit, mip_gap=mip_gap, feasibility_tolerance=feasibility_tolerance,
                 objective_target=objective_target if is_mip else None, options=options)
    if start is not None and is_mip and start[0].size:  # (indices, values) from mipnn.solve
        sol = model.createPartialSol() if start[0].size < len(xs) else model.createSol()
        for j, v in zip(start[0], start[1], strict=True):
            model.setSolVal(sol, xs[int(j)], float(v))
        model.addSol(sol, free=True)
    t0 = time.perf_counter()
    model.optimize()
    wall = time.perf_counter() - t0
    raw = model.getStatus()
    has_primal = model.getNSols() > 0
    objective = float(model.getObjVal()) if has_primal else None
    bound = float(model.getDualbound()) if is_mip else (objective if raw == "optimal" else None)
    if bound is not None and math.isinf(bound):
        bound = -math.inf if sense == "min" else math.inf
    x = first = None
    if has_primal:
        best = model.getBestSol()
        x = np.array([model.getSolVal(best, v) for v in xs], dtype=np.float64)
        # SCIP keeps the best solutions it found with their times; the earliest kept is the first incumbent
        # unless more than limits/maxsol solutions were found
        if is_mip:
            first = min(float(model.getSolTime(sol)) for sol in model.getSols())
    return Outcome(status=_SCIP_STATUS.get(raw, "error"), solver_status=raw, objective=objective, bound=bound,
                   node_count=int(model.getNNodes()) if is_mip else None, iterations=int(model.getNLPIterations()),
                   version=backend_version("scip"), x=x, wall_time=wall, first_incumbent_time=first)


def _finite_or_none(v):
    return None if math.isinf(v) else float(v)


def _scip_build(model, A, arrays, integ, offset, sense):
    import pyscipopt

    lo_c, up_c = arrays["col_lower"], arrays["col_upper"]
    xs = [model.addVar(lb=_finite_or_none(lo_c[j]), ub=_finite_or_none(up_c[j]), vtype="I" if integ[j] else "C")
          for j in range(A.shape[1])]
    A = A.tocsr()
    lo, up = arrays["row_lower"], arrays["row_upper"]
    for i in range(A.shape[0]):
        if math.isinf(lo[i]) and math.isinf(up[i]):
            continue
        cols, vals = A.indices[A.indptr[i]:A.indptr[i + 1]], A.data[A.indptr[i]:A.indptr[i + 1]]
        expr = pyscipopt.quicksum(float(v) * xs[j] for j, v in zip(cols, vals, strict=True))
        model.addCons(pyscipopt.scip.ExprCons(expr, lhs=_finite_or_none(lo[i]), rhs=_finite_or_none(up[i])))
    c = arrays["c"]
    model.setObjective(pyscipopt.quicksum(float(c[j]) * xs[j] for j in np.flatnonzero(c)),
                       "maximize" if sense == "max" else "minimize")
    if offset:
        model.addObjoffset(float(offset))
    return xs


def _scip_params(model, *, time_limit, mip_gap, feasibility_tolerance, objective_target, options):
    model.setParam("limits/time", float(time_limit))
    model.setParam("limits/gap", float(mip_gap))
    if feasibility_tolerance is not None:  # SCIP's default is kept where tighter
        model.setParam("numerics/feastol", min(1e-6, float(feasibility_tolerance)))
    if objective_target is not None:
        model.setParam("limits/primal", float(objective_target))
    for key, value in (options or {}).items():
        try:
            model.setParam(key, value)
        except (KeyError, LookupError, TypeError, ValueError) as err:
            raise ValueError(f"options[{key!r}]={value!r} was refused by SCIP: {err}") from None
