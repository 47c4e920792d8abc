"""``FieldBNNClassifier``: a binarized network trained through the value functions of its layer MILPs (notebook 01's
training routes) as a scikit-learn estimator.

Reference: J. Aspman, G. Korpas, J. Marecek, "Taming Binarized Neural Networks and Mixed-Integer Programs",
AAAI 2024 (Corollary 1: BNN training read through the MILP's subadditive dual is tame, so conservative fields
apply). The routes are :func:`mipnn.duality.train_bnn`'s; the default ``"target"`` (beyond the paper) takes, per
layer, a conservative-field step towards targets that a MILP gives each hidden layer.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..estimator import BaseNetClassifier
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int, check_random_state
from .bnn_fields import METHODS, forward, train_bnn

__all__ = ["FieldBNNClassifier"]

#: :func:`mipnn.duality.train_bnn`'s statuses as the estimators' stop reasons.
_STOP_REASONS = {"steps": "max_steps", "zero_loss": "zero_loss", "time_limit": "time_limit"}


class FieldBNNClassifier(BaseNetClassifier):
    """Binarized network (units ``u = 1[W u_prev − λ ≥ 0]``, weights and thresholds in [−1, 1]) trained by
    subgradient steps along conservative fields of its layer MILPs' value functions.

    Parameters
    ----------
    hidden : hidden layer widths (notebook 01: ``(3, 3)`` on XOR, ``(4,)`` on breast cancer).
    method : ``"target"`` (default: each layer steps towards per-sample targets, the binary inputs the layer above
        would like best, found by a small MILP — enumerated up to 12 units, HiGHS above), ``"conservative"`` (the
        chain rule for conservative fields: hidden fields are 0, so only the output layer learns) or ``"ste"`` (the
        straight-through estimator, for comparison); :data:`mipnn.duality.METHODS`.
    steps : cap on the subgradient steps ``θ ← clip(θ − α_k g_k, −1, 1)``, ``α_k = alpha0 / sqrt(k + 1)``.
    alpha0, margin : the step-size scale and the hinge's margin (notebook 01: 1.0 and 0.1).
    time_limit : seconds for the whole fit (``None``: ``steps`` only).
    random_state : seed of the start (weights uniform in [−1, 1], Theorem 1's box).

    Our reading where the paper is silent: the paper trains no network this way; notebook 01 does, with one output
    unit per class and the structured hinge on the one-hot labels. The predicted class is the output unit with the
    largest pre-activation ``W_K u_{K−1} − λ_K``, and the fit keeps the step whose predictions are right most often
    on the training data (then the lowest hinge): the rule it predicts by, not the hinge's "every output unit on its
    side", which with ten classes is rarely met and once kept a network below chance.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (``(W, λ)`` per layer, ``W`` of shape
    ``(n_out, n_in)``), ``coefs_`` (``W.T``), ``intercepts_`` (``λ``: a unit fires when ``u @ coefs_[k] ≥
    intercepts_[k]``), ``history_`` (per step: hinge, training accuracy), ``best_step_``, ``n_steps_``,
    ``stop_reason_`` (``"zero_loss"``, ``"max_steps"``, ``"time_limit"``), ``stopped_at_limit_``, ``fit_time_``,
    ``train_accuracy_``.
    """

    _multiclass = True
    _weight_dtype = np.float64
    _weights_out_in = True

    def __init__(self, hidden=(4,), method="target", steps=400, alpha0=1.0, margin=0.1, time_limit=60.0,
                 random_state=None):
        self.hidden = hidden
        self.method = method
        self.steps = steps
        self.alpha0 = alpha0
        self.margin = margin
        self.time_limit = time_limit
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_choice("method", self.method, METHODS)
        check_positive_int("steps", self.steps)
        check_number("alpha0", self.alpha0, low=0.0, low_open=True)
        check_number("margin", self.margin, low=0.0, low_open=True)
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, high=1e7, allow_none=True)
        check_random_state(self.random_state)

    def _fit_network(self, X, y_index):
        layers = (X.shape[1], *check_int_sequence("hidden", self.hidden, minimum=1), len(self.classes_))
        seed = 0 if self.random_state is None else int(self.random_state)
        res = train_bnn(X, y_index, layers, method=self.method, steps=self.steps, alpha0=self.alpha0,
                        margin=self.margin, random_state=seed,
                        time_limit=float("inf") if self.time_limit is None else float(self.time_limit),
                        compare_ste=False, select="argmax")
        return {"weights": res.weights, "history": res.history.to_dict("records"), "best_step": res.best_step,
                "n_steps": len(res.history), "stop_reason": _STOP_REASONS[res.status], "fit_time": res.wall_time}

    def _forward_scores(self, X):
        return forward(X, self.weights_)[0][-1]

    @property
    def intercepts_(self):
        """The thresholds ``λ``: a unit fires when ``u @ coefs_[k] ≥ intercepts_[k]``."""
        check_is_fitted(self, "weights_")
        return [lam for _, lam in self.weights_]
