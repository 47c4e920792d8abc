"""Adam baselines (scikit-learn MLP and the numpy convolutional net) on small synthetic data."""

import numpy as np
import pytest

from mipnn.baselines import ConvAdamNet, adam_conv, adam_mlp


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = np.zeros((300, 49))
    X[np.arange(300), y * 10 + 3] = 1.0
    X += 0.1 * rng.random((300, 49))
    return X, y


def test_adam_mlp_learns_and_is_seeded(blobs):
    X, y = blobs
    a = adam_mlp(X, y, X, y, hidden=(8,), epochs=30, learning_rate=0.01)
    b = adam_mlp(X, y, X, y, hidden=(8,), epochs=30, learning_rate=0.01)
    assert a["test_accuracy"] > 0.8
    assert a["test_accuracy"] == b["test_accuracy"]


@pytest.mark.parametrize("output", ["softmax", "relu"])
def test_adam_conv_gradients_learn(blobs, output):
    X, y = blobs
    res = adam_conv(X, y, X, y, side=7, epochs=20, output=output, learning_rate=0.01)
    assert res["test_accuracy"] > 0.6


def test_conv_gradient_matches_finite_difference():
    rng = np.random.default_rng(1)
    net = ConvAdamNet(5, random_state=0)
    X = rng.random((4, 25))
    y = np.array([0, 1, 2, 3])
    Y = np.eye(10)[y]

    def loss(k):
        net.params["k"] = k
        z = net.decision(X)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return -np.mean(np.log((e / e.sum(axis=1, keepdims=True))[np.arange(4), y]))

    k0 = net.params["k"].copy()
    P, pre, h, z = net.forward(X)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    dz = (e / e.sum(axis=1, keepdims=True) - Y) / 4
    g = np.einsum("npq,np->q", P, (dz @ net.params["W"]) * (pre > 0))
    num = np.array([(loss(k0 + 1e-6 * np.eye(9)[q]) - loss(k0 - 1e-6 * np.eye(9)[q])) / 2e-6 for q in range(9)])
    assert np.allclose(g, num, atol=1e-6)


def test_bad_parameters(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="epochs"):
        adam_mlp(X, y, X, y, epochs=0)
    with pytest.raises(ValueError, match="side"):
        adam_conv(X, y, X, y, side=6)
    with pytest.raises(ValueError, match="output"):
        ConvAdamNet(7, output="tanh")
