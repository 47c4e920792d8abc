"""The runs of the trainer comparison (notebook 05): one fit of one trainer on one split, within one budget.

:func:`run_trainer` is the run function of the sweep (:func:`mipnn.experiments.run_sweep`): it draws the split of
:func:`mipnn.experiments.trainer_data.trainer_split`, fits the trainer of :data:`mipnn.experiments.trainers.TRAINERS`
within ``budget`` seconds for the whole fit (one thread), and records test and training accuracy, the fit's time,
why it stopped and whether at a limit, the nonzero parameters, the accuracy under Kurtz & Bah's random-sign attack
(:func:`mipnn.bnn.random_sign_attack`, on the [0, 1] features) and the solver with its version. A trainer that
cannot fit the dataset (a binary-only trainer on ten classes) is recorded with the reason
(:meth:`~mipnn.experiments.trainers.Trainer.supports`), so that the tables say why a cell is empty.

Two settings (``settings=``):

* ``"grid"`` — every network has one hidden layer of :data:`HIDDEN` units; each estimator keeps its own defaults
  otherwise, and the clock (``budget``) is the limit of the whole fit;
* ``"demo"`` — small networks and work limits (:data:`DEMO_SETTINGS`: node caps on every MIP, iteration caps on
  every loop), so a fit ends on work, not on the clock, and its numbers do not depend on the machine's load;
  ``budget`` is then only a distant safety net.

:data:`PROFILES` are the notebook's profiles; :func:`profile_grid` lists a profile's runs (with filters, for
running it in slices).
"""

from __future__ import annotations

import os
import time

import numpy as np

from ..backends import backend_version
from ..bnn import ATTACK_EPSILONS, random_sign_attack
from ..paths import results_dir
from ..validation import check_choice, check_number, check_positive_int, check_random_state
from .trainer_data import SPECS, TRAINER_DATASETS, feature_transform, trainer_split
from .trainers import TRAINERS, fit_outcome, trainer

__all__ = ["NB", "HIDDEN", "SETTINGS", "SCALING", "DEMO_SETTINGS", "PROFILES", "SIZES", "SIZE_DATASETS",
           "SIZE_SEEDS", "SIZE_BUDGET", "run_trainer", "profile_grid", "size_grid", "store_path", "size_store_path",
           "count_parameters"]

NB = "05_which_trainer"
#: Hidden layer of every network of the grid: notebook 02's width for the sign networks, small enough that the MIPs
#: of 200 training points stay within what one thread explores in a minute.
HIDDEN = (16,)
SETTINGS = ("grid", "demo")
#: The features each trainer sees (:func:`mipnn.experiments.trainer_data.feature_transform`): [0, 1] for the sign
#: networks (Thorbjarnarson & Yorke-Smith scale so), the BNN-MILP and field training, the layer-wise ReLU MILPs
#: (Goebbels' inputs are pixels in [0, 1]) and robust BDNN training (its radius ρ = 0.1 is in [0, 1] units);
#: standardised for the nominal BDNN (as Kurtz & Bah's nominal runs in notebook 04) and the gradient baselines.
SCALING = {"bnn_milp": "minmax", "field_bnn": "minmax", "sign_mip_sat_margin": "minmax",
           "sign_mip_min_hinge": "minmax", "sign_mip_max_correct": "minmax", "ste": "minmax",
           "layerwise_relu": "minmax", "bdnn_exact": "standard", "bdnn_local_search": "standard",
           "bdnn_data_splitting": "standard", "bdnn_robust": "minmax", "adam_mlp": "standard",
           "logistic_regression": "standard"}
_NODES = {"mip_max_nodes": 50}
#: The demo's work limits: every MIP capped by nodes, every loop by its iteration cap (the clock a safety net).
DEMO_SETTINGS = {
    "bnn_milp": dict(hidden=(4,), solver_options=_NODES),
    "field_bnn": dict(hidden=(4,), steps=100),
    "sign_mip_sat_margin": dict(hidden=(4,), start_max_epochs=200, start_max_passes=20, solver_options=_NODES),
    "sign_mip_min_hinge": dict(hidden=(4,), start_max_epochs=200, start_max_passes=20, solver_options=_NODES),
    "sign_mip_max_correct": dict(hidden=(4,), start_max_epochs=200, start_max_passes=20, solver_options=_NODES),
    "ste": dict(hidden=(4,), max_epochs=300),
    "layerwise_relu": dict(hidden=(4,), max_iterations=1, solver_options=_NODES),
    "bdnn_exact": dict(hidden=(4,), solver_options=_NODES),
    "bdnn_local_search": dict(hidden=(4,), max_rounds=2, solver_options=_NODES),
    "bdnn_data_splitting": dict(hidden=(4,), max_splits=3, solver_options=_NODES),
    "bdnn_robust": dict(hidden=(4,), max_splits=3, solver_options=_NODES),
    "adam_mlp": dict(hidden=(4,), max_epochs=300),
    "logistic_regression": {},
}
#: The notebook's profiles: ``default`` is the live demo (two small datasets, work-limited fits); ``session`` the
#: grid of the comparison (every dataset and trainer, 5 seeds, 60 s and 600 s per fit); ``paper`` adds seeds and a
#: one-hour budget.
PROFILES = {
    "default": dict(datasets=["breast_cancer_wisconsin", "synthetic"], trainers=list(TRAINERS), seeds=[0],
                    budgets=[120.0], settings="demo", max_train=40, attack_trials=1),
    "session": dict(datasets=list(TRAINER_DATASETS), trainers=list(TRAINERS), seeds=[0, 1, 2, 3, 4],
                    budgets=[60.0, 600.0], settings="grid", max_train=None, attack_trials=1),
    "paper": dict(datasets=list(TRAINER_DATASETS), trainers=list(TRAINERS), seeds=list(range(10)),
                  budgets=[60.0, 600.0, 3600.0], settings="grid", max_train=None, attack_trials=1),
}

#: Accuracy against training-set size: the datasets whose training part can shrink (the MNIST few-shot pair is a
#: size pair of its own, 10 and 40 images per class), cut to stratified subsets of :data:`SIZES` points (the
#: full 200 are the grid's own runs), seeds :data:`SIZE_SEEDS`, at the grid's first budget, :data:`SIZE_BUDGET`.
SIZES = (25, 50, 100)
SIZE_DATASETS = ("adult", "breast_cancer_wisconsin", "digits", "synthetic")
SIZE_SEEDS = (0, 1, 2)
SIZE_BUDGET = 60.0


def store_path(profile: str):
    """``results/05_which_trainer/runs_<profile>.jsonl``."""
    check_choice("profile", profile, tuple(PROFILES))
    return results_dir(NB) / f"runs_{profile}.jsonl"


def size_store_path():
    """``results/05_which_trainer/sizes_session.jsonl``: the runs of :func:`size_grid`."""
    return results_dir(NB) / "sizes_session.jsonl"


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _arrays(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _arrays(v)
    elif isinstance(obj, (int, float, np.number)) and not isinstance(obj, bool):
        yield np.asarray([obj], dtype=np.float64)


def count_parameters(estimator, tol: float = 1e-9) -> tuple[int, int]:
    """``(nonzero, total)`` numbers of a fitted network's parameters (weights, biases and thresholds): every number
    in ``weights_`` (``coef_`` and ``intercept_`` for scikit-learn's logistic regression); ``|w| ≤ tol`` is zero."""
    if hasattr(estimator, "weights_"):
        arrays = list(_arrays(estimator.weights_))
    else:
        arrays = [estimator.coef_, estimator.intercept_]
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]) if arrays else np.zeros(0)
    return int(np.sum(np.abs(values) > tol)), int(values.size)


def _training_subset(split, max_train: int | None, seed: int):
    if max_train is None or max_train >= len(split.y_train):
        return split.X_train, split.y_train
    from sklearn.model_selection import train_test_split

    X, _, y, _ = train_test_split(split.X_train, split.y_train, train_size=max_train, stratify=split.y_train,
                                  random_state=seed)
    return X, y


def run_trainer(dataset: str, trainer_name: str, seed: int, budget: float, *, settings: str = "grid",
                max_train: int | None = None, attack_trials: int = 1, solver: str = "highs") -> dict:
    """One run of the comparison (module docstring): a dict of JSON-ready results. ``max_train`` keeps a stratified
    subset of that many training points (the demo); ``attack_trials`` draws of the random-sign attack per ε."""
    check_choice("dataset", dataset, TRAINER_DATASETS)
    t = trainer(trainer_name)
    seed = check_random_state(seed, allow_none=False)
    check_number("budget", budget, low=0.0, low_open=True)
    check_choice("settings", settings, SETTINGS)
    check_positive_int("max_train", max_train, minimum=2, allow_none=True)
    check_positive_int("attack_trials", attack_trials)
    spec = SPECS[dataset]
    out = {"label": t.label, "kind": t.kind, "weights": t.weights, "n_classes": spec.n_classes,
           "scaling": SCALING[trainer_name], "solver_name": solver if t.uses_solver else "none",
           "solver_version": backend_version(solver) if t.uses_solver else "",
           "load_1min": float(os.getloadavg()[0])}
    reason = t.supports(spec.n_classes)
    if reason is not None:
        return {**out, "supported": False, "reason": reason}
    split = trainer_split(dataset, seed)
    X_train, y_train = _training_subset(split, max_train, seed)
    transform = feature_transform(split, SCALING[trainer_name])
    overrides = dict(hidden=HIDDEN) if settings == "grid" and trainer_name != "logistic_regression" else \
        dict(DEMO_SETTINGS[trainer_name]) if settings == "demo" else {}
    est = t.make(time_limit=float(budget), random_state=seed, solver=solver, **overrides)
    t0 = time.perf_counter()
    fit = fit_outcome(est, transform(X_train), y_train)
    fit_wall = time.perf_counter() - t0

    def predict(X):
        return est.predict(transform(X))

    test_accuracy = float(np.mean(predict(split.X_test) == split.y_test))
    attack = random_sign_attack(predict, split.X_test, split.y_test, ATTACK_EPSILONS, n_trials=attack_trials,
                                random_state=seed)
    nonzero, total = count_parameters(est)
    return {**out, "supported": True, "reason": "", "n_train": int(len(y_train)), "n_test": int(len(split.y_test)),
            "n_features": split.n_features, "train_accuracy": float(fit["train_accuracy"]),
            "test_accuracy": test_accuracy, "fit_time": float(fit["fit_time"]), "fit_wall": float(fit_wall),
            "stop_reason": str(fit["stop_reason"]), "stopped_at_limit": bool(fit["stopped_at_limit"]),
            "nonzero_parameters": nonzero, "parameters": total,
            "attack": [{"epsilon": float(e), "accuracy": float(a)}
                       for e, a in attack.groupby("epsilon")["accuracy"].mean().items()]}


def _slice(name: str, given, allowed, where: str) -> list:
    if given is None:
        return list(allowed)
    given = list(given)
    bad = [g for g in given if g not in allowed]
    if bad:
        raise ValueError(f"{name}={bad!r} not in {where}; allowed: {', '.join(map(repr, allowed))}")
    return given


def profile_grid(profile: str, *, datasets=None, trainers=None, seeds=None, budgets=None,
                 solver: str = "highs") -> list[dict]:
    """The runs of ``profile`` (:data:`PROFILES`) as sweep parameters, optionally only the given ``datasets``,
    ``trainers``, ``seeds`` and ``budgets`` (each must be part of the profile: a slice of its grid)."""
    P = PROFILES[check_choice("profile", profile, tuple(PROFILES))]
    where = f"profile {profile!r}"
    ds = _slice("datasets", datasets, P["datasets"], where)
    tr = _slice("trainers", trainers, P["trainers"], where)
    sd = _slice("seeds", seeds, P["seeds"], where)
    bd = _slice("budgets", None if budgets is None else [float(b) for b in budgets], P["budgets"], where)
    extra = {"settings": P["settings"], "max_train": P["max_train"], "attack_trials": P["attack_trials"],
             "solver": solver}
    return [{"dataset": d, "trainer_name": t, "seed": s, "budget": b, **extra}
            for b in bd for s in sd for d in ds for t in tr]


def size_grid(*, datasets=None, trainers=None, seeds=None, sizes=None, solver: str = "highs") -> list[dict]:
    """The runs of the size study (:data:`SIZES`, :data:`SIZE_DATASETS`, :data:`SIZE_SEEDS`, :data:`SIZE_BUDGET`;
    the grid's settings) as sweep parameters, optionally a slice: smallest size first, then seed, dataset, trainer."""
    where = "the size study"
    ds = _slice("datasets", datasets, SIZE_DATASETS, where)
    tr = _slice("trainers", trainers, list(TRAINERS), where)
    sd = _slice("seeds", seeds, SIZE_SEEDS, where)
    sz = _slice("sizes", sizes, SIZES, where)
    G = PROFILES["session"]
    return [{"dataset": d, "trainer_name": t, "seed": s, "budget": SIZE_BUDGET, "settings": G["settings"],
             "max_train": n, "attack_trials": G["attack_trials"], "solver": solver}
            for n in sz for s in sd for d in ds for t in tr]
