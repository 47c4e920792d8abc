"""Iterative data splitting (Kurtz & Bah): cluster bookkeeping, shared activation patterns, the full loop."""

import numpy as np
import pytest

import mipnn.bnn.data_splitting as ds_module
from mipnn.bnn import (
    KMEANS_N_INIT,
    batch_window,
    bnn_forward,
    choose_cluster_to_split,
    clusters_to_groups,
    extract_activations,
    iterative_data_splitting,
    point_losses,
    predict_bdnn,
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
    res = iterative_data_splitting(X, y, Xv, yv, hidden=(2,), max_splits=3, batch_size=None, time_limit=20,
                                   random_state=0)
    h = res.history
    # one MIP per split; the first MIP already has two sets (the authors' loop)
    assert [r["n_clusters"] for r in h] == [2, 3, 4]
    best = max(r["val_accuracy"] for r in h)
    assert h[res.best_iteration]["val_accuracy"] == best
    assert np.mean(predict_bdnn(Xv, res.network, rule="units") == yv) == pytest.approx(best)
    # clusters stay a partition of the training points
    assert sorted(np.concatenate(res.clusters).tolist()) == list(range(16))
    # with the batch = the whole set, every MIP's objective is the numpy loss over all points
    for r in h:
        if r["status"] == "optimal":
            assert r["objective"] == pytest.approx(r["train_loss"])


def test_each_split_draws_a_new_batch_from_the_whole_training_set(monkeypatch):
    # 200 points, batches of 16: every MIP sees a new contiguous window at a random offset, with the patterns of
    # all sets (the clusters of the WHOLE training set), and the next set is chosen on the loss over all points.
    X, y = _tiny(5, n=200, d=2)
    seen = []
    real_solve = ds_module.solve_bdnn

    def spy(Xb, yb, **kw):
        seen.append((Xb.copy(), kw["groups"].copy(), kw["start"], kw["bound"]))
        return real_solve(Xb, yb, **kw)

    loss_sizes = []
    real_losses = ds_module.point_losses

    def loss_spy(Xl, yl, net, c):
        loss_sizes.append(len(Xl))
        return real_losses(Xl, yl, net, c)

    monkeypatch.setattr(ds_module, "solve_bdnn", spy)
    monkeypatch.setattr(ds_module, "point_losses", loss_spy)
    res = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=4, batch_size=16, time_limit=20,
                                   random_state=1)
    assert len(res.batches) == len(seen) == 4
    starts = [int(b[0]) for b in res.batches]
    assert len(set(starts)) > 1                                        # a new batch per split
    for k, (b, (Xb, groups, start, bound)) in enumerate(zip(res.batches, seen, strict=True)):
        np.testing.assert_array_equal(b, np.arange(b[0], b[0] + 16))   # contiguous window
        np.testing.assert_array_equal(Xb, X[b])
        assert len(np.unique(groups)) <= k + 2                         # at most the k + 2 sets of split k + 1
        assert all(W.sum() == 0 and lam.sum() == 0 for W, lam in start)  # the authors' all-zero start
        assert bound == pytest.approx(np.abs(X).sum(axis=1).max())        # bound over the whole training set
    full = clusters_to_groups(res.clusters, 200)
    np.testing.assert_array_equal(np.unique(full[res.batches[-1]], return_inverse=True)[1],
                                  np.unique(seen[-1][1], return_inverse=True)[1])
    assert sum(len(c) for c in res.clusters) == 200 and len(res.clusters) == 5
    # the loss that picks the next set is computed on all 200 training points, once per MIP
    assert loss_sizes == [200] * 4


def test_next_split_is_the_set_with_the_largest_loss_over_all_points():
    # Loss over the whole training set decides: a set whose points are outside every batch can still be chosen.
    clusters = [np.array([0, 1]), np.array([2, 3, 4]), np.array([5])]
    loss = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 9.0])
    assert choose_cluster_to_split(clusters, loss) == 0
    loss[2:5] = 1.0
    assert choose_cluster_to_split(clusters, loss) == 1
    rng = np.random.default_rng(0)
    w = [batch_window(rng, 100, 64) for _ in range(20)]
    assert all(len(b) == 64 and b[0] >= 0 and b[-1] <= 99 and (np.diff(b) == 1).all() for b in w)
    np.testing.assert_array_equal(batch_window(rng, 10, 64), np.arange(10))
    assert KMEANS_N_INIT == 25


def test_data_splitting_until_singletons_and_errors():
    X, y = _tiny(4, n=4, d=2)
    res = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=10, time_limit=20)
    assert res.stop_reason == "singletons"
    assert len(res.history) == 3 and all(len(c) == 1 for c in res.clusters)
    with pytest.raises(ValueError, match="max_splits"):
        iterative_data_splitting(X, y, X, y, max_splits=0)
    with pytest.raises(ValueError, match="robust_radius"):
        iterative_data_splitting(X, y, X, y, robust_radius=-0.1)


def test_authors_prediction_rule_sends_ties_to_class_zero():
    # one layer, two outputs: unit 0 fires iff x ≥ 1, unit 1 iff x ≥ 0 (margin x − 0 beats x − 1 everywhere)
    net = [(np.array([[1.0], [1.0]]), np.array([1.0, 0.0]))]
    X = np.array([[2.0], [0.5], [-1.0]])
    # x = 2: both fire (tie → 0); x = 0.5: only unit 1; x = −1: none fires (tie → 0)
    np.testing.assert_array_equal(predict_bdnn(X, net, rule="units"), [0, 1, 0])
    np.testing.assert_array_equal(predict_bdnn(X, net, rule="margin"), [1, 1, 1])
    with pytest.raises(ValueError, match="rule"):
        predict_bdnn(X, net, rule="vote")
