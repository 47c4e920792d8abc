"""Gradient-descent baseline: a BinaryNet-style network trained with straight-through estimators, in numpy.

This is the "GD" baseline of Thorbjarnarson & Yorke-Smith (2021), who used the method of Courbariaux & Bengio
(2016, "BinaryNet") as adapted by Icarte et al. (2019). Details the paper leaves open follow the authors' public
code (see ``data/reference/README.md``):

* real-valued latent weights and biases, initialised from a normal distribution with standard deviation
  ``P/2`` truncated at two standard deviations; the network uses ``round(clip(w, -P, P))`` — integers in
  ``{-P, …, P}`` — and the gradient passes straight through the rounding (and through the clip inside
  ``[-P, P]``);
* hidden units ``sign(a)`` (``+1`` for ``a ≥ 0``) with the straight-through gradient of the hard tanh
  (``1`` for ``|a| ≤ 1``, else ``0``);
* output ``ŷ = 2 s / (P (n_{L-1} + 1))`` as in the MIP models, loss ``Σ max(0, m − y ŷ)²`` with ``m = 1/2``
  over all samples and outputs (full batch);
* Adam with learning rate ``1e-2 · 0.9^(t/1000)``; stop when the loss reaches ``N · 0.1 · m²`` (the authors'
  cut-off), when the loss has stopped moving (standard deviation of the last 500 losses ≤ 1e-5), after
  ``max_epochs`` (10,000) or after ``time_limit`` seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..validation import check_int_sequence, check_number, check_positive_int

__all__ = ["STEFit", "train_ste", "ste_forward"]


@dataclass(frozen=True)
class STEFit:
    """Result of :func:`train_ste`: integer ``weights`` [(W, b), …], the loss per epoch and why it stopped."""

    weights: list
    losses: np.ndarray
    epochs: int
    stop_reason: str  # "target", "converged", "max_epochs", "time_limit"
    train_accuracy: float
    wall_time: float


def _quantise(v: np.ndarray, P: int) -> np.ndarray:
    return np.round(np.clip(v, -P, P))


def ste_forward(X: np.ndarray, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Pre-activations of every layer for integer weights (hidden units +1 for ``a ≥ 0``)."""
    h = np.asarray(X, dtype=np.float64)
    out = []
    for layer, (W, b) in enumerate(weights):
        a = h @ W + b
        out.append(a)
        if layer < len(weights) - 1:
            h = np.where(a >= 0, 1.0, -1.0)
    return out


def _truncated_normal(rng: np.random.Generator, shape, std: float) -> np.ndarray:
    out = rng.normal(0.0, std, size=shape)
    bad = np.abs(out) > 2 * std
    while bad.any():
        out[bad] = rng.normal(0.0, std, size=int(bad.sum()))
        bad = np.abs(out) > 2 * std
    return out


def train_ste(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1, lr: float = 1e-2,
              decay: float = 0.9, decay_steps: int = 1000, max_epochs: int = 10_000, margin: float = 0.5,
              target_loss: float | None = None, time_limit: float | None = None,
              random_state: int | None = None) -> STEFit:
    """Train the straight-through BinaryNet baseline on ``X`` (N × n) and ±1 one-hot ``Y`` (N × K).

    ``target_loss=None`` uses the authors' cut-off ``N · 0.1 · margin²``; pass ``0.0`` to train for all epochs.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or X.shape[0] == 0 or Y.shape[1] < 2:
        raise ValueError(f"X (N × n) and Y (N × K, K ≥ 2) must have the same number of rows; got {X.shape}, {Y.shape}")
    if not np.isin(Y, (-1.0, 1.0)).all() or not (np.sum(Y > 0, axis=1) == 1).all():
        raise ValueError("Y must be ±1 one-hot: exactly one +1 per row, −1 elsewhere")
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    check_positive_int("P", P)
    check_number("lr", lr, low=0.0, low_open=True)
    check_number("decay", decay, low=0.0, low_open=True, high=1.0)
    check_positive_int("decay_steps", decay_steps)
    check_positive_int("max_epochs", max_epochs)
    check_number("margin", margin, low=0.0, low_open=True)
    check_number("target_loss", target_loss, low=0.0, allow_none=True)
    check_number("time_limit", time_limit, low=0.0, low_open=True, allow_none=True)
    check_number("random_state", random_state, low=0, integer=True, allow_none=True)

    rng = np.random.default_rng(random_state)
    N, K = Y.shape
    sizes = [X.shape[1], *hidden, K]
    B = P * (hidden[-1] + 1)
    if target_loss is None:
        target_loss = N * 0.1 * margin ** 2
    params = []
    for l in range(len(sizes) - 1):
        params.append(_truncated_normal(rng, (sizes[l], sizes[l + 1]), P / 2))
        params.append(_truncated_normal(rng, (sizes[l + 1],), P / 2))
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def loss_and_grads(params):
        q = [_quantise(p, P) for p in params]
        hs, pre = [X], []
        for l in range(len(sizes) - 1):
            a = hs[-1] @ q[2 * l] + q[2 * l + 1]
            pre.append(a)
            if l < len(sizes) - 2:
                hs.append(np.where(a >= 0, 1.0, -1.0))
        yhat = 2.0 * pre[-1] / B
        slack = np.maximum(0.0, margin - Y * yhat)
        loss = float(np.sum(slack ** 2))
        delta = (-2.0 * slack * Y) * (2.0 / B)  # dL/da of the output layer
        grads = [None] * len(params)
        for l in range(len(sizes) - 2, -1, -1):
            grads[2 * l] = hs[l].T @ delta
            grads[2 * l + 1] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ q[2 * l].T) * (np.abs(pre[l - 1]) <= 1.0)  # straight-through hard tanh
        for i, p in enumerate(params):
            grads[i] = grads[i] * (np.abs(p) <= P)  # straight-through round, clip passes inside [-P, P]
        return loss, grads, pre

    t0 = time.perf_counter()
    losses = []
    reason = "max_epochs"
    for epoch in range(1, max_epochs + 1):
        loss, grads, _ = loss_and_grads(params)
        losses.append(loss)
        if loss <= target_loss:
            reason = "target"
            break
        if len(losses) >= 500 and np.std(losses[-500:]) <= 1e-5:
            reason = "converged"
            break
        if time_limit is not None and time.perf_counter() - t0 >= time_limit:
            reason = "time_limit"
            break
        step_lr = lr * decay ** ((epoch - 1) / decay_steps)
        for i, g in enumerate(grads):
            m1[i] = beta1 * m1[i] + (1 - beta1) * g
            m2[i] = beta2 * m2[i] + (1 - beta2) * g * g
            mh = m1[i] / (1 - beta1 ** epoch)
            vh = m2[i] / (1 - beta2 ** epoch)
            params[i] = params[i] - step_lr * mh / (np.sqrt(vh) + eps)
    weights = [(_quantise(params[2 * l], P), _quantise(params[2 * l + 1], P)) for l in range(len(sizes) - 1)]
    s = ste_forward(X, weights)[-1]
    acc = float(np.mean(np.argmax(s, axis=1) == np.argmax(Y, axis=1)))
    return STEFit(weights=weights, losses=np.asarray(losses), epochs=len(losses), stop_reason=reason,
                  train_accuracy=acc, wall_time=time.perf_counter() - t0)
