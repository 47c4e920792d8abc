"""Adam baselines (scikit-learn MLP and the numpy convolutional net) on small synthetic data."""

import numpy as np
import pytest

from mipnn.baselines import ConvAdamNet, DenseAdamNet, adam_conv, adam_dense, adam_mlp


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


@pytest.mark.parametrize("output", ["relu", "softmax"])
def test_dense_net_gradients_match_finite_differences_and_learn(blobs, output):
    rng = np.random.default_rng(2)
    net = DenseAdamNet((6, 5, 4, 3), output=output, random_state=1)
    for layer in range(3):  # Keras' start: Glorot-uniform weights, zero offsets
        lim = np.sqrt(6.0 / sum(net.params[f"W{layer}"].shape))
        assert np.abs(net.params[f"W{layer}"]).max() <= lim and not net.params[f"b{layer}"].any()
    net.params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in net.params.items()}  # offsets away from 0
    X, Y = rng.random((7, 6)), np.eye(3)[rng.integers(0, 3, 7)]
    grads = net.gradients(X, Y)
    for key, value in net.params.items():
        num = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + 1e-6
            up = net.loss(X, Y)
            value[idx] = old - 1e-6
            num[idx] = (up - net.loss(X, Y)) / 2e-6
            value[idx] = old
        assert np.allclose(grads[key], num, atol=1e-5), key
    X, y = blobs
    a = adam_dense(X, y, X, y, hidden=(8,), epochs=30, output=output, learning_rate=0.01)
    b = adam_dense(X, y, X, y, hidden=(8,), epochs=30, output=output, learning_rate=0.01)
    assert a["test_accuracy"] > 0.8 and a["test_accuracy"] == b["test_accuracy"]
    with pytest.raises(ValueError, match="output"):
        adam_dense(X, y, X, y, output="tanh")
