"""The datasets of the trainer comparison: the same data, splits and scaling for every trainer.

Every trainer of :mod:`mipnn.experiments.trainers` is fitted on the same training part and scored on the same test
part of one seeded split per ``(dataset, seed)``: :func:`trainer_split` draws it. The loaders are
:mod:`mipnn.data`'s (files found through ``MIPNN_DATA_DIR`` or ``data/``, verified by SHA256; nothing is
downloaded here).

The datasets (:data:`TRAINER_DATASETS`; :data:`SPECS` holds their sizes and sources):

* ``adult`` — UCI Adult, 108 features (one-hot categories, numeric columns min-max scaled over the training file),
  income > 50 K; 200 training records drawn as Thorbjarnarson & Yorke-Smith draw theirs, scored on the whole
  ``adult.test`` (16,281 records);
* ``breast_cancer_wisconsin`` — the original Breast Cancer Wisconsin set (699 × 9, vendored); 200 training points,
  the other 499 for test (stratified);
* ``digits`` — scikit-learn's 8 × 8 digits (1,797 × 64, 10 classes); 200 training points, 1,597 test;
* ``synthetic`` — scikit-learn's ``make_classification`` (1,000 × 10, 4 informative features, 2 classes, 5 %
  flipped labels, generated once with seed 0); 200 training points, 800 test;
* ``mnist_10`` and ``mnist_40`` — MNIST in the few-shot setting of BeMi ensembles (Bernardelli et al., INFORMS
  Journal on Computing 2025): 10 and 40 training images per class drawn from the 60,000 training images, scored on
  the whole MNIST test set (10,000 images). Images are mean-pooled 4 × 4 to 7 × 7 = 49 features, not the full
  28 × 28: a MIP has a weight variable per input feature and hidden unit, and 784 inputs make every model of the
  comparison 16 times larger.

**Training-set size.** 200 points where the protocol leaves it free (the middle of the 40–280 points that
Thorbjarnarson & Yorke-Smith train on; Kurtz & Bah's exact MIP and the Theorem 1 BNN-MILP have one binary
activation per training point and unit, so 200 points × 16 hidden units is already a few thousand binaries, what a
60 s budget on one thread can explore); MNIST's 100 and 400 images are BeMi's protocol.

**Scaling.** Every split holds features in [0, 1]: min-max with training statistics (Adult: the training file's;
MNIST: pixels / 255), test points may fall outside. That is the representation of Kurtz & Bah's random-sign attack
(ε in units of a feature's training range), so the attack means the same for every trainer. Trainers that work
better on standardised inputs (gradient baselines, the BDNN, as Kurtz & Bah's nominal runs) get them through
:func:`feature_transform` (``"standard"``: zero mean, unit variance on the training part), applied after the
attack's perturbation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..data import Split, adult_split, load_dataset, load_mnist, pool_mnist, scale_pixels
from ..validation import check_choice, check_random_state

__all__ = ["TRAINER_DATASETS", "SPECS", "DatasetSpec", "SCALINGS", "trainer_split", "feature_transform",
           "dataset_table", "majority_share"]


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of the comparison: its ``label``, training-set size ``n_train`` (``per_class``: images per
    class instead), test part, number of classes and where it comes from."""

    name: str
    label: str
    n_train: int
    test: str
    n_classes: int
    source: str
    per_class: bool = False


SPECS: dict[str, DatasetSpec] = {s.name: s for s in (
    DatasetSpec("adult", "Adult", 200, "adult.test (16,281 records)", 2,
                "UCI Adult, 108 features, Thorbjarnarson & Yorke-Smith's sampling"),
    DatasetSpec("breast_cancer_wisconsin", "Wisconsin (original)", 200, "the other 499 points", 2,
                "original Breast Cancer Wisconsin, 699 × 9 (vendored)"),
    DatasetSpec("digits", "digits 8×8", 200, "the other 1,597 points", 10, "scikit-learn digits, 1,797 × 64"),
    DatasetSpec("synthetic", "synthetic", 200, "the other 800 points", 2,
                "make_classification, 1,000 × 10, 4 informative, 5 % label noise"),
    DatasetSpec("mnist_10", "MNIST, 10 per class", 10, "MNIST test set (10,000 images)", 10,
                "MNIST pooled to 7×7, BeMi's few-shot setting", per_class=True),
    DatasetSpec("mnist_40", "MNIST, 40 per class", 40, "MNIST test set (10,000 images)", 10,
                "MNIST pooled to 7×7, BeMi's few-shot setting", per_class=True),
)}
#: The datasets, in the order of the tables.
TRAINER_DATASETS = tuple(SPECS)
#: What :func:`feature_transform` offers on top of the [0, 1] features.
SCALINGS = ("minmax", "standard")
#: The synthetic set is generated once, with this seed; the splits vary with the run's seed.
SYNTHETIC_SEED = 0


def _minmax(X_train, *others):
    lo, span = X_train.min(axis=0), np.ptp(X_train, axis=0)
    span = np.where(span > 0, span, 1.0)
    return [(A - lo) / span for A in (X_train, *others)]


def _empty(d: int):
    return np.zeros((0, d)), np.zeros(0, dtype=np.int64)


def _holdout(name: str, X, y, n_train: int, seed: int) -> Split:
    from sklearn.model_selection import train_test_split

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, train_size=n_train, stratify=y, random_state=seed)
    X_tr, X_te = _minmax(X_tr, X_te)
    Xv, yv = _empty(X.shape[1])
    return Split(name, seed, X_tr, y_tr.astype(np.int64), Xv, yv, X_te, y_te.astype(np.int64))


@lru_cache(maxsize=2)
def _mnist(split: str):
    images, labels = load_mnist(split)
    return scale_pixels(pool_mnist(images)).reshape(len(labels), -1), np.asarray(labels, dtype=np.int64)


def _mnist_split(name: str, per_class: int, seed: int) -> Split:
    X, y = _mnist("train")
    rng = np.random.default_rng(seed)
    idx = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]))
    idx = rng.permutation(idx)
    X_te, y_te = _mnist("test")
    Xv, yv = _empty(X.shape[1])
    return Split(name, seed, X[idx], y[idx], Xv, yv, X_te, y_te)


def trainer_split(name: str, seed: int = 0) -> Split:
    """The split of dataset ``name`` (:data:`TRAINER_DATASETS`) for seed ``seed``: the same arrays for every
    trainer; features in [0, 1] by training statistics, labels 0..k−1, no validation part (empty arrays)."""
    check_choice("name", name, TRAINER_DATASETS)
    seed = check_random_state(seed, allow_none=False)
    spec = SPECS[name]
    if name == "adult":
        s = adult_split(spec.n_train, seed, scaling="train")
        Xv, yv = _empty(s.n_features)
        return Split(name, seed, s.X_train, (s.y_train > 0).astype(np.int64), Xv, yv, s.X_test,
                     (s.y_test > 0).astype(np.int64))
    if spec.per_class:
        return _mnist_split(name, spec.n_train, seed)
    if name == "synthetic":
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=1000, n_features=10, n_informative=4, n_redundant=2, flip_y=0.05,
                                   class_sep=1.0, random_state=SYNTHETIC_SEED)
    else:
        X, y = load_dataset(name)
        if name == "breast_cancer_wisconsin":
            y = (y == y.max()).astype(np.int64)  # the file's labels 2 (benign) and 4 (malignant) -> 0 and 1
    return _holdout(name, np.asarray(X, dtype=np.float64), np.asarray(y), spec.n_train, seed)


@lru_cache(maxsize=64)
def majority_share(name: str, seed: int = 0) -> float:
    """The test accuracy of the trivial predictor on split ``seed`` of ``name``: the share of the test part's most
    frequent class (a fit that scores no more has learnt nothing)."""
    y = trainer_split(name, seed).y_test
    return float(np.bincount(y).max() / len(y))


def feature_transform(split: Split, scaling: str):
    """A function mapping [0, 1]-scaled features of ``split`` to what a trainer sees: ``"minmax"`` leaves them,
    ``"standard"`` standardises them with the training part's mean and standard deviation."""
    check_choice("scaling", scaling, SCALINGS)
    if scaling == "minmax":
        return lambda X: np.asarray(X, dtype=np.float64)
    mean, std = split.X_train.mean(axis=0), split.X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return lambda X: (np.asarray(X, dtype=np.float64) - mean) / std


def dataset_table():
    """The datasets as a table: size of the training and test parts, features, classes, source (seed 0)."""
    import pandas as pd

    rows = []
    for name, spec in SPECS.items():
        s = trainer_split(name, 0)
        rows.append({"dataset": spec.label, "train": len(s.y_train), "test": len(s.y_test),
                     "features": s.n_features, "classes": spec.n_classes, "test part": spec.test,
                     "source": spec.source})
    return pd.DataFrame(rows)
