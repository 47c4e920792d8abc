"""Notebook 03b, hypothesis 3: the tie-breaking stage picks another optimal solution and never changes the optimum."""

import numpy as np
import pytest

from mipnn.relu import (
    LayerStructure,
    algorithm1,
    dense_structures,
    fit_layer_weights,
    init_network,
    last_layer_lp,
    relu,
    relu_forward,
    weight_milp,
)


def one_sided(A, T):
    return np.where(T != 0, np.abs(A - T), relu(A - T)).sum()


@pytest.fixture
def wide():
    """More weights (31) than targets (12): the optimum 0 is attained on a whole face."""
    rng = np.random.default_rng(0)
    X = rng.random((12, 30))
    return X, relu(rng.normal(size=(12, 2))), LayerStructure.dense(30, 2), rng.uniform(-1, 1, 62)


@pytest.fixture
def narrow():
    """Fewer weights (4) than targets (15): a positive optimum."""
    rng = np.random.default_rng(5)
    X = rng.random((15, 3))
    return X, relu(rng.normal(size=(15, 2))), LayerStructure.dense(3, 2), rng.uniform(-1, 1, 8)


@pytest.mark.parametrize("case", ["wide", "narrow"])
def test_tie_break_keeps_the_optimum_and_the_forward_pass_reproduces_it(case, request):
    X, T, S, theta0 = request.getfixturevalue(case)
    fits = {tb: fit_layer_weights(X, T, S, theta0=theta0, tie_break=tb) for tb in ("none", "previous", "l1")}
    assert all(r.status == "optimal" for f in fits.values() for r in f.records)
    for tb, f in fits.items():
        assert f.objective == pytest.approx(fits["none"].objective, abs=1e-6), tb
        assert np.abs(relu_forward(X, f.W, f.c) - T).sum() == pytest.approx(f.objective, abs=1e-5), tb
        assert np.all(np.abs(f.theta) <= 1 + 1e-9)
    moved = {tb: np.abs(f.theta - theta0).sum() for tb, f in fits.items()}
    size = {tb: np.abs(f.theta).sum() for tb, f in fits.items()}
    assert moved["previous"] <= moved["none"] + 1e-6 and moved["previous"] <= moved["l1"] + 1e-6
    assert size["l1"] <= size["none"] + 1e-6 and size["l1"] <= size["previous"] + 1e-6


def test_tie_break_actually_moves_to_another_optimum(wide):
    X, T, S, theta0 = wide
    none = weight_milp(X, T, S, neurons=[0], theta0=theta0)
    prev = weight_milp(X, T, S, neurons=[0], theta0=theta0, tie_break="previous")
    assert none.objective == pytest.approx(0, abs=1e-7) and prev.objective == pytest.approx(0, abs=1e-7)
    # a whole face of optima: the closest one is strictly closer than the solver's vertex
    assert np.abs(prev.theta - theta0[prev.params]).sum() < 0.9 * np.abs(none.theta - theta0[none.params]).sum()


def test_output_lp_tie_break_keeps_the_optimum(wide):
    X, _, S, theta0 = wide
    T = np.eye(2)[np.arange(12) % 2]
    base = last_layer_lp(X, T, S)
    for tb in ("previous", "l1"):
        fit = last_layer_lp(X, T, S, tie_break=tb, theta0=theta0)
        W, c = S.to_weights(fit.theta)
        assert one_sided(relu_forward(X, W, c, "identity"), T) == pytest.approx(base.objective, abs=1e-5)
    assert np.abs(last_layer_lp(X, T, S, tie_break="l1").theta).sum() <= np.abs(base.theta).sum() + 1e-6


def test_tie_break_errors_before_any_solve(wide):
    X, T, S, _ = wide
    with pytest.raises(ValueError, match="tie_break='closest' is not allowed; choose one of 'none', 'previous'"):
        weight_milp(X, T, S, tie_break="closest")
    with pytest.raises(ValueError, match="tie_break='previous' needs the previous weights"):
        weight_milp(X, T, S, tie_break="previous")
    with pytest.raises(ValueError, match="tie_break='previous' needs the previous weights"):
        last_layer_lp(X, np.eye(2)[np.arange(12) % 2], S, tie_break="previous")
    net = init_network(dense_structures((30, 3, 2)), random_state=0)
    with pytest.raises(ValueError, match="tie_break"):
        algorithm1(net, X, np.arange(12) % 2, tie_break="lexicographic")


def test_algorithm1_with_tie_break_is_deterministic_and_records_every_update(wide):
    X, _, _, _ = wide
    y = (X[:, 0] > 0.5).astype(int)
    net = init_network(dense_structures((30, 3, 2)), random_state=1)
    a = algorithm1(net, X, y, max_iterations=2, tie_break="previous", time_limit=20)
    b = algorithm1(net, X, y, max_iterations=2, tie_break="previous", time_limit=20)
    assert a.accuracy == b.accuracy
    assert np.allclose(a.network.thetas[0], b.network.thetas[0])
    assert list(a.updates["layer"][:2]) == [2, 1]
