"""``AdamMLPClassifier``: the dense ReLU network of the Adam baselines (:class:`mipnn.baselines.DenseAdamNet`) as a
scikit-learn estimator whose ``time_limit`` bounds the whole fit, like the MIP trainers'."""

from __future__ import annotations

import time

import numpy as np

from ..estimator import BaseNetClassifier
from ..numerics import one_hot
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int, check_random_state
from .adam import DenseAdamNet, adam_epochs

__all__ = ["AdamMLPClassifier"]


class AdamMLPClassifier(BaseNetClassifier):
    """Dense ReLU network (Glorot-uniform weights, zero offsets, as Keras builds it) trained by mini-batch Adam.

    The gradient baseline of Goebbels (2021; Keras, Adam with learning rate 0.001, batch 100) and of Kurtz & Bah
    (2021; a ReLU network with a softmax output, Adam with learning rate 0.001, batch 64).

    Parameters
    ----------
    hidden : hidden layer widths.
    output : ``"softmax"`` (default; cross-entropy, Kurtz & Bah) or ``"relu"`` (squared error to the one-hot
        labels, our reading of Goebbels' dense net; see :mod:`mipnn.baselines.adam`).
    learning_rate, batch_size : Adam's step size and the mini-batch size (Keras' defaults β₁ = 0.9, β₂ = 0.999,
        ε = 1e-7).
    max_epochs : cap on the epochs (shuffled passes over the training data).
    n_iter_no_change, tol : stop once the training loss has not fallen by more than ``tol`` below its best value for
        ``n_iter_no_change`` epochs in a row (scikit-learn's rule; ``None``: run ``max_epochs``). Our reading: the
        papers train a fixed number of epochs (Goebbels 3 or 40, Kurtz & Bah's code 30), tuned to their data; on
        other data a fixed count is either far from trained or wasted time, so the default trains to convergence.
    time_limit : seconds for the whole fit (checked between mini-batches; ``None``: the epochs only).
    random_state : seed of the start and of the shuffles.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (``(W, b)`` per layer, ``W`` of shape
    ``(n_in, n_out)``; ``coefs_``/``intercepts_``), ``losses_`` (training loss per epoch), ``n_epochs_``,
    ``stop_reason_`` (``"converged"``, ``"max_epochs"``, ``"time_limit"``), ``stopped_at_limit_``, ``fit_time_``,
    ``train_accuracy_``.
    """

    _multiclass = True
    _weight_dtype = np.float64

    def __init__(self, hidden=(16,), output="softmax", learning_rate=1e-3, batch_size=64, max_epochs=1000,
                 n_iter_no_change=10, tol=1e-4, time_limit=60.0, random_state=None):
        self.hidden = hidden
        self.output = output
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.time_limit = time_limit
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_choice("output", self.output, ("softmax", "relu"))
        check_number("learning_rate", self.learning_rate, low=0.0, low_open=True)
        check_positive_int("batch_size", self.batch_size)
        check_positive_int("max_epochs", self.max_epochs)
        check_positive_int("n_iter_no_change", self.n_iter_no_change, allow_none=True)
        check_number("tol", self.tol, low=0.0)
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, high=1e7, allow_none=True)
        check_random_state(self.random_state)

    def _fit_network(self, X, y_index):
        t0 = time.perf_counter()
        C = len(self.classes_)
        net = DenseAdamNet((X.shape[1], *check_int_sequence("hidden", self.hidden), C), output=self.output,
                           random_state=self.random_state)
        Y = one_hot(y_index, C)
        deadline = None if self.time_limit is None else t0 + float(self.time_limit)
        run = adam_epochs(net, X, Y, learning_rate=self.learning_rate, batch_size=self.batch_size,
                          random_state=self.random_state, deadline=deadline)
        losses, best, stale, stop = [], np.inf, 0, "max_epochs"
        for _ in range(self.max_epochs):
            if next(run, "deadline") == "deadline":
                stop = "time_limit"
                break
            losses.append(net.loss(X, Y))
            stale = 0 if losses[-1] < best - self.tol else stale + 1
            best = min(best, losses[-1])
            if self.n_iter_no_change is not None and stale >= self.n_iter_no_change:
                stop = "converged"
                break
        weights = [(net.params[f"W{i}"].T, net.params[f"b{i}"]) for i in range(net.n_layers)]
        return {"weights": weights, "losses": np.asarray(losses), "n_epochs": len(losses), "stop_reason": stop,
                "fit_time": time.perf_counter() - t0}

    def _forward_scores(self, X):
        h = X
        for k, (W, b) in enumerate(self.weights_):
            h = h @ W + b
            if k < len(self.weights_) - 1 or self.output == "relu":
                h = np.maximum(h, 0.0)
        return h
