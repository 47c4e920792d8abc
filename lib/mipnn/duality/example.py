"""The example MILP (10) of Aspman, Korpas & Marecek (AAAI 2024), its value function and its subadditive dual (11).

The example (from Guzelsoy & Ralphs 2007, Example 1) is a one-row MILP

    z(b) = min  1/2 X1 + 2 Y1 + Y2   s.t.  X1 - 3/2 X2 + Y1 - Y2 = b,   X1, X2 integer >= 0,  Y1, Y2 >= 0,

where in the paper ``X1 = sum_{i<=m} u_i`` and ``X2 = sum_{i>m} u_i`` are sums of binary output units of a BNN, so
``X1 <= m`` and ``X2 <= n - m``. Its subadditive dual (11) asks for a subadditive ``f`` with ``f(0) = 0``,
``f(1) <= 1/2`` and ``f(-3/2) <= 0`` (the two integer columns) and upper directional derivatives
``fbar(1) <= 2``, ``fbar(-1) <= 1`` (the two continuous columns); it maximises ``f(b)``.

Two versions of the primal appear here and are kept apart on purpose:

* the **bounded** primal (the paper's (10), ``X1 <= m``, ``X2 <= n - m``): what the BNN reading describes;
* the **unbounded** primal (``X1, X2 in Z_+``): the problem whose dual is exactly (11). The bounds add rows to
  the primal (hence dimensions to the dual); where they do not bind, both value functions agree.

Everything computational in the paper's example is here: the value function on a grid (one model, the
right-hand side a mutable ``Param``), the LP relaxation's value function, an independent enumeration check, the
approximation (12), a checker for the constraints of (11) and a discretised dual LP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp

from ..numerics import TOL
from ..solve import TIGHT_TOLERANCE, solve, solve_matrices
from ..validation import check_choice, check_number

__all__ = ["INTEGER_COLUMNS", "CONTINUOUS_COLUMNS", "build_example_milp", "value_function", "continuous_cost",
           "enumerate_value", "lp_value_unbounded", "approx12", "check_dual_function", "DualLPResult",
           "dual_lp", "dual_interpolation_gap", "check_example_size"]

#: (column a_j, cost c_j) of the integer variables X1, X2 in the row  X1 - 3/2 X2 + Y1 - Y2 = b
INTEGER_COLUMNS = ((1.0, 0.5), (-1.5, 0.0))
#: (column g_k, cost d_k) of the continuous variables Y1, Y2
CONTINUOUS_COLUMNS = ((1.0, 2.0), (-1.0, 1.0))


def check_example_size(n, m) -> None:
    """The paper requires ``1 < m < n`` (integers)."""
    check_number("n", n, low=3, integer=True)
    check_number("m", m, low=2, high=n - 1, integer=True)


def build_example_milp(n: int | None, m: int | None, b: float = 0.0, *, relax: bool = False,
                       form: str = "binary") -> pyo.ConcreteModel:
    """Example (10) as a Pyomo model whose right-hand side ``model.b`` is a mutable ``Param``.

    ``form="binary"`` writes the MILP as printed: ``n`` binary units, ``X1`` the sum of the first ``m``, ``X2`` of
    the rest. ``form="aggregate"`` uses integer ``X1 in [0, m]``, ``X2 in [0, n - m]`` directly (same value
    function); with ``n = m = None`` it is the unbounded primal ``X1, X2 in Z_+`` that (11) dualises.
    ``relax=True`` gives the LP relaxation (binaries in [0, 1], integers continuous).
    """
    check_choice("form", form, ("binary", "aggregate"))
    check_number("b", b)
    unbounded = n is None and m is None
    if unbounded and form == "binary":
        raise ValueError("form='binary' needs n and m; the unbounded primal is only available as form='aggregate'")
    if not unbounded:
        check_example_size(n, m)
    mdl = pyo.ConcreteModel(name="example10")
    mdl.b = pyo.Param(mutable=True, initialize=float(b))
    mdl.Y1 = pyo.Var(bounds=(0, None))
    mdl.Y2 = pyo.Var(bounds=(0, None))
    if form == "binary":
        mdl.U = pyo.RangeSet(1, n)
        mdl.u = pyo.Var(mdl.U, domain=pyo.UnitInterval if relax else pyo.Binary)
        mdl.X1 = pyo.Var(bounds=(0, m), domain=pyo.Reals if relax else pyo.Integers)
        mdl.X2 = pyo.Var(bounds=(0, n - m), domain=pyo.Reals if relax else pyo.Integers)
        # (10): X1 and X2 count the active output units of the two blocks
        mdl.def_X1 = pyo.Constraint(expr=mdl.X1 == sum(mdl.u[i] for i in range(1, m + 1)))
        mdl.def_X2 = pyo.Constraint(expr=mdl.X2 == sum(mdl.u[i] for i in range(m + 1, n + 1)))
    else:
        ub1, ub2 = (None, None) if unbounded else (m, n - m)
        dom = pyo.NonNegativeReals if relax else pyo.NonNegativeIntegers
        mdl.X1 = pyo.Var(bounds=(0, ub1), domain=dom)
        mdl.X2 = pyo.Var(bounds=(0, ub2), domain=dom)
    # (10): the single coupling row with right-hand side b
    mdl.balance = pyo.Constraint(expr=mdl.X1 - 1.5 * mdl.X2 + mdl.Y1 - mdl.Y2 == mdl.b)
    mdl.obj = pyo.Objective(expr=2 * mdl.Y1 + mdl.Y2 + 0.5 * mdl.X1, sense=pyo.minimize)
    return mdl


def value_function(b_grid, n: int | None, m: int | None, *, relax: bool = False, form: str = "aggregate",
                   time_limit: float = 30.0, return_records: bool = False):
    """``z(b)`` (or the LP relaxation's value) for every ``b`` in ``b_grid``: ONE model, only ``model.b`` changes.

    Every point must be solved to optimality (a ``RuntimeError`` says which one was not). Feasibility
    tolerances are tightened to 1e-9 (HiGHS's defaults leave errors of about 1e-6 in ``z``).
    """
    b_grid = np.asarray(b_grid, dtype=float).reshape(-1)
    if not np.isfinite(b_grid).all():
        raise ValueError("b_grid contains NaN or inf")
    mdl = build_example_milp(n, m, float(b_grid[0]) if b_grid.size else 0.0, relax=relax, form=form)
    values, records = np.empty(b_grid.size), []
    for i, b in enumerate(b_grid):
        mdl.b.set_value(float(b))
        rec = solve(mdl, time_limit=time_limit, feasibility_tolerance=TIGHT_TOLERANCE)
        if rec.status != "optimal":
            raise RuntimeError(f"the solve at b={b} ended with status {rec.status!r}")
        values[i] = rec.objective
        records.append(rec)
    return (values, records) if return_records else values


def continuous_cost(r):
    """Cheapest way to cover a residual ``r`` with the continuous columns: ``2 r`` for ``r > 0``, ``-r`` else.

    This is also the approximation (12): the value function of the example with the integer variables at 0.
    """
    r = np.asarray(r, dtype=float)
    return np.where(r > 0, 2.0 * r, -r)


approx12 = continuous_cost


def lp_value_unbounded(b):
    """Closed form of the unbounded LP relaxation's value function: ``max(0, b / 2)``."""
    return np.maximum(0.0, np.asarray(b, dtype=float) / 2.0)


def enumerate_value(b, n: int | None = None, m: int | None = None) -> np.ndarray:
    """An independent computation of ``z(b)``: enumerate ``X1, X2`` and add the closed-form continuous part.

    With ``n, m`` the bounded primal ``X1 <= m``, ``X2 <= n - m``; with ``n = m = None`` the unbounded one, where
    the enumeration box is derived from the bound ``z(b) <= continuous_cost(b)`` (``X1 <= 2 z``, and ``X2`` cannot
    push the residual beyond what that bound pays for), so it is still exact.
    """
    b_arr = np.atleast_1d(np.asarray(b, dtype=float))
    if n is not None or m is not None:
        check_example_size(n, m)
    out = np.empty(b_arr.size)
    for t, bv in enumerate(b_arr):
        if n is None:
            ub = float(continuous_cost(bv))
            x1_max = int(math.floor(2 * ub + TOL))
            x2_max = int(math.ceil((ub / 2 + x1_max - bv) / 1.5 + TOL)) + 1
        else:
            x1_max, x2_max = m, n - m
        x1 = np.arange(x1_max + 1)[:, None]
        x2 = np.arange(max(x2_max, 0) + 1)[None, :]
        cost = 0.5 * x1 + continuous_cost(bv - x1 + 1.5 * x2)
        out[t] = cost.min()
    return out if np.ndim(b) else out[0]


# --------------------------------------------------------------------------------------------- dual checker


def _index_of(grid, h, value):
    k = (value - grid[0]) / h
    kr = int(round(k))
    if abs(k - kr) > 1e-6 or not 0 <= kr < grid.size:
        return None
    return kr


def check_dual_function(grid, values, *, tol: float = 1e-7) -> pd.DataFrame:
    """Check a function given on a uniform symmetric grid against the constraints of the subadditive dual (11).

    Returns one row per condition with the worst violation (``0`` = satisfied) and a witness:

    * ``f(0) = 0``;
    * ``subadditive``: ``max f(x + y) - f(x) - f(y)`` over all grid pairs whose sum is on the grid;
    * ``f(1) <= 1/2`` and ``f(-3/2) <= 0`` (integer columns);
    * ``fbar(1) <= 2`` and ``fbar(-1) <= 1`` (continuous columns); the upper directional derivative at 0 is read
      as the finest difference quotient ``f(h)/h`` and ``f(-h)/h``;
    * ``non-decreasing`` (informational): (11) says ``f in F_{R+}``, but for an *equality* row a dual function
      need not be monotone (the value function is not), so this row is reported, not required.

    ``feasible`` in ``df.attrs`` is True when every required condition holds within ``tol``.
    """
    grid = np.asarray(grid, dtype=float).reshape(-1)
    f = np.asarray(values, dtype=float).reshape(-1)
    if grid.shape != f.shape or grid.size < 3:
        raise ValueError("grid and values must be 1-D arrays of the same length (>= 3)")
    h = grid[1] - grid[0]
    if h <= 0 or not np.allclose(np.diff(grid), h, atol=TOL) or not np.isclose(grid[0], -grid[-1]):
        raise ValueError("grid must be uniform, increasing and symmetric about 0")
    idx = {v: _index_of(grid, h, v) for v in (0.0, 1.0, -1.5, h, -h)}
    missing = [v for v, i in idx.items() if i is None]
    if missing:
        raise ValueError(f"grid must contain 0, 1, -3/2 and ±h; missing {missing}")
    k0 = idx[0.0]
    # subadditivity over all pairs (i, j) with i + j - k0 on the grid
    n = grid.size
    I, J = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    S = I + J - k0
    ok = (S >= 0) & (S < n)
    viol = np.where(ok, f[np.clip(S, 0, n - 1)] - f[I] - f[J], -np.inf)
    a, c = np.unravel_index(np.argmax(viol), viol.shape)
    rows = [
        ("f(0) = 0", abs(f[k0]), "b=0", True),
        ("subadditive", max(0.0, viol[a, c]), f"x={grid[a]:.4g}, y={grid[c]:.4g}", True),
        ("f(1) <= 1/2", max(0.0, f[idx[1.0]] - 0.5), f"f(1)={f[idx[1.0]]:.4g}", True),
        ("f(-3/2) <= 0", max(0.0, f[idx[-1.5]]), f"f(-3/2)={f[idx[-1.5]]:.4g}", True),
        ("fbar(1) <= 2", max(0.0, (f[idx[h]] - f[k0]) / h - 2.0), f"f(h)/h={(f[idx[h]] - f[k0]) / h:.4g}", True),
        ("fbar(-1) <= 1", max(0.0, (f[idx[-h]] - f[k0]) / h - 1.0), f"f(-h)/h={(f[idx[-h]] - f[k0]) / h:.4g}",
         True),
    ]
    drops = f[:-1] - f[1:]
    d = int(np.argmax(drops))
    rows.append(("non-decreasing (info)", max(0.0, drops[d]), f"f({grid[d]:.4g}) > f({grid[d + 1]:.4g})", False))
    df = pd.DataFrame(rows, columns=["condition", "violation", "witness", "required"])
    df["satisfied"] = df["violation"] <= tol
    df.attrs["feasible"] = bool(df.loc[df["required"], "satisfied"].all())
    return df


# ------------------------------------------------------------------------------------------- discretised dual


@dataclass(frozen=True)
class DualLPResult:
    """Solution of the discretised dual LP: the grid, the optimal ``f`` on it and the solve record."""

    grid: np.ndarray
    f: np.ndarray
    value: float
    record: object
    n_pairs: int


def _grid(step, radius):
    q = 1.0 / step
    if abs(q - round(q)) > TOL or round(q) % 2:
        raise ValueError(f"step={step} must be 1/(2k) for an integer k >= 1 so that 1 and 3/2 lie on the grid")
    K = int(round(radius / step))
    if abs(K * step - radius) > TOL or radius < 1.5:
        raise ValueError(f"radius={radius} must be a multiple of step={step} and at least 3/2")
    return np.arange(-K, K + 1) * step, K


def dual_lp(step: float, radius: float, b: float | None = None, *, time_limit: float = 60.0) -> DualLPResult:
    """Discretised subadditive dual (11) on the grid ``{-radius, ..., radius}`` with spacing ``step``.

    Unknowns ``f(g)`` for every grid point ``g``; rows: ``f(0) = 0``, ``f(1) <= 1/2``, ``f(-3/2) <= 0``,
    ``f(h) <= 2h`` and ``f(-h) <= h`` (the directional-derivative constraints at the grid's resolution ``h``;
    subadditivity makes them equivalent to ``f(x) <= 2x``, ``f(-x) <= x`` on the grid), and
    ``f(x + y) <= f(x) + f(y)`` for every pair of grid points whose sum is on the grid. Objective: ``max f(b)``
    (``b`` on the grid) or, with ``b=None``, ``max sum_g f(g)`` (the largest dual function on the grid at once).

    Weak duality holds for ``|b| <= radius - 3/2`` (chains of columns 1, -3/2 and ±h that reach ``b`` stay on the
    grid); the value function of the *unbounded* primal restricted to the grid is feasible, so the LP's optimum is
    ``z(b)`` there. Solved with :func:`mipnn.solve.solve_matrices` (the pair rows number about ``3 (2K)^2 / 8``).
    """
    check_number("step", step, low=0, low_open=True)
    check_number("radius", radius, low=0, low_open=True)
    grid, K = _grid(step, radius)
    n = grid.size
    k = np.arange(-K, K + 1)
    # pairs x <= y, both non-zero, with x + y on the grid
    a, c = np.meshgrid(k, k, indexing="ij")
    sel = (a <= c) & (a != 0) & (c != 0) & (np.abs(a + c) <= K)
    a, c = a[sel], c[sel]
    P = a.size
    rows = np.repeat(np.arange(P), 3)
    cols = np.stack([a + c + K, a + K, c + K], axis=1).reshape(-1)
    vals = np.tile([1.0, -1.0, -1.0], P)
    A_sub = sp.coo_matrix((vals, (rows, cols)), shape=(P, n)).tocsr()
    A_sub.sum_duplicates()  # x = y gives f(2x) - 2 f(x)
    h = step
    ub_col = np.full(n, np.inf)

    def at(v):
        return int(round(v / h)) + K

    # (11): f(1) <= 1/2, f(-3/2) <= 0, fbar(1) <= 2 and fbar(-1) <= 1 at resolution h — simple column bounds
    for v, cap in ((1.0, 0.5), (-1.5, 0.0), (h, 2 * h), (-h, h)):
        ub_col[at(v)] = min(ub_col[at(v)], cap)
    lb_col = np.full(n, -np.inf)
    lb_col[K] = ub_col[K] = 0.0  # f(0) = 0
    cost = np.zeros(n)
    if b is None:
        cost[:] = 1.0
    else:
        check_number("b", b)
        kb = (b - grid[0]) / h
        if abs(kb - round(kb)) > TOL or not 0 <= round(kb) < n:
            raise ValueError(f"b={b} must be a point of the grid (spacing {h}, radius {radius})")
        cost[int(round(kb))] = 1.0
    rec, sol = solve_matrices(cost, A_sub, np.full(P, -np.inf), np.zeros(P), lb_col, ub_col, sense="max",
                              time_limit=time_limit)
    value = float(rec.objective) if b is not None else float(sol.x[K])
    return DualLPResult(grid=grid, f=sol.x.copy(), value=value, record=rec, n_pairs=P)


def dual_interpolation_gap(steps, radius: float, b_eval, z_eval, *, time_limit: float = 60.0) -> pd.DataFrame:
    """How the discretised dual approaches ``z`` as the grid is refined.

    For each grid spacing, solve :func:`dual_lp` with the sum objective (the largest dual function on the grid),
    extend it between grid points by linear interpolation and compare with ``z_eval`` (the unbounded primal's
    value function at ``b_eval``, which should lie within ``radius - 3/2``). Reports the largest and mean gap
    ``z - f``, the largest *negative* gap (a weak-duality violation; 0 expected), the LP size and its time.
    """
    b_eval = np.asarray(b_eval, dtype=float)
    z_eval = np.asarray(z_eval, dtype=float)
    if b_eval.shape != z_eval.shape:
        raise ValueError("b_eval and z_eval must have the same shape")
    if np.abs(b_eval).max() > radius - 1.5 + TOL:
        raise ValueError("every b_eval must satisfy |b| <= radius - 3/2 (weak duality needs that margin)")
    rows = []
    for step in steps:
        res = dual_lp(step, radius, None, time_limit=time_limit)
        f_eval = np.interp(b_eval, res.grid, res.f)
        gap = z_eval - f_eval
        on_grid = np.abs(b_eval / step - np.round(b_eval / step)) < TOL
        rows.append({"step": step, "grid_points": res.grid.size, "pair_rows": res.n_pairs,
                     "max_gap": float(gap.max()), "mean_gap": float(gap.mean()),
                     "max_gap_on_grid": float(np.abs(gap[on_grid]).max()) if on_grid.any() else float("nan"),
                     "weak_duality_violation": float(max(0.0, -gap.min())),
                     "lp_seconds": res.record.wall_time})
    return pd.DataFrame(rows)
