"""Datasets and 50/25/25 splits for the BDNN experiments of Kurtz & Bah (2021).

Kurtz, J. and Bah, B. (2021), *Efficient and Robust Mixed-Integer Optimization Methods for Training Binarized
Deep Neural Networks*. Their experiments use small classification sets; we use the ones that ship with
scikit-learn or can be generated, so no download is needed:

* ``digits`` — scikit-learn's 8×8 handwritten digits (1,797 × 64, 10 classes);
* ``iris`` — 150 × 4, 3 classes;
* ``breast_cancer`` — scikit-learn's Wisconsin *diagnostic* set (569 × 30, 2 classes). The authors used the
  *original* Wisconsin set (699 × 9), which scikit-learn does not ship; numbers are therefore not comparable
  one-to-one;
* ``random_200x100`` and ``random_1000x10`` — features drawn uniformly from [−10, 10] with balanced random
  binary labels (half the points in each class). Nothing can be learned here beyond memorisation: test
  accuracy should stay near 50 %.

Every repetition draws a fresh stratified 50 % / 25 % / 25 % train/validation/test split from its own seed.
Features are then scaled with statistics of the training part only (``scale="standard"`` by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from .validation import check_choice, check_number, check_positive_int

__all__ = ["DATASETS", "Split", "load_dataset", "split_dataset", "make_splits"]

#: Names accepted by :func:`load_dataset`.
DATASETS = ("digits", "iris", "breast_cancer", "random_200x100", "random_1000x10")

_SCALES = ("standard", "minmax", "none")


@dataclass(frozen=True)
class Split:
    """One train/validation/test split (numpy arrays) with the dataset name and the split's seed."""

    dataset: str
    seed: int
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def classes(self) -> np.ndarray:
        return np.unique(np.concatenate([self.y_train, self.y_val, self.y_test]))

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}


def _random_uniform(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-10.0, 10.0, size=(n, d))
    y = np.zeros(n, dtype=np.int64)
    y[: n // 2] = 1
    rng.shuffle(y)
    return X, y


def load_dataset(name: str, *, data_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)`` of a dataset in :data:`DATASETS` (float features, integer labels 0..k−1).

    ``data_seed`` only matters for the random datasets: it fixes the generated points and labels.
    """
    check_choice("name", name, DATASETS)
    check_number("data_seed", data_seed, low=0, integer=True)
    if name.startswith("random_"):
        n, d = (int(v) for v in name.split("_")[1].split("x"))
        return _random_uniform(n, d, data_seed)
    from sklearn import datasets as skd

    loader = {"digits": skd.load_digits, "iris": skd.load_iris, "breast_cancer": skd.load_breast_cancer}[name]
    bunch = loader()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def _scaler(scale: str):
    return {"standard": StandardScaler(), "minmax": MinMaxScaler(), "none": None}[scale]


def split_dataset(X, y, *, seed: int = 0, fractions=(0.5, 0.25, 0.25), max_train: int | None = None,
                  max_eval: int | None = None, scale: str = "standard", dataset: str = "custom") -> Split:
    """Stratified train/validation/test split of ``(X, y)`` drawn from ``seed``.

    ``fractions`` are the train/validation/test shares (must sum to 1). ``max_train`` keeps a stratified random
    subset of at most that many training points (the MIPs grow with the training set; the fast notebook profile
    uses this); ``max_eval`` likewise caps the validation and test parts. Scaling (``"standard"``,
    ``"minmax"`` or ``"none"``) is fitted on the (possibly reduced) training part and applied to all three.
    """
    check_number("seed", seed, low=0, integer=True)
    check_choice("scale", scale, _SCALES)
    check_positive_int("max_train", max_train, minimum=2, allow_none=True)
    check_positive_int("max_eval", max_eval, minimum=2, allow_none=True)
    fr = tuple(float(f) for f in fractions)
    if len(fr) != 3 or min(fr) <= 0 or abs(sum(fr) - 1.0) > 1e-9:
        raise ValueError(f"fractions={fractions!r} must be three positive shares (train, val, test) summing to 1")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be 2-D and y 1-D of matching length; got {X.shape} and {y.shape}")
    rng = np.random.default_rng(seed)
    rs = int(rng.integers(2**31 - 1))
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, train_size=fr[0], stratify=y, random_state=rs)
    X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, train_size=fr[1] / (fr[1] + fr[2]),
                                              stratify=y_rest, random_state=rs + 1)

    def _cap(Xp, yp, cap, offset):
        if cap is None or len(yp) <= cap:
            return Xp, yp
        # Stratified subsample; fall back to a plain one when a class is too small to stratify.
        try:
            Xs, _, ys, _ = train_test_split(Xp, yp, train_size=cap, stratify=yp, random_state=rs + offset)
        except ValueError:
            Xs, _, ys, _ = train_test_split(Xp, yp, train_size=cap, random_state=rs + offset)
        return Xs, ys

    X_tr, y_tr = _cap(X_tr, y_tr, max_train, 2)
    X_va, y_va = _cap(X_va, y_va, max_eval, 3)
    X_te, y_te = _cap(X_te, y_te, max_eval, 4)
    scaler = _scaler(scale)
    if scaler is not None:
        scaler.fit(X_tr)
        X_tr, X_va, X_te = (scaler.transform(a) for a in (X_tr, X_va, X_te))
    return Split(dataset=dataset, seed=int(seed), X_train=X_tr, y_train=y_tr, X_val=X_va, y_val=y_va,
                 X_test=X_te, y_test=y_te)


def make_splits(name: str, n_repetitions: int = 10, *, seed: int = 0, max_train: int | None = None,
                max_eval: int | None = None, scale: str = "standard", data_seed: int = 0) -> list[Split]:
    """``n_repetitions`` independent 50/25/25 splits of dataset ``name`` (repetition r uses seed ``seed + r``)."""
    check_positive_int("n_repetitions", n_repetitions)
    check_number("seed", seed, low=0, integer=True)
    X, y = load_dataset(name, data_seed=data_seed)
    return [split_dataset(X, y, seed=seed + r, max_train=max_train, max_eval=max_eval, scale=scale, dataset=name)
            for r in range(n_repetitions)]
