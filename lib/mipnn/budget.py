"""A time budget shared by the MIPs of one fit.

A fit that solves several MIPs one after another (a heuristic such as Kurtz & Bah's data splitting or local search)
has two limits: the cap of each MIP (the paper's per-MIP limit) and the limit of the whole fit, model builds and the
work between the solves included. :class:`TimeBudget` hands each MIP the smaller of the two and says when the fit's
limit is used up.
"""

from __future__ import annotations

import gc
import logging
import math
import time

from .exceptions import BuildTimeError
from .validation import check_number

__all__ = ["TimeBudget", "MIN_SOLVE_TIME", "BuildClock", "HANDOFF_SHARE", "check_handoff", "above"]

#: A MIP is not started with less time than this (seconds): it could not even finish its root LP.
MIN_SOLVE_TIME = 0.05
#: Handing a built Pyomo model to the solver (compiling its matrix) takes about this share of its build time
#: (measured 0.2–0.5 for sign-net and BDNN MIPs of 0.2 million nonzeros).
HANDOFF_SHARE = 0.3


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


class BuildClock:
    """The clock of a model build that belongs to a fit with a ``deadline`` (a :func:`time.perf_counter` value, or
    ``None``: no limit): the builder calls :meth:`tick` as it adds its ``total`` rows, and the build stops with
    :class:`~mipnn.exceptions.BuildTimeError` as soon as the deadline has passed (a Pyomo build is slow: 30–90 µs
    per nonzero on a loaded machine, so a large model could otherwise take many times the fit's limit).

    Used as a context manager (``with BuildClock(...) as clock:``) it also pauses Python's cyclic garbage collector
    for the build, as Pyomo's own writers do: its full collections over the growing model took half of the build
    time and stalled it for up to a second between two rows (measured: a sign-net MIP of N = 120 samples, 30
    features, 16 hidden units, 17–20 s to build with the collector, 8 s without). Pyomo's log of a rule that
    raised is silenced meanwhile: the :class:`~mipnn.exceptions.BuildTimeError` says what happened."""

    def __init__(self, deadline: float | None, total: int, what: str = "the MIP"):
        self.deadline = None if deadline is None else float(deadline)
        self.total, self.what = max(int(total), 1), what
        self.done = 0
        self.start = time.perf_counter()
        self._gc, self._log_level = False, logging.NOTSET

    def __enter__(self) -> "BuildClock":
        self._gc = gc.isenabled()
        gc.disable()
        log = logging.getLogger("pyomo.core")
        self._log_level = log.level
        log.setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("pyomo.core").setLevel(self._log_level)
        if self._gc:
            gc.enable()

    def tick(self, rows: int = 1) -> None:
        """``rows`` more rows were added; raise :class:`~mipnn.exceptions.BuildTimeError` past the deadline."""
        self.done += rows
        if self.deadline is None:
            return
        now = time.perf_counter()
        if now < self.deadline:
            return
        elapsed = now - self.start
        fraction = min(self.done / self.total, 1.0)
        if fraction < 0.05:  # too little built to extrapolate: the limit went to what came before the build
            estimate = math.nan
            detail = (f"the limit was used up before the build got going ({fraction:.1%} of its rows after "
                      f"{elapsed:.1f} s): the fit's earlier work took it (a MIP start, k-means; in a fresh process "
                      "importing Pyomo alone takes seconds)")
        else:
            estimate = elapsed / fraction
            detail = (f"{fraction:.0%} of its rows were built in {elapsed:.1f} s, so building it takes about "
                      f"{estimate:.0f} s on this machine now")
        raise BuildTimeError(f"time_limit ran out while building {self.what}: {detail}; raise time_limit"
                             f"{above(estimate * (1 + HANDOFF_SHARE))}, or use fewer samples or smaller hidden "
                             "layers", fraction=fraction, elapsed=elapsed, estimate=estimate, detail=detail)


def check_handoff(deadline: float | None, build_time: float, what: str = "the MIP") -> None:
    """Raise :class:`~mipnn.exceptions.BuildTimeError` when a model built in ``build_time`` seconds cannot be handed
    to the solver before ``deadline`` (:data:`HANDOFF_SHARE` of its build time): the fit would end late."""
    if deadline is None:
        return
    left = deadline - time.perf_counter()
    need = HANDOFF_SHARE * build_time
    if left < need:
        estimate = build_time + need
        detail = (f"it was built in {build_time:.1f} s, and handing it to the solver takes about {need:.0f} s more "
                  f"({max(left, 0.0):.1f} s were left)")
        raise BuildTimeError(f"time_limit ran out while building {what}: {detail}; raise time_limit above "
                             f"{estimate:.0f} s, or use fewer samples or smaller hidden layers", fraction=1.0,
                             elapsed=build_time, estimate=build_time, detail=detail)


def above(seconds: float) -> str:
    """`` above N s`` for an error's advice to raise a time limit, or nothing when ``seconds`` is not known (NaN)."""
    return "" if math.isnan(seconds) else f" above {seconds:.0f} s"
