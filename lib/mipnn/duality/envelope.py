"""The value function of example (10) built as Guzelsoy & Ralphs do: a lower envelope of translated continuous
value functions (notebook 01; the paper's open problem is an output-sensitive construction of the dual).

Guzelsoy & Ralphs (2007, "Duality for mixed-integer linear programs") observe that for a MILP with one row the
value function is the minimum, over the integer parts ``x`` that can occur, of ``c_I·x + z_C(b − A_I·x)``, where
``z_C`` is the value function of the continuous restriction. For (10) the continuous part is
``min 2 Y1 + Y2 s.t. Y1 − Y2 = r`` with ``z_C(r) = max(2r, −r)`` — the approximation (12) — and the integer part
``(X1, X2)`` shifts it by ``s = X1 − 3/2 X2`` and lifts it by ``X1 / 2``. So ``z`` is the lower envelope of
copies of one V-shaped function.

:func:`value_envelope` builds that envelope and keeps only the copies that matter: among integer parts with the
same shift only the cheapest, and a copy ``(s_i, v_i)`` is dropped when another copy lies below it everywhere,
which for translates of one sublinear function is exactly ``v_j + z_C(s_i − s_j) ≤ v_i``. The kinks of ``z``
are the surviving vertices and one crossing between each consecutive pair. The work grows with the number of
integer parts, not with a grid; the result is exact at every ``b`` in the interval and is the optimal
subadditive dual function there (strong duality), so the discretised dual LP of :func:`~mipnn.duality.dual_lp`
can be compared with it point by point.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..numerics import TOL
from ..validation import check_number
from .example import check_example_size, continuous_cost

__all__ = ["ValueEnvelope", "value_envelope"]


@dataclass(frozen=True)
class ValueEnvelope:
    """``z(b) = min_i v_i + z_C(b − s_i)`` over the surviving copies; ``candidates`` integer parts were looked at."""

    shifts: np.ndarray
    costs: np.ndarray
    integer_parts: np.ndarray
    interval: tuple[float, float]
    candidates: int
    seconds: float

    def __call__(self, b) -> np.ndarray:
        b_arr = np.atleast_1d(np.asarray(b, dtype=np.float64))
        lo, hi = self.interval
        if (b_arr < lo - TOL).any() or (b_arr > hi + TOL).any():
            raise ValueError(f"the envelope is exact on [{lo:g}, {hi:g}] only")
        vals = (self.costs[None, :] + continuous_cost(b_arr[:, None] - self.shifts[None, :])).min(axis=1)
        return vals if np.ndim(b) else vals[0]

    def breakpoints(self) -> np.ndarray:
        """The kinks of ``z`` inside the interval: surviving vertices and the crossing of each consecutive pair
        (right arm of slope 2 meets left arm of slope −1)."""
        s, v = self.shifts, self.costs
        cross = (v[1:] - v[:-1] + 2 * s[:-1] + s[1:]) / 3.0
        pts = np.sort(np.concatenate([s, cross]))
        lo, hi = self.interval
        return pts[(pts >= lo - TOL) & (pts <= hi + TOL)]


def value_envelope(b_lo: float, b_hi: float, n: int | None = None, m: int | None = None) -> ValueEnvelope:
    """The value function of (10) on ``[b_lo, b_hi]`` as a lower envelope (module docstring).

    With ``n, m`` the bounded primal (``X1 ≤ m``, ``X2 ≤ n − m``); with ``n = m = None`` the unbounded one, whose
    integer parts are bounded on the interval by ``z(b) ≤ z_C(b)`` (as in :func:`~mipnn.duality.enumerate_value`).
    """
    check_number("b_lo", b_lo)
    check_number("b_hi", b_hi)
    if not b_lo < b_hi:
        raise ValueError(f"b_lo must be smaller than b_hi, got [{b_lo}, {b_hi}]")
    t0 = time.perf_counter()
    if n is None and m is None:
        ub = float(max(continuous_cost(b_lo), continuous_cost(b_hi)))  # z_C is convex: largest at an end
        x1_max = int(math.floor(2 * ub + TOL))
        x2_max = int(math.ceil((ub / 2 + x1_max - b_lo) / 1.5 + TOL)) + 1
    else:
        check_example_size(n, m)
        x1_max, x2_max = m, n - m
    x1, x2 = np.meshgrid(np.arange(x1_max + 1), np.arange(max(x2_max, 0) + 1), indexing="ij")
    x1, x2 = x1.ravel(), x2.ravel()
    shift, cost = x1 - 1.5 * x2, 0.5 * x1
    # the cheapest integer part per shift
    order = np.lexsort((cost, np.round(shift, 9)))
    first = np.ones(order.size, dtype=bool)
    first[1:] = np.diff(np.round(shift[order], 9)) != 0
    keep = order[first]
    s, v = shift[keep], cost[keep]
    # drop copies that another copy lies below everywhere: v_j + z_C(s_i - s_j) <= v_i
    lift = v[None, :] + continuous_cost(s[:, None] - s[None, :])
    np.fill_diagonal(lift, np.inf)
    alive = ~(lift.min(axis=1) <= v + TOL)
    idx = keep[alive]
    o = np.argsort(shift[idx])
    idx = idx[o]
    return ValueEnvelope(shifts=shift[idx], costs=cost[idx], integer_parts=np.column_stack([x1[idx], x2[idx]]),
                         interval=(float(b_lo), float(b_hi)), candidates=int(x1.size),
                         seconds=time.perf_counter() - t0)
