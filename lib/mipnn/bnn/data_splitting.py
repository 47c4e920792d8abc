"""Iterative data splitting for BDNN training (Kurtz & Bah, 2021).

Kurtz & Bah's data-splitting heuristic (the paper is available to us as its abstract only; the steps follow the
authors' code, REFERENCE.md §4). The exact BDNN MILP has one set of activation variables per training point and
layer, so it grows with the data. Kurtz & Bah shrink it by grouping the training points into clusters whose members
must all follow the *same* activation pattern: each cluster gets one set of activation (and product) variables —
rows 3–7 of Theorem 1 once per cluster (``share_activations`` of :func:`mipnn.bnn.build_bnn_milp`) — while every
point still keeps its own first-layer rows 1–2 and its own loss terms, so the shared first-layer pattern has to be
consistent with each member's input. The loss of a cluster is the sum of its members' Hamming losses against their
own labels.
The heuristic starts with one cluster holding all points and, in each iteration,

1. solves the clustered MILP, warm-started from the previous network (whose weights stay feasible, because a
   split only removes sharing constraints);
2. keeps the network if its validation accuracy is the best so far;
3. splits, with k-means (k = 2), the cluster with more than one point that has the largest loss under the best
   network so far (loss evaluated point by point with the real forward pass);

until ``max_splits`` splits were made or every cluster is a singleton (then the model is the exact MILP).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans

from ..budget import TimeBudget
from ..validation import check_number, check_positive_int, check_random_state
from .bdnn import point_losses, predict_bdnn, solve_bdnn

__all__ = ["split_cluster", "clusters_to_groups", "choose_cluster_to_split", "DataSplittingResult",
           "iterative_data_splitting"]


def clusters_to_groups(clusters, n_points: int) -> np.ndarray:
    """Turn a list of index arrays (a partition of ``0..n_points-1``) into a group label per point."""
    groups = np.full(n_points, -1, dtype=np.int64)
    for c, idx in enumerate(clusters):
        idx = np.asarray(idx, dtype=np.int64)
        if (groups[idx] != -1).any():
            raise ValueError("clusters overlap: a point belongs to more than one cluster")
        groups[idx] = c
    if (groups == -1).any():
        raise ValueError("clusters do not cover every point")
    return groups


def split_cluster(X, idx, *, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split the points ``X[idx]`` in two with k-means (k = 2); return the two index arrays (sorted).

    If k-means cannot separate them (all points identical), the cluster is cut into two halves so that the
    heuristic always makes progress.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if idx.size < 2:
        raise ValueError(f"a cluster needs at least 2 points to be split, got {idx.size}")
    pts = np.asarray(X, dtype=np.float64)[idx]
    labels = None
    if np.unique(pts, axis=0).shape[0] >= 2:
        km = KMeans(n_clusters=2, n_init=10, random_state=random_state).fit(pts)
        labels = km.labels_
    if labels is None or labels.min() == labels.max():
        labels = np.zeros(idx.size, dtype=np.int64)
        labels[idx.size // 2:] = 1
    a, b = np.sort(idx[labels == 0]), np.sort(idx[labels == 1])
    # A canonical order (the part holding the smallest index first) keeps runs reproducible.
    return (a, b) if a[0] < b[0] else (b, a)


def choose_cluster_to_split(clusters, point_loss) -> int | None:
    """Index of the cluster with > 1 point whose summed point loss is largest (lowest index on ties).

    Returns ``None`` when every cluster is a singleton.
    """
    point_loss = np.asarray(point_loss, dtype=np.float64)
    best, best_loss = None, -np.inf
    for c, idx in enumerate(clusters):
        if len(idx) < 2:
            continue
        loss = float(point_loss[np.asarray(idx)].sum())
        if loss > best_loss:
            best, best_loss = c, loss
    return best


@dataclass
class DataSplittingResult:
    """Outcome of :func:`iterative_data_splitting`.

    ``network`` (list of ``(W, λ)``) is the network with the best validation accuracy (found at
    ``best_iteration``); ``history`` has one dict per iteration (number of clusters, model size, solve status
    and time, training loss and accuracy, validation accuracy); ``clusters`` is the final partition.
    """

    network: list
    best_iteration: int
    history: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    total_time: float = 0.0
    solve_time: float = 0.0
    stop_reason: str = "max_splits"


def iterative_data_splitting(X, y, X_val, y_val, *, hidden=(10,), weight_domain: str = "continuous",
                             n_classes: int | None = None, max_splits: int = 10, batch_size: int | None = None,
                             time_limit: float = 60.0, robust_radius: float = 0.0, random_state: int = 0,
                             options=None, progress: bool = False, solver: str = "highs",
                             threads: int | None = None, fit_time_limit: float | None = None) -> DataSplittingResult:
    """Train a BDNN with the iterative data-splitting heuristic (see the module docstring).

    ``batch_size`` (``None``: all) draws that many training points at random once (the authors give each MIP
    a batch of 64 points). ``time_limit`` is per MIP; ``fit_time_limit`` (``None``: none) bounds the whole
    heuristic, k-means and model builds included: each MIP gets the smaller of ``time_limit`` and what is left, and
    no further split starts once it is used up (``stop_reason`` ``"time_limit"``; the first MIP always runs).
    ``options`` go to HiGHS (e.g. ``{"mip_max_nodes": 500}`` for deterministic work limits). ``robust_radius`` > 0
    trains the L∞-robust variant. ``stop_reason`` is ``"max_splits"``, ``"singletons"`` (nothing left to split) or
    ``"time_limit"``.
    """
    check_positive_int("max_splits", max_splits, minimum=0)
    check_positive_int("batch_size", batch_size, minimum=1, allow_none=True)
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_number("fit_time_limit", fit_time_limit, low=0, low_open=True, allow_none=True)
    check_number("robust_radius", robust_radius, low=0.0)
    random_state = check_random_state(random_state, allow_none=False)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    y_val = np.asarray(y_val)
    if n_classes is None:
        n_classes = int(max(y.max(), y_val.max()) + 1)
    rng = np.random.default_rng(random_state)
    if batch_size is not None and batch_size < len(y):
        pick = np.sort(rng.choice(len(y), size=batch_size, replace=False))
        X, y = X[pick], y[pick]
    n = len(y)
    clusters = [np.arange(n)]
    t_start = time.perf_counter()
    budget = TimeBudget(time_limit, fit_time_limit, t_start)
    stop = "max_splits"
    best = None  # (val_acc, iteration, network)
    prev = None
    history = []
    solve_time = 0.0
    iterator = range(max_splits + 1)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc="data splitting", leave=False)
    for it in iterator:
        limit = budget.next_limit(first=it == 0)
        if limit is None:
            stop = "time_limit"
            break
        groups = clusters_to_groups(clusters, n)
        # The previous network stays feasible after a split, so it is a valid MIP start.
        fit = solve_bdnn(X, y, hidden=hidden, weight_domain=weight_domain, n_classes=n_classes, groups=groups,
                            robust_radius=robust_radius, time_limit=limit, start=prev, options=options,
                            solver=solver, threads=threads, deadline=budget.deadline)
        solve_time += fit.record.wall_time
        net = fit.network
        val_acc = float(np.mean(predict_bdnn(X_val, net) == y_val))
        history.append({"iteration": it, "n_clusters": len(clusters), "status": fit.record.status,
                        "objective": fit.record.objective, "bound": fit.record.bound,
                        "solve_time": fit.record.wall_time, "n_binaries": fit.record.n_binaries,
                        "n_variables": fit.record.n_variables, "n_constraints": fit.record.n_constraints,
                        "train_loss": float(point_losses(X, y, net, n_classes).sum()),
                        "train_accuracy": float(np.mean(predict_bdnn(X, net) == y)), "val_accuracy": val_acc})
        if best is None or val_acc > best[0]:
            best = (val_acc, it, net)
        prev = net
        if it == max_splits:
            break
        c = choose_cluster_to_split(clusters, point_losses(X, y, best[2], n_classes))
        if c is None:
            stop = "singletons"
            break
        a, b = split_cluster(X, clusters[c], random_state=random_state)
        clusters = clusters[:c] + [a, b] + clusters[c + 1:]
    return DataSplittingResult(network=best[2], best_iteration=best[1], history=history, clusters=clusters,
                               total_time=time.perf_counter() - t_start, solve_time=solve_time, stop_reason=stop)
