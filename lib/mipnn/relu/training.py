"""Layer-wise training of ReLU networks with MILPs and LPs: Algorithm 1 and batch learning of Goebbels (2021).

Reference: S. Goebbels, "Training of ReLU activated multilayered neural networks with mixed integer linear
programs", technical report, Niederrhein University of Applied Sciences, 2021 (arXiv:2008.08386).

:func:`algorithm1` sweeps from the output layer back to the first hidden layer. For layer ``i`` it fits the
weights to the current targets (LP (7)–(8) for the output layer, one MILP (1)–(6) per independent neuron group
otherwise); for ``i > 1`` it then moves the layer's inputs inside box (9) towards the targets (§2.2) and those
inputs become the targets of layer ``i − 1``. Sweeps repeat while the training accuracy improves; the best
weights seen are kept. :func:`batch_learning` runs it on consecutive batches, warm-starting from and bounding
the weights by the previous batch's (bound (10), factor 0.6). :func:`postprocess_last_layer` is the LP of §2.3,
:func:`train_committee` trains independent committee members (in parallel on an executor) and
:func:`committee_predict` is the majority vote of several networks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..backends import BACKENDS
from ..executors import check_executor, open_executor
from ..numerics import one_hot
from ..solve import LIMIT_STATUSES
from ..validation import check_choice, check_number, check_positive_int
from .layers import capped_limit, fit_layer_inputs, fit_layer_weights
from .network import ReluNetwork, closest_to_one, diagnostics_columns
from .programs import BIG_M_CHOICES, postprocess_lp
from .structure import INPUT_BOX, check_input_box, weight_bounds_from_previous
from .tiebreak import check_tie_break

#: Default safety cap on Algorithm 1's while-iterations (the printed algorithm has none; see :func:`algorithm1`).
MAX_ITERATIONS = 50

__all__ = ["MAX_ITERATIONS", "Algorithm1Result", "algorithm1", "batch_learning", "train_committee",
           "postprocess_last_layer", "committee_predict"]


@dataclass
class Algorithm1Result:
    """Best network of :func:`algorithm1`, accuracy per while-iteration and timings.

    ``iterations``: one row per while-iteration (accuracy at its end, best so far, seconds, dead units per hidden
    layer ``dead_h1..``, distinct activation patterns of the last hidden layer). ``updates``: one row per layer
    update inside the for-loop (the accuracy the algorithm compares after *each* layer, as printed, the ℓ1
    objective of the weight fit and of the input fit, ``zero_target_units``: units of the layer below whose new
    targets are 0 on every training vector, dead units after the update), to see where a sweep gains or loses
    and where units die. ``stop_reason``: ``"no_improvement"`` (the printed while-rule, or ``patience``),
    ``"max_iterations"`` (the safety cap) or ``"time_limit"`` (the fit's ``deadline`` passed)."""

    network: ReluNetwork
    accuracy: float
    iterations: pd.DataFrame
    solve_time: float
    wall_time: float
    statuses: dict = field(default_factory=dict)
    updates: pd.DataFrame = field(default_factory=pd.DataFrame)
    stop_reason: str = "no_improvement"


def _check_callback(name, value):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a callable or None, got {type(value).__name__}")


def _check_xy(X, y, net):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != net.structures[0].n_inputs:
        raise ValueError(f"X must have shape (m, {net.structures[0].n_inputs}), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    if (X < 0).any():
        raise ValueError("X must be non-negative (scaled pixels)")
    return X, y


def _expired(deadline) -> bool:
    return deadline is not None and time.perf_counter() >= deadline


def _stop_reason(cut, stalled, patience, it, max_iterations, deadline) -> str | None:
    """Why Algorithm 1's while-loop ends now (``None``: it goes on): the deadline cut a sweep short, the printed
    rule (with ``patience``), the iteration cap, or the deadline passed at the end of a sweep."""
    if cut:
        return "time_limit"
    if stalled > patience:
        return "no_improvement"
    if it >= max_iterations:
        return "max_iterations"
    return "time_limit" if it > 0 and _expired(deadline) else None


def algorithm1(network: ReluNetwork, X, y, *, bounds=None, big_m: str = "tight",
               max_iterations: int = MAX_ITERATIONS,
               time_limit: float = 60.0, options=None, n_jobs: int = 1, executor: str = "local",
               postprocess: bool = False, lp_start: bool = True, tie_break: str = "none",
               input_box=INPUT_BOX, patience: int = 0, on_update=None, solver: str = "highs",
               deadline: float | None = None) -> Algorithm1Result:
    """Algorithm 1 on one batch ``(X, y)``, starting from (a copy of) ``network`` and warm-starting each MILP.

    Parameters
    ----------
    bounds : optional list of ``(lower, upper)`` per layer (e.g. bound (10)); default ``[-1, 1]``.
    big_m : ``"printed"`` or ``"tight"`` (see :mod:`mipnn.relu.programs`).
    max_iterations : a safety cap on while-iterations. The printed algorithm has none (it stops when the accuracy
        stops improving); the default :data:`MAX_ITERATIONS` = 50 lies well above the 9–10 sweeps that successful
        runs from a small start take, so the paper's stop rule ends the runs.
    patience : how many while-iterations in a row may end without beating the previous one's accuracy before the
        loop stops; ``0`` is the printed rule ``while accuracy > last_accuracy``, more is our lever (the weights of
        the best accuracy seen are kept either way).
    time_limit : per solve, in seconds; ``options`` go to HiGHS (use ``{"mip_max_nodes": k}`` for a
        deterministic work limit).
    n_jobs, executor : where the independent per-neuron MILPs of a layer run (:mod:`mipnn.executors`):
        ``n_jobs`` local worker processes, or ``executor="dask"`` / a Dask scheduler address.
    postprocess : finish with the LP of §2.3 on this batch (if accuracy < 1).
    lp_start : start each weight MILP from the best fixed-activation-pattern LP (see
        :func:`~mipnn.relu.weight_milp`); ``False`` gives the plain warm start.
    tie_break : which optimal weights each fit keeps: ``"none"`` (the solver's, as in the paper), ``"previous"``
        (closest to the weights before the update) or ``"l1"`` (smallest); :mod:`mipnn.relu.tiebreak`.
    input_box : how far the proposed inputs (the next targets) may move, ``(r, a)`` as in
        :func:`~mipnn.relu.input_bounds`; the paper's box (9) is ``(0.1, 0.1)``, anything else is our lever.
    on_update : optional ``on_update(iteration, layer, network)``, called after each layer update (``layer``
        1-based, ``network`` a copy as it stands then) to trace what each update does, e.g. to the hidden
        features (notebook 03b, hypothesis 9); its time is counted in ``wall_time`` but not in ``solve_time``.
    solver : the backend of the weight MILPs (1)–(6) (:func:`~mipnn.relu.weight_milp`; the paper used CPLEX);
        every LP and the input MILPs of §2.2 run on HiGHS.
    deadline : optional :func:`time.perf_counter` value at which the whole fit ends (beyond the paper, which
        limits each solve only): every solve gets at most what is left, no layer update starts after it, and the
        best network seen so far is returned (``stop_reason`` ``"time_limit"``).
    """
    _check_callback("on_update", on_update)
    check_choice("solver", solver, BACKENDS)
    check_choice("big_m", big_m, BIG_M_CHOICES)
    input_box = check_input_box(input_box)
    check_number("patience", patience, low=0, integer=True)
    check_tie_break(tie_break)
    check_positive_int("max_iterations", max_iterations)
    check_positive_int("n_jobs", n_jobs)
    check_executor(executor)
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_number("deadline", deadline, allow_none=True)
    X, y = _check_xy(X, y, network)
    L = len(network.structures)
    if bounds is not None and len(bounds) != L:
        raise ValueError(f"bounds must have one (lower, upper) pair per layer ({L})")
    net = network.copy()
    Y = one_hot(np.asarray(y, dtype=np.int64), net.structures[-1].n_outputs)
    t_start = time.perf_counter()
    solve_time = 0.0
    statuses: dict[str, int] = {}
    accuracy, last_accuracy = 0.0, -1.0
    best_net, best_acc = None, -1.0
    rows, updates = [], []
    it, stalled, cut = 0, 0, False
    while (stop := _stop_reason(cut, stalled, patience, it, max_iterations, deadline)) is None:
        last_accuracy = accuracy
        it += 1
        t_it = time.perf_counter()
        acts = net.forward(X)
        targets = Y
        diag = diagnostics_columns(net, X) if L > 1 else {}
        for i in reversed(range(L)):
            if (it > 1 or i < L - 1) and _expired(deadline):
                cut = True  # no update starts after the deadline; the first one always runs
                break
            activation = "identity" if i == L - 1 else "relu"
            lo, hi = (None, None) if bounds is None else bounds[i]
            fit = fit_layer_weights(acts[i], targets, net.structures[i], lower=lo, upper=hi, big_m=big_m,
                                    theta0=net.thetas[i], activation=activation, time_limit=time_limit,
                                    options=options, n_jobs=n_jobs, executor=executor, lp_start=lp_start,
                                    tie_break=tie_break, solver=solver, deadline=deadline)
            for r in fit.records:
                statuses[r.status] = statuses.get(r.status, 0) + 1
                solve_time += r.wall_time
            net.thetas[i] = fit.theta
            input_objective, zero_targets = float("nan"), None
            if i > 0:
                W, c = net.weights(i)
                new_inputs, input_objective, recs = fit_layer_inputs(
                    acts[i], targets, W, c, activation=activation, big_m=big_m, time_limit=time_limit,
                    options=options, input_box=input_box, deadline=deadline)
                solve_time += sum(r.wall_time for r in recs)
                targets = new_inputs
                # units of hidden layer i whose new targets are 0 on every image: the input fit asks them to die
                zero_targets = int((targets.max(axis=0) <= 0.0).sum())
            accuracy = net.accuracy(X, y)
            if accuracy > best_acc:
                best_acc, best_net = accuracy, net.copy()
            diag = diagnostics_columns(net, X) if L > 1 else {}
            bounds_ = [r.bound for r in fit.records]
            updates.append({"iteration": it, "layer": i + 1, "accuracy": accuracy,
                            "weight_objective": fit.objective,
                            # the proven lower bound of the layer's weight fit (its MILPs' bounds summed)
                            "weight_bound": float("nan") if None in bounds_ else float(sum(bounds_)),
                            "input_objective": input_objective,
                            "zero_target_units": zero_targets, **diag})
            if on_update is not None:
                on_update(it, i + 1, net.copy())
        stalled = 0 if accuracy > last_accuracy else stalled + 1
        # the network is the one after the last update (layer 1, unless the deadline cut the sweep short): its
        # diagnostics are already computed
        rows.append({"iteration": it, "accuracy": accuracy, "best_accuracy": best_acc,
                     "seconds": time.perf_counter() - t_it, **diag})
    if accuracy < 1.0 and best_net is not None:
        net = best_net
    if postprocess and net.accuracy(X, y) < 1.0 and not _expired(deadline):
        net, rec = postprocess_last_layer(net, X, y, time_limit=capped_limit(time_limit, deadline))
        solve_time += rec.wall_time
    return Algorithm1Result(network=net, accuracy=net.accuracy(X, y), iterations=pd.DataFrame(rows),
                       solve_time=solve_time, wall_time=time.perf_counter() - t_start, statuses=statuses,
                       updates=pd.DataFrame(updates), stop_reason=stop)


def postprocess_last_layer(network: ReluNetwork, X, y, *, time_limit: float = 1800.0, lp_method: str = "ipm",
                           options=None):
    """§2.3 on ``(X, y)``: refit the output layer by the LP with slacks ≤ 0.49. Returns ``(network, record)``."""
    X, y = _check_xy(X, y, network)
    hidden = network.forward(X)[-2]
    Y = one_hot(np.asarray(y, dtype=np.int64), network.structures[-1].n_outputs)
    fit = postprocess_lp(hidden, Y, network.structures[-1], time_limit=time_limit, lp_method=lp_method, options=options)
    net = network.copy()
    net.thetas[-1] = fit.theta
    return net, fit.record


def batch_learning(network: ReluNetwork, X, y, *, batch_size: int = 100, n_batches: int = 20,
                   factor: float | None = 0.6, X_test=None, y_test=None, big_m: str = "tight",
                   max_iterations: int = MAX_ITERATIONS, time_limit: float = 60.0, options=None, n_jobs: int = 1,
                   executor: str = "local", progress: bool = True, lp_start: bool = True, callback=None,
                   tie_break: str = "none", input_box=INPUT_BOX, patience: int = 0, on_update=None,
                   start_batch: int = 0, solver: str = "highs", deadline: float | None = None):
    """Algorithm 1 on batches ``0..n_batches−1`` of ``batch_size`` consecutive rows of ``(X, y)``.

    From the second batch on, every parameter is bounded by (10) around the previous batch's value
    (``factor=None`` switches the bound off) and each MILP is warm-started from it. Returns
    ``(network, history)``; ``history`` has one row per batch: batch accuracy, accuracy on all rows seen so far,
    test accuracy (if ``X_test`` is given), iterations, solve and wall time, and how many of the batch's
    solves stopped at ``time_limit`` (``solves_at_time_limit``; the rest reached their optimum or node cap), how many
    stopped at any limit, node caps included (``solves_at_limit``), and why Algorithm 1 stopped (``stop_reason``).
    ``callback(batch, network, row)``, if given, is called after each batch (e.g. to post-process or save a
    snapshot); its time is not counted.
    ``tie_break``, ``input_box``, ``patience`` and ``solver`` as in :func:`algorithm1`; ``on_update(batch, iteration,
    layer, network)``, if given, is called after every layer update of every batch (:func:`algorithm1`'s, with the
    batch).
    ``start_batch=k`` resumes a run after its batch ``k``: ``network`` is the one batch ``k`` ended with, and batches
    ``k+1..n_batches`` follow exactly as in the uninterrupted run (bound (10) from the first of them; the history
    and the callbacks number batches as that run does).
    ``deadline`` (a :func:`time.perf_counter` value, the end of the whole fit; beyond the paper) is passed to
    :func:`algorithm1`, and no batch after the first starts once it has passed. Each history row says why its
    Algorithm 1 stopped (``stop_reason``).
    """
    _check_callback("callback", callback)
    _check_callback("on_update", on_update)
    check_choice("solver", solver, BACKENDS)
    check_positive_int("batch_size", batch_size)
    check_tie_break(tie_break)
    input_box = check_input_box(input_box)
    check_number("patience", patience, low=0, integer=True)
    check_positive_int("n_batches", n_batches)
    check_number("start_batch", start_batch, low=0, high=n_batches - 1, integer=True)
    check_number("factor", factor, low=0.0, allow_none=True)
    check_number("deadline", deadline, allow_none=True)
    X, y = _check_xy(X, y, network)
    if n_batches * batch_size > X.shape[0]:
        raise ValueError(f"n_batches × batch_size = {n_batches * batch_size} exceeds the {X.shape[0]} rows of X")
    net = network.copy()
    rows = []
    bar = tqdm(range(start_batch, n_batches), desc="batches", disable=not progress, initial=start_batch,
               total=n_batches)
    for b in bar:
        if b > start_batch and deadline is not None and time.perf_counter() >= deadline:
            break
        sl = slice(b * batch_size, (b + 1) * batch_size)
        bounds = None
        if b > 0 and factor is not None:
            bounds = [weight_bounds_from_previous(t, factor=factor) for t in net.thetas]
        res = algorithm1(net, X[sl], y[sl], bounds=bounds, big_m=big_m, max_iterations=max_iterations,
                         time_limit=time_limit, options=options, n_jobs=n_jobs, executor=executor,
                         lp_start=lp_start, tie_break=tie_break, input_box=input_box, patience=patience,
                         on_update=None if on_update is None else partial(on_update, b + 1), solver=solver,
                         deadline=deadline)
        net = res.network
        seen = slice(0, (b + 1) * batch_size)
        row = {"batch": b + 1, "batch_accuracy": res.accuracy, "seen_accuracy": net.accuracy(X[seen], y[seen]),
               "iterations": len(res.iterations), "solve_time": res.solve_time, "wall_time": res.wall_time,
               "solves_at_time_limit": res.statuses.get("time_limit", 0),
               "solves_at_limit": sum(n for st, n in res.statuses.items() if st in LIMIT_STATUSES),
               "stop_reason": res.stop_reason}
        if X_test is not None:
            row["test_accuracy"] = net.accuracy(X_test, y_test)
        rows.append(row)
        bar.set_postfix(batch_acc=f"{res.accuracy:.2f}")
        if callback is not None:
            callback(b + 1, net.copy(), row)
    return net, pd.DataFrame(rows)


def _committee_member(network, X, y, kwargs):
    """One member of :func:`train_committee` (module-level, so that it pickles to a worker)."""
    return batch_learning(network, X, y, progress=False, **kwargs)[0]


def train_committee(networks, parts, *, executor: str = "local", n_jobs: int = 1, progress: bool = True,
                    **kwargs) -> list[ReluNetwork]:
    """:func:`batch_learning` of each initial network in ``networks`` on its own ``(X, y)`` of ``parts``; the members
    are independent, so they run on an executor (:mod:`mipnn.executors`: ``n_jobs`` local processes, ``"dask"`` or a
    scheduler address) with each member's MILPs in one worker, one after another. ``kwargs`` go to
    :func:`batch_learning` (e.g. ``batch_size``, ``n_batches``, ``time_limit``, ``options``). Returns the trained
    networks in the order of ``networks``; the results do not depend on the executor."""
    check_executor(executor)
    check_positive_int("n_jobs", n_jobs)
    networks, parts = list(networks), list(parts)
    if not networks or len(parts) != len(networks):
        raise ValueError(f"networks and parts must be non-empty lists of the same length; got {len(networks)} "
                         f"networks and {len(parts)} parts")
    tasks = [(m, (net, X, y, kwargs)) for m, (net, (X, y)) in enumerate(zip(networks, parts, strict=True))]
    done: dict[int, ReluNetwork] = {}
    bar = tqdm(total=len(tasks), desc="committee", unit="member", disable=not progress)

    def keep(m, network, wall, where):
        done[m] = network
        bar.update(1)

    try:
        if executor == "local" and n_jobs == 1:
            for m, args in tasks:
                keep(m, _committee_member(*args), 0.0, None)
        else:
            ex = open_executor(executor, n_jobs)
            try:
                ex.run(_committee_member, tasks, keep, label=lambda m: f"committee member {m + 1}")
            finally:
                ex.close()
    finally:
        bar.close()
    return [done[m] for m in range(len(tasks))]


def committee_predict(networks, X) -> np.ndarray:
    """Majority vote of ``networks``; a tie goes to the tied class with the smallest mean distance to 1."""
    if not networks:
        raise ValueError("networks must be a non-empty list of ReluNetwork")
    outs = [n.decision(X) for n in networks]
    n_classes = outs[0].shape[1]
    votes = np.zeros_like(outs[0])
    for o in outs:
        votes[np.arange(o.shape[0]), closest_to_one(o)] += 1
    dist = np.mean([np.abs(o - 1.0) for o in outs], axis=0)
    score = votes * (n_classes * 10.0) - np.minimum(dist, n_classes * 5.0)
    return np.argmax(score, axis=1)
