"""Training a binarised network through the value functions of its layer MILPs (notebook 01; Corollary 1 in practice).

Aspman, Korpas & Marecek (AAAI 2024) argue that BNN training read through the MILP's subadditive dual is tame,
so the chain rule for conservative fields (Bolte & Pauwels 2021) applies. This module makes one layer of a BNN
a small MILP and differentiates what can be differentiated.

**A layer is a MILP.** With pre-activations ``a = W x − λ`` (Theorem 1's rule: ``u = 1`` exactly when
``W x ≥ λ``), the layer's output is the solution of

    φ(a) = max { a·u : u ∈ {0, 1}^d },        u*(a) = 1[a ≥ 0]           (:func:`layer_solution`)

whose value function ``φ(a) = Σ_j max(0, a_j)`` is piecewise linear with two segments per unit (slopes 0 and 1,
breakpoint 0): a member of the family (14), subadditive and non-decreasing, so it is its own optimal subadditive
dual function. Its conservative field (the analogue of (13)) is ``{1}`` where ``a_j > 0``, ``{0}`` where
``a_j < 0`` and the whole interval ``[0, 1]`` at the kink ``a_j = 0`` (:func:`value_field`); the layer's output
``u*(a)`` is one element of it (Danskin: the maximiser is a gradient of the max).

**The loss is the value of a loss-augmented MILP.** For targets ``t ∈ {0, 1}^d`` the output layer's loss is

    ℓ(a, t) = max { a·(u − t) + Σ_j |u_j − t_j| : u ∈ {0, 1}^d } = Σ_j max(0, 1 − (2 t_j − 1) a_j)

(:func:`hinge_value`), the structured hinge: it is 0 exactly when every unit is right with margin 1 and at least
the Hamming loss otherwise, convex, piecewise linear, Lipschitz. Its field in ``a`` is ``−(2t − 1)`` where the
hinge is active, 0 where it is not, and every value in between on the kink (:func:`hinge_field`).

**The chain rule through hidden layers gives zero.** A hidden layer passes on ``u*(a)``, which is locally
constant in its weights (it jumps only where some ``a_j = 0``). Wherever it is Lipschitz, its conservative
Jacobian is 0, so the chain rule for conservative fields (:func:`conservative_gradients`) gives a zero field
for every hidden weight: the loss of a BNN is piecewise constant in its hidden weights, so conservative-field
descent trains the output layer only (a convex problem; it reaches the optimum of the hinge over the output
weights for the hidden features the initialisation gave). The straight-through estimator
(:func:`ste_gradients`) instead pretends that ``du/da = 1[|a| ≤ 1]`` and moves the hidden weights along a
direction that is not a (generalised) gradient of the loss.

**Training every layer through MILP value functions** (:func:`target_gradients`, beyond the paper): the targets
of hidden layer ``k`` are, per sample, the solution of the MILP ``min { ℓ(W_{k+1} u − λ_{k+1}, t_{k+1}) : u ∈
{0, 1}^{d_k} }`` (the binary inputs the layer above would like best), and each layer takes a conservative-field
step on its own hinge value function towards its targets. Every step is a genuine element of the conservative
field of a tame, Lipschitz function; only the targets come from a MILP, not from the chain rule.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..numerics import label_targets
from ..solve import solve_matrices
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int, check_random_state

__all__ = ["layer_solution", "layer_milp", "layer_value", "value_field", "hinge_value", "hinge_field",
           "loss_augmented_milp", "forward", "network_loss", "conservative_gradients", "ste_gradients",
           "target_gradients", "hidden_targets", "sign_disagreement", "field_cosine", "init_weights",
           "BNNTrainResult", "train_bnn", "METHODS", "SELECTIONS"]

#: Training routes: the chain rule for conservative fields, per-layer fields with MILP targets, the STE.
METHODS = ("conservative", "target", "ste")
#: Hidden targets are enumerated up to this width; wider layers solve the target MILP with HiGHS.
_ENUMERATE_WIDTH = 12


def _pre(a):
    a = np.asarray(a, dtype=np.float64)
    if not np.isfinite(a).all():
        raise ValueError("pre-activations must be finite")
    return a


def layer_solution(a) -> np.ndarray:
    """``u*(a) = 1[a ≥ 0]``, the solution of ``max {a·u : u ∈ {0,1}^d}`` (ties ``a = 0`` go to 1, Theorem 1's ≥)."""
    return (_pre(a) >= 0).astype(np.float64)


def layer_milp(a, *, time_limit: float = 10.0):
    """The layer MILP ``max {a·u : u ∈ {0,1}^d}`` for one pre-activation vector, solved by HiGHS: ``(u, value,
    record)``. Used to check :func:`layer_solution` and :func:`layer_value`; training uses the closed forms."""
    a = _pre(a).reshape(-1)
    d = a.size
    record, sol = solve_matrices(a, sp.csr_matrix((0, d)), np.zeros(0), np.zeros(0), np.zeros(d), np.ones(d),
                                 np.ones(d, dtype=np.int32), sense="max", time_limit=time_limit)
    return np.round(sol.x), float(record.objective), record


def layer_value(a) -> np.ndarray:
    """``φ(a) = Σ_j max(0, a_j)`` per row: the layer MILP's value function."""
    return np.maximum(_pre(a), 0.0).sum(axis=-1)


def value_field(a):
    """The conservative field of ``φ`` per unit as intervals ``(low, high)``: ``{1}`` for ``a > 0``, ``{0}`` for
    ``a < 0``, ``[0, 1]`` at ``a = 0``. :func:`layer_solution` is an element (``high`` at the kink)."""
    a = _pre(a)
    return (a > 0).astype(np.float64), (a >= 0).astype(np.float64)


def _sign(t):
    t = np.asarray(t, dtype=np.float64)
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("targets must be 0 or 1")
    return 2.0 * t - 1.0


def hinge_value(a, t, margin: float = 1.0) -> np.ndarray:
    """``ℓ(a, t) = Σ_j max(0, μ − (2t_j − 1) a_j)`` per row (``μ = margin``): the value of
    :func:`loss_augmented_milp`."""
    return np.maximum(0.0, margin - _sign(t) * _pre(a)).sum(axis=-1)


def hinge_field(a, t, margin: float = 1.0, *, at_kink: float = 1.0) -> np.ndarray:
    """An element of the conservative field of ``ℓ(·, t)`` in ``a``: ``−(2t − 1)`` where ``μ − (2t − 1) a > 0``,
    0 where it is ``< 0``, and ``−(2t − 1)·at_kink`` (``at_kink ∈ [0, 1]``) on the kink."""
    check_number("at_kink", at_kink, low=0.0, high=1.0)
    s = _sign(t)
    m = margin - s * _pre(a)
    return -s * np.where(m > 0, 1.0, np.where(m < 0, 0.0, at_kink))


def loss_augmented_milp(a, t, margin: float = 1.0, *, time_limit: float = 10.0):
    """``max {a·(u − t) + μ Σ|u − t| : u ∈ {0,1}^d}`` for one sample by HiGHS (``|u − t|`` is linear in ``u`` for
    binary ``t``): ``(u, value, record)``. Checks :func:`hinge_value`."""
    a, s = _pre(a).reshape(-1), _sign(t).reshape(-1)
    t = (s + 1) / 2
    d = a.size
    # |u - t| = u (t = 0) or 1 - u (t = 1) = (1 - 2t) u + t
    c = a + margin * (1 - 2 * t)
    record, sol = solve_matrices(c, sp.csr_matrix((0, d)), np.zeros(0), np.zeros(0), np.zeros(d), np.ones(d),
                                 np.ones(d, dtype=np.int32), sense="max", offset=float(-(a @ t) + margin * t.sum()),
                                 time_limit=time_limit)
    return np.round(sol.x), float(record.objective), record


def init_weights(layers, random_state=0):
    """Weights uniform in ``[−1, 1]`` (Theorem 1's box) for widths ``layers = (d0, ..., dK)``: ``[(W, λ), ...]``."""
    layers = check_int_sequence("layers", layers)
    if len(layers) < 2:
        raise ValueError("layers must list at least the input and the output width")
    rng = np.random.default_rng(check_random_state(random_state))
    return [(rng.uniform(-1, 1, (d, p)), rng.uniform(-1, 1, d)) for p, d in zip(layers[:-1], layers[1:], strict=True)]


def _check_weights(weights, n_features):
    if not weights:
        raise ValueError("weights must hold at least one layer (W, lam)")
    width = n_features
    out = []
    for k, (W, lam) in enumerate(weights, start=1):
        W, lam = np.asarray(W, dtype=np.float64), np.asarray(lam, dtype=np.float64).reshape(-1)
        if W.ndim != 2 or W.shape[1] != width or lam.shape != (W.shape[0],):
            raise ValueError(f"layer {k}: W must have shape (d, {width}) and lam shape (d,), got {W.shape}, "
                             f"{lam.shape}")
        out.append((W, lam))
        width = W.shape[0]
    return out


def forward(X, weights):
    """Pre-activations and outputs of every layer: ``(A, U)`` with ``U[0] = X`` and ``U[k] = u*(A[k-1])``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or not np.isfinite(X).all():
        raise ValueError("X must be a finite 2-D array (samples × features)")
    weights = _check_weights(weights, X.shape[1])
    A, U = [], [X]
    for W, lam in weights:
        A.append(U[-1] @ W.T - lam)
        U.append(layer_solution(A[-1]))
    return A, U


def _evaluate(X, y, weights, margin: float) -> tuple[float, float, float]:
    """One forward pass: mean hinge, the share of samples with every output unit right, and the share whose
    largest output pre-activation is their class."""
    A, U = forward(X, weights)
    T = label_targets(y, U[-1].shape[1], len(X))
    units = float((np.abs(U[-1] - T).max(axis=1) < 0.5).mean())
    argmax = float((np.argmax(A[-1], axis=1) == np.asarray(y)).mean())
    return float(hinge_value(A[-1], T, margin).mean()), units, argmax


def network_loss(X, y, weights, margin: float = 1.0) -> tuple[float, float]:
    """``(mean hinge value of the output layer, training accuracy)`` of the BNN ``weights`` on ``(X, y)``."""
    loss, acc, _ = _evaluate(X, y, weights, margin)
    return loss, acc


def _layer_grads(G, U_in):
    """Weight and threshold fields of one layer from the field ``G = dℓ/da`` (mean over samples)."""
    n = G.shape[0]
    return G.T @ U_in / n, -G.sum(axis=0) / n


def _backprop(X, y, weights, surrogate, margin):
    A, U = forward(X, weights)
    T = label_targets(y, U[-1].shape[1], len(X))
    G = hinge_field(A[-1], T, margin)
    grads = [None] * len(A)
    for k in reversed(range(len(A))):
        grads[k] = _layer_grads(G, U[k])
        if k:
            G = (G @ weights[k][0]) * surrogate(A[k - 1])
    return grads


def conservative_gradients(X, y, weights, margin: float = 1.0):
    """The chain rule for conservative fields: output layer from :func:`hinge_field`; through each hidden layer
    the field of the locally constant solution map ``u*`` is 0, so every hidden field is 0. ``[(dW, dλ), ...]``."""
    return _backprop(X, y, weights, lambda a: np.zeros_like(a), margin)


def ste_gradients(X, y, weights, margin: float = 1.0):
    """The straight-through estimator: the same backward pass with ``du/da := 1[|a| ≤ 1]`` (hard-tanh STE)."""
    return _backprop(X, y, weights, lambda a: (np.abs(a) <= 1.0).astype(np.float64), margin)


def hidden_targets(U_in, W, lam, T, margin: float = 1.0, *, time_limit: float = 10.0) -> np.ndarray:
    """Per sample, ``argmin {ℓ(W u − λ, t) : u ∈ {0,1}^d}``: the binary inputs the layer ``(W, λ)`` would like best
    (ties: the one closest in Hamming distance to the current inputs ``U_in``, then the first in enumeration order).
    Enumerated for ``d ≤ 12``; wider layers solve the MILP with HiGHS (a hinge epigraph per unit)."""
    d = W.shape[1]
    if d > _ENUMERATE_WIDTH:
        return np.vstack([_target_milp(W, lam, t, margin, time_limit) for t in T])
    cand = np.array(list(itertools.product((0.0, 1.0), repeat=d)))
    cost = hinge_value((cand @ W.T - lam)[None, :, :], T[:, None, :], margin)   # (n, 2^d)
    cost = cost + 1e-9 * np.abs(cand[None, :, :] - U_in[:, None, :]).sum(axis=2)  # tie: stay close
    return cand[np.argmin(cost, axis=1)]


def _target_milp(W, lam, t, margin, time_limit):
    d_out, d = W.shape
    s = _sign(t)
    # columns u (d binaries), e (d_out >= 0); rows e_j + s_j (W u)_j >= μ + s_j λ_j, i.e. e_j >= μ - s_j (W u - λ)_j
    A = sp.hstack([sp.csr_matrix(s[:, None] * W), sp.identity(d_out)], format="csr")
    _, sol = solve_matrices(np.concatenate([np.zeros(d), np.ones(d_out)]), A, margin + s * lam,
                                 np.full(d_out, np.inf), np.zeros(d + d_out),
                                 np.concatenate([np.ones(d), np.full(d_out, np.inf)]),
                                 np.concatenate([np.ones(d), np.zeros(d_out)]).astype(np.int32),
                                 time_limit=time_limit)
    return np.round(sol.x[:d])


def target_gradients(X, y, weights, margin: float = 1.0, *, time_limit: float = 10.0):
    """Per layer, the conservative field of its own hinge value towards MILP targets (module docstring)."""
    A, U = forward(X, weights)
    T = label_targets(y, U[-1].shape[1], len(X))
    grads = [None] * len(A)
    for k in reversed(range(len(A))):
        grads[k] = _layer_grads(hinge_field(A[k], T, margin), U[k])
        if k:
            T = hidden_targets(U[k], weights[k][0], weights[k][1], T, margin, time_limit=time_limit)
    return grads


def _flat(grads):
    return np.concatenate([np.concatenate([dW.ravel(), dl.ravel()]) for dW, dl in grads])


def sign_disagreement(g1, g2) -> float:
    """Share of the coordinates where at least one of two gradients is non-zero and their signs differ."""
    a, b = np.sign(_flat(g1)), np.sign(_flat(g2))
    live = (a != 0) | (b != 0)
    return float((a[live] != b[live]).mean()) if live.any() else 0.0


def field_cosine(g1, g2) -> float:
    """Cosine of the angle between two gradients (all layers flattened); NaN if either is zero. Negative: the
    two updates point into opposite half-spaces."""
    a, b = _flat(g1), _flat(g2)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else float("nan")


@dataclass
class BNNTrainResult:
    """Weights after training, one history row per step, and the route."""

    weights: list
    history: pd.DataFrame
    method: str
    wall_time: float
    status: str
    best_step: int = 0
    extra: dict = field(default_factory=dict)


_GRADIENTS = {"conservative": conservative_gradients, "ste": ste_gradients, "target": target_gradients}


#: How :func:`train_bnn` judges a step when it keeps the best: ``"units"`` — a sample is right when every output unit
#: is on its target's side (the hinge's own notion); ``"argmax"`` — when the output unit with the largest
#: pre-activation is its class (the prediction rule of :class:`mipnn.duality.FieldBNNClassifier`).
SELECTIONS = ("units", "argmax")


def train_bnn(X, y, layers, *, method: str = "conservative", steps: int = 400, alpha0: float = 1.0,
              margin: float = 0.1, random_state=0, weights=None, time_limit: float = 60.0,
              compare_ste: bool = True, select: str = "units") -> BNNTrainResult:
    """Subgradient steps (9) ``θ ← clip(θ − α_k g_k, −1, 1)``, ``α_k = alpha0 / sqrt(k + 1)``, ``g_k`` from
    ``method`` (:data:`METHODS`) on the hinge with margin ``margin``. Starts from ``weights`` or
    :func:`init_weights` ``(layers, random_state)``.

    Keeps the weights of the best step (lowest training error as ``select`` (:data:`SELECTIONS`) counts it, then
    lowest hinge). Stops after ``steps``, at zero
    hinge (every unit right with margin; no field left), or at ``time_limit`` seconds for the whole fit
    (``status`` says which). History per step: hinge value, training accuracy, and with ``compare_ste`` the share
    of coordinates where the route's field and the STE's disagree in sign and the cosine between the two.
    """
    check_choice("method", method, METHODS)
    check_positive_int("steps", steps)
    check_number("alpha0", alpha0, low=0.0, low_open=True)
    check_number("margin", margin, low=0.0, low_open=True)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    check_choice("select", select, SELECTIONS)
    layers = check_int_sequence("layers", layers)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != layers[0]:
        raise ValueError(f"X must have shape (n, {layers[0]}) for layers {layers}, got {np.shape(X)}")
    w = init_weights(layers, random_state) if weights is None else [
        (np.array(W, dtype=np.float64), np.array(lam, dtype=np.float64)) for W, lam in _check_weights(weights,
                                                                                                     layers[0])]
    label_targets(y, layers[-1], len(X))  # labels checked before any work
    t0 = time.perf_counter()
    rows, best, status = [], None, "steps"
    grad = _GRADIENTS[method]
    def judged(w):  # one forward pass: the hinge, the training accuracy and the score the best step is kept by
        loss, acc, argmax = _evaluate(X, y, w, margin)
        return loss, acc, (acc if select == "units" else argmax)

    for k in range(steps):
        loss, acc, score = judged(w)
        if best is None or (score, -loss) > (best[0], -best[1]):
            best = (score, loss, k, [(W.copy(), lam.copy()) for W, lam in w])
        if loss <= 0.0:
            status = "zero_loss"
            rows.append({"step": k, "hinge": loss, "accuracy": acc, "sign_disagreement": np.nan,
                         "ste_cosine": np.nan, "seconds": time.perf_counter() - t0})
            break
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            status = "time_limit"
            break
        g = grad(X, y, w, margin, time_limit=left) if method == "target" else grad(X, y, w, margin)
        dis = cos = np.nan
        if compare_ste and method != "ste":
            g_ste = ste_gradients(X, y, w, margin)
            dis, cos = sign_disagreement(g, g_ste), field_cosine(g, g_ste)
        rows.append({"step": k, "hinge": loss, "accuracy": acc, "sign_disagreement": dis, "ste_cosine": cos,
                     "seconds": time.perf_counter() - t0})
        alpha = alpha0 / np.sqrt(k + 1.0)
        w = [(np.clip(W - alpha * dW, -1, 1), np.clip(lam - alpha * dl, -1, 1)) for (W, lam), (dW, dl) in zip(w, g,
                                                                                                             strict=True)]
    else:
        loss, acc, score = judged(w)
        if (score, -loss) > (best[0], -best[1]):
            best = (score, loss, steps, w)
    return BNNTrainResult(weights=best[3], history=pd.DataFrame(rows), method=method,
                          wall_time=time.perf_counter() - t0, status=status, best_step=best[2])
