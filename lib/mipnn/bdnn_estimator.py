"""``BDNNClassifier``: Kurtz & Bah's binarized deep networks trained by MIP, as a scikit-learn estimator.

Three training methods share one MILP (:mod:`mipnn.robust`, built on the BNN-MILP of
:mod:`mipnn.formulations.bnn_milp`):

* ``"exact"`` — one MILP over all layers and all training points (time-limited; a time-out keeps the incumbent);
* ``"local_search"`` — alternating MIPs (:func:`mipnn.training.local_search.local_search`);
* ``"data_splitting"`` — iterative k-means data splitting (:func:`mipnn.training.data_splitting.
  iterative_data_splitting`); the network with the best accuracy on ``validation_data`` (or on the training
  data if none is given) is kept.

``robust_radius > 0`` trains the L∞-robust model. Weights are real in [−1, 1] (``weights="continuous"``) or in
{−1, 0, 1} (``"integer"``); every unit has a learned threshold; the predicted class is the output unit with the
largest margin.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import validate_data

from .estimators import _MIPClassifierBase
from .validation import check_choice, check_int_sequence, check_number, check_positive_int

__all__ = ["BDNNClassifier", "run_bdnn_experiment"]

METHODS = ("exact", "local_search", "data_splitting")


class BDNNClassifier(_MIPClassifierBase):
    """Binarized deep neural network (binary activations, learned thresholds) trained by MIP.

    Parameters
    ----------
    method : ``"exact"``, ``"local_search"`` or ``"data_splitting"``.
    hidden : hidden layer widths.
    weights : ``"continuous"`` ([−1, 1]) or ``"integer"`` ({−1, 0, 1}).
    robust_radius : ρ ≥ 0 of the L∞-robust model (0: nominal).
    max_splits : splits of the data-splitting heuristic.
    max_rounds : rounds of the local search.
    batch_size : data splitting only: solve on a random batch of this many training points (``None``: all).
    validation_data : optional ``(X_val, y_val)`` used by data splitting to pick its best iteration.
    time_limit : seconds per MIP.
    target_train_accuracy, mip_gap, threads, solver_options : as in :class:`mipnn.estimators.MIPNetClassifier`
        (``target_train_accuracy`` is accepted for API compatibility and must be ``None``).
    random_state : seed of HiGHS, k-means, batches and the local-search start.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (list of ``(W, λ)``, ``W`` of shape
    ``(n_out, n_in)``), ``solve_record_`` (the last MIP), ``stop_reason_``, ``history_`` (per MIP / iteration),
    ``solve_time_`` (sum over MIPs), ``train_accuracy_``.
    """

    _multiclass = True
    _weight_dtype = np.float64  # continuous weights are allowed (``weights="continuous"``)

    def __init__(self, method="exact", hidden=(10,), weights="continuous", robust_radius=0.0, max_splits=10,
                 max_rounds=10, batch_size=None, validation_data=None, time_limit=60.0, target_train_accuracy=None,
                 mip_gap=1e-4, threads=None, solver_options=None, random_state=None):
        self.method = method
        self.hidden = hidden
        self.weights = weights
        self.robust_radius = robust_radius
        self.max_splits = max_splits
        self.max_rounds = max_rounds
        self.batch_size = batch_size
        self.validation_data = validation_data
        self.time_limit = time_limit
        self.target_train_accuracy = target_train_accuracy
        self.mip_gap = mip_gap
        self.threads = threads
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_choice("method", self.method, METHODS)
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_choice("weights", self.weights, ("continuous", "integer"))
        check_number("robust_radius", self.robust_radius, low=0.0)
        check_positive_int("max_splits", self.max_splits, minimum=0)
        check_positive_int("max_rounds", self.max_rounds)
        check_positive_int("batch_size", self.batch_size, allow_none=True)
        if self.target_train_accuracy is not None:
            raise ValueError("target_train_accuracy must be None for BDNNClassifier (no early target stop)")
        if self.validation_data is not None and (not isinstance(self.validation_data, (tuple, list))
                                                 or len(self.validation_data) != 2):
            raise ValueError("validation_data must be None or a pair (X_val, y_val)")
        self._validate_common()

    # The base class stores integer weights; a BDNN has real weights and thresholds, so fit is done here.
    def _fit_mip(self, X, Y):
        y_idx = np.argmax(Y, axis=1)  # the base class hands over ±1 one-hot labels
        from .robust import solve_bdnn
        from .training.data_splitting import iterative_data_splitting
        from .training.local_search import local_search

        hidden = check_int_sequence("hidden", self.hidden, minimum=1)
        C = len(self.classes_)
        seed = 0 if self.random_state is None else int(self.random_state)
        common = dict(hidden=hidden, weights=self.weights, n_classes=C, time_limit=float(self.time_limit),
                      robust_radius=float(self.robust_radius), options=self._solver_options())
        if self.method == "exact":
            fit = solve_bdnn(X, y_idx, mip_gap=self.mip_gap, **common)
            return {"weights": fit.network, "solve_record": fit.record, "stop_reason": fit.record.status,
                    "history": [fit.record.as_dict()], "solve_time": fit.record.wall_time}
        if self.method == "local_search":
            res = local_search(X, y_idx, max_rounds=self.max_rounds, random_state=seed, **common)
            return {"weights": res.network, "solve_record": None, "stop_reason": res.stop_reason,
                    "history": res.history, "solve_time": res.solve_time}
        if self.validation_data is not None:
            X_val = validate_data(self, self.validation_data[0], dtype=np.float64, reset=False)
            idx = {c: i for i, c in enumerate(self.classes_)}
            y_val = np.array([idx.get(v, -1) for v in np.asarray(self.validation_data[1])])
        else:
            X_val, y_val = X, y_idx
        res = iterative_data_splitting(X, y_idx, X_val, y_val, max_splits=self.max_splits,
                                       batch_size=self.batch_size, random_state=seed, **common)
        return {"weights": res.network, "solve_record": None, "stop_reason": "data_splitting",
                "history": res.history, "solve_time": res.solve_time, "best_iteration": res.best_iteration}

    def _forward_scores(self, X):
        from .robust import output_margins

        return output_margins(self.weights_, X)

    def _predict_index(self, X):
        return np.argmax(self._forward_scores(X), axis=1)

    def decision_function(self, X):
        """Output margins ``W_K u_{K−1} − λ_K`` (binary: margin of class 1 minus that of class 0)."""
        s = self._forward_scores(self._checked_X(X))
        return s[:, 1] - s[:, 0] if len(self.classes_) == 2 else s


def run_bdnn_experiment(dataset: str, method: str, seed: int, *, hidden=(4,), weights: str = "continuous",
                        max_train: int | None = None, max_eval: int | None = None, time_limit: float = 60.0,
                        node_limit: int | None = None, max_splits: int = 5, max_rounds: int = 5,
                        batch_size: int | None = None, robust_radius: float = 0.0, attack_trials: int = 0,
                        epochs: int = 30) -> dict:
    """One run of notebook 04's comparison: train ``method`` on split ``seed`` of ``dataset`` and evaluate it.

    ``method`` is ``"exact"``, ``"local_search"``, ``"data_splitting"`` (BDNN, via :class:`BDNNClassifier`)
    or ``"adam"`` (the ReLU MLP of :func:`mipnn.bdnn_baselines.train_adam_mlp`). ``node_limit`` caps every
    MIP's branch-and-bound nodes (HiGHS ``mip_max_nodes``: deterministic work limit), ``time_limit`` is the
    wall-clock safety net per MIP. ``attack_trials > 0`` adds the random-sign attack accuracies on the test
    set. Returns a flat dict of JSON-ready numbers (accuracies, times, model sizes, statuses).
    """
    import time

    from .bdnn_baselines import train_adam_mlp
    from .bdnn_data import make_splits
    from .robust import ATTACK_EPSILONS, random_sign_attack

    check_choice("method", method, (*METHODS, "adam"))
    split = make_splits(dataset, 1, seed=seed, max_train=max_train, max_eval=max_eval)[0]
    t0 = time.perf_counter()
    out = {"n_train": len(split.y_train), "n_test": len(split.y_test), "n_features": split.n_features}
    if method == "adam":
        model, info = train_adam_mlp(split.X_train, split.y_train, split.X_val, split.y_val, hidden=hidden,
                                     epochs=epochs, random_state=seed)
        predict = model.predict
        out.update(solve_time=info["train_time"], best_epoch=info["best_epoch"], n_binaries=0, n_constraints=0,
                   status="trained")
    else:
        options = {"mip_max_nodes": int(node_limit)} if node_limit is not None else None
        clf = BDNNClassifier(method=method, hidden=hidden, weights=weights, robust_radius=robust_radius,
                             max_splits=max_splits, max_rounds=max_rounds, batch_size=batch_size,
                             validation_data=(split.X_val, split.y_val), time_limit=time_limit,
                             solver_options=options, random_state=seed)
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
                                random_state=seed)
        out["attack"] = [{"epsilon": float(e), "accuracy": float(a)}
                         for e, a in df.groupby("epsilon")["accuracy"].mean().items()]
    return out
