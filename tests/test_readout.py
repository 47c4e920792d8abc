"""Issue 18, hypothesis 8: read-outs of the last hidden layer separate a weak LP loss from weak features."""

import numpy as np
import pytest

from mipnn.relu import (
    READOUT_COLUMNS,
    READOUTS,
    LayerStructure,
    ReluNetwork,
    compare_readouts,
    dense_structures,
    hidden_features,
    init_network,
    postprocess_last_layer,
)


def blobs(n, rng, k=3, d=6):
    """Inputs whose first k pixels carry the class: x = e_y + small noise (non-negative)."""
    y = rng.integers(0, k, n)
    X = rng.uniform(0.0, 0.1, (n, d))
    X[np.arange(n), y] += 1.0
    return X, y


def net_with_hidden(W, c, n_classes, rng):
    """A one-hidden-layer net with the given hidden weights and a random output layer."""
    s = [LayerStructure.dense(W.shape[1], W.shape[0]), LayerStructure.dense(W.shape[0], n_classes)]
    out = rng.uniform(-1, 1, (n_classes, W.shape[0])), rng.uniform(-1, 1, n_classes)
    return ReluNetwork(s, [s[0].to_params(W, c), s[1].to_params(*out)])


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    return (*blobs(300, rng), *blobs(200, rng), rng)


def test_informative_features_every_readout_but_the_random_one_is_near_perfect(data):
    X, y, Xt, yt, rng = data
    net = net_with_hidden(np.eye(6)[:3], np.zeros(3), 3, rng)  # hidden = the class pixels
    table = compare_readouts(net, X, y, Xt, yt, random_state=0).set_index("readout")
    assert list(table.index) == list(READOUTS)
    assert list(table.reset_index().columns) == list(READOUT_COLUMNS)
    for readout in ("lp", "lp_argmax", "logistic", "boosting"):
        assert table.loc[readout, "test_accuracy"] >= 0.97, readout
    # the lp row is the library's post-processing step, scored by the paper's rule
    refit, _ = postprocess_last_layer(net, X, y)
    assert table.loc["lp", "test_accuracy"] == pytest.approx(refit.accuracy(Xt, yt))
    assert table.loc["trained", "test_accuracy"] == pytest.approx(net.accuracy(Xt, yt))


def test_dead_features_cap_every_readout_at_the_majority_class(data):
    X, y, Xt, yt, rng = data
    net = net_with_hidden(np.zeros((3, 6)), -np.ones(3), 3, rng)  # every hidden unit is dead
    assert not hidden_features(net, X).any()
    table = compare_readouts(net, X, y, Xt, yt, lp=False).set_index("readout")
    assert "lp" not in table.index
    majority = np.mean(yt == np.bincount(y).argmax())
    for readout in ("logistic", "boosting"):
        assert table.loc[readout, "test_accuracy"] == pytest.approx(majority), readout


def test_bad_arguments_are_named(data):
    X, y, Xt, yt, rng = data
    net = init_network(dense_structures((6, 3, 3)), random_state=0)
    with pytest.raises(ValueError, match="lp="):
        compare_readouts(net, X, y, Xt, yt, lp="yes")
    with pytest.raises(ValueError, match="time_limit"):
        compare_readouts(net, X, y, Xt, yt, time_limit=0)
    with pytest.raises(TypeError, match="ReluNetwork"):
        compare_readouts("net", X, y, Xt, yt)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 6\)"):
        compare_readouts(net, Xt[:, :4], y, Xt, yt)
    with pytest.raises(ValueError, match="no hidden layer"):
        hidden_features(init_network(dense_structures((6, 3)), random_state=0), X)
