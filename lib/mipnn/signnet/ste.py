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

from ..validation import check_int_sequence, check_number, check_positive_int, check_random_state
from .network import check_data, predict_index, sign_forward
from .objectives import MARGIN, output_scale

__all__ = ["STEResult", "train_ste"]


@dataclass(frozen=True)
class STEResult:
    """Result of :func:`train_ste`: integer ``weights`` [(W, b), …], the loss per epoch and why it stopped."""

    weights: list
    losses: np.ndarray
    epochs: int
    stop_reason: str  # "target", "converged", "max_epochs", "time_limit"
    train_accuracy: float
    wall_time: float


def _quantise(v: np.ndarray, P: int) -> np.ndarray:
    return np.round(np.clip(v, -P, P))


def _truncated_normal(rng: np.random.Generator, shape, std: float) -> np.ndarray:
    out = rng.normal(0.0, std, size=shape)
    bad = np.abs(out) > 2 * std
    while bad.any():
        out[bad] = rng.normal(0.0, std, size=int(bad.sum()))
        bad = np.abs(out) > 2 * std
    return out


def _loss_and_grads(params, X, Y, P, B, margin):
    """Squared-hinge loss of the quantised network and its straight-through gradients w.r.t. the latent weights."""
    n_layers = len(params) // 2
    q = [_quantise(p, P) for p in params]
    hs, pre = [X], []
    for l in range(n_layers):
        a = hs[-1] @ q[2 * l] + q[2 * l + 1]
        pre.append(a)
        if l < n_layers - 1:
            hs.append(np.where(a >= 0, 1.0, -1.0))
    yhat = 2.0 * pre[-1] / B
    slack = np.maximum(0.0, margin - Y * yhat)
    loss = float(np.sum(slack ** 2))
    delta = (-2.0 * slack * Y) * (2.0 / B)  # dL/da of the output layer
    grads = [None] * len(params)
    for l in range(n_layers - 1, -1, -1):
        grads[2 * l] = hs[l].T @ delta
        grads[2 * l + 1] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ q[2 * l].T) * (np.abs(pre[l - 1]) <= 1.0)  # straight-through hard tanh
    for i, p in enumerate(params):
        grads[i] = grads[i] * (np.abs(p) <= P)  # straight-through round, clip passes inside [-P, P]
    return loss, grads


class _Adam:
    """Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) over a list of arrays."""

    def __init__(self, params):
        self.m1 = [np.zeros_like(p) for p in params]
        self.m2 = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr, t):
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        for i, g in enumerate(grads):
            self.m1[i] = beta1 * self.m1[i] + (1 - beta1) * g
            self.m2[i] = beta2 * self.m2[i] + (1 - beta2) * g * g
            mh = self.m1[i] / (1 - beta1 ** t)
            vh = self.m2[i] / (1 - beta2 ** t)
            params[i] = params[i] - lr * mh / (np.sqrt(vh) + eps)


def _check_ste_params(hidden, P, lr, decay, decay_steps, max_epochs, margin, target_loss, time_limit, random_state):
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    check_positive_int("P", P)
    # every float finite and in range: lr = inf gave int64-min weights, margin = inf a "target" stop after one epoch
    check_number("lr", lr, low=0.0, low_open=True, high=1e6)
    check_number("decay", decay, low=0.0, low_open=True, high=1.0)
    check_positive_int("decay_steps", decay_steps)
    check_positive_int("max_epochs", max_epochs)
    check_number("margin", margin, low=0.0, low_open=True, high=1e6)
    check_number("target_loss", target_loss, low=0.0, high=1e300, allow_none=True)
    check_number("time_limit", time_limit, low=0.0, low_open=True, high=1e7, allow_none=True)
    check_random_state(random_state)
    return hidden


def train_ste(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1, lr: float = 1e-2,
              decay: float = 0.9, decay_steps: int = 1000, max_epochs: int = 10_000, margin: float = MARGIN,
              target_loss: float | None = None, time_limit: float | None = None,
              random_state: int | None = None) -> STEResult:
    """Train the straight-through BinaryNet baseline on ``X`` (N × n) and ±1 one-hot ``Y`` (N × K).

    ``target_loss=None`` uses the authors' cut-off ``N · 0.1 · margin²``; pass ``0.0`` to train for all epochs.
    """
    X, Y = check_data(X, Y)
    hidden = _check_ste_params(hidden, P, lr, decay, decay_steps, max_epochs, margin, target_loss, time_limit,
                               random_state)
    rng = np.random.default_rng(random_state)
    N, K = Y.shape
    sizes = [X.shape[1], *hidden, K]
    B = output_scale(hidden, P)
    if target_loss is None:
        target_loss = N * 0.1 * margin ** 2
    params = []
    for l in range(len(sizes) - 1):
        params.append(_truncated_normal(rng, (sizes[l], sizes[l + 1]), P / 2))
        params.append(_truncated_normal(rng, (sizes[l + 1],), P / 2))
    adam = _Adam(params)
    t0 = time.perf_counter()
    losses = []
    reason = "max_epochs"
    for epoch in range(1, max_epochs + 1):
        loss, grads = _loss_and_grads(params, X, Y, P, B, margin)
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
        adam.step(params, grads, lr * decay ** ((epoch - 1) / decay_steps), epoch)
    weights = [(_quantise(params[2 * l], P), _quantise(params[2 * l + 1], P)) for l in range(len(sizes) - 1)]
    s = sign_forward(X, weights, tol=0.0)[-1]  # a gradient-trained network: the plain rule a ≥ 0
    acc = float(np.mean(predict_index(s) == np.argmax(Y, axis=1)))
    return STEResult(weights=weights, losses=np.asarray(losses), epochs=len(losses), stop_reason=reason,
                     train_accuracy=acc, wall_time=time.perf_counter() - t0)
