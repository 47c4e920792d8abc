"""``LayerwiseReLUClassifier``: Goebbels' layer-wise MILP training of a dense ReLU network, as a scikit-learn estimator.

Reference: S. Goebbels, "Training of ReLU activated multilayered neural networks with mixed integer linear
programs", technical report, Niederrhein University of Applied Sciences, 2021 (arXiv:2008.08386).

The fit is Algorithm 1 (:func:`mipnn.relu.algorithm1`) on the whole training set, or batch learning
(:func:`mipnn.relu.batch_learning`: Algorithm 1 on consecutive batches, each bounded by (10) around the previous
batch's weights), then optionally the post-processing LP of §2.3 (:func:`mipnn.relu.postprocess_last_layer`) on
all training rows. The network is dense: ReLU hidden layers, an identity output layer with one unit per class, the
prediction the class whose output is closest to 1 (the paper's rule).
"""

from __future__ import annotations

import time

import numpy as np

from ..backends import BACKENDS, check_solver_options, require
from ..estimator import BaseMIPClassifier
from ..solve import LIMIT_STATUSES
from ..validation import (
    check_bool,
    check_choice,
    check_int_sequence,
    check_number,
    check_positive_int,
    check_random_state,
)
from .network import check_init, dense_structures, init_network
from .structure import relu
from .training import MAX_ITERATIONS, batch_learning, postprocess_last_layer

__all__ = ["LayerwiseReLUClassifier"]

#: HiGHS options that :func:`mipnn.backends.translate_options` translates for every backend.
_PORTABLE_OPTIONS = ("mip_max_nodes", "random_seed")


class LayerwiseReLUClassifier(BaseMIPClassifier):
    """Dense ReLU network trained layer by layer with MILPs and LPs (Goebbels, 2021).

    Parameters
    ----------
    hidden : hidden layer widths (the paper's dense net: ``(8, 8, 8)``).
    init : the random start (:data:`mipnn.relu.INITS`): ``"glorot_uniform"`` (default), ``"uniform"`` (every
        parameter uniform in [−1, 1], the paper's "random values in [−1, 1]" read literally) or ``"uniform:<a>"``.
        The default is the start with which notebook 03 reproduces the paper's Figure 2 (training accuracy 0.99 on
        100 images); from the literal [−1, 1] start most units die in the first sweep.
    batch_size : ``None`` (default): Algorithm 1 on all training rows at once. An integer: batch learning on
        ``n // batch_size`` consecutive batches of a random permutation of the rows (the paper: 20 batches of 100
        MNIST images; a remainder of fewer than ``batch_size`` rows is left out, as the paper's batches leave out
        the rest of the training set); fewer rows than ``batch_size`` make one batch of all of them.
    n_batches : at most this many batches (the paper's 20; ``None``: every full batch).
    factor : bound (10) around the previous batch's weights (the paper's 0.6; ``None``: no bound).
    max_iterations : cap on Algorithm 1's while-iterations per batch (the printed algorithm has none; it stops when
        the training accuracy stops improving).
    postprocess : after the batches, refit the output layer by the LP of §2.3 on all training rows (if the training
        accuracy is below 1). Our reading: the paper applies the LP once to a trained net; we keep its output layer
        only if the training accuracy does not fall (the LP minimises errors above 0.49, not misclassifications).
    scale_inputs : the programs assume non-negative inputs (pixels in [0, 1]; box (9) and the big-M constants are
        written for them). ``True`` (default) maps every feature to [0, 1] by the training data's minimum and range
        (the same affine map at prediction, where values may fall outside [0, 1]); ``False`` uses ``X`` as given
        and refuses negative values.
    time_limit : seconds for the whole fit (every MILP and LP, the input fits and the LP of §2.3; beyond the paper,
        which limits each solve only). At the limit the best network seen is kept (``stop_reason_ = "time_limit"``).
    mip_time_limit : seconds for each MILP / LP (``None``: whatever is left of ``time_limit``).
    solver : backend of the weight MILPs (1)–(6) (the paper used CPLEX); the LPs and the input MILPs of §2.2 run
        on HiGHS.
    solver_options : HiGHS options for every solve (``{"mip_max_nodes": k}`` is a deterministic work limit). With
        another ``solver`` only HiGHS's node cap and seed (``mip_max_nodes``, ``random_seed``) may be given: they
        are translated for the weight MILPs, and every option also reaches the LPs on HiGHS.
    random_state : seed of the start, the batch order and HiGHS's ``random_seed``.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (``(W, c)`` per layer, ``W`` of shape
    ``(n_in, n_out)``, acting on the scaled inputs), ``network_`` (the :class:`~mipnn.relu.ReluNetwork`),
    ``data_min_``, ``data_range_`` (the input scaling; 0 and 1 without it), ``history_`` (one row per batch, as
    :func:`~mipnn.relu.batch_learning` returns it), ``postprocessed_`` (whether the LP's output layer was kept),
    ``stop_reason_`` (``"no_improvement"``: every batch ended by the printed rule; ``"max_iterations"``;
    ``"time_limit"``), ``stopped_at_limit_`` (also ``True`` when a solve stopped at a node cap), ``solve_time_``,
    ``fit_time_``, ``train_accuracy_``. ``solve_record_`` is ``None`` (a fit solves many programs).
    """

    _multiclass = True
    _weight_dtype = np.float64

    def __init__(self, hidden=(8, 8, 8), init="glorot_uniform", batch_size=None, n_batches=None, factor=0.6,
                 max_iterations=MAX_ITERATIONS, postprocess=True, scale_inputs=True, time_limit=60.0,
                 mip_time_limit=None, solver="highs", solver_options=None, random_state=None):
        self.hidden = hidden
        self.init = init
        self.batch_size = batch_size
        self.n_batches = n_batches
        self.factor = factor
        self.max_iterations = max_iterations
        self.postprocess = postprocess
        self.scale_inputs = scale_inputs
        self.time_limit = time_limit
        self.mip_time_limit = mip_time_limit
        self.solver = solver
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        check_int_sequence("hidden", self.hidden, minimum=1)
        check_init(self.init)
        check_positive_int("batch_size", self.batch_size, allow_none=True)
        check_positive_int("n_batches", self.n_batches, allow_none=True)
        check_number("factor", self.factor, low=0.0, allow_none=True)
        check_positive_int("max_iterations", self.max_iterations)
        check_bool("postprocess", self.postprocess)
        check_bool("scale_inputs", self.scale_inputs)
        check_number("time_limit", self.time_limit, low=0.0, low_open=True, high=1e7)
        check_number("mip_time_limit", self.mip_time_limit, low=0.0, low_open=True, high=1e7, allow_none=True)
        check_choice("solver", self.solver, BACKENDS)
        # HiGHS names: the options reach the LPs and input MILPs on HiGHS as well as the weight MILPs
        check_solver_options("highs", self.solver_options, "solver_options")
        other = sorted(set(self.solver_options or {}) - set(_PORTABLE_OPTIONS))
        if self.solver != "highs" and other:
            raise ValueError(f"solver_options {other} are HiGHS-only; with solver={self.solver!r} give only "
                             f"{', '.join(_PORTABLE_OPTIONS)} (translated for {self.solver})")
        require(self.solver)
        check_random_state(self.random_state)

    def _scaled(self, X):
        return (X - self.data_min_) / self.data_range_

    def _forward_scores(self, X):
        h = self._scaled(X)
        for k, (W, c) in enumerate(self.weights_):
            h = h @ W + c
            if k < len(self.weights_) - 1:
                h = relu(h)
        return -np.abs(h - 1.0)  # the largest score is the output closest to 1

    def _fit_mip(self, X, y_index):
        if self.scale_inputs:
            self.data_min_ = X.min(axis=0)
            span = X.max(axis=0) - self.data_min_
            self.data_range_ = np.where(span > 0, span, 1.0)
        else:
            if (X < 0).any():
                raise ValueError("X must be non-negative with scale_inputs=False (Goebbels' programs take pixels in "
                                 "[0, 1]); pass scale_inputs=True to map every feature to [0, 1]")
            self.data_min_, self.data_range_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
        t0 = time.perf_counter()
        deadline = t0 + float(self.time_limit)
        seed = 0 if self.random_state is None else int(self.random_state)
        sizes = (X.shape[1], *check_int_sequence("hidden", self.hidden, minimum=1), len(self.classes_))
        net = init_network(dense_structures(sizes), init=check_init(self.init), random_state=seed)
        options = dict(self.solver_options or {})
        if self.random_state is not None:
            options.setdefault("random_seed", seed)
        per_solve = float(self.time_limit if self.mip_time_limit is None else min(self.mip_time_limit,
                                                                                   self.time_limit))
        common = dict(max_iterations=self.max_iterations, time_limit=per_solve, options=options, solver=self.solver,
                      deadline=deadline)
        order = np.random.default_rng(seed).permutation(X.shape[0])
        Xs, ys = self._scaled(X)[order], y_index[order]
        size = X.shape[0] if self.batch_size is None else min(int(self.batch_size), X.shape[0])
        n_batches = X.shape[0] // size if self.n_batches is None else min(int(self.n_batches), X.shape[0] // size)
        net, history = batch_learning(net, Xs, ys, batch_size=size, n_batches=n_batches, factor=self.factor,
                                      progress=False, **common)
        solve_time = float(history["solve_time"].sum())
        reasons = set(history["stop_reason"])
        stop = next((r for r in ("time_limit", "max_iterations") if r in reasons), "no_improvement")
        if len(history) < n_batches:
            stop = "time_limit"
        at_limit = int(history["solves_at_limit"].sum())
        kept = False
        accuracy = net.accuracy(Xs, ys)
        if self.postprocess and accuracy < 1.0 and time.perf_counter() < deadline:
            left = max(deadline - time.perf_counter(), 1e-3)
            post, record = postprocess_last_layer(net, Xs, ys, time_limit=min(per_solve, left))
            solve_time += record.wall_time
            at_limit += record.status in LIMIT_STATUSES
            if post.accuracy(Xs, ys) >= accuracy:
                net, kept = post, True
        weights = [(W.T, c) for W, c in (net.weights(i) for i in range(len(net.structures)))]
        return {"weights": weights, "solve_record": None, "stop_reason": stop, "network": net,
                "history": history.to_dict("records"), "postprocessed": kept, "solve_time": solve_time,
                "solves_at_limit": at_limit}

    def _limit_statuses(self) -> set[str]:
        seen = super()._limit_statuses()
        if getattr(self, "solves_at_limit_", 0):
            seen.add("work_limit" if not any(h.get("solves_at_time_limit") for h in self.history_) else "time_limit")
        return seen
