"""Local search for BDNNs by alternating MIPs (Kurtz & Bah, 2021).

Kurtz & Bah's local search heuristic (the paper is available to us as its abstract only; the steps follow the
authors' public code, github.com/JannisKu/BDNN2021). Instead of one MILP over all layers, two smaller problems
are solved in turn:

* **step A** — the output weights ``W_K`` are fixed; the MILP (Theorem 1 of :mod:`mipnn.bnn.milp`, its
  output-layer weights fixed) chooses the hidden layers' weights, thresholds and activations **and the output
  thresholds** ``λ_K`` (as the authors' first problem does). With ``W_K`` fixed the product rows 5–7 of the output
  layer no longer couple two unknowns, so the hardest part of the exact model disappears;
* **step B** — the hidden layers (hence every point's hidden activations ``u_{K−1}``) are fixed; the MILP
  chooses the output layer only. This is a one-layer BDNN (rows 1–2 only) on the binary hidden representation.

The search starts from random output weights (seeded) and stops when a full round changes nothing, when the
objective stayed the same for ``patience`` MIPs in a row (the authors: 100; both steps count), when the loss is 0,
or after ``max_rounds`` rounds.
Each step never increases the training loss (the current network is handed to HiGHS as a start), so the last
network is a local optimum with respect to these two neighbourhoods. With validation data the network returned is
the one, after a full round, with the best validation accuracy (the authors select every model on validation
data); without, it is the last one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..budget import TimeBudget
from ..exceptions import BuildTimeError
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int, check_random_state
from .bdnn import point_losses, predict_bdnn, solve_bdnn, threshold_bound, trivial_network
from .milp import EPSILON, WEIGHT_DOMAINS, bnn_forward

__all__ = ["PATIENCE", "LocalSearchResult", "local_search"]

#: MIPs in a row with the same objective that end the local search (the authors' code).
PATIENCE = 100


@dataclass
class LocalSearchResult:
    """Outcome of :func:`local_search`: the selected ``network`` (found after round ``best_round``, 0-based), the
    ``stop_reason`` (``"no_change"``, ``"unchanged_objective"`` (``patience`` equal objectives in a row),
    ``"zero_loss"``, ``"max_rounds"`` or
    ``"time_limit"``) and one
    ``history`` dict per MIP step (the output step carries the round's validation accuracy when there is one)."""

    network: list
    stop_reason: str
    history: list = field(default_factory=list)
    best_round: int = 0
    total_time: float = 0.0
    solve_time: float = 0.0


def _random_output_layer(rng, d_in, d_out, weight_domain):
    if weight_domain == "integer":
        W = rng.integers(-1, 2, size=(d_out, d_in)).astype(np.float64)
    else:
        W = rng.uniform(-1.0, 1.0, size=(d_out, d_in))
    return W, np.zeros(d_out)


def _solve_in_time(first: bool, X, y, **kwargs):
    """:func:`solve_bdnn`, or ``None`` when the fit's limit struck while its model was being built; the ``first`` MIP
    of a fit raises the :class:`~mipnn.exceptions.BuildTimeError` (it says how long the build would take)."""
    try:
        return solve_bdnn(X, y, **kwargs)
    except BuildTimeError:
        if first:
            raise
        return None


def local_search(X, y, *, hidden=(10,), weight_domain: str = "continuous", n_classes: int | None = None,
                 max_rounds: int = 10, time_limit: float = 60.0, robust_radius: float = 0.0,
                 random_state: int = 0, options=None, X_val=None, y_val=None, solver: str = "highs",
                 threads: int | None = None, fit_time_limit: float | None = None,
                 patience: int = PATIENCE) -> LocalSearchResult:
    """Train a BDNN by alternating the two MIPs of the module docstring; ``time_limit`` is per MIP.

    ``fit_time_limit`` (``None``: none) bounds the whole search, builds included: each MIP gets the smaller of
    ``time_limit`` and what is left, and no step starts once it is used up (``stop_reason`` ``"time_limit"``; the
    first round always runs, so there is a network). A round cut after step A keeps the network of step A.

    ``X_val, y_val`` (both or neither) select the returned network on validation accuracy (the authors'
    prediction rule, ``predict_bdnn(..., rule="units")``). ``patience`` is the number of MIPs in a row with the same
    objective that ends the search (the authors' 100)."""
    hidden = check_int_sequence("hidden", hidden)
    check_choice("weight_domain", weight_domain, WEIGHT_DOMAINS)
    check_positive_int("max_rounds", max_rounds)
    check_positive_int("patience", patience)
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_number("fit_time_limit", fit_time_limit, low=0, low_open=True, allow_none=True)
    check_number("robust_radius", robust_radius, low=0.0)
    random_state = check_random_state(random_state, allow_none=False)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together (or neither)")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    if n_classes is None:
        n_classes = int(y.max()) + 1
    K = len(hidden) + 1
    best = None  # (validation accuracy, round, network)
    rng = np.random.default_rng(random_state)
    B = threshold_bound(X, (*hidden, n_classes))  # the full model's threshold bound, kept in both steps
    out_layer = _random_output_layer(rng, hidden[-1], n_classes, weight_domain)
    network = None
    # Round 0 hands HiGHS a feasible start: zero hidden weights and thresholds (every hidden unit fires) under the
    # random output layer; without one, HiGHS can end step A at its time limit with no incumbent at all (seen on
    # digits, 898 points). It only guarantees an incumbent; the random output layer still defines the search.
    start = [*trivial_network(X.shape[1], hidden), out_layer]
    history = []
    same, last = 0, None  # MIPs in a row whose objective equals the previous one
    t0, solve_time = time.perf_counter(), 0.0
    budget = TimeBudget(time_limit, fit_time_limit, t0)
    stop = "max_rounds"
    for rnd in range(max_rounds):
        limit = budget.next_limit(first=rnd == 0)
        if limit is None:
            stop = "time_limit"
            break
        # Step A: output weights fixed; hidden layers and the output thresholds free.
        fit = _solve_in_time(network is None, X, y, hidden=hidden, weight_domain=weight_domain, n_classes=n_classes,
                             fixed_weights={K: out_layer[0]}, robust_radius=robust_radius,
                             start=network if network is not None else start,
                             time_limit=limit, options=options, bound=B, solver=solver, threads=threads,
                             deadline=budget.deadline)
        if fit is None:
            stop = "time_limit"
            break
        solve_time += fit.record.wall_time
        net_a = fit.network
        loss_a = float(point_losses(X, y, net_a, n_classes).sum())
        history.append({"round": rnd, "step": "hidden", "status": fit.record.status,
                        "objective": fit.record.objective, "solve_time": fit.record.wall_time,
                        "n_binaries": fit.record.n_binaries, "n_constraints": fit.record.n_constraints,
                        "train_loss": loss_a})
        same = same + 1 if last is not None and loss_a == last else 0
        last = loss_a
        # Step B: hidden activations fixed (they are the data now), output layer free.
        limit = budget.next_limit(first=rnd == 0)
        H = bnn_forward(X, net_a[:-1], tol=EPSILON / 2)[-1].astype(np.float64)
        fit_b = None if limit is None else _solve_in_time(
            False, H, y, hidden=(), weight_domain=weight_domain, n_classes=n_classes, time_limit=limit,
            start=[net_a[-1]], options=options, bound=B, solver=solver, threads=threads, deadline=budget.deadline)
        if fit_b is None:  # the fit's limit is used up (or struck while the output MIP was built): step A's net stands
            network, stop = net_a, "time_limit"
            break
        solve_time += fit_b.record.wall_time
        new = [*net_a[:-1], fit_b.network[0]]
        loss = float(point_losses(X, y, new, n_classes).sum())
        history.append({"round": rnd, "step": "output", "status": fit_b.record.status,
                        "objective": fit_b.record.objective, "solve_time": fit_b.record.wall_time,
                        "n_binaries": fit_b.record.n_binaries, "n_constraints": fit_b.record.n_constraints,
                        "train_loss": loss})
        if X_val is not None:
            val_acc = float(np.mean(predict_bdnn(X_val, new, rule="units") == np.asarray(y_val)))
            history[-1]["val_accuracy"] = val_acc
            if best is None or val_acc > best[0]:
                best = (val_acc, rnd, new)
        unchanged = network is not None and all(
            np.allclose(W0, W1, atol=1e-6) and np.allclose(l0, l1, atol=1e-6)  # 1e-6: HiGHS's feasibility tolerance
            for (W0, l0), (W1, l1) in zip(network, new, strict=True))
        network = new
        out_layer = new[-1]
        if loss == 0:
            stop = "zero_loss"
            break
        if unchanged:
            stop = "no_change"
            break
        same = same + 1 if loss == last else 0
        last = loss
        if same >= patience:
            stop = "unchanged_objective"
            break
    best_round, chosen = (best[1], best[2]) if best is not None else (rnd, network)
    return LocalSearchResult(network=chosen, stop_reason=stop, history=history, best_round=best_round,
                             total_time=time.perf_counter() - t0, solve_time=solve_time)
