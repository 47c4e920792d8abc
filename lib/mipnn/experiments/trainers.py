"""Every trainer of the package behind one contract, listed with what it supports and the paper it comes from.

A :class:`Trainer` names one way of training a classifier — a scikit-learn estimator class with fixed settings
(e.g. :class:`~mipnn.bnn.BDNNClassifier` with ``method="data_splitting"``) — and says which label types it fits,
what its weights are and whether it solves MIPs. :data:`TRAINERS` holds them all, in the order of the papers;
:meth:`Trainer.make` builds the estimator for one fit with the budget every trainer shares (``time_limit`` for the
whole fit, ``random_state``, ``solver`` and one thread where the estimator takes them) and :func:`fit_outcome`
reads, from any fitted estimator of the registry, why its fit stopped and whether that was at a limit.

The contract every estimator here keeps (tested): ``fit`` / ``predict`` / ``score``; bad hyper-parameters or input
raise ``ValueError`` naming the parameter before any work; ``time_limit`` bounds the whole fit (scikit-learn's
logistic regression excepted: it has no clock, its iteration cap bounds it); fitted ``stop_reason_``,
``stopped_at_limit_``, ``fit_time_`` and ``train_accuracy_`` (:func:`fit_outcome` derives them for logistic
regression).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from ..backends import BACKENDS
from ..baselines import AdamMLPClassifier
from ..bnn import BDNNClassifier, BNNMILPClassifier
from ..duality import FieldBNNClassifier
from ..relu import LayerwiseReLUClassifier
from ..signnet import MIPNetClassifier, STEBinaryNetClassifier
from ..validation import check_choice, check_number, check_positive_int, check_random_state

__all__ = ["Trainer", "TRAINERS", "KINDS", "trainer", "fit_outcome"]

#: How a trainer trains: one MIP (or MIP-based heuristic) over the weights, first-order steps whose targets come
#: from MILPs, or gradients.
KINDS = ("mip", "mip_targets", "gradient")

_PAPERS = {
    "thorbjarnarson": "Thorbjarnarson & Yorke-Smith, On Training Neural Networks with Mixed Integer Programming "
                      "(2021)",
    "kurtz": "Kurtz & Bah, Efficient and Robust Mixed-Integer Optimization Methods for Training Binarized Deep "
             "Neural Networks (2021)",
    "goebbels": "Goebbels, ReLU activated Multilayer Neural Networks trained with Mixed Integer Linear Programs "
                "(2021)",
    "aspman": "Aspman, Korpas & Marecek, Taming Binarized Neural Networks and Mixed-Integer Programs (AAAI 2024)",
    "baseline": "gradient baseline (scikit-learn; the papers' comparisons)",
}


@dataclass(frozen=True)
class Trainer:
    """One trainer: ``estimator`` (a class) with ``settings``; ``kind`` (:data:`KINDS`), ``multiclass`` (fits more
    than two classes), ``weights`` (what the fitted network's weights are), ``paper`` (where the method comes from)
    and ``label`` (a human name for tables and legends)."""

    name: str
    label: str
    estimator: type
    kind: str
    paper: str
    weights: str
    multiclass: bool = True
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        check_choice("kind", self.kind, KINDS)

    @property
    def uses_solver(self) -> bool:
        """Whether the estimator takes ``solver`` as a MIP backend of :data:`mipnn.backends.BACKENDS` (a gradient
        trainer's ``solver``, such as logistic regression's ``"lbfgs"``, is not one)."""
        return self.kind != "gradient" and "solver" in self.estimator().get_params()

    def supports(self, n_classes: int) -> str | None:
        """``None`` if the trainer fits data with ``n_classes`` classes, else the reason why not."""
        check_positive_int("n_classes", n_classes, minimum=2)
        if n_classes > 2 and not self.multiclass:
            return f"{self.label} fits binary labels only ({n_classes} classes given)"
        return None

    def make(self, *, time_limit: float = 60.0, random_state: int | None = 0, solver: str = "highs",
             **overrides):
        """The estimator for one fit: ``settings``, then ``time_limit`` (seconds for the whole fit),
        ``random_state``, ``solver`` and ``threads=1`` where the estimator takes them, then ``overrides``."""
        check_number("time_limit", time_limit, low=0.0, low_open=True)
        check_random_state(random_state)
        check_choice("solver", solver, BACKENDS)
        est = self.estimator(**self.settings)
        names = est.get_params()
        budget = {"time_limit": time_limit, "random_state": random_state, "threads": 1}
        if self.uses_solver:
            budget["solver"] = solver
        params = {k: v for k, v in budget.items() if k in names}
        unknown = sorted(set(overrides) - set(names))
        if unknown:
            raise ValueError(f"{self.name}: {', '.join(unknown)} not a parameter of {self.estimator.__name__}; "
                             f"allowed: {', '.join(sorted(names))}")
        return clone(est).set_params(**params, **overrides)


TRAINERS: dict[str, Trainer] = {t.name: t for t in (
    Trainer("bnn_milp", "BNN-MILP (Theorem 1)", BNNMILPClassifier, "mip", _PAPERS["aspman"],
            "real in [-1, 1], one threshold per layer"),
    Trainer("field_bnn", "BNN, MILP-target fields", FieldBNNClassifier, "mip_targets", _PAPERS["aspman"],
            "real in [-1, 1]", settings={"method": "target"}),
    Trainer("sign_mip_sat_margin", "sign net MIP, sat-margin", MIPNetClassifier, "mip", _PAPERS["thorbjarnarson"],
            "integers in {-P..P}", multiclass=False, settings={"objective": "sat_margin"}),
    Trainer("sign_mip_min_hinge", "sign net MIP, min-hinge", MIPNetClassifier, "mip", _PAPERS["thorbjarnarson"],
            "integers in {-P..P}", multiclass=False, settings={"objective": "min_hinge"}),
    Trainer("sign_mip_max_correct", "sign net MIP, max-correct", MIPNetClassifier, "mip", _PAPERS["thorbjarnarson"],
            "integers in {-P..P}", multiclass=False, settings={"objective": "max_correct"}),
    Trainer("ste", "sign net, straight-through", STEBinaryNetClassifier, "gradient", _PAPERS["thorbjarnarson"],
            "integers in {-P..P}"),
    Trainer("layerwise_relu", "layer-wise MILP (ReLU)", LayerwiseReLUClassifier, "mip", _PAPERS["goebbels"],
            "real in [-1, 1]"),
    Trainer("bdnn_exact", "BDNN, exact MIP", BDNNClassifier, "mip", _PAPERS["kurtz"], "real in [-1, 1]",
            settings={"method": "exact"}),
    Trainer("bdnn_local_search", "BDNN, local search", BDNNClassifier, "mip", _PAPERS["kurtz"], "real in [-1, 1]",
            settings={"method": "local_search"}),
    Trainer("bdnn_data_splitting", "BDNN, data splitting", BDNNClassifier, "mip", _PAPERS["kurtz"],
            "real in [-1, 1]", settings={"method": "data_splitting"}),
    Trainer("bdnn_robust", "BDNN, robust (ρ = 0.1)", BDNNClassifier, "mip", _PAPERS["kurtz"], "real in [-1, 1]",
            settings={"method": "data_splitting", "robust_radius": 0.1}),
    Trainer("adam_mlp", "MLP, Adam", AdamMLPClassifier, "gradient", _PAPERS["baseline"], "real"),
    Trainer("logistic_regression", "logistic regression", LogisticRegression, "gradient", _PAPERS["baseline"],
            "real", settings={"max_iter": 1000}),
)}


def trainer(name: str) -> Trainer:
    """The trainer called ``name`` (a key of :data:`TRAINERS`), with a clear error otherwise."""
    return TRAINERS[check_choice("name", name, tuple(TRAINERS))]


def fit_outcome(estimator, X, y) -> dict:
    """Fit ``estimator`` (made by :meth:`Trainer.make`) on ``(X, y)`` and report, uniformly: ``stop_reason``,
    ``stopped_at_limit``, ``fit_time`` (seconds, the whole fit) and ``train_accuracy``. scikit-learn's logistic
    regression has no such attributes: it stopped at its limit when it used all ``max_iter`` iterations."""
    t0 = time.perf_counter()
    estimator.fit(X, y)
    wall = time.perf_counter() - t0
    if isinstance(estimator, LogisticRegression):
        at_limit = bool(np.max(estimator.n_iter_) >= estimator.max_iter)
        return {"stop_reason": "max_iterations" if at_limit else "converged", "stopped_at_limit": at_limit,
                "fit_time": wall, "train_accuracy": float(estimator.score(X, y))}
    return {"stop_reason": estimator.stop_reason_, "stopped_at_limit": bool(estimator.stopped_at_limit_),
            "fit_time": float(getattr(estimator, "fit_time_", wall)), "train_accuracy": estimator.train_accuracy_}
