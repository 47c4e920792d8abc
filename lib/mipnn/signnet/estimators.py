"""scikit-learn estimators for sign networks with integer weights: trained by MIP or by straight-through GD.

* :class:`MIPNetClassifier` — Thorbjarnarson & Yorke-Smith's sign networks (one of three objectives), solved
  with HiGHS through :func:`mipnn.signnet.train_sign_net`;
* :class:`STEBinaryNetClassifier` — the BinaryNet-style gradient baseline of :func:`mipnn.signnet.train_ste`.

Both accept any class labels (binary: the sorted ``classes_[0]`` gets output 0, ``classes_[1]`` output 1;
internally labels are ±1 one-hot) and store the integer weights after ``fit`` as ``weights_`` (list of
``(W, b)`` integer arrays, ``W`` of shape ``(n_in, n_out)``), with ``coefs_``/``intercepts_`` as aliases in the
style of :class:`sklearn.neural_network.MLPClassifier`. Labels, validation and prediction come from the shared
base classes of :mod:`mipnn.estimator`.
"""

from __future__ import annotations

import math
import os

from ..budget import HANDOFF_SHARE, above
from ..estimator import BaseMIPClassifier, BaseNetClassifier
from ..exceptions import BuildTimeError
from ..numerics import one_hot
from ..solve import OPTIMALITY_GAP
from ..validation import (
    check_bool,
    check_choice,
    check_int_sequence,
    check_positive_int,
)
from .credit import final_stage
from .model import check_params, check_scale
from .network import EPSILON, sign_forward
from .objectives import MARGIN, STOP_RULES
from .search import STARTS, mip_start
from .ste import _check_ste_params, train_ste
from .train import train_sign_net

__all__ = ["MIPNetClassifier", "STEBinaryNetClassifier"]


#: Seconds per nonzero to build and compile a sign-net MIP on a fast machine (measured: 4.5 million nonzeros,
#: hidden=(32, 32) at N = 280, in 31 s, i.e. about 7 µs; this bound is optimistic on purpose).
BUILD_SECONDS_PER_NONZERO = 5e-6
#: Peak bytes per nonzero while the model is built and solved (measured: 4.9 GB for those 4.5 million).
BYTES_PER_NONZERO = 1_000


def model_nonzeros(n_samples: int, n_features: int, hidden, n_classes: int, *, objective: str, P: int) -> int:
    """A lower bound on the constraint-matrix nonzeros of :func:`mipnn.signnet.build_sign_net`, from its shape
    (within 2 % of the built model for one hidden layer at N = 100, 7 % for two): the first layer's big-M rows
    ``2 N h₁ (d₀ + 2)``, ``14 N h_{k−1} h_k`` for the product rows (5)–(8) and pre-activations of every later layer
    and the output, and at least two terms per sample, output and linear piece of min-hinge."""
    widths = (int(n_features), *(int(h) for h in hidden), int(n_classes))
    total = 2 * n_samples * widths[1] * (widths[0] + 2)
    total += sum(14 * n_samples * widths[k - 1] * widths[k] for k in range(2, len(widths)))
    if objective == "min_hinge":
        total += 2 * n_samples * n_classes * (2 * P * (widths[-2] + 1) + 1)
    return int(total)


def _available_memory() -> float:
    """Bytes of memory available to a new allocation (``MemAvailable``; the physical memory elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def check_model_size(n_samples: int, n_features: int, hidden, n_classes: int, *, objective: str, P: int,
                     time_limit: float) -> int:
    """Refuse, before any work, a sign-net MIP that cannot be built within ``time_limit`` even on a fast machine
    (:data:`BUILD_SECONDS_PER_NONZERO`) or within the memory available; return its estimated nonzeros."""
    nnz = model_nonzeros(n_samples, n_features, hidden, n_classes, objective=objective, P=P)
    seconds, memory = nnz * BUILD_SECONDS_PER_NONZERO, nnz * BYTES_PER_NONZERO
    what = (f"the MIP for N={n_samples} samples, {n_features} features, hidden={tuple(hidden)} would have about "
            f"{nnz / 1e6:.1f} million nonzeros")
    if memory > _available_memory():
        raise ValueError(f"{what}, about {memory / 1e9:.1f} GB to build and solve, more than the "
                         f"{_available_memory() / 1e9:.1f} GB available: use fewer samples or smaller hidden layers")
    if seconds > time_limit:
        raise ValueError(f"{what}: building it takes at least {seconds:.0f} s, more than time_limit={time_limit:g} "
                         f"s; raise time_limit above {seconds:.0f} s, or use fewer samples or smaller hidden layers")
    return nnz


def start_budget(time_limit: float) -> float:
    """Seconds of a fit's ``time_limit`` the MIP start (STE training and local search) may use: all but a reserve of
    10 % (at least 2 s, or half of a limit under 4 s) for building the MIP and letting HiGHS take the start."""
    return time_limit - max(0.1 * time_limit, min(2.0, 0.5 * time_limit))


class MIPNetClassifier(BaseMIPClassifier):
    """Sign network with integer weights trained by MIP (Thorbjarnarson & Yorke-Smith, 2021).

    Parameters
    ----------
    objective : ``"sat_margin"`` (default), ``"min_hinge"`` or ``"max_correct"``.
    hidden : hidden layer widths (paper: ``(16,)``).
    P : weights and biases are integers in ``{-P, …, P}`` (``P = 1``: binary/ternary network as in the paper).
    time_limit : seconds for the solve (a time-out keeps the incumbent; ``stop_reason_ = "time_limit"``).
    target_train_accuracy : stop as soon as the incumbent guarantees this training accuracy (paper: 0.9);
        ``None`` solves to ``mip_gap``.
    stop_rule : min-hinge's stopping threshold: ``"authors"`` (their code's ``loss < ⌊(1−τ)N m²⌋ + 1``) or
        ``"accuracy"`` (the loosest loss that guarantees ``target_train_accuracy``).
    margin, epsilon : ``m`` and ``ε`` of the formulation.
    tight_big_m, symmetry_breaking : formulation levers (see :func:`mipnn.signnet.build_sign_net`).
    start : the MIP start: ``"auto"`` (default: ``"search"`` for one hidden layer, ``"ste"`` for more), ``None`` (the
        paper's plain MIP, which notebook 02's sweeps use), ``"ste"`` or ``"search"``. ``"ste"`` trains the
        straight-through baseline first (seeded by ``random_state``) and hands its weights to HiGHS as a MIP start;
        ``"search"`` also improves them by local search on the MIP objective (:mod:`mipnn.signnet.search`, one hidden
        layer only) until they meet the target, within ``time_limit`` less a reserve (10 %, at least 2 s) for the MIP,
        which gets the time left (at least 1 s).
        ``"auto"`` is the best configuration measured on datasets the package was not tuned on
        (``benchmarks/bench_estimator_defaults.py``: breast cancer, Adult, two iris classes, digits 3 vs 8 at N = 60,
        hidden 16, P = 3, 60 s): the plain MIP often returns the majority class there, the searched start does not.
        ``credit_`` says which stage produced the network.
    start_max_epochs, start_max_passes : deterministic work limits of the start: epochs of the STE training and
        passes of the local search (the clock, ``time_limit``, bounds both as well).
    mip_gap, threads, solver_options : passed to :func:`mipnn.solve.solve` (``solver_options`` are the backend's
        own options, e.g. HiGHS's ``{"mip_heuristic_effort": 0.3}``).
    solver : the MIP backend, ``"highs"`` (default), ``"gurobi"`` or ``"scip"`` (:mod:`mipnn.backends`).
    random_state : seed for the solver (HiGHS ``random_seed``, Gurobi ``Seed``, SCIP's seed shift) and the start.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_`` (integer ``(W, b)`` per layer),
    ``solve_record_``, ``stop_reason_`` (``"target"``, ``"optimal"``, ``"time_limit"``, …), ``stopped_at_limit_``,
    ``objective_target_``, ``guaranteed_train_accuracy_`` (what the solver's objective alone proves),
    ``train_accuracy_`` (recomputed), ``recomputed_objective_``, ``build_time_``, ``start_used_``, ``fit_time_``
    (the whole fit, start included) and ``credit_``: which stage produced the final network
    (:data:`mipnn.signnet.STAGES`: the MIP from scratch, the STE start or the local search meeting the target, the
    MIP taking the start to the target, improving, keeping or rejecting it), the start's and the solver's time, and
    ``mip_gain`` (how much the MIP improved the searched start's objective; ``None`` without a search).
    """

    def __init__(self, objective="sat_margin", hidden=(16,), P=1, time_limit=60.0, target_train_accuracy=0.9,
                 stop_rule="authors", margin=MARGIN, epsilon=EPSILON, tight_big_m=True, symmetry_breaking=True,
                 start="auto", start_max_epochs=10_000, start_max_passes=100_000, mip_gap=OPTIMALITY_GAP, threads=None,
                 solver="highs", solver_options=None, random_state=None):
        self.objective = objective
        self.hidden = hidden
        self.P = P
        self.time_limit = time_limit
        self.target_train_accuracy = target_train_accuracy
        self.stop_rule = stop_rule
        self.margin = margin
        self.epsilon = epsilon
        self.tight_big_m = tight_big_m
        self.symmetry_breaking = symmetry_breaking
        self.start = start
        self.start_max_epochs = start_max_epochs
        self.start_max_passes = start_max_passes
        self.mip_gap = mip_gap
        self.threads = threads
        self.solver = solver
        self.solver_options = solver_options
        self.random_state = random_state

    def _validate_hyperparameters(self):
        hidden = check_params(self.objective, self.hidden, self.P, self.margin, self.epsilon)
        check_bool("tight_big_m", self.tight_big_m)
        check_bool("symmetry_breaking", self.symmetry_breaking)
        check_choice("start", self.start, ("auto", *STARTS))
        check_choice("stop_rule", self.stop_rule, STOP_RULES)
        check_positive_int("start_max_epochs", self.start_max_epochs)
        check_positive_int("start_max_passes", self.start_max_passes)
        if self.start == "search" and len(hidden) != 1:
            raise ValueError(f"start='search' needs exactly one hidden layer; got hidden={self.hidden!r}")
        self._validate_common()

    def _forward_scores(self, X):
        return sign_forward(X, self.weights_, self.epsilon / 2)[-1]

    def _start_kind(self, hidden):
        """The start actually used: ``"auto"`` is ``"search"`` for one hidden layer, ``"ste"`` for more."""
        if self.start == "auto":
            return "search" if len(hidden) == 1 else "ste"
        return self.start

    def _fit_mip(self, X, y_index):
        Y = one_hot(y_index, len(self.classes_), off=-1.0)  # ±1 one-hot, as in the authors' code
        hidden = check_int_sequence("hidden", self.hidden, minimum=1)
        limit = float(self.time_limit)
        # before any work: features or a P too large for the MIP's tolerances, a model too large to build in time
        check_scale(X, hidden, self.P, self.epsilon, self.solver)
        check_model_size(X.shape[0], X.shape[1], hidden, len(self.classes_), objective=self.objective, P=self.P,
                         time_limit=limit)
        kind = self._start_kind(hidden)
        start = mip_start(X, Y, kind, objective=self.objective, hidden=hidden, P=self.P,
                          time_limit=start_budget(limit), target_accuracy=self.target_train_accuracy,
                          margin=self.margin, epsilon=self.epsilon, max_epochs=self.start_max_epochs,
                          max_passes=self.start_max_passes, stop_rule=self.stop_rule, random_state=self.random_state)
        if start is not None:
            limit = start.solve_limit(limit)
        try:
            fit = train_sign_net(
                X, Y, hidden=hidden, P=self.P, objective=self.objective, time_limit=limit,
                target_accuracy=self.target_train_accuracy, margin=self.margin, epsilon=self.epsilon,
                tight_big_m=bool(self.tight_big_m), symmetry_breaking=bool(self.symmetry_breaking),
                start_weights=None if start is None else start.weights, options=self._solver_options(),
                threads=self.threads, mip_gap=self.mip_gap, stop_rule=self.stop_rule, solver=self.solver)
        except BuildTimeError as err:  # the whole fit's view: the start's time counts too
            spent = 0.0 if start is None else start.wall_time
            after = "" if start is None else f" (after its {kind} start's {spent:.1f} s)"
            need = spent + err.estimate * (1 + HANDOFF_SHARE)
            raise BuildTimeError(f"time_limit={self.time_limit:g} s ran out while building the MIP{after}: "
                                 f"{err.detail}; raise time_limit{above(need)} (the solver needs time on top), "
                                 "or use fewer samples or smaller hidden layers", fraction=err.fraction,
                                 elapsed=err.elapsed, estimate=err.estimate, detail=err.detail) from None
        search = None if start is None else start.search
        stage = final_stage(objective=self.objective, start=kind, stop_reason=fit.stop_reason,
                            search_objective=None if search is None else search.objective,
                            final_objective=fit.record.objective,
                            search_reached_target=bool(search is not None and search.reached_target),
                            search_passes=0 if search is None else search.passes)
        credit = {"stage": stage, "start": kind, "start_time": 0.0 if start is None else float(start.wall_time),
                  "solve_time": float(fit.record.wall_time),
                  "mip_gain": None if search is None or fit.record.objective is None else float(
                      (search.objective - fit.record.objective) if self.objective == "min_hinge"
                      else (fit.record.objective - search.objective))}
        return {"weights": fit.weights, "solve_record": fit.record, "stop_reason": fit.stop_reason,
                "credit": credit, "objective_target": fit.objective_target,
                "guaranteed_train_accuracy": fit.guaranteed_train_accuracy,
                "recomputed_objective": fit.recomputed_objective, "build_time": fit.build_time,
                "start_used": fit.start_used}


class STEBinaryNetClassifier(BaseNetClassifier):
    """BinaryNet-style network (integer weights in ``{-P..P}``, sign units) trained by straight-through GD.

    Parameters mirror :func:`mipnn.signnet.train_ste`: ``hidden``, ``P``, ``lr``, ``decay``,
    ``decay_steps``, ``max_epochs``, ``margin``, ``target_loss`` (``None``: the authors' cut-off
    ``0.1·N·m²``), ``time_limit`` (seconds or ``None``) and ``random_state``.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``weights_``, ``losses_`` (per epoch), ``n_epochs_``,
    ``stop_reason_``, ``stopped_at_limit_`` (``max_epochs`` or ``time_limit`` ended it), ``train_accuracy_``,
    ``fit_time_``.
    """

    _multiclass = True

    def __init__(self, hidden=(16,), P=1, lr=1e-2, decay=0.9, decay_steps=1000, max_epochs=10_000, margin=MARGIN,
                 target_loss=None, time_limit=None, random_state=None):
        self.hidden = hidden
        self.P = P
        self.lr = lr
        self.decay = decay
        self.decay_steps = decay_steps
        self.max_epochs = max_epochs
        self.margin = margin
        self.target_loss = target_loss
        self.time_limit = time_limit
        self.random_state = random_state

    def _validate_hyperparameters(self):
        _check_ste_params(self.hidden, self.P, self.lr, self.decay, self.decay_steps, self.max_epochs, self.margin,
                          self.target_loss, self.time_limit, self.random_state)

    def _forward_scores(self, X):
        return sign_forward(X, self.weights_, tol=0.0)[-1]

    def _fit_network(self, X, y_index):
        Y = one_hot(y_index, len(self.classes_), off=-1.0)  # ±1 one-hot, as in the authors' code
        fit = train_ste(X, Y, hidden=check_int_sequence("hidden", self.hidden, minimum=1), P=self.P, lr=self.lr,
                        decay=self.decay, decay_steps=self.decay_steps, max_epochs=self.max_epochs,
                        margin=self.margin, target_loss=self.target_loss, time_limit=self.time_limit,
                        random_state=self.random_state)
        return {"weights": fit.weights, "losses": fit.losses, "n_epochs": fit.epochs,
                "stop_reason": fit.stop_reason, "fit_time": fit.wall_time}
