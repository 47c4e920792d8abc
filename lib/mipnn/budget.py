"""A time budget shared by the MIPs of one fit.

A fit that solves several MIPs one after another (a heuristic such as Kurtz & Bah's data splitting or local search)
has two limits: the cap of each MIP (the paper's per-MIP limit) and the limit of the whole fit, model builds and the
work between the solves included. :class:`TimeBudget` hands each MIP the smaller of the two and says when the fit's
limit is used up.
"""

from __future__ import annotations

import time

from .validation import check_number

__all__ = ["TimeBudget", "MIN_SOLVE_TIME"]

#: A MIP is not started with less time than this (seconds): it could not even finish its root LP.
MIN_SOLVE_TIME = 0.05


class TimeBudget:
    """``per_solve`` seconds for each MIP, ``total`` seconds (``None``: unbounded) for the whole fit, counted from
    ``start`` (a :func:`time.perf_counter` value; default: now)."""

    def __init__(self, per_solve: float, total: float | None = None, start: float | None = None):
        self.per_solve = check_number("per_solve", per_solve, low=0.0, low_open=True)
        self.total = check_number("total", total, low=0.0, low_open=True, allow_none=True)
        self.start = time.perf_counter() if start is None else float(start)

    @property
    def deadline(self) -> float | None:
        """The :func:`time.perf_counter` value at which the fit's limit is used up (``None`` without a total)."""
        return None if self.total is None else self.start + self.total

    def remaining(self) -> float:
        """Seconds left of the whole fit (``inf`` without a total)."""
        if self.total is None:
            return float("inf")
        return self.total - (time.perf_counter() - self.start)

    def next_limit(self, *, first: bool = False) -> float | None:
        """The time limit of the next MIP, or ``None`` when the fit's limit is used up. The ``first`` MIP of a fit
        always runs (with at least :data:`MIN_SOLVE_TIME`), so a fit returns a network."""
        left = self.remaining()
        if left < MIN_SOLVE_TIME:
            return MIN_SOLVE_TIME if first else None
        return min(self.per_solve, left)
