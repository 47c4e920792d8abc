"""The one rule that decides whether we reproduced a paper's number: used by every notebook table, every
``summary.json`` and the README.

A comparison holds both sides — the paper's and ours — as a :class:`Side` (mean, spread, number of runs) and
answers with a :class:`Verdict`. Categories, checked in this order:

1. ``"no reference"`` — the paper gives no number for this point;
2. ``"no result"`` — none of our runs produced a network (e.g. no incumbent within the limit);
3. ``"stopped by our limit"`` — at least one of our runs ended on our time or work limit (or by a looser rule)
   instead of the paper's own stopping rule, so the number is not the paper's method run to the paper's criterion;
4. ``"trivial predictor"`` — the paper's number beats the trivial predictor (the majority class, or chance) but ours
   does not: our mean is no better than the trivial accuracy, or most of our runs are trivial predictors;
5. ``"short"`` / ``"above"`` — the difference ``ours − paper`` is outside the tolerance;
6. ``"inconclusive"`` — the difference is inside the tolerance, but the tolerance is wider than
   :data:`MAX_TOLERANCE` (5 points): the runs are too few or too noisy to tell a reproduction from a 5-point miss;
7. ``"reproduced"`` — ``|ours − paper| ≤ tolerance ≤ MAX_TOLERANCE``.

Tolerance. The two means come from few runs (the authors used 5 seeds per point, we 1–3), so the rule asks whether
their difference is within about two standard errors of a difference of two means::

    tolerance = max(floor, z · sqrt(s_paper² / n_paper + s_ours² / n_ours)),   z = 2, floor = 1.5 points

(Welch's standard error; ``z = 2`` is the usual ~95 % band). A side with a single run, or without a reported spread,
has no spread of its own: it borrows the other side's per-run spread (same method, same data, so the same run-to-run
variation is the best estimate available). When neither side has a spread, the fixed ``floor`` alone is the
tolerance. The floor stops a difference of a fraction of a point from being called a failure when both sides happen
to be very consistent (a test set of 16,281 Adult records resolves 0.006 points, but a different split or solver
moves accuracy by about a point). The cap :data:`MAX_TOLERANCE` keeps noise from passing for agreement: the
authors' max-correct runs at N = 40 spread by 6 points, ours (3 seeds) by 8, so a 10-point miss is within two
standard errors — not evidence of a reproduction, only of too few runs ("inconclusive").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .numerics import TOL
from .validation import check_number

__all__ = ["Side", "Verdict", "tolerance", "verdict", "CATEGORIES", "Z", "FLOOR", "MAX_TOLERANCE"]

#: Width of the band in standard errors of the difference of means.
Z = 2.0
#: Smallest tolerance, in the metric's unit (accuracy points).
FLOOR = 1.5
#: A wider tolerance cannot confirm a reproduction: the comparison is "inconclusive".
MAX_TOLERANCE = 5.0
CATEGORIES = ("no reference", "no result", "stopped by our limit", "trivial predictor", "short", "above",
              "inconclusive", "reproduced")


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the mean over ``n`` runs and their standard deviation (``None``: not reported)."""

    mean: float | None
    std: float | None = None
    n: int = 1

    def __post_init__(self):
        for name in ("mean", "std"):  # NaN (pandas' missing value) means "not reported"
            value = getattr(self, name)
            if value is not None and isinstance(value, float) and math.isnan(value):
                object.__setattr__(self, name, None)
            elif value is not None:
                object.__setattr__(self, name, float(check_number(name, value)))
        check_number("n", self.n, low=0, integer=True)
        if self.std is not None and self.std < 0:
            raise ValueError(f"std={self.std} must be >= 0")

    @property
    def per_run_spread(self) -> float | None:
        """The spread of one run, when this side measured it (at least two runs and a reported std)."""
        return self.std if (self.std is not None and self.n >= 2) else None


@dataclass(frozen=True)
class Verdict:
    """What the rule decided: the ``category``, the difference ``ours − paper``, the tolerance and a short text."""

    category: str
    difference: float | None
    tolerance: float | None
    text: str

    @property
    def reproduced(self) -> bool:
        return self.category == "reproduced"

    def as_dict(self) -> dict:
        return {"category": self.category, "difference": self.difference, "tolerance": self.tolerance,
                "text": self.text}


def tolerance(paper: Side, ours: Side, *, z: float = Z, floor: float = FLOOR) -> float:
    """``max(floor, z · sqrt(s_p²/n_p + s_o²/n_o))``, a side without its own spread borrowing the other's."""
    check_number("z", z, low=0.0)
    check_number("floor", floor, low=0.0)
    sp, so = paper.per_run_spread, ours.per_run_spread
    sp = so if sp is None else sp
    so = sp if so is None else so
    if sp is None:  # neither side measured a spread
        return float(floor)
    se = math.sqrt(sp ** 2 / max(paper.n, 1) + so ** 2 / max(ours.n, 1))
    return float(max(floor, z * se))


def _fmt(x: float) -> str:
    return f"{x:+.1f}"


def verdict(paper: Side, ours: Side, *, limit_runs: int = 0, trivial: float | None = None, trivial_runs: int = 0,
            z: float = Z, floor: float = FLOOR, max_tolerance: float = MAX_TOLERANCE, unit: str = "pt") -> Verdict:
    """Decide one comparison (module docstring). Means are in ``unit`` (accuracy points by default).

    ``limit_runs``: how many of our runs ended on our limit instead of the paper's stopping rule.
    ``trivial``: the trivial predictor's value (e.g. the majority-class accuracy) when it applies;
    ``trivial_runs``: how many of our runs are trivial predictors (e.g. predict one class for every point).
    """
    check_number("limit_runs", limit_runs, low=0, integer=True)
    check_number("trivial_runs", trivial_runs, low=0, integer=True)
    check_number("trivial", trivial, allow_none=True)
    check_number("max_tolerance", max_tolerance, low=0.0)
    if paper.mean is None:
        return Verdict("no reference", None, None, "no reference number in the paper")
    if ours.mean is None or ours.n == 0:
        return Verdict("no result", None, None, "none of our runs produced a network")
    d = float(ours.mean - paper.mean)
    tol = tolerance(paper, ours, z=z, floor=floor)
    n = ours.n
    if limit_runs:
        trivial_note = f"; {trivial_runs} trivial" if trivial_runs else ""
        return Verdict("stopped by our limit", d, tol,
                       f"{limit_runs} of {n} run(s) ended by our limit or a looser rule, not the paper's "
                       f"({_fmt(d)} {unit}{trivial_note})")
    if trivial is not None and paper.mean > trivial + TOL:
        if ours.mean <= trivial + TOL or 2 * trivial_runs > n:
            return Verdict("trivial predictor", d, tol,
                           f"no better than the trivial predictor ({trivial:.2f} {unit}; {trivial_runs} of {n} "
                           f"run(s) trivial); paper {paper.mean:.1f}")
    if d < -tol - TOL:
        return Verdict("short", d, tol, f"short by {-d:.1f} {unit} (tolerance ±{tol:.1f})")
    if d > tol + TOL:
        return Verdict("above", d, tol, f"above by {d:.1f} {unit} (tolerance ±{tol:.1f})")
    if tol > max_tolerance + TOL:
        return Verdict("inconclusive", d, tol, f"inconclusive: {_fmt(d)} {unit} within ±{tol:.1f}, too noisy to "
                                               f"confirm (needs ±{max_tolerance:g})")
    return Verdict("reproduced", d, tol, f"reproduced ({_fmt(d)} {unit}, tolerance ±{tol:.1f})")
