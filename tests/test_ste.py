"""Straight-through BinaryNet baseline."""

import numpy as np
import pytest

from mipnn.numerics import one_hot
from mipnn.signnet import sign_forward, train_ste


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 5))
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    return X, one_hot(y, 2, off=-1)


def test_learns_and_weights_are_integers():
    X, Y = _data()
    fit = train_ste(X, Y, hidden=(16,), P=1, random_state=0)
    assert fit.stop_reason == "target" and fit.train_accuracy >= 0.9
    for W, b in fit.weights:
        assert np.all(W == np.round(W)) and np.all(np.abs(W) <= 1) and np.all(np.abs(b) <= 1)
    s = sign_forward(X, fit.weights, tol=0.0)[-1]  # the gradient-trained network's own rule a >= 0
    assert np.mean(np.argmax(s, 1) == np.argmax(Y, 1)) == pytest.approx(fit.train_accuracy)
    # same function as the MIP's forward pass (pre-activations away from the ±ε/2 band)
    assert np.array_equal(np.argmax(sign_forward(X, fit.weights)[-1], 1), np.argmax(s, 1))


def test_deterministic_and_stop_reasons():
    X, Y = _data(seed=1)
    a = train_ste(X, Y, hidden=(4,), P=3, max_epochs=200, target_loss=0.0, random_state=7)
    b = train_ste(X, Y, hidden=(4,), P=3, max_epochs=200, target_loss=0.0, random_state=7)
    assert a.stop_reason == "max_epochs" and a.epochs == 200
    assert np.array_equal(a.losses, b.losses)
    assert all(np.abs(W).max() <= 3 for W, _ in a.weights)
    c = train_ste(X, Y, hidden=(4,), P=1, max_epochs=5000, target_loss=1e9, random_state=0)
    assert c.stop_reason == "target" and c.epochs == 1


def test_loss_decreases():
    X, Y = _data(seed=2)
    fit = train_ste(X, Y, hidden=(8,), P=1, max_epochs=400, target_loss=0.0, random_state=0)
    assert fit.losses[-50:].mean() < fit.losses[:10].mean()


@pytest.mark.parametrize("kwargs,match", [({"P": 0}, "P"), ({"lr": -1.0}, "lr"), ({"hidden": ()}, "hidden"),
                                          ({"max_epochs": 0}, "max_epochs"), ({"decay": 1.5}, "decay")])
def test_bad_parameters(kwargs, match):
    X, Y = _data(n=5)
    with pytest.raises(ValueError, match=match):
        train_ste(X, Y, **kwargs)


@pytest.mark.parametrize("kwargs,match", [
    ({"lr": float("inf")}, "lr"), ({"lr": float("nan")}, "lr"), ({"margin": float("inf")}, "margin"),
    ({"target_loss": float("inf")}, "target_loss"), ({"time_limit": float("inf")}, "time_limit"),
    ({"decay": float("nan")}, "decay")])
def test_float_hyper_parameters_must_be_finite(kwargs, match):
    # before: lr = inf returned int64-min weights at accuracy 0.5, margin = inf a "target" stop after one epoch
    from mipnn.signnet import STEBinaryNetClassifier

    X, Y = _data(n=8)
    with pytest.raises(ValueError, match=match):
        train_ste(X, Y, **kwargs)
    with pytest.raises(ValueError, match=match):
        STEBinaryNetClassifier(**kwargs).fit(X, np.argmax(Y, axis=1))
