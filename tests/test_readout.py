"""Notebook 03b, hypothesis 8: read-outs of the last hidden layer separate a weak LP loss from weak features."""

import numpy as np
import pytest

from mipnn.relu import (
    PROBE_COLUMNS,
    READOUT_COLUMNS,
    READOUTS,
    LayerStructure,
    ReluNetwork,
    compare_readouts,
    dense_structures,
    hidden_features,
    init_network,
    postprocess_last_layer,
    probe_hidden_layers,
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


def test_probes_score_each_hidden_layer_alike_to_the_logistic_readout(data):
    X, y, Xt, yt, rng = data
    S = dense_structures((6, 3, 3, 3, 3))
    # h1 = the class pixels above the noise; h2 is dead, and so is h3, the identity of a dead layer
    thetas = [S[0].to_params(np.eye(6)[:3], -0.5 * np.ones(3)), S[1].to_params(np.zeros((3, 3)), -np.ones(3)),
              S[2].to_params(np.eye(3), np.zeros(3)), S[3].to_params(np.eye(3), np.zeros(3))]
    net = ReluNetwork(S, thetas)
    probes = probe_hidden_layers(net, X, y, Xt, yt, random_state=0)
    assert list(probes.columns) == list(PROBE_COLUMNS) and list(probes["layer"]) == [1, 2, 3]
    assert probes.loc[0, "test_accuracy"] >= 0.97 and probes.loc[0, "dead_units"] == 0
    assert probes.loc[0, "patterns"] == 3  # one unit fires per class
    majority = np.mean(yt == np.bincount(y).argmax())
    assert list(probes.loc[1:, "dead_units"]) == [3, 3] and list(probes.loc[1:, "patterns"]) == [1, 1]
    assert probes.loc[1:, "test_accuracy"].tolist() == pytest.approx([majority, majority])
    # the last hidden layer's probe is compare_readouts' logistic row
    net2 = net_with_hidden(np.eye(6)[:3], np.zeros(3), 3, rng)
    table = compare_readouts(net2, X, y, Xt, yt, lp=False, boosting=False, random_state=0).set_index("readout")
    probe = probe_hidden_layers(net2, X, y, Xt, yt, random_state=0).iloc[-1]
    assert probe["test_accuracy"] == pytest.approx(table.loc["logistic", "test_accuracy"])
    with pytest.raises(TypeError, match="ReluNetwork"):
        probe_hidden_layers("net", X, y, Xt, yt)
    with pytest.raises(ValueError, match="no hidden layer"):
        probe_hidden_layers(init_network(dense_structures((6, 3)), random_state=0), X, y, Xt, yt)


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
