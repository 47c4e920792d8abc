"""Read-outs of a trained network's last hidden layer (notebook 03b, hypothesis 8: why the post-processing LP lowers
test accuracy on MILP-trained features).

The post-processing LP of Goebbels (2021) §2.3 refits only the output layer, so its test accuracy is bounded by how
much class information the last hidden layer carries. :func:`compare_readouts` separates the two causes a low result
can have. It fits several read-outs to the same hidden features of the same training images and scores each on the
test images:

- ``trained``: the output layer as the network has it (e.g. from the MILPs of Algorithm 1);
- ``lp``: the paper's post-processing LP (§2.3), predicting the output closest to 1, as the paper does;
- ``lp_argmax``: the same LP weights, predicting the largest output;
- ``logistic``: multinomial logistic regression on the standardised features, the best *linear* read-out by
  likelihood (a linear output layer is what the LP fits, so this is the LP's ceiling up to its loss);
- ``boosting``: gradient-boosted trees on the features, a read-out that is not linear; a rough measure of how
  much class information the features carry for any read-out.

If ``logistic`` is far above ``lp``, the LP's loss (slack 0.49 around one-hot targets, one-vs-rest, no margin
between classes) wastes what the features offer. If ``logistic`` and ``boosting`` are low too, the features are the
bottleneck, and no refit of the output layer can reach the paper's number.

:func:`probe_hidden_layers` is the ``logistic`` read-out of *every* hidden layer at once, cheap enough to run after
each layer update of Algorithm 1 (hypothesis 9: do the MILPs' updates make the hidden features better on images
outside the batch?).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..validation import check_bool, check_number, check_random_state
from .network import ReluNetwork, closest_to_one
from .training import _check_xy, postprocess_last_layer

READOUTS = ("trained", "lp", "lp_argmax", "logistic", "boosting")
READOUT_COLUMNS = ("readout", "train_accuracy", "test_accuracy", "seconds")
PROBE_COLUMNS = ("layer", "train_accuracy", "test_accuracy", "dead_units", "patterns")


def hidden_features(network: ReluNetwork, X) -> np.ndarray:
    """The last hidden layer's outputs for the rows of ``X`` (what the output layer and the LP see)."""
    if not isinstance(network, ReluNetwork):
        raise TypeError(f"network must be a ReluNetwork, got {type(network).__name__}")
    acts = network.forward(X)
    if len(acts) < 3:
        raise ValueError("the network has no hidden layer")
    return acts[-2]


def compare_readouts(network: ReluNetwork, X, y, X_test, y_test, *, lp: bool = True, boosting: bool = True,
                     time_limit: float = 1800.0, random_state=0) -> pd.DataFrame:
    """Fit each read-out of :data:`READOUTS` to the last hidden layer of ``network`` on ``(X, y)``; score on both
    sets. Returns one row per read-out with :data:`READOUT_COLUMNS` (``seconds``: the read-out's fit time).
    ``lp=False`` skips the two LP rows (the LP over 60,000 images takes minutes), ``boosting=False`` the trees;
    ``time_limit`` bounds the LP solve. The LP rows raise like :func:`postprocess_last_layer` if the LP fails."""
    if not isinstance(network, ReluNetwork):
        raise TypeError(f"network must be a ReluNetwork, got {type(network).__name__}")
    X, y = _check_xy(X, y, network)
    X_test, y_test = _check_xy(X_test, y_test, network)
    check_bool("lp", lp)
    check_bool("boosting", boosting)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    random_state = check_random_state(random_state)
    H, H_test = hidden_features(network, X), hidden_features(network, X_test)
    rows = [{"readout": "trained", "train_accuracy": network.accuracy(X, y),
             "test_accuracy": network.accuracy(X_test, y_test), "seconds": 0.0}]
    if lp:
        t = time.perf_counter()
        refit, _ = postprocess_last_layer(network, X, y, time_limit=time_limit)
        seconds = time.perf_counter() - t
        out, out_test = refit.decision(X), refit.decision(X_test)
        rows.append({"readout": "lp", "train_accuracy": _accuracy(closest_to_one(out), y),
                     "test_accuracy": _accuracy(closest_to_one(out_test), y_test), "seconds": seconds})
        rows.append({"readout": "lp_argmax", "train_accuracy": _accuracy(out.argmax(axis=1), y),
                     "test_accuracy": _accuracy(out_test.argmax(axis=1), y_test), "seconds": seconds})
    rows.append(_sklearn_row("logistic", _logistic(random_state), H, y, H_test, y_test))
    if boosting:
        from sklearn.ensemble import HistGradientBoostingClassifier

        rows.append(_sklearn_row("boosting", HistGradientBoostingClassifier(random_state=random_state),
                                 H, y, H_test, y_test))
    return pd.DataFrame(rows, columns=list(READOUT_COLUMNS))


def probe_hidden_layers(network: ReluNetwork, X, y, X_test, y_test, *, random_state=0) -> pd.DataFrame:
    """The ``logistic`` read-out of :func:`compare_readouts` for each hidden layer ``h1, h2, …`` of ``network``: fitted
    on ``(X, y)``, scored on both sets. Returns one row per hidden layer with :data:`PROBE_COLUMNS` (``layer``
    1-based; ``dead_units``: units that are 0 on every row of ``X``; ``patterns``: distinct activation patterns of
    the layer on ``X``)."""
    if not isinstance(network, ReluNetwork):
        raise TypeError(f"network must be a ReluNetwork, got {type(network).__name__}")
    X, y = _check_xy(X, y, network)
    X_test, y_test = _check_xy(X_test, y_test, network)
    random_state = check_random_state(random_state)
    acts, acts_test = network.forward(X), network.forward(X_test)
    if len(acts) < 3:
        raise ValueError("the network has no hidden layer")
    rows = []
    for k in range(1, len(acts) - 1):
        row = _sklearn_row(k, _logistic(random_state), acts[k], y, acts_test[k], y_test)
        rows.append({**row, "layer": k, "dead_units": int((acts[k].max(axis=0) <= 0.0).sum()),
                     "patterns": len(np.unique(acts[k] > 0.0, axis=0))})
    return pd.DataFrame(rows, columns=list(PROBE_COLUMNS))


def _logistic(random_state):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=random_state))


def _sklearn_row(name, estimator, H, y, H_test, y_test) -> dict:
    t = time.perf_counter()
    estimator.fit(H, y)
    seconds = time.perf_counter() - t
    return {"readout": name, "train_accuracy": float(estimator.score(H, y)),
            "test_accuracy": float(estimator.score(H_test, y_test)), "seconds": seconds}


def _accuracy(pred, y) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(y)))
