"""The gradient baseline of Kurtz & Bah (2021): a dense ReLU network trained with Adam.

The authors train a Keras network (ReLU hidden layers, softmax output, Adam with learning rate 0.001, batch
size 64, 30 epochs) and keep the epoch with the best validation accuracy. We reproduce it with scikit-learn's
``MLPClassifier`` (same architecture and optimiser settings, cross-entropy loss on a softmax/logistic output):
one ``partial_fit`` call is one epoch, and a copy of the network is kept whenever validation accuracy improves.
"""

from __future__ import annotations

import copy
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from .validation import check_int_sequence, check_number, check_positive_int

__all__ = ["train_adam_mlp"]


def train_adam_mlp(X_train, y_train, X_val, y_val, *, hidden=(50, 50), epochs: int = 30, batch_size: int = 64,
                   learning_rate: float = 0.001, random_state: int = 0):
    """Train the Adam/ReLU baseline; return ``(best_model, info)``.

    ``best_model`` is the ``MLPClassifier`` as it was after the epoch with the highest validation accuracy
    (earliest such epoch on ties). ``info`` holds ``best_epoch`` (1-based), ``val_accuracy`` per epoch,
    ``train_time`` (seconds) and ``n_parameters``.
    """
    hidden = check_int_sequence("hidden", hidden)
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_number("random_state", random_state, low=0, integer=True)
    X_train = np.asarray(X_train, dtype=np.float64)
    X_val = np.asarray(X_val, dtype=np.float64)
    y_train = np.asarray(y_train)
    y_val = np.asarray(y_val)
    classes = np.unique(np.concatenate([y_train, y_val]))
    net = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", learning_rate_init=learning_rate,
                        batch_size=min(batch_size, len(y_train)), shuffle=True, random_state=random_state)
    best, best_acc, best_epoch, history = None, -1.0, 0, []
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(1, epochs + 1):
            net.partial_fit(X_train, y_train, classes=classes)
            acc = float(np.mean(net.predict(X_val) == y_val))
            history.append(acc)
            if acc > best_acc:
                best, best_acc, best_epoch = copy.deepcopy(net), acc, epoch
    n_params = int(sum(w.size for w in best.coefs_) + sum(b.size for b in best.intercepts_))
    info = {"best_epoch": best_epoch, "val_accuracy": history, "train_time": time.perf_counter() - t0,
            "n_parameters": n_params}
    return best, info
