"""Exception types raised by mipnn.

Every error says what went wrong in terms the caller can act on: which parameter, which file, which solve.
"""

from __future__ import annotations


class MipnnError(Exception):
    """Base class of all mipnn errors."""


class DataError(MipnnError):
    """A dataset file is missing, corrupt or truncated."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset file was not found in any of the places mipnn looks."""


class ChecksumError(DataError):
    """A dataset file exists but its content does not match the expected SHA256."""


class SolveError(MipnnError):
    """A solve ended without a usable solution. ``record`` holds what the solver reported."""

    def __init__(self, message: str, record=None):
        super().__init__(message)
        self.record = record


class InfeasibleError(SolveError):
    """The model has no feasible solution."""


class UnboundedError(SolveError):
    """The model's objective is unbounded (or the model is infeasible-or-unbounded)."""


class NoSolutionError(SolveError):
    """The solver stopped (time limit, numerical trouble, ...) without any feasible incumbent."""


class BuildTimeError(NoSolutionError):
    """The time limit ran out while a MIP was being built: no solve was started. ``fraction`` of the model was built
    in ``elapsed`` seconds, so building all of it would take about ``estimate`` seconds on this machine now;
    ``detail`` says so in words."""

    def __init__(self, message: str, *, fraction: float, elapsed: float, estimate: float, detail: str = ""):
        super().__init__(message, None)
        self.fraction, self.elapsed, self.estimate = float(fraction), float(elapsed), float(estimate)
        self.detail = detail


class VerificationError(SolveError):
    """The solver's objective is not the loss of the solution it returned, recomputed outside the solver (e.g. by
    a numpy forward pass): a tolerance let a relaxed row stand in for the model. ``record`` is the solve's record."""


class SolverUnavailableError(MipnnError):
    """The solver asked for cannot run this model: its package is not installed, or its license does not cover
    the model's size. The message says what to install or use instead."""


class FitWarning(UserWarning):
    """A fit ended at a limit with a network no better than the trivial predictor (like scikit-learn's
    ``ConvergenceWarning``): the message says which limit to raise."""


class SolvesDisabledError(MipnnError, RuntimeError):
    """A solve was asked for while ``MIPNN_NO_SOLVE`` is set (``make figures``, the figure registry's test):
    rendering from the committed stores must never solve. Not a :class:`SolveError`, so no fallback swallows it."""
