"""Backpropagation through a MILP: the practical use of Corollary 1 of Aspman, Korpas & Marecek (AAAI 2024).

A trainable continuous layer produces a MILP's right-hand side ``b = theta . x`` and the loss depends on the
MILP's optimal value ``z(b)``. The value function is piecewise linear (it is the optimal subadditive dual
function), hence tame and locally Lipschitz, so it has a conservative field and the chain rule holds:

    d loss / d theta  =  loss'(z(b)) * g * x,     g in D_z(b).

An element ``g`` is cheap to get: solve the MILP, fix its integer variables at the optimum, solve the remaining
LP and read the dual of the row that carries ``b`` (locally, ``z`` coincides with that LP's value function, whose
slope is that dual). The naive alternative uses the dual of the LP *relaxation*, i.e. the slope of a different
function.

:class:`ParametricMILP` compiles a Pyomo model with a mutable ``Param`` in its right-hand side ONCE (two compiles
at different parameter values tell which rows move and how fast) and then solves each new ``b`` through
:func:`mipnn.solve.solve_matrices` by changing only the row bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..solve import TIGHT_TOLERANCE, compile_model, solve_matrices
from ..validation import check_choice, check_number, check_positive_int

__all__ = ["ParametricMILP", "ValueAndSlope", "rhs_regression_loss", "gradient_check", "train_rhs_layer"]


@dataclass(frozen=True)
class ValueAndSlope:
    value: float
    slope: float


class ParametricMILP:
    """A linear Pyomo model whose right-hand side depends on one mutable scalar ``Param``, compiled once.

    ``value(b)`` returns ``z(b)``; ``value_and_slope(b, method)`` also returns an element of the conservative field
    of ``z`` at ``b``: ``method="milp"`` (fix integers at the MILP optimum, LP dual) or ``method="lp_relaxation"``
    (dual of the LP relaxation, the naive gradient; ``value`` is then the relaxation's value).
    """

    def __init__(self, model, param, *, time_limit: float = 30.0):
        check_number("time_limit", time_limit, low=0, low_open=True)
        self.time_limit = float(time_limit)
        b0 = float(param.value)
        param.set_value(b0 + 1.0)
        data1, _, _ = compile_model(model)
        param.set_value(b0)
        data, columns, _ = compile_model(model)
        self._data, self.columns, self.b0 = data, columns, b0
        # rows whose bounds move with the parameter, and by how much per unit (any coefficient, any sign)
        def shift(a, b):
            ok = np.isfinite(a) & np.isfinite(b)
            return np.where(ok, np.where(ok, a, 0.0) - np.where(ok, b, 0.0), 0.0)

        lo_shift = shift(data1["row_lower"], data["row_lower"])
        up_shift = shift(data1["row_upper"], data["row_upper"])
        self._lo_shift, self._up_shift = lo_shift, up_shift
        if not (np.abs(lo_shift).any() or np.abs(up_shift).any()):
            raise ValueError("the parameter does not appear in any right-hand side of the model")
        self._rows = np.flatnonzero((lo_shift != 0) | (up_shift != 0))
        self._integ = data["integrality"].astype(bool)
        self.n_solves = 0

    def _bounds(self, b):
        d = b - self.b0
        return self._data["row_lower"] + d * self._lo_shift, self._data["row_upper"] + d * self._up_shift

    def _solve(self, b, *, relax=False, fix=None):
        d = self._data
        rl, ru = self._bounds(b)
        cl, cu = d["col_lower"].copy(), d["col_upper"].copy()
        integ = None if relax else d["integrality"]
        if fix is not None:
            cl[self._integ] = cu[self._integ] = fix
            integ = None
        self.n_solves += 1
        return solve_matrices(d["c"], d["A"], rl, ru, cl, cu, integ, sense=d["sense"], offset=d["offset"],
                              time_limit=self.time_limit, feasibility_tolerance=TIGHT_TOLERANCE)

    def _slope(self, sol):
        # d value / d b = sum over moving rows of (row dual) * (d bound / d b); an equality row moves both bounds
        y = sol.row_dual[self._rows]
        shift = np.where(self._up_shift[self._rows] != 0, self._up_shift[self._rows], self._lo_shift[self._rows])
        return float((y * shift).sum())

    def value(self, b: float) -> float:
        rec, _ = self._solve(float(b))
        return float(rec.objective)

    def value_and_slope(self, b: float, method: str = "milp") -> ValueAndSlope:
        check_choice("method", method, ("milp", "lp_relaxation"))
        b = float(b)
        if method == "lp_relaxation":
            rec, sol = self._solve(b, relax=True)
            return ValueAndSlope(float(rec.objective), self._slope(sol))
        rec, sol = self._solve(b)
        rec2, sol2 = self._solve(b, fix=np.round(sol.x[self._integ]))
        return ValueAndSlope(float(rec.objective), self._slope(sol2))


def rhs_regression_loss(theta, X, t, oracle: ParametricMILP, *, method: str = "milp", with_grad: bool = True):
    """``L(theta) = mean_i (z(theta . x_i) - t_i)^2`` and its chain-rule gradient.

    The gradient is ``mean_i 2 (z_i - t_i) g_i x_i`` with ``g_i`` from ``oracle.value_and_slope(b_i, method)``;
    the loss itself always uses the true MILP value ``z`` (also for ``method="lp_relaxation"``, where only the
    slope is replaced — the naive gradient).
    """
    theta = np.asarray(theta, dtype=float)
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    b = X @ theta
    if not with_grad:
        z = np.array([oracle.value(bi) for bi in b])
        return float(np.mean((z - t) ** 2)), None
    z, g = np.empty(b.size), np.empty(b.size)
    for i, bi in enumerate(b):
        if method == "milp":
            vs = oracle.value_and_slope(bi, "milp")
            z[i], g[i] = vs.value, vs.slope
        else:
            z[i], g[i] = oracle.value(bi), oracle.value_and_slope(bi, "lp_relaxation").slope
    r = z - t
    grad = (2 * r * g) @ X / b.size
    return float(np.mean(r ** 2)), grad


def gradient_check(theta, X, t, oracle: ParametricMILP, *, h: float = 1e-5, kink_margin: float = 1e-3,
                   kinks=None) -> dict:
    """Compare the chain-rule gradient with central finite differences at ``theta``.

    ``kinks`` (optional array) are the known nonsmooth points of ``z``; the check reports whether every
    ``b_i = theta . x_i`` is at least ``kink_margin`` away from them (then the two must agree up to round-off,
    because ``z`` is linear near each ``b_i``).
    """
    theta = np.asarray(theta, dtype=float)
    _, grad = rhs_regression_loss(theta, X, t, oracle)
    fd = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        fd[j] = (rhs_regression_loss(theta + e, X, t, oracle, with_grad=False)[0]
                 - rhs_regression_loss(theta - e, X, t, oracle, with_grad=False)[0]) / (2 * h)
    b = np.asarray(X, dtype=float) @ theta
    away = True if kinks is None else bool((np.abs(b[:, None] - np.asarray(kinks)[None, :]).min(axis=1)
                                             > kink_margin).all())
    err = float(np.abs(grad - fd).max())
    return {"grad": grad, "finite_diff": fd, "abs_error": err,
            "rel_error": err / max(1e-12, float(np.abs(fd).max())), "away_from_kinks": away}


def train_rhs_layer(theta0, X, t, oracle: ParametricMILP, *, method: str = "milp", n_steps: int = 50,
                    lr: float = 0.05, schedule: str = "sqrt") -> pd.DataFrame:
    """Gradient descent on ``theta`` through the MILP (steps of the form (9)), one row per step.

    ``method="milp"``: the conservative-field gradient; ``"lp_relaxation"``: the naive LP-relaxation gradient.
    Step size ``lr / sqrt(k + 1)`` (``schedule="sqrt"``) or constant ``lr``. Columns: step, loss, grad_norm,
    theta_0, theta_1, ...
    """
    check_choice("method", method, ("milp", "lp_relaxation"))
    check_choice("schedule", schedule, ("sqrt", "constant"))
    check_positive_int("n_steps", n_steps)
    check_number("lr", lr, low=0, low_open=True)
    theta = np.asarray(theta0, dtype=float).copy()
    rows = []
    for k in range(n_steps + 1):
        loss, grad = rhs_regression_loss(theta, X, t, oracle, method=method)
        rows.append({"step": k, "loss": loss, "grad_norm": float(np.linalg.norm(grad)),
                     **{f"theta_{j}": float(v) for j, v in enumerate(theta)}})
        if k == n_steps:
            break
        alpha = lr / np.sqrt(k + 1.0) if schedule == "sqrt" else lr
        theta = theta - alpha * grad
    return pd.DataFrame(rows)
