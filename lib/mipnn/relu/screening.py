"""Screening random initialisations for Algorithm 1 (Goebbels 2021, §3).

Goebbels reports that the outcome of Algorithm 1 "depends strongly on the initialization of weights" and that a
suitable one can be found experimentally, without saying how. This module makes that search a documented,
seeded procedure that looks at training data only (never at test data):

1. For every random state, draw the network with :func:`~mipnn.relu.init_network` (weights uniform in
   ``[low, high]``) and measure on the training batch the dead units of each hidden layer, the distinct
   activation patterns of the last hidden layer and the **probe accuracy**: the training accuracy after the
   output layer alone is fitted by the LP (7)–(8) to the random hidden features. That is exactly the first
   update of Algorithm 1, one LP, milliseconds at 100 images, so hundreds of states are cheap.
2. Optionally (``iterations > 0``) run that many while-iterations of :func:`~mipnn.relu.algorithm1` (node-capped
   MILPs through ``options`` keep it affordable) and record the training accuracy reached.
3. :func:`pick_initialisations` keeps the ``k`` best random states by a training-accuracy column; ties go to the
   smaller random state, so the choice is reproducible.

:func:`choose_initialisation` chains the stages as one procedure: probe every state, give the ``shortlist``
best by probe accuracy (or all) the while-iterations, pick by the accuracy they reach; with ``finalists``, run
Algorithm 1 in full from that many of the best and pick by the training accuracy of those runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..numerics import one_hot
from ..validation import check_number, check_positive_int
from .network import diagnostics_columns, init_network
from .programs import last_layer_lp
from .training import _check_xy, algorithm1

__all__ = ["screen_initialisation", "screen_initialisations", "pick_initialisations", "choose_initialisation",
           "InitialisationChoice", "SCREEN_COLUMNS"]

# the training-accuracy columns a screen can be ranked by
SCREEN_COLUMNS = ("probe_accuracy", "iteration_accuracy")


def _check_random_state(random_state) -> int:
    return int(check_number("random_state", random_state, low=0, integer=True))


def screen_initialisation(structures, X, y, random_state: int, *, low: float = -1.0, high: float = 1.0,
                          iterations: int = 0, time_limit: float = 60.0, options=None, lp_start: bool = True,
                          probe: bool = True) -> dict:
    """One random state of the screening procedure (module docstring). Returns a flat dict: ``random_state``,
    ``initial_accuracy``, ``probe_accuracy``, ``dead_h1..`` and ``patterns`` at initialisation (``probe=False``
    leaves these out, for a state already probed), and with ``iterations > 0`` also ``iteration_accuracy`` (best
    training accuracy within those while-iterations, the weights Algorithm 1 keeps), ``iteration_dead_h1..``,
    ``iteration_patterns``, ``iteration_seconds``."""
    random_state = _check_random_state(random_state)
    check_number("iterations", iterations, low=0, integer=True)
    check_number("time_limit", time_limit, low=0, low_open=True)
    net = init_network(structures, low=low, high=high, random_state=random_state)
    X, y = _check_xy(X, y, net)
    if len(net.structures) < 2:
        raise ValueError("screening needs a network with at least one hidden layer")
    row = {"random_state": random_state}
    if probe:
        row["initial_accuracy"] = net.accuracy(X, y)
        hidden = net.forward(X)[-2]
        fit = last_layer_lp(hidden, one_hot(np.asarray(y, dtype=np.int64), net.structures[-1].n_outputs),
                            net.structures[-1], time_limit=time_limit, options=options)
        probed = net.copy()
        probed.thetas[-1] = fit.theta
        row["probe_accuracy"] = probed.accuracy(X, y)
        row.update(diagnostics_columns(net, X))
    if iterations:
        res = algorithm1(net, X, y, max_iterations=int(iterations), time_limit=time_limit, options=options,
                         lp_start=lp_start)
        row["iteration_accuracy"] = res.accuracy
        row.update(diagnostics_columns(res.network, X, prefix="iteration_"))
        row["iteration_seconds"] = res.wall_time
    return row


def screen_initialisations(structures, X, y, random_states, *, low: float = -1.0, high: float = 1.0,
                           iterations: int = 0, time_limit: float = 60.0, options=None, lp_start: bool = True,
                           probe: bool = True, progress: bool = True) -> pd.DataFrame:
    """:func:`screen_initialisation` for each of ``random_states`` (one after another, with a progress bar), one
    row each. For hundreds of states with MILP iterations, run :func:`screen_initialisation` per state through
    :func:`mipnn.experiments.run_sweep` instead (resumable, parallel)."""
    states = [_check_random_state(r) for r in random_states]
    if not states:
        raise ValueError("random_states must list at least one random state")
    rows = [screen_initialisation(structures, X, y, r, low=low, high=high, iterations=iterations,
                                  time_limit=time_limit, options=options, lp_start=lp_start, probe=probe)
            for r in tqdm(states, desc="screening", unit="init", disable=not progress)]
    return pd.DataFrame(rows)


def pick_initialisations(screen: pd.DataFrame, k: int = 1, by: str | None = None) -> list[int]:
    """The ``k`` random states with the highest training accuracy in column ``by`` of a screen (default
    ``"iteration_accuracy"`` if the screen has it, else ``"probe_accuracy"``); ties go to the smaller random
    state."""
    check_positive_int("k", k)
    if not isinstance(screen, pd.DataFrame) or "random_state" not in screen or screen.empty:
        raise ValueError("screen must be a non-empty DataFrame from screen_initialisations")
    if by is None:
        by = "iteration_accuracy" if "iteration_accuracy" in screen else "probe_accuracy"
    if by not in SCREEN_COLUMNS or by not in screen:
        have = [c for c in SCREEN_COLUMNS if c in screen]
        raise ValueError(f"by must be one of the screen's training-accuracy columns {have}, got {by!r}")
    order = screen.sort_values([by, "random_state"], ascending=[False, True], kind="mergesort")
    return [int(r) for r in order["random_state"].iloc[:k]]


@dataclass(frozen=True)
class InitialisationChoice:
    """Outcome of :func:`choose_initialisation`: the chosen ``random_state``, the ``screen`` (one row per state,
    column ``chosen``), the ``finalists`` run in full (empty without ``finalists``) and their Algorithm 1 ``runs``
    (``{random_state: Algorithm1Result}``)."""

    random_state: int
    screen: pd.DataFrame
    finalists: list = field(default_factory=list)
    runs: dict = field(default_factory=dict)


def choose_initialisation(structures, X, y, random_states, *, shortlist: int | None = None, iterations: int = 1,
                          finalists: int | None = None, max_iterations: int = 10, low: float = -1.0,
                          high: float = 1.0, time_limit: float = 60.0, options=None, lp_start: bool = True,
                          n_jobs: int = 1, executor: str = "local", progress: bool = True) -> InitialisationChoice:
    """The screening procedure in one call, on training data only. Returns an :class:`InitialisationChoice`.

    1. Probe every state of ``random_states`` (:func:`screen_initialisation` with no iterations).
    2. The ``shortlist`` states with the best probe accuracy (ties to the smaller state; ``None``: all) get
       ``iterations`` while-iterations of Algorithm 1 (``options``, e.g. a node cap, and ``time_limit`` per solve).
    3. Without ``finalists``, the chosen state has the best training accuracy after those iterations (ties to the
       smaller state). With ``finalists = k``, Algorithm 1 runs in full (``max_iterations``, the same MILP settings,
       ``n_jobs`` / ``executor`` for its per-neuron MILPs) from the ``k`` best after those iterations, and the chosen
       state is the one whose run reaches the best training accuracy (ties to the smaller state).

    ``screen`` has one row per state (probe columns; the iteration columns are NaN off the shortlist) and a
    boolean column ``chosen``.
    """
    check_positive_int("iterations", iterations)
    check_positive_int("shortlist", shortlist, allow_none=True)
    check_positive_int("finalists", finalists, allow_none=True)
    check_positive_int("max_iterations", max_iterations)
    probe = screen_initialisations(structures, X, y, random_states, low=low, high=high, time_limit=time_limit,
                                   options=options, progress=progress)
    short = pick_initialisations(probe, len(probe) if shortlist is None else min(shortlist, len(probe)),
                                 by="probe_accuracy")
    it = screen_initialisations(structures, X, y, short, low=low, high=high, iterations=iterations,
                                time_limit=time_limit, options=options, lp_start=lp_start, probe=False,
                                progress=progress)
    extra = [c for c in it.columns if c.startswith("iteration_")]
    screen = probe.merge(it[["random_state", *extra]], on="random_state", how="left")
    if finalists is None:
        chosen, best, runs = pick_initialisations(it, 1, by="iteration_accuracy")[0], [], {}
    else:
        best = pick_initialisations(it, min(finalists, len(it)), by="iteration_accuracy")
        runs = {r: algorithm1(init_network(structures, low=low, high=high, random_state=r), X, y,
                              max_iterations=max_iterations, time_limit=time_limit, options=options,
                              lp_start=lp_start, n_jobs=n_jobs, executor=executor)
                for r in tqdm(best, desc="finalists", unit="run", disable=not progress)}
        chosen = min(best, key=lambda r: (-runs[r].accuracy, r))
    screen["chosen"] = screen["random_state"] == chosen
    return InitialisationChoice(random_state=int(chosen), screen=screen, finalists=best, runs=runs)
