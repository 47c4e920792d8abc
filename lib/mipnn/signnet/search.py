"""A primal heuristic for the sign-network MIPs of Thorbjarnarson & Yorke-Smith: iterated local search on the
integer weights, scored with the MIP's own objective.

Why: the paper's early stop only needs *an incumbent* whose objective guarantees 90 % training accuracy, and
Gurobi's primal heuristics find one within a second for small N. HiGHS's heuristics do not (see
``benchmarks/bench_02_time_to_cutoff.py``). This module supplies the missing incumbent: it starts from a network
(the straight-through baseline's, or random), improves it move by move, and hands the result to HiGHS as a
complete MIP start. The MIP then either stops at once (the start already meets the target, as HiGHS confirms
from its own objective value) or continues from a good incumbent.

Moves (network with one hidden layer of sign units, the paper's setting):

* set one first-layer weight ``w_ij`` or bias ``b_j`` to another value in ``{-P, …, P}``: all candidates of one
  hidden neuron are evaluated at once (``N × (n+1)`` new pre-activations per value), the best is applied;
* set one output weight or bias to another value, likewise.

The score is the MIP objective turned into a "deficit" to minimise (sat-margin: unsatisfied margins;
max-correct: misclassified samples; min-hinge: the piecewise-linear hinge loss itself), with the hinge loss as
a tie-breaker scaled below one unit so that plateau moves still make progress. When a full pass finds no
improving move, a few random weights of the best network so far are changed (a "kick") and the search goes on.
Weights of inputs that are zero in every training sample stay 0. A first-layer pre-activation inside the gap
``(−ε, 0)`` that the MIP keeps empty would make the network infeasible for the MIP; such values (a start may
have some: the STE network only knows ``a ≥ 0``) carry a penalty larger than any objective change, so the search
removes them first and never creates new ones, and the target counts as met only without them. The same holds for
max-correct's per-sample constraint (16): a sample with zero or two non-negative outputs makes the network
infeasible for that MIP (not merely wrong), so it carries the same penalty.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..numerics import TOL
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int
from .network import EPSILON, check_data, check_weights, sign_forward, zero_input_mask
from .objectives import (
    MARGIN,
    OBJECTIVES,
    hinge_values,
    margin_level,
    objective_from_outputs,
    objective_target,
    output_scale,
)
from .ste import train_ste

__all__ = ["SearchResult", "search_sign_net", "MIPStart", "mip_start", "STARTS"]


@dataclass(frozen=True)
class SearchResult:
    """Outcome of :func:`search_sign_net`: the best integer ``weights`` found, their MIP ``objective`` value,
    whether they meet the early-stop target, passes and kicks made, and wall time."""

    weights: list
    objective: float
    reached_target: bool
    passes: int
    kicks: int
    wall_time: float
    history: list = field(default_factory=list)  # (seconds, objective) whenever the best network improves


#: A network the MIP cannot accept costs more than any objective change, so the search repairs such a network first
#: and never creates one: a first-layer pre-activation inside the gap (−ε, 0) that the MIP keeps empty (a start from
#: elsewhere may have some), and, for max-correct, a sample without exactly one non-negative output ((16) makes
#: that infeasible).
_GAP_PENALTY = 1e6


class _Scorer:
    """Deficit of integer outputs ``S`` (any leading shape ``(N, …, K)``) for one objective, with the penalty for
    max-correct's infeasible samples."""

    def __init__(self, objective, Y, B, margin):
        self.objective = objective
        self.Y = Y.astype(np.int64)
        self.B = B
        self.level = margin_level(margin, B)
        t = 2.0 * np.arange(-B, B + 1) / B  # every value of ŷ·y
        self.g = hinge_values(t, B, margin)  # hinge table indexed by s·y + B
        # tie-breaker table: sat-margin cares about pairs just below the level, the others about the hinge
        self.t = (np.maximum(0, self.level - np.arange(-B, B + 1)).astype(np.float64) if objective == "sat_margin"
                  else self.g)
        N, K = Y.shape
        self.tie = 1.0 / (float(self.t.max()) * N * K + 1.0)

    def __call__(self, S):
        Y = self.Y.reshape(self.Y.shape[0], *([1] * (S.ndim - 2)), self.Y.shape[1])
        SY = S * Y
        idx = np.clip(SY, -self.B, self.B) + self.B
        if self.objective == "min_hinge":
            return self.g[idx].sum(axis=(0, -1))
        hinge = self.t[idx].sum(axis=(0, -1))
        if self.objective == "sat_margin":
            primary = (SY < self.level).sum(axis=(0, -1))
        else:  # max_correct: a sample counts when exactly its true output is non-negative
            pos = S >= 0
            ok = (pos.sum(axis=-1) == 1) & (pos & (Y > 0)).any(axis=-1)
            primary = (~ok).sum(axis=0) + _GAP_PENALTY * self.infeasible(S)
        return primary + self.tie * hinge

    def infeasible(self, S):
        """Samples the MIP cannot accept: for max-correct, those without exactly one non-negative output (16)."""
        if self.objective != "max_correct":
            return np.zeros(S.shape[1:-1], dtype=np.int64) if S.ndim > 2 else 0
        return ((S >= 0).sum(axis=-1) != 1).sum(axis=0)


class _SearchState:
    """The current network of the search (first layer ``V1`` and output layer ``V2``, biases as the last row), its
    pre-activations ``A``, hidden signs ``Hs``, integer outputs ``S``, gap counts per hidden neuron and score."""

    def __init__(self, X, score, P, epsilon, start_weights):
        N = X.shape[0]
        self.score, self.P, self.epsilon, self.half = score, P, epsilon, epsilon / 2
        self.Xa = np.hstack([X, np.ones((N, 1))])  # the bias is the weight of a constant input
        self.free = np.append(~zero_input_mask(X), True)  # fixed-zero inputs keep weight 0
        self.values = np.arange(-P, P + 1)
        V1 = np.vstack([np.asarray(start_weights[0][0], dtype=np.int64),
                        np.asarray(start_weights[0][1], dtype=np.int64)])
        V1[~self.free, :] = 0
        V2 = np.vstack([np.asarray(start_weights[1][0], dtype=np.int64),
                        np.asarray(start_weights[1][1], dtype=np.int64)])
        self.reset(V1, V2)

    def gaps(self, A):
        return ((A < 0) & (A > -self.epsilon)).sum(axis=-2)

    def reset(self, V1, V2):
        self.V1, self.V2 = V1, V2
        self.A = self.Xa @ V1
        self.Hs = np.where(self.A >= -self.half, 1, -1)
        self.S = np.hstack([self.Hs, np.ones((self.Hs.shape[0], 1), dtype=np.int64)]) @ V2
        self.gap = self.gaps(self.A)  # per hidden neuron
        self.cur = float(self.score(self.S)) + _GAP_PENALTY * self.gap.sum()

    def move_hidden(self, j) -> bool:
        """Every first-layer weight of neuron ``j`` (and its bias) set to every value at once; apply the best."""
        A, Hs, S, V1, V2 = self.A, self.Hs, self.S, self.V1, self.V2
        d = self.values[:, None] - V1[:, j][None, :]  # (values, n+1)
        Anew = A[:, j][None, :, None] + self.Xa[None, :, :] * d[:, None, :]  # (v, N, n+1)
        ok = self.free[None, :] & (d != 0)
        dH = np.where(Anew >= -self.half, 1, -1) - Hs[:, j][None, :, None]  # (v, N, n+1)
        Snew = S[None, :, None, :] + dH[..., None] * V2[j][None, None, None, :]  # (v, N, n+1, K)
        sc = self.score(Snew.transpose(1, 0, 2, 3))  # (v, n+1)
        sc = np.where(ok, sc + _GAP_PENALTY * (self.gap.sum() - self.gap[j] + self.gaps(Anew)), np.inf)
        v, i = np.unravel_index(np.argmin(sc), sc.shape)
        if not sc[v, i] < self.cur - TOL:
            return False
        V1[i, j] = self.values[v]
        A[:, j] = Anew[v, :, i]
        Hs[:, j] = np.where(A[:, j] >= -self.half, 1, -1)
        self.gap[j] = self.gaps(A[:, j:j + 1])[0]
        self.S = S + dH[v, :, i][:, None] * V2[j][None, :]
        self.cur = float(sc[v, i])
        return True

    def move_output(self, k) -> bool:
        """Every weight and bias of output ``k`` set to every value at once; apply the best."""
        S, V2, values = self.S, self.V2, self.values
        Ha = np.hstack([self.Hs, np.ones((S.shape[0], 1), dtype=np.int64)])  # (N, H+1)
        d2 = values[:, None] - V2[None, :, k]  # (v, H+1)
        Sk = S[:, k][None, :, None] + Ha[None, :, :] * d2[:, None, :]  # (v, N, H+1)
        Snew = np.repeat(S[None, :, None, :], Sk.shape[2], axis=2).repeat(len(values), axis=0)
        Snew[..., k] = Sk
        sc = self.score(Snew.transpose(1, 0, 2, 3))
        sc = np.where(d2 != 0, sc + _GAP_PENALTY * self.gap.sum(), np.inf)
        v, jj = np.unravel_index(np.argmin(sc), sc.shape)
        if not sc[v, jj] < self.cur - TOL:
            return False
        V2[jj, k] = values[v]
        S[:, k] = Sk[v, :, jj]
        self.cur = float(sc[v, jj])
        return True

    def kick(self, best, rng, kick_size):
        """Local optimum: restart from the best network so far with a few random first-layer weights changed."""
        V1, V2 = best[0].copy(), best[1].copy()
        rows = rng.choice(np.flatnonzero(self.free), size=kick_size)
        cols = rng.integers(0, V1.shape[1], size=kick_size)
        V1[rows, cols] = rng.integers(-self.P, self.P + 1, size=kick_size)
        self.reset(V1, V2)


def _check_search_params(objective, hidden, P, target_accuracy, time_limit, max_passes, kick_size):
    check_choice("objective", objective, OBJECTIVES)
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    if len(hidden) != 1:
        raise ValueError(f"hidden must have exactly one layer for the local search (the paper's setting); got {hidden}")
    check_positive_int("P", P)
    check_number("target_accuracy", target_accuracy, low=0.0, high=1.0, allow_none=True)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    check_positive_int("max_passes", max_passes)
    check_positive_int("kick_size", kick_size)
    return hidden


def search_sign_net(X: np.ndarray, Y: np.ndarray, *, objective: str = "sat_margin", hidden: Sequence[int] = (16,),
                    P: int = 1, start_weights=None, target_accuracy: float | None = 0.9, time_limit: float = 10.0,
                    max_passes: int = 100_000, kick_size: int = 4, margin: float = MARGIN,
                    epsilon: float = EPSILON, stop_rule: str = "authors", random_state: int | None = 0
                    ) -> SearchResult:
    """Iterated local search for integer weights of a one-hidden-layer sign network (module docstring).

    ``X`` (N × n) and ±1 one-hot ``Y`` (N × K) as in :func:`~mipnn.signnet.build_sign_net`.
    ``start_weights``: integer ``[(W1, b1), (W2, b2)]`` to start from (``None``: random, seeded). Stops when the
    objective guarantees ``target_accuracy`` (``None``: never), after ``max_passes`` passes or ``time_limit``
    seconds, and returns the best network seen.
    """
    X, Y = check_data(X, Y)
    hidden = _check_search_params(objective, hidden, P, target_accuracy, time_limit, max_passes, kick_size)
    rng = np.random.default_rng(random_state)
    t0 = time.perf_counter()
    n, K, H = X.shape[1], Y.shape[1], hidden[0]
    if start_weights is None:
        start_weights = [(rng.integers(-P, P + 1, size=(n, H)), rng.integers(-P, P + 1, size=H)),
                         (rng.integers(-P, P + 1, size=(H, K)), rng.integers(-P, P + 1, size=K))]
    check_weights(start_weights, n, hidden, K, P)
    st = _SearchState(X, _Scorer(objective, Y, output_scale(hidden, P), margin), P, epsilon, start_weights)
    best = (st.V1.copy(), st.V2.copy(), st.cur)
    need = None
    if target_accuracy is not None:
        tgt = objective_target(objective, X.shape[0], target_accuracy, n_outputs=K, margin=margin,
                               stop_rule=stop_rule)
        need = (lambda obj: obj <= tgt) if objective == "min_hinge" else (lambda obj: obj >= tgt)

    def objective_of(S):  # the MIP objective of outputs S, as the solver reports it
        return objective_from_outputs(objective, S, Y, hidden, P, margin)

    def feasible():
        return st.gap.sum() == 0 and int(st.score.infeasible(st.S)) == 0

    def reached():
        return need is not None and feasible() and need(objective_of(st.S))

    history = [(time.perf_counter() - t0, objective_of(st.S))]
    passes = kicks = 0
    while passes < max_passes and not reached() and time.perf_counter() - t0 < time_limit:
        passes += 1
        improved = False
        for j in rng.permutation(H):
            improved |= st.move_hidden(j)
        for k in range(K):
            improved |= st.move_output(k)
        if st.cur < best[2] - TOL:
            best = (st.V1.copy(), st.V2.copy(), st.cur)
            history.append((time.perf_counter() - t0, objective_of(st.S)))
        if not improved and not reached():
            kicks += 1
            st.kick(best, rng, kick_size)
    if st.cur < best[2] - TOL:  # the last pass improved on the best without reaching the end of the loop body
        best = (st.V1.copy(), st.V2.copy(), st.cur)
    V1, V2, _ = best
    weights = [(V1[:-1].astype(np.float64), V1[-1].astype(np.float64)),
               (V2[:-1].astype(np.float64), V2[-1].astype(np.float64))]
    s = sign_forward(X, weights, epsilon / 2)[-1]
    obj = objective_from_outputs(objective, s, Y, hidden, P, margin)
    st.reset(V1.copy(), V2.copy())
    return SearchResult(weights=weights, objective=obj, reached_target=bool(need is not None and feasible()
                                                                            and need(obj)),
                        passes=passes, kicks=kicks, wall_time=time.perf_counter() - t0, history=history)


#: MIP starts for the sign-network MIPs: none, the STE baseline's network, or that network after local search
STARTS = (None, "ste", "search")


@dataclass(frozen=True)
class MIPStart:
    """A MIP start from :func:`mip_start`: the integer ``weights``, the time it took (STE training and search)
    and the :class:`SearchResult` (``None`` for ``"ste"``)."""

    weights: list
    wall_time: float
    search: SearchResult | None

    def solve_limit(self, time_limit: float) -> float:
        """Seconds left for the MIP: the start (STE training and search) counts against the fit's ``time_limit``;
        at least 1 s stays for the solve, so that HiGHS can take the start in (the one overrun a fit can have)."""
        return max(time_limit - self.wall_time, 1.0)


def mip_start(X, Y, kind: str | None, *, objective: str, hidden: Sequence[int], P: int, time_limit: float,
              target_accuracy: float | None, margin: float = MARGIN, epsilon: float = EPSILON,
              max_epochs: int = 10_000, max_passes: int = 100_000, stop_rule: str = "authors",
              random_state: int | None = None) -> MIPStart | None:
    """Build the MIP start ``kind``: ``None`` (no start), ``"ste"`` (the straight-through network, seeded by
    ``random_state``, at most ``max_epochs`` epochs) or ``"search"`` (that network improved by
    :func:`search_sign_net`, at most ``max_passes`` passes, until it meets ``target_accuracy``).

    Both phases together stay within ``time_limit`` seconds (the search gets what the STE training left). The
    epoch and pass caps are deterministic work limits: a start that stops on them does not depend on the
    machine's speed, one that stops on the clock does.
    """
    check_choice("start", kind, STARTS)
    if kind is None:
        return None
    t0 = time.perf_counter()
    weights = train_ste(X, Y, hidden=hidden, P=P, margin=margin, max_epochs=max_epochs, time_limit=time_limit,
                        random_state=random_state).weights
    search = None
    if kind == "search":
        search = search_sign_net(X, Y, objective=objective, hidden=hidden, P=P, start_weights=weights,
                                 target_accuracy=target_accuracy, margin=margin, epsilon=epsilon,
                                 time_limit=max(time_limit - (time.perf_counter() - t0), 1e-3),
                                 max_passes=max_passes, stop_rule=stop_rule,
                                 random_state=0 if random_state is None else random_state)
        weights = search.weights
    return MIPStart(weights=weights, wall_time=time.perf_counter() - t0, search=search)
