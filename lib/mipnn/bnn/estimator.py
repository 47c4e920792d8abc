"""``BDNNClassifier``: Kurtz & Bah's binarized deep networks trained by MIP, as a scikit-learn estimator.

Three training methods share one MILP (:mod:`mipnn.bnn.bdnn`, built on the BNN-MILP of :mod:`mipnn.bnn.milp`):

* ``"exact"`` — one MILP over all layers and all training points (time-limited; a time-out keeps the incumbent;
  HiGHS starts from :func:`~mipnn.bnn.trivial_network`, so there always is one);
* ``"local_search"`` — alternating MIPs (:func:`mipnn.bnn.local_search`); with ``validation_data`` the round
  with the best validation accuracy is kept;
* ``"data_splitting"`` — iterative k-means data splitting (:func:`mipnn.bnn.iterative_data_splitting`); the
  network with the best accuracy on ``validation_data`` (or on the training data if none is given) is kept.

``robust_radius > 0`` trains the L∞-robust model. Weights are real in [−1, 1] (``weight_domain="continuous"``)
or in {−1, 0, 1} (``"integer"``); every unit has a learned threshold; the predicted class is the output unit
with the largest margin.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..estimator import BaseMIPClassifier
from ..solve import OPTIMALITY_GAP
from ..validation import check_choice, check_int_sequence, check_number, check_positive_int
from .bdnn import check_scale, output_margins, solve_bdnn, trivial_network
from .data_splitting import iterative_data_splitting
from .local_search import local_search
from .milp import EPSILON, WEIGHT_DOMAINS

__all__ = ["BDNNClassifier", "METHODS", "BinarizedNetClassifier"]

METHODS = ("exact", "local_search", "data_splitting")


class BinarizedNetClassifier(BaseMIPClassifier):
    """Prediction, weights and thresholds of a binarized network ``weights_ = [(W, λ), …]`` in the BNN-MILP's
    orientation (``W`` of shape ``(n_out, n_in)``; a unit fires when ``W u ≥ λ``): the class of the output unit with
    the largest margin ``W_K u_{K−1} − λ_K``. Shared by :class:`BDNNClassifier` and
    :class:`mipnn.bnn.BNNMILPClassifier`."""

    _multiclass = True
    _weight_dtype = np.float64  # continuous weights are allowed (``weight_domain="continuous"``)
    _weights_out_in = True

    def _forward_scores(self, X):
        return output_margins(X, self.weights_)

    @property
    def intercepts_(self):
        """The thresholds the fitted network applies, ``intercepts_[k] = λ_k − ε/2``.

        The MILP separates a firing unit (``a ≥ λ``) from a silent one (``a ≤ λ − ε``); :meth:`predict` puts the
        threshold in the middle of that band (:func:`mipnn.bnn.bnn_forward`), so that the solver's round-off
        (a firing unit at ``a = λ − 1e-9``) cannot switch a unit off. Exporting ``λ`` itself would describe a
        different network: evaluated with ``a ≥ λ`` it loses the units the solver left just below ``λ``. With these
        thresholds the rule ``u_k = 1[u_{k−1} @ coefs_[k] ≥ intercepts_[k]]`` (then the class of the largest
        ``u @ coefs_[-1] − intercepts_[-1]``) is exactly :meth:`predict`. ``weights_`` keeps the MILP's own ``λ``.
        """
        check_is_fitted(self, "weights_")
        return [np.asarray(lam, dtype=np.float64) - EPSILON / 2 for _, lam in self.weights_]

    def decision_function(self, X):
        """Output margins ``W_K u_{K−1} − λ_K`` (binary: margin of class 1 minus that of class 0)."""
        s = self._forward_scores(self._checked_X(X))
        return s[:, 1] - s[:, 0] if len(self.classes_) == 2 else s


class BDNNClassifier(BinarizedNetClassifier):
    """Binarized deep neural network (binary activations, learned thresholds) trained by MIP.

    Parameters
    ----------
    method : ``"data_splitting"`` (default), ``"exact"`` or ``"local_search"``. The default is the method measured best
        on datasets the package was not tuned on (``benchmarks/bench_estimator_defaults.py``: breast cancer, Adult,
        digits 3 vs 8 at N = 60 and 200, two iris classes at N = 60, 60 s, 3 seeds): at N = 200 the exact MILP and
        the local search end at the time limit on 16 of 18 fits, 14 of them no better than the majority class on
        the training data, while data splitting finishes in 9–40 s; it has the best test accuracy on breast cancer,
        digits and iris, and on Adult no method beats the majority class on test.
    hidden : hidden layer widths.
    weight_domain : ``"continuous"`` ([−1, 1]) or ``"integer"`` ({−1, 0, 1}).
    robust_radius : ρ ≥ 0 of the L∞-robust model (0: nominal).
    max_splits : splits of the data-splitting heuristic (≥ 1; one MIP each).
    max_rounds : rounds of the local search.
    batch_size : data splitting only: solve each split's MIP on a new batch of this many training points (a
        contiguous window at a random offset, as Kurtz & Bah; ``None``: all).
    validation_data : optional ``(X_val, y_val)`` used by data splitting and local search to pick their best
        iteration / round (the exact method solves one MIP, so there is nothing to choose).
    time_limit : seconds for the whole fit (every MIP, model build and k-means step included).
    mip_time_limit : seconds for each MIP (``None``: whatever is left of ``time_limit``). Kurtz & Bah cap each MIP;
        the heuristics then solve MIPs until the fit's limit is used up (``stop_reason_`` ``"time_limit"``).
    target_train_accuracy, mip_gap, threads, solver, solver_options : as in :class:`mipnn.signnet.MIPNetClassifier`
        (``target_train_accuracy`` is accepted for API compatibility and must be ``None``).
    random_state : seed of HiGHS, k-means, batches and the local-search start.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (list of ``(W, λ)`` in the BNN-MILP's
    orientation, ``W`` of shape ``(n_out, n_in)``), ``coefs_`` (the same matrices in scikit-learn's orientation
    ``(n_in, n_out)``, as in :class:`~sklearn.neural_network.MLPClassifier`), ``intercepts_`` (the thresholds
    ``predict`` applies, ``λ − ε/2``: a unit fires when ``u @ coefs_[k] >= intercepts_[k]`` and the predicted class
    is the output unit with the largest ``u @ coefs_[-1] − intercepts_[-1]``; see :meth:`intercepts_`),
    ``solve_record_`` (the exact method's MIP; ``None`` for the heuristics, which solve several), ``stop_reason_``,
    ``stopped_at_limit_`` (the fit's limit, a MIP's time or node cap, or ``max_rounds`` ended it),
    ``history_`` (per MIP / iteration), ``solve_time_`` (sum over MIPs), ``fit_time_`` (the whole fit, models built
    included), ``best_iteration_`` (heuristics: the data-splitting iteration or local-search
    round kept), ``train_accuracy_``.
    """

    def __init__(self, method="data_splitting", hidden=(10,), weight_domain="continuous", robust_radius=0.0,
                 max_splits=10, max_rounds=10, batch_size=None, validation_data=None, time_limit=60.0,
                 mip_time_limit=None, target_train_accuracy=None, mip_gap=OPTIMALITY_GAP, threads=None,
                 solver="highs", solver_options=None, random_state=None):
        self.method = method
        self.hidden = hidden
        self.weight_domain = weight_domain
        self.robust_radius = robust_radius
        self.max_splits = max_splits
        self.max_rounds = max_rounds
        self.batch_size = batch_size
        self.validation_data = validation_data
        self.time_limit = time_limit
        self.mip_time_limit = mip_time_limit
        self.target_train_accuracy = target_train_accuracy
        self.mip_gap = mip_gap
        self.threads = threads
        self.solver = solver
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_choice("method", self.method, METHODS)
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_choice("weight_domain", self.weight_domain, WEIGHT_DOMAINS)
        check_number("robust_radius", self.robust_radius, low=0.0)
        check_positive_int("max_splits", self.max_splits, minimum=1)
        check_positive_int("max_rounds", self.max_rounds)
        check_positive_int("batch_size", self.batch_size, allow_none=True)
        check_number("mip_time_limit", self.mip_time_limit, low=0.0, low_open=True, high=1e7, allow_none=True)
        if self.target_train_accuracy is not None:
            raise ValueError("target_train_accuracy must be None for BDNNClassifier (no early target stop)")
        if self.validation_data is not None and (not isinstance(self.validation_data, (tuple, list))
                                                 or len(self.validation_data) != 2):
            raise ValueError("validation_data must be None or a pair (X_val, y_val)")
        self._validate_common()

    def _fit_mip(self, X, y_idx):
        t0 = time.perf_counter()
        hidden = check_int_sequence("hidden", self.hidden, minimum=1)
        C = len(self.classes_)
        seed = 0 if self.random_state is None else int(self.random_state)
        # before any work: features too large in scale for the MILP's tolerances (e.g. unscaled, x 1e6)
        check_scale(X, (*hidden, C), robust_radius=float(self.robust_radius), solver=self.solver)
        per_mip = float(self.time_limit if self.mip_time_limit is None else min(self.mip_time_limit, self.time_limit))
        common = dict(hidden=hidden, weight_domain=self.weight_domain, n_classes=C, time_limit=per_mip,
                      robust_radius=float(self.robust_radius), options=self._solver_options(), solver=self.solver,
                      threads=self.threads)
        # validation_data is checked for every method (the exact one does not use it), before any work
        if self.validation_data is not None:
            try:
                X_val = validate_data(self, self.validation_data[0], dtype=np.float64, reset=False)
            except ValueError as err:
                raise ValueError(f"validation_data: X_val does not match the training data: {err}") from err
            y_val = self._class_indices(self.validation_data[1], len(X_val))
        else:
            X_val, y_val = X, y_idx
        if self.method == "exact":
            # Started from the all-zero network (feasible, every unit fires) so that a capped solve always returns
            # an incumbent: without it HiGHS can end at the time limit with none (digits, 898 points, 20 s).
            fit = solve_bdnn(X, y_idx, mip_gap=self.mip_gap, start=trivial_network(X.shape[1], (*hidden, C)),
                             deadline=t0 + float(self.time_limit), **common)
            return {"weights": fit.network, "solve_record": fit.record, "stop_reason": fit.record.status,
                    "history": [fit.record.as_dict()], "solve_time": fit.record.wall_time}
        if self.method == "local_search":
            val = {} if self.validation_data is None else {"X_val": X_val, "y_val": y_val}
            res = local_search(X, y_idx, max_rounds=self.max_rounds, random_state=seed,
                               fit_time_limit=float(self.time_limit), **common, **val)
            return {"weights": res.network, "solve_record": None, "stop_reason": res.stop_reason,
                    "history": res.history, "solve_time": res.solve_time, "best_iteration": res.best_round}
        res = iterative_data_splitting(X, y_idx, X_val, y_val, max_splits=self.max_splits,
                                       batch_size=self.batch_size, random_state=seed,
                                       fit_time_limit=float(self.time_limit), **common)
        return {"weights": res.network, "solve_record": None, "stop_reason": res.stop_reason,
                "history": res.history, "solve_time": res.solve_time, "best_iteration": res.best_iteration}

    def _class_indices(self, y_val, n_val):
        """Indices into ``classes_`` of the validation labels; a label the training data lacks is an error."""
        y_val = np.asarray(y_val)
        if y_val.shape != (n_val,):
            raise ValueError(f"validation_data: y_val must have shape ({n_val},) to match X_val; got {y_val.shape}")
        unknown = sorted(set(y_val.tolist()) - set(self.classes_.tolist()), key=str)
        if unknown:
            raise ValueError(f"validation_data: labels {unknown} do not occur in the training labels "
                             f"{self.classes_.tolist()}")
        return np.searchsorted(self.classes_, y_val)
