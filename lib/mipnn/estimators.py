"""scikit-learn estimators for networks with integer weights: trained by MIP or by straight-through GD.

* :class:`MIPNetClassifier` — Thorbjarnarson & Yorke-Smith's sign networks (one of three objectives), solved
  with HiGHS through :mod:`mipnn.formulations.sign_net`;
* :class:`STEBinaryNetClassifier` — the BinaryNet-style gradient baseline of :mod:`mipnn.baselines.ste`.

Both accept any class labels (binary: the sorted ``classes_[0]`` gets output 0, ``classes_[1]`` output 1;
internally labels are ±1 one-hot) and store the integer weights after ``fit`` as ``weights_`` (list of
``(W, b)`` integer arrays, ``W`` of shape ``(n_in, n_out)``), with ``coefs_``/``intercepts_`` as aliases in the
style of :class:`sklearn.neural_network.MLPClassifier`.

Extension points (for other MIP-trained networks, e.g. notebook 04's binary-activation networks):
:class:`_IntegerNetClassifierBase` handles labels, validation and prediction from integer weights through
``_forward_scores``; :class:`_MIPClassifierBase` adds the MIP bookkeeping (``solve_record_``,
``stop_reason_``, …) around a single hook ``_fit_mip(X, Y) -> dict``. A subclass sets ``_multiclass = True``
if it handles more than two classes, ``_weight_dtype`` if its weights are not integers, implements ``_fit_mip``
(and ``_forward_scores`` if its network is not a sign network) and lists its own hyper-parameters in ``__init__``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .formulations import sign_net
from .training.sign_search import WARM_STARTS, mip_start
from .validation import check_choice, check_int_sequence, check_number, check_positive_int

__all__ = ["MIPNetClassifier", "STEBinaryNetClassifier", "BDNNClassifier"]


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}={value!r} must be True or False")


def _check_seed(value):
    if value is not None and not (isinstance(value, numbers.Integral) and not isinstance(value, bool)
                                  and 0 <= value < 2**31):
        raise ValueError(f"random_state={value!r} must be None or an integer in [0, 2**31)")


class _IntegerNetClassifierBase(ClassifierMixin, BaseEstimator):
    """Labels, input validation and prediction for feed-forward networks with integer weights and sign units."""

    #: Whether the subclass can fit more than two classes.
    _multiclass = False
    #: dtype of the fitted ``weights_`` (integer weights; a subclass with real-valued weights overrides it)
    _weight_dtype = np.int64

    # -- hooks ---------------------------------------------------------------------------------------------
    def _validate_hyperparameters(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit_weights(self, X, Y) -> dict:  # pragma: no cover - overridden
        """Train on ``X`` and ±1 one-hot ``Y``; return a dict with at least ``weights`` and fitted attributes."""
        raise NotImplementedError

    def _forward_scores(self, X) -> np.ndarray:
        """Integer output scores (n_samples × n_outputs) of the fitted network."""
        return sign_net.forward(X, self.weights_, getattr(self, "epsilon", sign_net.EPSILON))[-1]

    # -- API -----------------------------------------------------------------------------------------------
    def fit(self, X, y):
        """Fit the network to ``X`` (n_samples × n_features) and labels ``y`` (any two — or, for multiclass
        subclasses, more — distinct values)."""
        self._validate_hyperparameters()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"{type(self).__name__} needs at least two classes in y; got {list(classes)}")
        if len(classes) > 2 and not self._multiclass:
            raise ValueError(f"{type(self).__name__} is a binary classifier; y has {len(classes)} classes")
        self.classes_ = classes
        Y = sign_net.one_hot_pm(y_idx, len(classes))
        fitted = self._fit_weights(X, Y)
        self.weights_ = [(np.asarray(W).astype(self._weight_dtype), np.asarray(b).astype(self._weight_dtype))
                         for W, b in fitted.pop("weights")]
        for key, value in fitted.items():
            setattr(self, f"{key}_", value)
        self.train_accuracy_ = float(np.mean(self._predict_index(X) == y_idx))
        return self

    @property
    def coefs_(self):
        check_is_fitted(self, "weights_")
        return [W for W, _ in self.weights_]

    @property
    def intercepts_(self):
        check_is_fitted(self, "weights_")
        return [b for _, b in self.weights_]

    def _checked_X(self, X):
        check_is_fitted(self, "weights_")
        return validate_data(self, X, dtype=np.float64, reset=False)

    def _predict_index(self, X):
        return sign_net.predict_index(self._forward_scores(X))

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


class _MIPClassifierBase(_IntegerNetClassifierBase):
    """Bookkeeping shared by estimators trained with one MIP solve.

    Subclasses implement ``_fit_mip(X, Y) -> dict`` returning ``weights``, ``solve_record`` (a
    :class:`~mipnn.solve.SolveRecord`), ``stop_reason`` and any further fitted attributes (names without the
    trailing underscore). Common hyper-parameters validated here: ``time_limit``, ``target_train_accuracy``,
    ``mip_gap``, ``threads``, ``solver_options`` and ``random_state`` (HiGHS's ``random_seed``).
    """

    def _validate_common(self):
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, high=1e7)
        check_number("target_train_accuracy", self.target_train_accuracy, low=0.0, high=1.0, allow_none=True)
        check_number("mip_gap", self.mip_gap, low=0.0, high=1.0)
        check_number("threads", self.threads, low=1, integer=True, allow_none=True)
        if self.solver_options is not None and not isinstance(self.solver_options, dict):
            raise ValueError(f"solver_options={self.solver_options!r} must be None or a dict of HiGHS options")
        _check_seed(self.random_state)

    def _solver_options(self):
        opts = dict(self.solver_options or {})
        if self.random_state is not None:
            opts.setdefault("random_seed", int(self.random_state))
        return opts

    def _fit_mip(self, X, Y) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit_weights(self, X, Y):
        out = self._fit_mip(X, Y)
        for key in ("weights", "solve_record", "stop_reason"):
            if key not in out:
                raise RuntimeError(f"{type(self).__name__}._fit_mip must return {key!r}")
        return out


class MIPNetClassifier(_MIPClassifierBase):
    """Sign network with integer weights trained by MIP (Thorbjarnarson & Yorke-Smith, 2021).

    Parameters
    ----------
    objective : ``"sat_margin"`` (default), ``"min_hinge"`` or ``"max_correct"``.
    hidden : hidden layer widths (paper: ``(16,)``).
    P : weights and biases are integers in ``{-P, …, P}`` (``P = 1``: binary/ternary network as in the paper).
    time_limit : seconds for the solve (a time-out keeps the incumbent; ``stop_reason_ = "time_limit"``).
    target_train_accuracy : stop as soon as the incumbent guarantees this training accuracy (paper: 0.9);
        ``None`` solves to ``mip_gap``.
    margin, epsilon : ``m`` and ``ε`` of the formulation.
    tight_big_m, symmetry_breaking : formulation levers (see :func:`mipnn.formulations.sign_net.build_sign_net`).
    warm_start : ``None``, ``"ste"`` or ``"search"``. ``"ste"`` trains the straight-through baseline first
        (seeded by ``random_state``) and hands its weights to HiGHS as a MIP start; ``"search"`` also improves
        them by local search on the MIP objective (:mod:`mipnn.training.sign_search`, one hidden layer only)
        until they meet the target, within ``time_limit``; the MIP gets the time left (at least 1 s).
    mip_gap, threads, solver_options : passed to :func:`mipnn.solve.solve` (``solver_options`` are HiGHS
        options, e.g. ``{"mip_heuristic_effort": 0.3}``).
    random_state : seed for HiGHS (``random_seed``) and for the STE start.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (integer ``(W, b)`` per layer),
    ``solve_record_``, ``stop_reason_`` (``"target"``, ``"optimal"``, ``"time_limit"``, …),
    ``objective_target_``, ``guaranteed_train_accuracy_`` (what the solver's objective alone proves),
    ``train_accuracy_`` (recomputed), ``recomputed_objective_``, ``build_time_``, ``start_used_``.
    """

    def __init__(self, objective="sat_margin", hidden=(16,), P=1, time_limit=60.0, target_train_accuracy=0.9,
                 margin=0.5, epsilon=1e-4, tight_big_m=True, symmetry_breaking=True, warm_start=None,
                 mip_gap=1e-4, threads=None, solver_options=None, random_state=None):
        self.objective = objective
        self.hidden = hidden
        self.P = P
        self.time_limit = time_limit
        self.target_train_accuracy = target_train_accuracy
        self.margin = margin
        self.epsilon = epsilon
        self.tight_big_m = tight_big_m
        self.symmetry_breaking = symmetry_breaking
        self.warm_start = warm_start
        self.mip_gap = mip_gap
        self.threads = threads
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_choice("objective", self.objective, sign_net.OBJECTIVES)
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_positive_int("P", self.P)
        check_number("margin", self.margin, low=0.0, low_open=True, high=1.0)
        check_number("epsilon", self.epsilon, low=0.0, low_open=True, high=0.1)
        _check_bool("tight_big_m", self.tight_big_m)
        _check_bool("symmetry_breaking", self.symmetry_breaking)
        check_choice("warm_start", self.warm_start, WARM_STARTS)
        if self.warm_start == "search" and len(check_int_sequence("hidden", self.hidden, minimum=1)) != 1:
            raise ValueError(f"warm_start='search' needs exactly one hidden layer; got hidden={self.hidden!r}")
        self._validate_common()

    def _fit_mip(self, X, Y):
        hidden = check_int_sequence("hidden", self.hidden, minimum=1)
        limit = float(self.time_limit)
        start = mip_start(X, Y, self.warm_start, objective=self.objective, hidden=hidden, P=self.P,
                          time_limit=limit, target_accuracy=self.target_train_accuracy, margin=self.margin,
                          epsilon=self.epsilon, random_state=self.random_state)
        if start is not None:
            limit = start.solve_limit(limit)
        fit = sign_net.train_sign_net(
            X, Y, hidden=hidden, P=self.P, objective=self.objective, time_limit=limit,
            target_accuracy=self.target_train_accuracy, margin=self.margin, epsilon=self.epsilon,
            tight_big_m=bool(self.tight_big_m), symmetry_breaking=bool(self.symmetry_breaking),
            start_weights=None if start is None else start.weights, options=self._solver_options(),
            threads=self.threads, mip_gap=self.mip_gap)
        return {"weights": fit.weights, "solve_record": fit.record, "stop_reason": fit.stop_reason,
                "objective_target": fit.objective_target,
                "guaranteed_train_accuracy": fit.guaranteed_train_accuracy,
                "recomputed_objective": fit.recomputed_objective, "build_time": fit.build_time,
                "start_used": fit.start_used}


class STEBinaryNetClassifier(_IntegerNetClassifierBase):
    """BinaryNet-style network (integer weights in ``{-P..P}``, sign units) trained by straight-through GD.

    Parameters mirror :func:`mipnn.baselines.ste.train_ste`: ``hidden``, ``P``, ``lr``, ``decay``,
    ``decay_steps``, ``max_epochs``, ``margin``, ``target_loss`` (``None``: the authors' cut-off
    ``0.1·N·m²``), ``time_limit`` (seconds or ``None``) and ``random_state``.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_``, ``losses_`` (per epoch), ``n_epochs_``,
    ``stop_reason_``, ``train_accuracy_``, ``fit_time_``.
    """

    _multiclass = True

    def __init__(self, hidden=(16,), P=1, lr=1e-2, decay=0.9, decay_steps=1000, max_epochs=10_000, margin=0.5,
                 target_loss=None, time_limit=None, random_state=None):
        self.hidden = hidden
        self.P = P
        self.lr = lr
        self.decay = decay
        self.decay_steps = decay_steps
        self.max_epochs = max_epochs
        self.margin = margin
        self.target_loss = target_loss
        self.time_limit = time_limit
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_positive_int("P", self.P)
        check_number("lr", self.lr, low=0.0, low_open=True)
        check_number("decay", self.decay, low=0.0, low_open=True, high=1.0)
        check_positive_int("decay_steps", self.decay_steps)
        check_positive_int("max_epochs", self.max_epochs)
        check_number("margin", self.margin, low=0.0, low_open=True)
        check_number("target_loss", self.target_loss, low=0.0, allow_none=True)
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, allow_none=True)
        _check_seed(self.random_state)

    def _forward_scores(self, X):
        from .baselines.ste import ste_forward

        return ste_forward(X, self.weights_)[-1]

    def _fit_weights(self, X, Y):
        from .baselines.ste import train_ste

        fit = train_ste(X, Y, hidden=check_int_sequence("hidden", self.hidden, minimum=1), P=self.P, lr=self.lr,
                        decay=self.decay, decay_steps=self.decay_steps, max_epochs=self.max_epochs,
                        margin=self.margin, target_loss=self.target_loss, time_limit=self.time_limit,
                        random_state=self.random_state)
        return {"weights": fit.weights, "losses": fit.losses, "n_epochs": fit.epochs,
                "stop_reason": fit.stop_reason, "fit_time": fit.wall_time}


def __getattr__(name):
    # BDNNClassifier (notebook 04) lives in mipnn.bdnn_estimator and subclasses _MIPClassifierBase defined here;
    # it is loaded on first access so that either module can be imported first.
    if name == "BDNNClassifier":
        from .bdnn_estimator import BDNNClassifier

        return BDNNClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
