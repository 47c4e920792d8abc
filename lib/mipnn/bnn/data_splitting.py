"""Iterative data splitting for BDNN training (Kurtz & Bah, 2021).

Kurtz & Bah's data-splitting heuristic (the paper is available to us as its abstract only; the steps follow the
authors' public code, function ``trainBDNN``). The exact BDNN MILP has one set of activation variables per
training point and layer, so it grows with the data. Kurtz & Bah shrink it by grouping the training points into
*sets* whose members must all follow the *same* activation pattern: each set gets one set of activation (and
product) variables — rows 3–7 of Theorem 1 once per set (``share_activations`` of
:func:`mipnn.bnn.build_bnn_milp`) — while every point of the MIP keeps its own first-layer rows 1–2 and its own loss
terms. The sets partition the **whole** training set; each MIP only sees a batch of it:

1. the list of sets starts as one set holding every training point;
2. each iteration takes the chosen set out of the list, splits it with k-means (k = 2, ``n_init=25``, on the
   training features) and appends the two halves (so the first MIP already has two sets);
3. one MIP is solved on a **new batch** of ``batch_size`` training points — a contiguous window of rows at a
   random offset of the training set, which a split hands over in random order — each batch point sharing the
   pattern of the set it belongs to (the threshold bound and big-M use the whole training set, as the authors'
   code does);
4. the network's Hamming loss is computed on **every** training point; the network is kept if its validation
   accuracy (prediction rule of :func:`mipnn.bnn.predict_bdnn`, ``rule="units"`` as the authors') beats the best
   so far, and the loss kept is that of the best network;
5. the next set to split is the one with more than one point whose summed loss under the best network is largest
   (the first such set in list order on ties);

until ``max_splits`` splits (= MIPs) were made or no set has more than one point.

**Start network.** The authors build a fresh, all-zero network for every split and hand it to the solver as the
MIP start (their BDNN class initialises every weight and bias to 0). We do the same
(:func:`mipnn.bnn.trivial_network`): the all-zero network is feasible for every batch and every partition — every
pre-activation is 0 ≥ λ = 0, so every unit fires on every point and all members of a set agree. The previous
split's network is *not* a valid start in general, since on a new batch two points of one set may activate it
differently; a start from it would be rejected or need repairs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from ..budget import TimeBudget
from ..exceptions import BuildTimeError
from ..validation import check_int_sequence, check_number, check_positive_int, check_random_state
from .bdnn import point_losses, predict_bdnn, solve_bdnn, threshold_bound, trivial_network

__all__ = ["KMEANS_N_INIT", "split_cluster", "clusters_to_groups", "choose_cluster_to_split", "batch_window",
           "DataSplittingResult", "iterative_data_splitting"]

#: k-means restarts per split (the authors' ``n_init``).
KMEANS_N_INIT = 25


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
    """Split the points ``X[idx]`` in two with k-means (k = 2, :data:`KMEANS_N_INIT` restarts); return the two index
    arrays (sorted).

    If k-means cannot separate them (all points identical), the cluster is cut into two halves so that the
    heuristic always makes progress.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if idx.size < 2:
        raise ValueError(f"a cluster needs at least 2 points to be split, got {idx.size}")
    pts = np.asarray(X, dtype=np.float64)[idx]
    labels = None
    if np.unique(pts, axis=0).shape[0] >= 2:
        # one OpenMP thread: k-means of a few hundred points gains nothing from more, and on a busy machine
        # scikit-learn's two spinning threads took 15.6 s instead of 0.7 s for 40 points (same clusters; one thread
        # also fixes the order in which its chunks are summed)
        with threadpool_limits(1, user_api="openmp"):
            km = KMeans(n_clusters=2, n_init=KMEANS_N_INIT, random_state=random_state).fit(pts)
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
    ``best_iteration``, 0-based: after ``best_iteration + 1`` splits); ``history`` has one dict per MIP (number of
    sets, how many of them the batch touched, model size, solve status and time, training loss and accuracy over
    the whole training set, validation accuracy); ``clusters`` is the final partition of the training set;
    ``batches`` the rows of each MIP's batch.
    """

    network: list
    best_iteration: int
    history: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    batches: list = field(default_factory=list)
    total_time: float = 0.0
    solve_time: float = 0.0
    stop_reason: str = "max_splits"


def batch_window(rng, n: int, batch_size: int | None) -> np.ndarray:
    """The authors' batch: ``batch_size`` contiguous rows starting at a random offset (all rows if ``None`` or
    ``batch_size ≥ n``)."""
    if batch_size is None or batch_size >= n:
        return np.arange(n)
    start = int(rng.integers(0, n - batch_size + 1))
    return np.arange(start, start + batch_size)


def iterative_data_splitting(X, y, X_val, y_val, *, hidden=(10,), weight_domain: str = "continuous",
                             n_classes: int | None = None, max_splits: int = 20, batch_size: int | None = 64,
                             time_limit: float = 60.0, robust_radius: float = 0.0, random_state: int = 0,
                             options=None, progress: bool = False, solver: str = "highs",
                             threads: int | None = None, fit_time_limit: float | None = None) -> DataSplittingResult:
    """Train a BDNN with the iterative data-splitting heuristic (see the module docstring).

    ``max_splits`` (≥ 1) is the number of splits, one MIP each. ``batch_size`` (``None``: all training points) is
    the size of each MIP's batch (the authors: 64). ``time_limit`` is per MIP; ``fit_time_limit`` (``None``: none)
    bounds the whole heuristic, k-means and model builds included: each MIP gets the smaller of ``time_limit`` and
    what is left, and no further split starts once it is used up (``stop_reason`` ``"time_limit"``; the first MIP
    always runs, but a model build stops at the limit: a later one ends the heuristic with the best network so far,
    the first one raises :class:`~mipnn.exceptions.BuildTimeError`, saying how long it would take).
    ``options`` go to the solver (e.g. ``{"mip_max_nodes": 500}`` for deterministic work limits).
    ``robust_radius`` > 0 trains the L∞-robust variant. ``stop_reason`` is ``"max_splits"``, ``"singletons"``
    (nothing left to split) or ``"time_limit"``.
    """
    check_positive_int("max_splits", max_splits, minimum=1)
    check_positive_int("batch_size", batch_size, minimum=1, allow_none=True)
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_number("fit_time_limit", fit_time_limit, low=0, low_open=True, allow_none=True)
    check_number("robust_radius", robust_radius, low=0.0)
    hidden = check_int_sequence("hidden", hidden)
    random_state = check_random_state(random_state, allow_none=False)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    y_val = np.asarray(y_val)
    n = len(y)
    if n < 2:
        raise ValueError(f"X must hold at least 2 training points to be split, got {n}")
    if n_classes is None:
        n_classes = int(max(y.max(), y_val.max()) + 1)
    rng = np.random.default_rng(random_state)
    bound = threshold_bound(X, (*hidden, n_classes))  # over the whole training set, as the authors' code
    start = trivial_network(X.shape[1], (*hidden, n_classes))  # the authors' fresh all-zero network
    sets = [np.arange(n)]
    to_split = 0
    t_start = time.perf_counter()
    budget = TimeBudget(time_limit, fit_time_limit, t_start)
    stop = "max_splits"
    best = None  # (val_acc, iteration, network, loss over all training points)
    history, batches = [], []
    solve_time = 0.0
    iterator = range(max_splits)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc="data splitting", leave=False)
    for it in iterator:
        limit = budget.next_limit(first=it == 0)
        if limit is None:
            stop = "time_limit"
            break
        chosen = sets.pop(to_split)
        sets += list(split_cluster(X, chosen, random_state=int(rng.integers(2**31 - 1))))
        batch = batch_window(rng, n, batch_size)
        batches.append(batch)
        groups = clusters_to_groups(sets, n)[batch]
        limit = budget.next_limit(first=it == 0) or limit  # what is left after k-means (the first MIP always runs)
        try:
            fit = solve_bdnn(X[batch], y[batch], hidden=hidden, weight_domain=weight_domain, n_classes=n_classes,
                             groups=groups, robust_radius=robust_radius, time_limit=limit, start=start,
                             options=options, solver=solver, threads=threads, deadline=budget.deadline, bound=bound)
        except BuildTimeError:
            if best is None:  # not even the first MIP could be built: the error says how long it would take
                raise
            stop = "time_limit"  # the fit's limit struck while the next MIP was built: keep the best so far
            break
        solve_time += fit.record.wall_time
        net = fit.network
        loss = point_losses(X, y, net, n_classes)
        val_acc = float(np.mean(predict_bdnn(X_val, net, rule="units") == y_val))
        history.append({"iteration": it, "n_clusters": len(sets), "n_batch_clusters": int(np.unique(groups).size),
                        "status": fit.record.status, "objective": fit.record.objective, "bound": fit.record.bound,
                        "solve_time": fit.record.wall_time, "n_binaries": fit.record.n_binaries,
                        "n_variables": fit.record.n_variables, "n_constraints": fit.record.n_constraints,
                        "train_loss": float(loss.sum()),
                        "train_accuracy": float(np.mean(predict_bdnn(X, net, rule="units") == y)),
                        "val_accuracy": val_acc})
        if best is None or val_acc > best[0]:
            best = (val_acc, it, net, loss)
        c = choose_cluster_to_split(sets, best[3])
        if c is None:
            stop = "singletons"
            break
        to_split = c
    return DataSplittingResult(network=best[2], best_iteration=best[1], history=history, clusters=sets,
                               batches=batches, total_time=time.perf_counter() - t_start, solve_time=solve_time,
                               stop_reason=stop)
