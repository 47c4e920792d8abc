"""One train/validation/test split type for every dataset, and the stratified 50/25/25 split of Kurtz & Bah."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..numerics import TOL
from ..validation import check_choice, check_positive_int, check_random_state

__all__ = ["Split", "split_dataset", "SCALES"]

#: Feature scalings accepted by :func:`split_dataset`.
SCALES = ("standard", "minmax", "none")


@dataclass(frozen=True)
class Split:
    """One train/validation/test split (numpy arrays) with the dataset's name and the split's ``random_state``."""

    dataset: str
    random_state: int
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


def _scaler(scale: str):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return {"standard": StandardScaler(), "minmax": MinMaxScaler(), "none": None}[scale]


def split_dataset(X, y, *, random_state: int = 0, fractions=(0.5, 0.25, 0.25), max_train: int | None = None,
                  max_eval: int | None = None, scale: str = "standard", dataset: str = "custom") -> Split:
    """Stratified train/validation/test split of ``(X, y)`` drawn from ``random_state``.

    ``fractions`` are the train/validation/test shares (must sum to 1). ``max_train`` keeps a stratified random
    subset of at most that many training points (the MIPs grow with the training set; the fast notebook profile
    uses this); ``max_eval`` likewise caps the validation and test parts. Scaling (``"standard"``,
    ``"minmax"`` or ``"none"``) is fitted on the (possibly reduced) training part and applied to all three.
    """
    from sklearn.model_selection import train_test_split  # imported here: ``import mipnn.data`` stays light
    random_state = check_random_state(random_state, allow_none=False)  # a split must be reproducible
    check_choice("scale", scale, SCALES)
    check_positive_int("max_train", max_train, minimum=2, allow_none=True)
    check_positive_int("max_eval", max_eval, minimum=2, allow_none=True)
    fr = tuple(float(f) for f in fractions)
    if len(fr) != 3 or min(fr) <= 0 or abs(sum(fr) - 1.0) > TOL:
        raise ValueError(f"fractions={fractions!r} must be three positive shares (train, val, test) summing to 1")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be 2-D and y 1-D of matching length; got {X.shape} and {y.shape}")
    rng = np.random.default_rng(random_state)
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
    return Split(dataset=dataset, random_state=random_state, X_train=X_tr, y_train=y_tr, X_val=X_va, y_val=y_va,
                 X_test=X_te, y_test=y_te)
