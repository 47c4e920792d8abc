"""Iterative data splitting (Kurtz & Bah): cluster bookkeeping, shared activation patterns, the full loop."""

import numpy as np
import pytest

from mipnn.bnn import (
    bnn_forward,
    choose_cluster_to_split,
    clusters_to_groups,
    extract_activations,
    iterative_data_splitting,
    point_losses,
    solve_bdnn,
    split_cluster,
)


def _tiny(seed=0, n=12, d=3, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, classes, size=n)
    y[:classes] = np.arange(classes)
    return X, y


def test_split_cluster_uses_kmeans_and_partitions():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (5, 2)), rng.normal(5, 0.1, (4, 2))])
    idx = np.arange(9)
    a, b = split_cluster(X, idx, random_state=0)
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(9))
    assert {tuple(a), tuple(b)} == {tuple(range(5)), tuple(range(5, 9))}
    # identical points cannot be separated by k-means: halves instead
    a, b = split_cluster(np.zeros((4, 2)), np.arange(4))
    assert len(a) == 2 and len(b) == 2
    with pytest.raises(ValueError, match="at least 2"):
        split_cluster(X, [3])


def test_groups_and_choice_of_cluster():
    clusters = [np.array([0, 2]), np.array([1]), np.array([3, 4, 5])]
    np.testing.assert_array_equal(clusters_to_groups(clusters, 6), [0, 1, 0, 2, 2, 2])
    with pytest.raises(ValueError, match="cover"):
        clusters_to_groups(clusters, 7)
    with pytest.raises(ValueError, match="overlap"):
        clusters_to_groups([np.array([0, 1]), np.array([1])], 2)
    loss = np.array([1.0, 5.0, 1.0, 0.0, 1.0, 0.0])
    assert choose_cluster_to_split(clusters, loss) == 0      # singleton 1 has the largest loss but is skipped
    assert choose_cluster_to_split([np.array([0]), np.array([1])], loss) is None


@pytest.mark.parametrize("weight_domain", ["continuous", "integer"])
def test_cluster_constraint_forces_one_pattern_per_cluster(weight_domain):
    X, y = _tiny(1, n=8, classes=3)
    groups = np.array([0, 0, 0, 1, 1, 2, 3, 3])
    fit = solve_bdnn(X, y, hidden=(3,), n_classes=3, weight_domain=weight_domain, groups=groups, time_limit=30)
    assert fit.record.status == "optimal"
    acts = bnn_forward(X, fit.network)
    solver_acts = extract_activations(fit.model)
    for a, s in zip(acts, solver_acts, strict=True):
        np.testing.assert_array_equal(a, s)           # numpy forward pass = solver's activations
        for g in np.unique(groups):                   # ... and one pattern per cluster, in every layer
            assert (a[groups == g] == a[groups == g][0]).all()
    assert point_losses(X, y, fit.network, 3).sum() == pytest.approx(fit.record.objective)
    # Sharing is a real restriction: with one output pattern p per cluster, output unit j costs at least
    # min(#points of class j, #other points) in that cluster, whatever the weights.
    free = solve_bdnn(X, y, hidden=(3,), n_classes=3, weight_domain=weight_domain, time_limit=30)
    lower = 0
    for g in np.unique(groups):
        counts = np.bincount(y[groups == g], minlength=3)
        lower += np.minimum(counts, counts.sum() - counts).sum()
    assert lower > 0
    assert fit.record.objective >= lower - 1e-9
    assert fit.record.objective >= free.record.objective - 1e-9
    if weight_domain == "integer":
        assert all(np.isin(W, (-1, 0, 1)).all() for W, _ in fit.network)


def test_data_splitting_loop_on_tiny_data():
    X, y = _tiny(2, n=16, d=2)
    Xv, yv = _tiny(3, n=10, d=2)
    res = iterative_data_splitting(X, y, Xv, yv, hidden=(2,), max_splits=3, time_limit=20, random_state=0)
    h = res.history
    assert [r["n_clusters"] for r in h] == list(range(1, len(h) + 1))
    assert len(h) == 4
    # the model grows with the number of clusters; the first iteration is the smallest
    assert all(h[i]["n_binaries"] < h[i + 1]["n_binaries"] for i in range(len(h) - 1))
    best = max(r["val_accuracy"] for r in h)
    assert h[res.best_iteration]["val_accuracy"] == best
    # clusters stay a partition of the training points
    assert sorted(np.concatenate(res.clusters).tolist()) == list(range(16))
    # warm starts: the previous network stays feasible, so the training objective never gets worse
    objs = [r["objective"] for r in h if r["status"] == "optimal"]
    assert all(a >= b - 1e-9 for a, b in zip(objs, objs[1:], strict=False))


def test_data_splitting_until_singletons_and_errors():
    X, y = _tiny(4, n=4, d=2)
    res = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=10, time_limit=20)
    assert len(res.history) == 4 and all(len(c) == 1 for c in res.clusters)
    with pytest.raises(ValueError, match="max_splits"):
        iterative_data_splitting(X, y, X, y, max_splits=-1)
    with pytest.raises(ValueError, match="robust_radius"):
        iterative_data_splitting(X, y, X, y, robust_radius=-0.1)
