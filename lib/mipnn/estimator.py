"""The public base classes of mipnn's scikit-learn classifiers (no paper knowledge; no import of a family).

* :class:`BaseNetClassifier` — labels, input validation, fitted weights and prediction for a feed-forward network
  whose fitted parameters are a list ``weights_`` of ``(W, b)`` pairs;
* :class:`BaseMIPClassifier` — adds the bookkeeping of networks trained by MIP (``solve_record_``,
  ``stop_reason_``) and the hyper-parameters every MIP estimator shares (``time_limit``, ``mip_gap``,
  ``threads``, ``solver_options``, ``random_state``).

Every fit sets ``stop_reason_`` (why it ended) and ``stopped_at_limit_``: ``True`` when the fit ended at one of
its limits rather than at its method's own stopping rule — the clock (``time_limit``), a work cap of one of its
solves (nodes, iterations; :data:`mipnn.solve.LIMIT_STATUSES`) or a cap on its own loop (:data:`LIMIT_STOP_REASONS`:
epochs, while-iterations, local-search rounds, gradient steps). Then the network depends on the budget; a fit
that ended by its rule (an optimum proven, a target met, no further improvement, every batch or split done) did not.

A subclass lists its own hyper-parameters in ``__init__`` (stored verbatim, checked at ``fit``), implements
``_validate_hyperparameters()``, ``_fit_network(X, y_index) -> dict`` (``y_index``: class indices into
``classes_``; the dict holds ``weights`` and any fitted attribute, named without the trailing underscore) and
``_forward_scores(X)`` (one score per output unit; the prediction is the class of the largest score). It sets
``_multiclass = True`` if it handles more than two classes and ``_weight_dtype`` if its weights are not integers.

Concrete estimators: every trainer of :mod:`mipnn.trainers` (the registry lists them with their papers).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .backends import BACKENDS, SEED_OPTION, check_solver_options, require, translate_options
from .exceptions import FitWarning
from .numerics import TOL
from .solve import LIMIT_STATUSES, OPTIMALITY_GAP
from .validation import check_choice, check_number, check_random_state

__all__ = ["BaseNetClassifier", "BaseMIPClassifier", "LIMIT_STOP_REASONS"]

#: Stop reasons of a fit that ended at a limit: the solver statuses of :data:`mipnn.solve.LIMIT_STATUSES` and the
#: caps of the trainers' own loops (STE and Adam epochs, Algorithm 1's while-iterations, local-search rounds,
#: field-training steps).
LIMIT_STOP_REASONS = LIMIT_STATUSES | {"max_epochs", "max_iterations", "max_rounds", "max_steps"}


class BaseNetClassifier(ClassifierMixin, BaseEstimator):
    """Labels, input validation and prediction for a network with fitted ``weights_ = [(W, b), ...]``."""

    #: Whether the subclass can fit more than two classes.
    _multiclass = False
    #: dtype of the fitted ``weights_`` (integer weights; a subclass with real-valued weights overrides it)
    _weight_dtype = np.int64
    #: ``weights_`` holds ``W`` of shape ``(n_out, n_in)`` (a BNN-MILP's orientation); ``coefs_`` transposes it
    _weights_out_in = False

    # -- hooks ---------------------------------------------------------------------------------------------
    def _validate_hyperparameters(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit_network(self, X, y_index) -> dict:  # pragma: no cover - overridden
        """Train on ``X`` and class indices ``y_index``; return ``weights`` and the fitted attributes."""
        raise NotImplementedError

    def _forward_scores(self, X) -> np.ndarray:  # pragma: no cover - overridden
        """Output scores (n_samples × n_outputs) of the fitted network; the largest one is the prediction."""
        raise NotImplementedError

    # -- API -----------------------------------------------------------------------------------------------
    def fit(self, X, y):
        """Fit the network to ``X`` (n_samples × n_features) and labels ``y`` (any two — or, for multiclass
        subclasses, more — distinct values)."""
        self._validate_hyperparameters()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        if X.shape[0] < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples to fit; got 1 sample")
        classes, y_index = np.unique(y, return_inverse=True)
        if not self._multiclass and len(classes) > 2:
            raise ValueError(f"Only binary classification is supported by {type(self).__name__}. The type of the "
                             f"target is {type_of_target(y, input_name='y')} ({len(classes)} classes).")
        if len(classes) < 2:
            raise ValueError(f"{type(self).__name__} needs at least two classes in y; got 1 class "
                             f"({classes[0]!r})")
        self.classes_ = classes
        fitted = self._fit_network(X, y_index)
        self.weights_ = [(np.asarray(W).astype(self._weight_dtype), np.asarray(b).astype(self._weight_dtype))
                         for W, b in fitted.pop("weights")]
        for key, value in fitted.items():
            setattr(self, f"{key}_", value)
        self.train_accuracy_ = float(np.mean(self._predict_index(X) == y_index))
        self.stopped_at_limit_ = bool(self._stopped_at_limit())
        self._warn_if_trivial(y_index)
        return self

    def _stopped_at_limit(self) -> bool:
        """Whether the fit ended at one of its limits (``stop_reason_`` in :data:`LIMIT_STOP_REASONS`)."""
        return getattr(self, "stop_reason_", None) in LIMIT_STOP_REASONS

    def _warn_if_trivial(self, y_index):
        """Hook: warn when the fit produced a trivial predictor (the MIP estimators do, at a limit)."""

    @property
    def coefs_(self):
        """Weight matrices, ``coefs_[i]`` of shape ``(n_in, n_out)`` (as in scikit-learn's ``MLPClassifier``)."""
        check_is_fitted(self, "weights_")
        return [W.T if self._weights_out_in else W for W, _ in self.weights_]

    @property
    def intercepts_(self):
        check_is_fitted(self, "weights_")
        return [b for _, b in self.weights_]

    def _checked_X(self, X):
        check_is_fitted(self, "weights_")
        return validate_data(self, X, dtype=np.float64, reset=False)

    def _predict_index(self, X):
        return np.argmax(self._forward_scores(X), axis=1)

    def decision_function(self, X):
        """Binary: ``s₁ − s₀`` (positive means ``classes_[1]``); multiclass: the output scores ``s``."""
        s = self._forward_scores(self._checked_X(X))
        return s[:, 1] - s[:, 0] if len(self.classes_) == 2 else s

    def predict(self, X):
        """Class of the largest output (ties go to the first class, ``classes_[0]``)."""
        idx = self._predict_index(self._checked_X(X))
        return self.classes_[idx]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = self._multiclass
        tags.non_deterministic = False
        return tags


class BaseMIPClassifier(BaseNetClassifier):
    """Bookkeeping shared by estimators trained with MIP solves.

    ``fit_time_`` is the wall time of the whole training (models built, starts and heuristics included), next to
    ``solve_time_`` (the solver's share, where the subclass reports it). ``_fit_mip`` returns ``weights``,
    ``solve_record`` (a :class:`~mipnn.solve.SolveRecord`, or ``None`` when
    several MIPs were solved), ``stop_reason`` and any further fitted attributes. Hyper-parameters validated here:
    ``time_limit``, ``target_train_accuracy``, ``mip_gap``, ``threads``, ``solver_options`` and
    ``random_state`` (also HiGHS's ``random_seed``).
    """

    #: Default of every MIP estimator's ``mip_gap``.
    DEFAULT_MIP_GAP = OPTIMALITY_GAP

    def _validate_common(self):
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, high=1e7)
        check_number("target_train_accuracy", getattr(self, "target_train_accuracy", None), low=0.0, high=1.0,
                     allow_none=True)
        check_number("mip_gap", self.mip_gap, low=0.0, high=1.0)
        check_number("threads", self.threads, low=1, integer=True, allow_none=True)
        check_choice("solver", self.solver, BACKENDS)
        require(self.solver)
        if self.solver_options is not None and not isinstance(self.solver_options, dict):
            raise ValueError(f"solver_options={self.solver_options!r} must be None or a dict of {self.solver}'s "
                             "options")
        # before any work: a typo, a refused value or a time limit that would override the fit's
        check_solver_options(self.solver, translate_options(self.solver_options, self.solver), "solver_options")
        check_random_state(self.random_state)

    def _solver_options(self):
        opts = dict(self.solver_options or {})
        if self.random_state is not None:
            opts.setdefault(SEED_OPTION[self.solver], int(self.random_state))
        return opts

    def _fit_network(self, X, y_index):
        t0 = time.perf_counter()
        out = self._fit_mip(X, y_index)
        out.setdefault("fit_time", time.perf_counter() - t0)
        for key in ("weights", "solve_record", "stop_reason"):
            if key not in out:
                raise RuntimeError(f"{type(self).__name__}._fit_mip must return {key!r}")
        return out

    def _fit_mip(self, X, y_index) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def _limit_statuses(self) -> set[str]:
        """The statuses of this fit's solves that ended at one of our limits (time, nodes, gap), and the fit's own
        ``stop_reason_`` when the fit as a whole stopped at one (a heuristic whose MIPs were all optimal can still
        run out of its time limit before it learned anything)."""
        seen = {getattr(self, "stop_reason_", None)}
        record = getattr(self, "solve_record_", None)
        if record is not None:
            seen.add(record.status)
        for h in getattr(self, "history_", None) or []:
            if isinstance(h, dict) and "status" in h:
                seen.add(h["status"])
        return seen & LIMIT_STATUSES

    def _stopped_at_limit(self) -> bool:
        """The fit, or one of its solves, ended at a limit (:meth:`_limit_statuses`, or a cap on the fit's loop)."""
        return bool(self._limit_statuses()) or super()._stopped_at_limit()

    def _warn_if_trivial(self, y_index):
        """:class:`~mipnn.exceptions.FitWarning` when a solve stopped at a limit and the network is no better than
        predicting the majority class on its own training data."""
        limits = self._limit_statuses()
        majority = float(np.bincount(y_index).max() / len(y_index))
        if limits and self.train_accuracy_ <= majority + TOL:
            warnings.warn(FitWarning(
                f"{type(self).__name__} stopped at its limit ({', '.join(sorted(limits))}) with training accuracy "
                f"{self.train_accuracy_:.3f}, no better than predicting the majority class ({majority:.3f}): the "
                f"network is a trivial predictor. Raise time_limit (now {self.time_limit:g} s) or the node limit in "
                f"solver_options, or give the solver a start."), stacklevel=3)
