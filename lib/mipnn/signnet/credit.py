"""Credit for a trained sign network: which stage produced the final network, the STE start, the local search or
the MIP solver (a heuristic or a warm start that did the work is named as such).

:func:`final_stage` decides it from what a fit records — the start kind, the solver's stop reason, the search's
objective and the solver's final objective — and is used both by :class:`mipnn.signnet.MIPNetClassifier`
(``credit_``) and by notebook 02's sweeps (:func:`mipnn.experiments.adult.credit`).
"""

from __future__ import annotations

import math

from ..numerics import TOL

__all__ = ["STAGES", "SOLVER_STOPS", "final_stage"]

#: Which stage produced a run's final network.
STAGES = ("MIP from scratch", "STE start met the target", "local search met the target",
          "MIP took the start to the target", "MIP improved the start", "MIP kept the start",
          "MIP rejected the start", "no network")
#: Stop reasons of a MIP that met the paper's own stopping rule (the early-stop target, or optimality).
SOLVER_STOPS = ("target", "optimal")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def final_stage(*, objective: str, start: str | None, stop_reason: str, search_objective: float | None = None,
                final_objective: float | None = None, search_reached_target: bool = False,
                search_passes: int = 0) -> str:
    """The stage (:data:`STAGES`) that produced the final network of one MIP fit.

    ``start`` is the MIP start kind (``None``, ``"ste"`` or ``"search"``); ``search_objective`` the objective of
    the searched start and ``final_objective`` the solver's final one (min-hinge is minimised, the other
    objectives maximised). The search "met the target" when HiGHS only had to confirm it; "MIP improved the
    start" when its final objective beats the start's; "kept" when it does not; "rejected" when it ends below
    the start (HiGHS never does with a start it accepted, so it discarded the start as infeasible).
    """
    if stop_reason == "no_solution":
        return "no network"
    if not isinstance(start, str):
        return "MIP from scratch"
    known = start == "search" and not _missing(search_objective) and not _missing(final_objective)
    better = worse = False
    if known:
        gain = final_objective - search_objective  # > 0 is better for the maximised objectives
        if objective == "min_hinge":
            gain = -gain
        better, worse = gain > TOL, gain < -TOL
    if worse:
        return "MIP rejected the start"
    if start == "search" and bool(search_reached_target):
        return "STE start met the target" if int(search_passes or 0) == 0 else "local search met the target"
    if known and not better:
        return "MIP kept the start"
    return "MIP took the start to the target" if stop_reason in SOLVER_STOPS else "MIP improved the start"
