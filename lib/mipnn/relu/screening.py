"""Screening random initialisations for Algorithm 1 (Goebbels 2021, §3).

Goebbels reports that the outcome of Algorithm 1 "depends strongly on the initialization of weights" and that a
suitable one can be found experimentally, without saying how. This module makes that search a documented,
seeded procedure that looks at training data only (never at test data):

1. For every candidate start — a random state, or a pair ``(init, random_state)`` when several kinds of start
   (``init``, :data:`~mipnn.relu.INITS`: the literal uniform ``[-1, 1]``, a smaller uniform scale, Keras' Glorot
   start) are screened together — draw the network with :func:`~mipnn.relu.init_network` and measure on the
   training batch the dead units of each hidden layer, the distinct activation patterns of the last hidden layer
   and the **probe accuracy**: the training accuracy after the output layer alone is fitted by the LP (7)–(8) to
   the random hidden features. That is exactly the first update of Algorithm 1, one LP, milliseconds at 100
   images, so hundreds of starts are cheap.
2. Optionally (``iterations > 0``) run that many while-iterations of :func:`~mipnn.relu.algorithm1` (node-capped
   MILPs through ``options`` keep it affordable) and record the training accuracy reached.
3. :func:`pick_candidates` keeps the ``k`` best ``(init, random_state)`` pairs by a training-accuracy column (ties
   go to the earlier init in the order screened, then the smaller random state), so the choice is reproducible;
   :func:`pick_initialisations` is the same for a screen of one init and returns random states.

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
from .network import check_init, diagnostics_columns, init_network
from .programs import last_layer_lp
from .training import MAX_ITERATIONS, _check_xy, algorithm1

__all__ = ["screen_initialisation", "screen_initialisations", "pick_initialisations", "pick_candidates",
           "choose_initialisation", "InitialisationChoice", "SCREEN_COLUMNS"]

# the training-accuracy columns a screen can be ranked by
SCREEN_COLUMNS = ("probe_accuracy", "iteration_accuracy")


def _check_random_state(random_state) -> int:
    return int(check_number("random_state", random_state, low=0, integer=True))


def _check_inits(init) -> list[str]:
    inits = [init] if isinstance(init, str) else list(init)
    if not inits:
        raise ValueError("init must name at least one start of mipnn.relu.INITS")
    inits = [check_init(i) for i in inits]
    if len(set(inits)) != len(inits):
        raise ValueError(f"init lists a start twice: {inits}")
    return inits


def screen_initialisation(structures, X, y, random_state: int, *, init: str = "uniform", low: float = -1.0,
                          high: float = 1.0, iterations: int = 0, time_limit: float = 60.0, options=None,
                          lp_start: bool = True, probe: bool = True) -> dict:
    """One start ``(init, random_state)`` of the screening procedure (module docstring). Returns a flat dict:
    ``init``, ``random_state``, ``initial_accuracy``, ``probe_accuracy``, ``dead_h1..`` and ``patterns`` at
        initialisation (``probe=False`` leaves these out, for a state already probed), and with ``iterations > 0``
    also ``iteration_accuracy`` (best
    training accuracy within those while-iterations, the weights Algorithm 1 keeps), ``iteration_dead_h1..``,
    ``iteration_patterns``, ``iteration_seconds``."""
    random_state = _check_random_state(random_state)
    init = check_init(init)
    check_number("iterations", iterations, low=0, integer=True)
    check_number("time_limit", time_limit, low=0, low_open=True)
    net = init_network(structures, init=init, low=low, high=high, random_state=random_state)
    X, y = _check_xy(X, y, net)
    if len(net.structures) < 2:
        raise ValueError("screening needs a network with at least one hidden layer")
    row = {"init": init, "random_state": random_state}
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


def _candidates(random_states, inits) -> list[tuple[str, int]]:
    """``(init, random_state)`` pairs: the product of ``inits`` and ``random_states``, or the pairs themselves
    when ``random_states`` already lists pairs."""
    items = list(random_states)
    if not items:
        raise ValueError("random_states must list at least one random state")
    if all(isinstance(r, tuple) for r in items):
        return [(check_init(i), _check_random_state(r)) for i, r in items]
    return [(i, _check_random_state(r)) for i in _check_inits(inits) for r in items]


def screen_initialisations(structures, X, y, random_states, *, init="uniform", low: float = -1.0,
                           high: float = 1.0, iterations: int = 0, time_limit: float = 60.0, options=None,
                           lp_start: bool = True, probe: bool = True, progress: bool = True) -> pd.DataFrame:
    """:func:`screen_initialisation` for every start, one after another with a progress bar, one row each: each
    init of ``init`` (one name of :data:`~mipnn.relu.INITS` or a list of them) with each of ``random_states``, or
    the ``(init, random_state)`` pairs that ``random_states`` lists. For hundreds of starts with MILP iterations,
    run :func:`screen_initialisation` per start through :func:`mipnn.experiments.run_sweep` instead (resumable,
    parallel)."""
    starts = _candidates(random_states, init)
    rows = [screen_initialisation(structures, X, y, r, init=i, low=low, high=high, iterations=iterations,
                                  time_limit=time_limit, options=options, lp_start=lp_start, probe=probe)
            for i, r in tqdm(starts, desc="screening", unit="init", disable=not progress)]
    return pd.DataFrame(rows)


def pick_candidates(screen: pd.DataFrame, k: int = 1, by: str | None = None) -> list[tuple[str, int]]:
    """The ``k`` starts ``(init, random_state)`` with the highest training accuracy in column ``by`` of a screen
    (default ``"iteration_accuracy"`` if the screen has it, else ``"probe_accuracy"``); ties go to the init screened
    first, then to the smaller random state. A screen without an ``init`` column is one of ``"uniform"``."""
    check_positive_int("k", k)
    if not isinstance(screen, pd.DataFrame) or "random_state" not in screen or screen.empty:
        raise ValueError("screen must be a non-empty DataFrame from screen_initialisations")
    if by is None:
        by = "iteration_accuracy" if "iteration_accuracy" in screen else "probe_accuracy"
    if by not in SCREEN_COLUMNS or by not in screen:
        have = [c for c in SCREEN_COLUMNS if c in screen]
        raise ValueError(f"by must be one of the screen's training-accuracy columns {have}, got {by!r}")
    inits = screen["init"] if "init" in screen else pd.Series("uniform", index=screen.index)
    rank = inits.map({v: i for i, v in enumerate(pd.unique(inits))})
    order = screen.assign(_init=inits, _rank=rank).sort_values([by, "_rank", "random_state"],
                                                               ascending=[False, True, True], kind="mergesort")
    return [(str(i), int(r)) for i, r in zip(order["_init"].iloc[:k], order["random_state"].iloc[:k], strict=True)]


def pick_initialisations(screen: pd.DataFrame, k: int = 1, by: str | None = None) -> list[int]:
    """The ``k`` random states with the highest training accuracy in column ``by`` of a screen of one init (default
    ``"iteration_accuracy"`` if the screen has it, else ``"probe_accuracy"``); ties go to the smaller random
    state. A screen of several inits: :func:`pick_candidates`."""
    if isinstance(screen, pd.DataFrame) and "init" in screen and screen["init"].nunique() > 1:
        raise ValueError("the screen mixes several inits: pick_candidates returns (init, random_state) pairs")
    return [r for _, r in pick_candidates(screen, k, by)]


@dataclass(frozen=True)
class InitialisationChoice:
    """Outcome of :func:`choose_initialisation`: the chosen start (``init``, ``random_state``), the ``screen`` (one
    row per start, column ``chosen``), the ``finalists`` run in full as ``(init, random_state)`` pairs (empty without
    ``finalists``) and their Algorithm 1 ``runs`` (``{(init, random_state): Algorithm1Result}``)."""

    random_state: int
    screen: pd.DataFrame
    finalists: list = field(default_factory=list)
    runs: dict = field(default_factory=dict)
    init: str = "uniform"

    def network(self, structures):
        """The chosen start drawn again: ``init_network(structures, init=self.init, random_state=...)``."""
        return init_network(structures, init=self.init, random_state=self.random_state)


def choose_initialisation(structures, X, y, random_states, *, init="uniform", shortlist: int | None = None,
                          iterations: int = 1, finalists: int | None = None, max_iterations: int = MAX_ITERATIONS,
                          low: float = -1.0, high: float = 1.0, time_limit: float = 60.0, options=None,
                          lp_start: bool = True, n_jobs: int = 1, executor: str = "local",
                          progress: bool = True) -> InitialisationChoice:
    """The screening procedure in one call, on training data only. Returns an :class:`InitialisationChoice`.

    0. The starts are every init of ``init`` (one name of :data:`~mipnn.relu.INITS` or a list) with every state of
       ``random_states``.
    1. Probe every start (:func:`screen_initialisation` with no iterations).
    2. The ``shortlist`` starts with the best probe accuracy (ties as in :func:`pick_candidates`; ``None``: all) get
       ``iterations`` while-iterations of Algorithm 1 (``options``, e.g. a node cap, and ``time_limit`` per solve).
    3. Without ``finalists``, the chosen start has the best training accuracy after those iterations. With
       ``finalists = k``, Algorithm 1 runs in full (``max_iterations``, the same MILP settings, ``n_jobs`` /
       ``executor`` for its per-neuron MILPs) from the ``k`` best after those iterations, and the chosen start is
       the one whose run reaches the best training accuracy (ties as in :func:`pick_candidates`).

    ``screen`` has one row per start (probe columns; the iteration columns are NaN off the shortlist) and a
    boolean column ``chosen``.
    """
    check_positive_int("iterations", iterations)
    check_positive_int("shortlist", shortlist, allow_none=True)
    check_positive_int("finalists", finalists, allow_none=True)
    check_positive_int("max_iterations", max_iterations)
    starts = _candidates(random_states, init)
    kw = dict(low=low, high=high, time_limit=time_limit, options=options, progress=progress)
    probe = screen_initialisations(structures, X, y, starts, **kw)
    short = pick_candidates(probe, len(probe) if shortlist is None else min(shortlist, len(probe)),
                            by="probe_accuracy")
    it = screen_initialisations(structures, X, y, short, iterations=iterations, lp_start=lp_start, probe=False,
                                **kw)
    extra = [c for c in it.columns if c.startswith("iteration_")]
    screen = probe.merge(it[["init", "random_state", *extra]], on=["init", "random_state"], how="left")
    order = {c: n for n, c in enumerate(starts)}
    if finalists is None:
        chosen, best, runs = pick_candidates(it, 1, by="iteration_accuracy")[0], [], {}
    else:
        best = pick_candidates(it, min(finalists, len(it)), by="iteration_accuracy")
        runs = {(i, r): algorithm1(init_network(structures, init=i, low=low, high=high, random_state=r), X, y,
                                   max_iterations=max_iterations, time_limit=time_limit, options=options,
                                   lp_start=lp_start, n_jobs=n_jobs, executor=executor)
                for i, r in tqdm(best, desc="finalists", unit="run", disable=not progress)}
        chosen = min(best, key=lambda c: (-runs[c].accuracy, order[c]))
    screen["chosen"] = (screen["init"] == chosen[0]) & (screen["random_state"] == chosen[1])
    return InitialisationChoice(random_state=int(chosen[1]), screen=screen, finalists=best, runs=runs,
                                init=chosen[0])
