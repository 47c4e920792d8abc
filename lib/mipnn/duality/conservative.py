"""Piecewise-linear dual functions (14), their conservative fields (13) and conservative-subgradient training (9).

Aspman, Korpas & Marecek (AAAI 2024) propose to search the subadditive dual (11) of the example MILP (10) over
piecewise-linear functions: two segments give the approximation (12), more segments should approach the value
function. This module makes that concrete for ``K`` segments.

* :class:`PiecewiseLinear` — a continuous function with ``f(0) = 0``, slopes ``s_1..s_K`` and breakpoints
  ``p_1 < ... < p_{K-1}``: ``f(b) = sum_i s_i (clip(b, I_i) - clip(0, I_i))`` with ``I_i = [p_{i-1}, p_i]``.
  For ``K = 2`` and ``p = 0`` this is the paper's family (14) (which is printed as ``s1 b`` / ``s2 b`` on either
  side of ``p``; that form is continuous only for ``p = 0``, so we use the continuous generalisation).
* :meth:`PiecewiseLinear.field` — the conservative field in ``b`` (13): the segment's slope inside a segment and
  the interval between the two adjacent slopes at a breakpoint. :meth:`PiecewiseLinear.jacobian` — one element
  of the conservative Jacobian with respect to the parameters (slopes and breakpoints), the object the
  chain rule of Bolte & Pauwels propagates.
* :func:`train_pwl_dual` — conservative-subgradient steps (9) on an exact-penalty form of the dual: maximise the
  mean of ``f`` over training points subject to the constraints of (11). We use penalties rather than
  projection because the feasible set (subadditive functions) has no cheap projection; the penalty
  ``max(0, violation)`` is itself piecewise linear, so its conservative field is available and the whole loss is
  tame and locally Lipschitz, the setting in which (9) converges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..numerics import TOL
from ..solve import TIGHT_TOLERANCE, solve_matrices
from ..validation import check_choice, check_number, check_positive_int, check_random_state

__all__ = ["PiecewiseLinear", "approx12_pwl", "refine", "train_pwl_sequence", "DualTrainResult", "train_pwl_dual",
           "pwl_slopes_lp",
           "train_pwl_slopes", "step_size", "ste_example"]


@dataclass(frozen=True)
class PiecewiseLinear:
    """Continuous piecewise-linear ``f`` with ``f(0) = 0``: ``K`` slopes and ``K - 1`` sorted breakpoints."""

    breakpoints: np.ndarray
    slopes: np.ndarray

    def __post_init__(self):
        p = np.asarray(self.breakpoints, dtype=float).reshape(-1)
        s = np.asarray(self.slopes, dtype=float).reshape(-1)
        if s.size < 1 or p.size != s.size - 1:
            raise ValueError("a K-segment function needs K >= 1 slopes and K - 1 breakpoints")
        if (np.diff(p) < 0).any() or not (np.isfinite(p).all() and np.isfinite(s).all()):
            raise ValueError("breakpoints must be finite and sorted; slopes finite")
        object.__setattr__(self, "breakpoints", p)
        object.__setattr__(self, "slopes", s)

    @property
    def K(self) -> int:
        return self.slopes.size

    def _edges(self):
        return np.concatenate([[-np.inf], self.breakpoints]), np.concatenate([self.breakpoints, [np.inf]])

    def _overlap(self, b):
        lo, hi = self._edges()
        b = np.asarray(b, dtype=float)[..., None]
        return np.clip(b, lo, hi) - np.clip(0.0, lo, hi)

    def __call__(self, b):
        return self._overlap(b) @ self.slopes

    def segment(self, b):
        """Index of the segment containing ``b`` (right-continuous: a breakpoint belongs to the segment on its
        right)."""
        return np.searchsorted(self.breakpoints, np.asarray(b, dtype=float), side="right")

    def field(self, b):
        """Conservative field of ``f`` in ``b`` as intervals ``(low, high)``: (13) for ``K`` segments."""
        b = np.atleast_1d(np.asarray(b, dtype=float))
        right = self.slopes[np.searchsorted(self.breakpoints, b, side="right")]
        left = self.slopes[np.searchsorted(self.breakpoints, b, side="left")]
        return np.minimum(left, right), np.maximum(left, right)

    def directional_derivatives(self):
        """``(fbar(1), fbar(-1))``: the right slope at 0 and minus the left slope at 0."""
        return float(self.slopes[self.segment(0.0)]), -float(self.slopes[np.searchsorted(self.breakpoints, 0.0)])

    def jacobian(self, b):
        """One element of the conservative Jacobian of ``b -> f(b)`` w.r.t. ``(breakpoints, slopes)``: (N, 2K-1).

        ``df/ds_i`` is the signed length of ``[0, b]`` inside segment ``i``; moving breakpoint ``p_i`` trades
        length between segments ``i`` and ``i+1``; at ties the selection takes 0 (an element of the field).
        """
        b = np.atleast_1d(np.asarray(b, dtype=float))
        ds = self._overlap(b)
        p, s = self.breakpoints, self.slopes
        bb = b[:, None]
        dp = (s[:-1] * ((bb > p).astype(float) - (0.0 > p).astype(float))
              + s[1:] * ((bb < p).astype(float) - (0.0 < p).astype(float)))
        return np.concatenate([dp, ds], axis=1)

    def with_params(self, theta) -> "PiecewiseLinear":
        k = self.K - 1
        return PiecewiseLinear(np.sort(theta[:k]), theta[k:])

    @property
    def params(self) -> np.ndarray:
        return np.concatenate([self.breakpoints, self.slopes])


def refine(f: PiecewiseLinear, K: int, radius: float) -> PiecewiseLinear:
    """The same function written with ``K >= f.K`` segments: keep ``f``'s breakpoints and add points of a uniform
    grid on ``[-radius, radius]`` (those farthest from the existing breakpoints first). Used to warm-start
    training with more segments from a coarser solution."""
    if K < f.K:
        raise ValueError(f"K={K} must be at least the current number of segments {f.K}")
    bps = list(f.breakpoints)
    cand = np.linspace(-radius, radius, 4 * K + 1)
    while len(bps) < K - 1:
        d = np.min(np.abs(cand[:, None] - np.array(bps + [np.inf])[None, :]), axis=1)
        bps.append(float(cand[int(np.argmax(d))]))
    p = np.sort(np.array(bps))
    vals = f(p)
    inner = np.diff(vals) / np.maximum(np.diff(p), 1e-12)
    s_left = f.slopes[0]
    s_right = f.slopes[-1]
    return PiecewiseLinear(p, np.concatenate([[s_left], inner, [s_right]]))


def approx12_pwl() -> PiecewiseLinear:
    """The paper's two-segment approximation (12): slope -1 left of 0, slope 2 right of 0."""
    return PiecewiseLinear([0.0], [-1.0, 2.0])


def step_size(k: int, alpha0: float, schedule: str = "sqrt") -> float:
    """Step sizes for (9): ``"sqrt"`` ``alpha0 / sqrt(k + 1)`` (sum diverges, the classical subgradient choice) or
    ``"harmonic"`` ``alpha0 / (1 + k / 100)``."""
    if schedule == "sqrt":
        return alpha0 / np.sqrt(k + 1.0)
    return alpha0 / (1.0 + k / 100.0)


@dataclass
class DualTrainResult:
    """Outcome of :func:`train_pwl_dual`: the final function and one row of history per logged step."""

    f: PiecewiseLinear
    history: pd.DataFrame
    settings: dict = field(default_factory=dict)


def _checked_points(b_train) -> np.ndarray:
    b_train = np.asarray(b_train, dtype=float).reshape(-1)
    if b_train.size == 0 or not np.isfinite(b_train).all():
        raise ValueError("b_train must be a non-empty array of finite numbers")
    return b_train


def _check_pairs(check_radius: float, check_step: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``x <= y`` of the grid ``{-r, ..., r}`` (step ``check_step``) with ``|x + y| <= r``, on which
    subadditivity ``f(x + y) <= f(x) + f(y)`` is imposed."""
    g = np.arange(-check_radius, check_radius + TOL, check_step)
    X, Y = np.meshgrid(g, g, indexing="ij")
    sel = (X <= Y) & (np.abs(X + Y) <= check_radius + TOL)
    return X[sel], Y[sel]


def _penalty_terms(f, constraints, pairs):
    """Violations of the dual constraints and their conservative gradients (w.r.t. the parameters)."""
    terms, grads = [], []
    if constraints == "full":
        for point, cap in ((1.0, 0.5), (-1.5, 0.0)):  # integer columns: f(1) <= 1/2, f(-3/2) <= 0
            v = float(f(point)) - cap
            terms.append(max(0.0, v))
            grads.append(f.jacobian(point)[0] * (v > 0))
    # continuous columns: right slope at 0 <= 2, left slope at 0 >= -1
    K = f.K
    iR, iL = int(f.segment(0.0)), int(np.searchsorted(f.breakpoints, 0.0))
    for idx, v, sign in ((iR, f.slopes[iR] - 2.0, 1.0), (iL, -1.0 - f.slopes[iL], -1.0)):
        g = np.zeros(2 * K - 1)
        g[K - 1 + idx] = sign * (v > 0)
        terms.append(max(0.0, v))
        grads.append(g)
    # subadditivity f(x + y) <= f(x) + f(y) on the check pairs: worst pair (an exact L-infinity penalty)
    x, y = pairs
    v = f(x + y) - f(x) - f(y)
    w = int(np.argmax(v))
    if v[w] > 0:
        J = f.jacobian(x[w:w + 1] + y[w:w + 1]) - f.jacobian(x[w:w + 1]) - f.jacobian(y[w:w + 1])
        grads.append(J[0])
        terms.append(float(v[w]))
    else:
        grads.append(np.zeros(2 * K - 1))
        terms.append(0.0)
    return np.array(terms), np.array(grads)


def train_pwl_dual(K: int, b_train, *, constraints: str = "full", n_steps: int = 2000, alpha0: float = 0.05,
                   schedule: str = "sqrt", penalty: float = 5.0, check_radius: float = 4.0,
                   check_step: float = 0.25, init_radius: float | None = None, random_state: int = 0,
                   log_every: int = 10, z_eval=None, b_eval=None, init: PiecewiseLinear | None = None
                   ) -> DualTrainResult:
    """Maximise ``mean f(b_train)`` over ``K``-segment functions under the dual constraints, by steps (9).

    Loss (minimised) ``-mean f(b_train) + penalty * (sum of constraint violations)``; ``constraints="full"`` uses
    all of (11) (the integer columns ``f(1) <= 1/2``, ``f(-3/2) <= 0``, the continuous ones ``fbar(1) <= 2``,
    ``fbar(-1) <= 1``, and subadditivity on pairs of a check grid ``{-r, ..., r}``, penalised through its worst
    pair — an exact L-infinity penalty; a sum or mean over the ~1000 pairs proved either too weak or too stiff for
    the subgradient steps), ``"continuous"`` drops the
    integer columns — the local information the paper reads (12) from. Starts at ``f = 0`` (dual feasible) with
    breakpoints spread over ``[-init_radius, init_radius]`` (jittered with ``random_state``). ``z_eval`` at ``b_eval``
    (optional) logs the mean gap ``z - f`` along the way. ``init`` (optional) starts from a given function
    instead (re-written with ``K`` segments by :func:`refine`), e.g. the solution for fewer segments.
    """
    check_positive_int("K", K)
    check_choice("constraints", constraints, ("full", "continuous"))
    check_choice("schedule", schedule, ("sqrt", "harmonic"))
    check_positive_int("n_steps", n_steps)
    check_number("alpha0", alpha0, low=0, low_open=True)
    check_number("penalty", penalty, low=0, low_open=True)
    check_positive_int("log_every", log_every)
    b_train = _checked_points(b_train)
    rng = np.random.default_rng(check_random_state(random_state, allow_none=False))
    r0 = float(np.abs(b_train).max()) if init_radius is None else float(init_radius)
    p0 = np.linspace(-r0, r0, K + 1)[1:-1] + (rng.uniform(-0.05, 0.05, K - 1) if K > 1 else 0)
    f = PiecewiseLinear(np.sort(p0), np.zeros(K)) if init is None else refine(init, K, r0)
    pairs = _check_pairs(check_radius, check_step)
    if z_eval is not None:
        z_eval = np.asarray(z_eval, dtype=float)
        b_eval = np.asarray(b_eval, dtype=float)
    rows = []
    for k in range(n_steps + 1):
        obj = float(f(b_train).mean())
        terms, grads = _penalty_terms(f, constraints, pairs)
        if k % log_every == 0 or k == n_steps:
            row = {"step": k, "objective": obj, "violation": float(terms.sum()),
                   "loss": -obj + penalty * float(terms.sum())}
            if z_eval is not None:
                row["mean_gap"] = float((z_eval - f(b_eval)).mean())
            rows.append(row)
        if k == n_steps:
            break
        # (9): v_{k+1} = v_k - alpha_k g_k with g_k in the conservative Jacobian of the loss
        grad = -f.jacobian(b_train).mean(axis=0) + penalty * grads.sum(axis=0)
        theta = f.params - step_size(k, alpha0, schedule) * grad
        f = f.with_params(theta)
    return DualTrainResult(f=f, history=pd.DataFrame(rows),
                           settings={"K": K, "constraints": constraints, "n_steps": n_steps, "alpha0": alpha0,
                                     "schedule": schedule, "penalty": penalty, "random_state": random_state})


def train_pwl_sequence(K_values, b_train, *, starts=(("scratch", 0.05), ("warm", 0.025)), **kwargs):
    """Train ``K``-segment dual functions for increasing ``K`` with a few starts each; keep the lowest final loss.

    ``starts`` lists ``(init, alpha0)``: ``"scratch"`` starts at ``f = 0``, ``"warm"`` from the kept function of
    the previous ``K`` (the same function with more breakpoints, see :func:`refine`). The choice uses only the
    training loss (objective plus penalty), never the gap to ``z``. Returns ``{K: DualTrainResult}``; each result's
    ``settings["start"]`` names the start that won. Other keyword arguments go to :func:`train_pwl_dual`.
    """
    for init, a0 in starts:
        check_choice("starts init", init, ("scratch", "warm"))
        check_number("starts alpha0", a0, low=0, low_open=True)
    out, prev = {}, None
    for K in K_values:
        best = None
        for init, a0 in starts:
            r = train_pwl_dual(K, b_train, alpha0=a0, init=prev if init == "warm" else None, **kwargs)
            r.settings["start"] = f"{init} (alpha0={a0})"
            if best is None or r.history["loss"].iloc[-1] < best.history["loss"].iloc[-1] - TOL:
                best = r
        out[K], prev = best, best.f
    return out


def ste_example(w_grid, x: float = 1.0, lam: float = 0.0, target: float = 1.0):
    """A one-unit BNN ``u = 1[w x >= lam]`` with squared loss ``(u - target)^2``: the loss as a function of ``w``,
    its true derivative (0 wherever it exists) and the straight-through estimate ``2 (u - target) x`` that
    pretends ``du/da = 1``. Returns a DataFrame with columns ``w, loss, true_grad, ste_grad``."""
    w = np.asarray(w_grid, dtype=float)
    u = (w * x >= lam).astype(float)
    loss = (u - target) ** 2
    return pd.DataFrame({"w": w, "loss": loss, "true_grad": np.zeros_like(w), "ste_grad": 2 * (u - target) * x})


def _slope_constraints(K, radius, check_radius, check_step):
    """The fixed-breakpoint family: breakpoints, ``phi`` with ``f(b) = phi(b) @ slopes``, and (11) as ``A s <= c``."""
    bps = np.linspace(-radius, radius, K + 1)[1:-1]
    basis = [PiecewiseLinear(bps, row) for row in np.eye(K)]

    def phi(b):
        return np.stack([g(np.asarray(b, dtype=float)) for g in basis], axis=-1)

    x, y = _check_pairs(check_radius, check_step)
    i_right = int(np.searchsorted(bps, 0.0, side="right"))
    i_left = int(np.searchsorted(bps, 0.0, side="left"))
    # rows of  A s <= c : subadditivity, the integer columns f(1) <= 1/2 and f(-3/2) <= 0, the continuous columns
    A = np.vstack([phi(x + y) - phi(x) - phi(y), phi([1.0, -1.5]), np.eye(K)[i_right], -np.eye(K)[i_left]])
    c = np.concatenate([np.zeros(x.size), [0.5, 0.0, 2.0, 1.0]])
    return bps, phi, A, c


def pwl_slopes_lp(K: int, b_train, *, radius: float = 4.0, check_radius: float = 6.0, check_step: float = 0.25,
                  time_limit: float = 60.0):
    """The problem :func:`train_pwl_slopes` attacks with subgradient steps, solved exactly: with the breakpoints
    fixed, ``max mean f(b_train)`` subject to the constraints of (11) on the check grid is a linear program in the
    ``K`` slopes. Returns ``(PiecewiseLinear, SolveRecord)``; the record's objective is the optimal mean."""
    check_positive_int("K", K)
    check_number("radius", radius, low=0, low_open=True)
    b_train = _checked_points(b_train)
    bps, phi, A, c = _slope_constraints(K, radius, check_radius, check_step)
    mean_phi = phi(b_train).mean(axis=0)
    rec, sol = solve_matrices(mean_phi, A, np.full(A.shape[0], -np.inf), c, np.full(K, -np.inf), np.full(K, np.inf),
                              sense="max", time_limit=time_limit, feasibility_tolerance=TIGHT_TOLERANCE)
    return PiecewiseLinear(bps, sol.x), rec


def train_pwl_slopes(K: int, b_train, *, radius: float = 4.0, n_steps: int = 20000, alpha0: float = 0.5,
                     penalty: float = 1.0, check_radius: float = 6.0, check_step: float = 0.25,
                     log_every: int = 100, z_eval=None, b_eval=None) -> DualTrainResult:
    """Maximise ``mean f(b_train)`` over ``K``-segment functions whose breakpoints are fixed on a uniform grid.

    The ``K - 1`` breakpoints split ``[-radius, radius]`` into ``K`` equal parts (0 is a breakpoint for even
    ``K``); only the slopes are trained. ``f`` is then linear in its slopes and every constraint of (11) —
    ``f(1) <= 1/2``, ``f(-3/2) <= 0``, right slope at 0 ``<= 2``, left slope at 0 ``>= -1`` and subadditivity on
    the pairs of a check grid — is a linear inequality in the slopes, so the penalised loss
    ``-mean f(b_train) + penalty * sum(violations)`` is convex. The conservative-subgradient steps (9), here with
    normalised steps ``alpha0 / sqrt(k + 1) * g / max(1, |g|)``, therefore converge to the best function of the
    family, and the gap to ``z`` vanishes as soon as the grid contains the kinks of ``z`` (spacing 1/2 for the
    example (10), i.e. ``K = 16`` on ``[-4, 4]``). Learning the breakpoints as well (:func:`train_pwl_dual`)
    makes the problem non-convex, and in our runs the steps then stall far from ``z``.
    """
    check_positive_int("K", K)
    check_number("radius", radius, low=0, low_open=True)
    check_positive_int("n_steps", n_steps)
    check_number("alpha0", alpha0, low=0, low_open=True)
    check_number("penalty", penalty, low=0, low_open=True)
    check_positive_int("log_every", log_every)
    b_train = _checked_points(b_train)
    bps, phi, A, c = _slope_constraints(K, radius, check_radius, check_step)
    mean_phi = phi(b_train).mean(axis=0)
    phi_eval = None if z_eval is None else phi(b_eval)
    s = np.zeros(K)
    rows = []
    for k in range(n_steps + 1):
        v = A @ s - c
        if k % log_every == 0 or k == n_steps:
            row = {"step": k, "objective": float(mean_phi @ s), "violation": float(np.maximum(v, 0).sum()),
                   "max_violation": float(max(v.max(), 0.0))}
            if phi_eval is not None:
                row["mean_gap"] = float((np.asarray(z_eval, dtype=float) - phi_eval @ s).mean())
            rows.append(row)
        if k == n_steps:
            break
        g = -mean_phi + penalty * A[v > 0].sum(axis=0)
        s = s - step_size(k, alpha0) * g / max(1.0, float(np.linalg.norm(g)))
    return DualTrainResult(f=PiecewiseLinear(bps, s), history=pd.DataFrame(rows),
                           settings={"K": K, "radius": radius, "n_steps": n_steps, "alpha0": alpha0,
                                     "penalty": penalty, "breakpoints": "fixed uniform grid"})
