"""The three training objectives of Thorbjarnarson & Yorke-Smith (2021) and the early-stop rule, outside the solver.

Reference: T. Þorbjarnarson and N. Yorke-Smith, "On Training Neural Networks with Mixed Integer Programming",
IJCAI-PRICAI 2020 Workshop on Data Science Meets Optimisation (arXiv:2009.03825). Equation numbers are the paper's.

The output of a network is the integer ``s = Σ_i c_i + b`` of each output unit, read as ``ŷ = 2 s / B`` with
``B = P (n_{L-1} + 1)`` (1) (:func:`output_scale`). Labels are ±1 one-hot.

* ``"max_correct"`` (13)–(17) counts the samples whose true output is the only non-negative one;
* ``"min_hinge"`` (18)–(19) sums ``g(ŷ y)``, ``g`` the convex piecewise-linear interpolant of ``max(0, m − t)²``
  through the authors' ``2B + 1`` breakpoints on ``[-1, 1]`` (:func:`hinge_pwl`, :func:`hinge_values`);
* ``"sat_margin"`` (20)–(24) counts the outputs whose margin ``ŷ y ≥ m`` holds, i.e. ``s y ≥ ⌈m B / 2⌉``
  (:func:`margin_level`).

Early stop ("stop once the incumbent guarantees a training accuracy ≥ τ"): :func:`objective_target` gives, per
objective, an objective value that implies it (``E = N − ⌈τN⌉`` errors allowed, ``K`` outputs):

* max-correct: the objective counts correct samples, target ``⌈τN⌉``;
* sat-margin: a sample whose ``K`` margins all hold is correct, so at most ``NK − obj`` samples are wrong;
  target ``NK − E`` (the authors' rule, ``#unsatisfied ≤ 0.1 N``, is the same);
* min-hinge, two rules (``stop_rule``):

  - ``"authors"`` (default): the authors' code stops at ``loss < ⌊(1 − τ) N m²⌋ + 1`` (``⌊0.025 N⌋ + 1`` for
    τ = 0.9, m = ½), a threshold not derived from the accuracy but stricter than the next one (8 against 14.5 at
    N = 280);
  - ``"accuracy"``: a wrong (or tied) sample has ``ŷ_true ≤ ŷ_j`` for some other ``j``, and since ``g`` is convex
    and non-increasing, ``g(ŷ_true) + g(-ŷ_j) ≥ 2 g(0) = 2m² = 1/2``; a loss below ``2m²(E + 1)`` therefore
    leaves at most ``E`` wrong samples — the loosest loss that still guarantees τ.

:func:`guaranteed_accuracy` is the converse: the training accuracy that an objective value alone proves.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..numerics import TOL
from ..validation import check_choice, check_number, check_positive_int

__all__ = ["OBJECTIVES", "MARGIN", "STOP_RULES", "output_scale", "margin_level", "hinge_pwl", "hinge_values",
           "objective_from_outputs", "objective_target", "guaranteed_accuracy"]

OBJECTIVES = ("max_correct", "min_hinge", "sat_margin")
#: Margin ``m`` of sat-margin (21) and of the squared hinge (18).
MARGIN = 0.5
#: Early-stop rules for min-hinge (the other objectives have one): the authors' threshold, or the loosest loss that
#: guarantees the target accuracy.
STOP_RULES = ("authors", "accuracy")


def output_scale(hidden: Sequence[int], P: int) -> int:
    """``B = P·(n_{L-1} + 1)``: the bound on the integer output ``s``; ``ŷ = 2 s / B`` (1)."""
    return int(P * (hidden[-1] + 1))


def margin_level(margin: float, B: int) -> int:
    """Smallest integer ``s·y`` with ``2 s y / B ≥ margin`` ((21) on the integer output)."""
    return int(math.ceil(margin * B / 2 - TOL))


def hinge_pwl(B: int, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of the linear pieces of ``g`` (convex PWL squared hinge, authors' breakpoints).

    Breakpoints: ``2B + 1`` equally spaced points on ``[-1, 1]``; pieces whose both ends are 0 are dropped
    (``z ≥ 0`` covers them). Returns ``(slope, intercept)`` arrays with ``g(t) = max(0, max_p slope_p t + icpt_p)``.
    """
    t = np.linspace(-1.0, 1.0, 2 * B + 1)
    f = np.maximum(0.0, margin - t) ** 2
    slope = np.diff(f) / np.diff(t)
    icpt = f[:-1] - slope * t[:-1]
    keep = (f[:-1] > 0) | (f[1:] > 0)
    return slope[keep], icpt[keep]


def hinge_values(t: np.ndarray, B: int, margin: float = MARGIN) -> np.ndarray:
    """``g(t)`` of (19) elementwise (``t = ŷ·y``)."""
    slope, icpt = hinge_pwl(B, margin)
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(0.0, np.max(np.multiply.outer(t, slope) + icpt, axis=-1))


def objective_from_outputs(objective: str, s: np.ndarray, Y: np.ndarray, hidden: Sequence[int], P: int,
                           margin: float = MARGIN) -> float:
    """The objective value that weights producing integer outputs ``s`` have, recomputed outside the solver."""
    check_choice("objective", objective, OBJECTIVES)
    B = output_scale(hidden, P)
    s = np.asarray(s, dtype=np.float64)
    if objective == "max_correct":
        pos = s >= 0
        ok = (pos.sum(axis=1) == 1) & pos[Y > 0]
        return float(ok.sum())
    sy = s * Y
    if objective == "sat_margin":
        return float((sy >= margin_level(margin, B) - TOL).sum())
    return float(hinge_values(2 * sy / B, B, margin).sum())


def objective_target(objective: str, n_samples: int, target_accuracy: float, *, n_outputs: int = 2,
                     margin: float = MARGIN, stop_rule: str = "authors") -> float:
    """The objective value at which training stops (module docstring): for max-correct and sat-margin the value
    that guarantees training accuracy ≥ ``target_accuracy``; for min-hinge the authors' threshold
    (``stop_rule="authors"``) or the accuracy-derived one (``"accuracy"``). A loss target is returned just below
    the threshold (the stop is "loss < threshold")."""
    check_choice("objective", objective, OBJECTIVES)
    check_choice("stop_rule", stop_rule, STOP_RULES)
    check_positive_int("n_samples", n_samples)
    check_number("target_accuracy", target_accuracy, low=0.0, high=1.0)
    check_positive_int("n_outputs", n_outputs, minimum=2)
    need = int(math.ceil(target_accuracy * n_samples - TOL))
    errors = n_samples - need
    if objective == "max_correct":
        return float(need)
    if objective == "sat_margin":
        return float(n_samples * n_outputs - errors)
    # strictly below the threshold: HiGHS stops at an incumbent strictly better than its objective target
    if stop_rule == "authors":
        return math.floor((1 - target_accuracy) * n_samples * margin ** 2 + TOL) + 1 - 1e-6
    return 2 * margin ** 2 * (errors + 1) - 1e-6


def guaranteed_accuracy(objective: str, value: float, n_samples: int, *, n_outputs: int = 2,
                        margin: float = MARGIN) -> float:
    """Lower bound on the training accuracy implied by an objective value alone (exact for max-correct)."""
    check_choice("objective", objective, OBJECTIVES)
    if value is None:
        return float("nan")
    if objective == "max_correct":
        correct = round(value)
    elif objective == "sat_margin":
        correct = max(0, round(value) - n_samples * (n_outputs - 1))
    else:
        wrong_max = math.floor(value / (2 * margin ** 2) + TOL)
        correct = max(0, n_samples - wrong_max)
    return correct / n_samples
