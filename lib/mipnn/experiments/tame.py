"""Aspman, Korpas & Marecek (notebook 01): training a BNN three ways — conservative fields, MILP targets, STE — and
the primal MILP of Theorem 1, on the same data, as runs that :func:`mipnn.experiments.run_sweep` can resume.

Datasets (:data:`TAME_DATASETS`): ``xor8`` and ``xor40`` — points uniform in ``[−1, 1]²`` labelled by the
quadrant XOR (notebook 01's plain and shared-activation data: 8 points from seed ``random_state + 1``, 40 from
``random_state``), tested on 2,000 fresh points; ``breast_cancer`` — scikit-learn's Wisconsin diagnostic set,
min-max scaled to ``[0, 1]`` on the training part, a stratified 100-image training sample and the other 469 for
testing (the split is seeded with ``data_seed``).
"""

from __future__ import annotations

import time

import numpy as np

from ..bnn import bnn_forward, build_bnn_milp, extract_weights, solve_bnn_milp
from ..data import load_dataset
from ..duality import METHODS, network_loss, train_bnn
from ..numerics import one_hot
from ..validation import check_choice, check_number, check_positive_int

__all__ = ["TAME_DATASETS", "xor_data", "tame_dataset", "run_route", "run_primal_milp"]

TAME_DATASETS = ("xor8", "xor40", "breast_cancer")
#: Hidden widths per dataset: the notebook's 2-3-3-2 network for XOR, one hidden layer of 4 for breast cancer.
_LAYERS = {"xor8": (2, 3, 3, 2), "xor40": (2, 3, 3, 2), "breast_cancer": (30, 4, 2)}


def xor_data(N: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``N`` points uniform in ``[−1, 1]²`` and their quadrant-XOR labels (``x1 > 0`` xor ``x2 > 0``)."""
    check_positive_int("N", N)
    X = rng.uniform(-1, 1, (N, 2))
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def tame_dataset(name: str, *, data_seed: int = 0, train_size: int = 100):
    """``(X_train, y_train, X_test, y_test, layers)`` of a dataset of :data:`TAME_DATASETS`."""
    check_choice("name", name, TAME_DATASETS)
    check_number("data_seed", data_seed, low=0, integer=True)
    if name.startswith("xor"):
        N = int(name[3:])
        X, y = xor_data(N, np.random.default_rng(data_seed + (1 if N == 8 else 0)))
        Xt, yt = xor_data(2000, np.random.default_rng(data_seed + 100))
        return X, y, Xt, yt, _LAYERS[name]
    from sklearn.model_selection import train_test_split

    X, y = load_dataset(name)
    Xtr, Xte, ytr, yte = train_test_split(X, y, train_size=train_size, stratify=y, random_state=data_seed)
    lo, span = Xtr.min(axis=0), np.ptp(Xtr, axis=0)
    span[span == 0] = 1.0
    return (Xtr - lo) / span, ytr, np.clip((Xte - lo) / span, 0, 1), yte, _LAYERS[name]


def _accuracy(X, y, weights, d_out, tol=0.0):
    out = bnn_forward(X, weights, tol=tol)[-1]
    return float((out == one_hot(np.asarray(y, dtype=np.int64), d_out)).all(axis=1).mean())


def run_route(dataset: str, method: str, random_state: int, *, steps: int = 400, alpha0: float = 1.0,
              margin: float = 0.1, time_limit: float = 60.0, data_seed: int = 0) -> dict:
    """One training run of :func:`mipnn.duality.train_bnn` (``method`` in :data:`mipnn.duality.METHODS`) from
    :func:`~mipnn.duality.init_weights` ``(layers, random_state)``: training hinge and accuracy, test accuracy, the
    share of coordinates where the route's field and the STE's disagree in sign (mean over steps) and the share of
    steps where the two point into opposite half-spaces (negative cosine), steps and time; the per-step history
    as lists."""
    check_choice("method", method, METHODS)
    X, y, Xt, yt, layers = tame_dataset(dataset, data_seed=data_seed)
    t0 = time.perf_counter()
    res = train_bnn(X, y, layers, method=method, steps=steps, alpha0=alpha0, margin=margin,
                    random_state=random_state, time_limit=time_limit)
    wall = time.perf_counter() - t0
    hinge, acc = network_loss(X, y, res.weights, margin)
    h = res.history
    return {"train_hinge": hinge, "train_accuracy": acc, "test_accuracy": _accuracy(Xt, yt, res.weights, layers[-1]),
            "sign_disagreement": float(h["sign_disagreement"].mean()) if h["sign_disagreement"].notna().any()
            else None,
            "opposed_steps": float((h["ste_cosine"].dropna() < 0).mean()) if h["ste_cosine"].notna().any() else None,
            "steps_run": len(h), "best_step": res.best_step, "status": res.status, "seconds": wall,
            "history_hinge": h["hinge"].tolist(), "history_accuracy": h["accuracy"].tolist()}


def run_primal_milp(dataset: str, *, time_limit: float = 60.0, mip_nodes: int | None = None,
                    data_seed: int = 0) -> dict:
    """Route (c): the primal MILP of Theorem 1 (Hamming loss, per-sample big-M) on the training data, HiGHS with
    ``time_limit`` (and an optional node cap): status, objective, bound, gap, training and test accuracy."""
    check_number("time_limit", time_limit, low=0, low_open=True)
    check_number("mip_nodes", mip_nodes, low=0, integer=True, allow_none=True)
    X, y, Xt, yt, layers = tame_dataset(dataset, data_seed=data_seed)
    t0 = time.perf_counter()
    model = build_bnn_milp(X, y, layers, big_m="per_sample")
    rec = solve_bnn_milp(model, time_limit=time_limit,
                         options=None if mip_nodes is None else {"mip_max_nodes": int(mip_nodes)})
    wall = time.perf_counter() - t0
    W = extract_weights(model)
    tol = model.meta["epsilon"] / 2  # the middle of the MILP's epsilon band (mipnn.bnn.bnn_forward)
    return {"status": rec.status, "objective": rec.objective, "bound": rec.bound, "gap": rec.gap,
            "train_accuracy": _accuracy(X, y, W, layers[-1], tol),
            "test_accuracy": _accuracy(Xt, yt, W, layers[-1], tol),
            "seconds": wall, "n_binaries": rec.n_binaries, "solver": rec.solver, "solver_version": rec.solver_version}
