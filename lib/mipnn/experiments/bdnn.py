"""Kurtz & Bah's comparison (notebook 04): one run trains one method on one split and evaluates it.

:func:`run_bdnn_experiment` is the function handed to :func:`mipnn.experiments.run_sweep`; it returns a flat dict of
JSON-ready numbers (accuracies, times, model sizes, statuses, optionally the random-sign attack accuracies).
"""

from __future__ import annotations

import time

import numpy as np

from ..baselines import adam_mlp_validated
from ..bnn import ATTACK_EPSILONS, METHODS, BDNNClassifier, random_sign_attack
from ..data import make_splits
from ..validation import check_choice

__all__ = ["run_bdnn_experiment"]


def run_bdnn_experiment(dataset: str, method: str, random_state: int, *, hidden=(4,),
                        weight_domain: str = "continuous",
                        max_train: int | None = None, max_eval: int | None = None, time_limit: float = 60.0,
                        node_limit: int | None = None, max_splits: int = 5, max_rounds: int = 5,
                        batch_size: int | None = None, robust_radius: float = 0.0, attack_trials: int = 0,
                        epochs: int = 30) -> dict:
    """One run of notebook 04's comparison: train ``method`` on split ``random_state`` of ``dataset``, evaluate it.

    ``method`` is ``"exact"``, ``"local_search"``, ``"data_splitting"`` (BDNN, via
    :class:`~mipnn.bnn.BDNNClassifier`) or ``"adam"`` (the ReLU MLP of :func:`mipnn.baselines.adam_mlp_validated`).
    ``node_limit`` caps every MIP's branch-and-bound nodes (HiGHS ``mip_max_nodes``: deterministic work limit),
    ``time_limit`` is the wall-clock safety net per MIP. ``attack_trials > 0`` adds the random-sign attack
    accuracies on the test set. Returns a flat dict of JSON-ready numbers (accuracies, times, model sizes, statuses).
    """
    check_choice("method", method, (*METHODS, "adam"))
    split = make_splits(dataset, 1, random_state=random_state, max_train=max_train, max_eval=max_eval)[0]
    t0 = time.perf_counter()
    out = {"n_train": len(split.y_train), "n_test": len(split.y_test), "n_features": split.n_features}
    if method == "adam":
        info = adam_mlp_validated(split.X_train, split.y_train, split.X_val, split.y_val, hidden=hidden,
                                  epochs=epochs, random_state=random_state)
        predict = info["model"].predict
        out.update(solve_time=info["wall_time"], best_epoch=info["best_epoch"], n_binaries=0, n_constraints=0,
                   status="trained")
    else:
        options = {"mip_max_nodes": int(node_limit)} if node_limit is not None else None
        clf = BDNNClassifier(method=method, hidden=hidden, weight_domain=weight_domain, robust_radius=robust_radius,
                             max_splits=max_splits, max_rounds=max_rounds, batch_size=batch_size,
                             validation_data=(split.X_val, split.y_val), time_limit=time_limit,
                             solver_options=options, random_state=random_state)
        clf.fit(split.X_train, split.y_train)
        predict = clf.predict
        hist = clf.history_
        if method == "exact":
            rec = clf.solve_record_
            out.update(status=rec.status, n_binaries=rec.n_binaries, n_constraints=rec.n_constraints,
                       objective=rec.objective, bound=rec.bound, n_mips=1)
        else:
            out.update(status=",".join(sorted({h["status"] for h in hist})),
                       n_binaries=max(h["n_binaries"] for h in hist),
                       n_constraints=max(h["n_constraints"] for h in hist), n_mips=len(hist),
                       stop_reason=clf.stop_reason_)
            if method == "data_splitting":
                out["best_iteration"] = clf.best_iteration_
                out["history"] = [{k: h[k] for k in ("n_clusters", "n_binaries", "n_constraints", "train_loss",
                                                     "train_accuracy", "val_accuracy", "status")} for h in hist]
        out["solve_time"] = clf.solve_time_
    out["wall_time"] = time.perf_counter() - t0
    out["train_accuracy"] = float(np.mean(predict(split.X_train) == split.y_train))
    out["val_accuracy"] = float(np.mean(predict(split.X_val) == split.y_val))
    out["test_accuracy"] = float(np.mean(predict(split.X_test) == split.y_test))
    if attack_trials:
        df = random_sign_attack(predict, split.X_test, split.y_test, ATTACK_EPSILONS, n_trials=attack_trials,
                                random_state=random_state)
        out["attack"] = [{"epsilon": float(e), "accuracy": float(a)}
                         for e, a in df.groupby("epsilon")["accuracy"].mean().items()]
    return out
