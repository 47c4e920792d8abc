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

Every repetition draws a fresh stratified 50 % / 25 % / 25 % train/validation/test split
(:func:`mipnn.data.split_dataset`) from its own ``random_state``. Features are then scaled with statistics of the
training part only (``scale="standard"`` by default).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_choice, check_positive_int, check_random_state
from .split import Split, split_dataset

__all__ = ["DATASETS", "load_dataset", "make_splits"]

#: Names accepted by :func:`load_dataset`.
DATASETS = ("digits", "iris", "breast_cancer", "random_200x100", "random_1000x10")


def _random_uniform(n: int, d: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-10.0, 10.0, size=(n, d))
    y = np.zeros(n, dtype=np.int64)
    y[: n // 2] = 1
    rng.shuffle(y)
    return X, y


def load_dataset(name: str, *, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)`` of a dataset in :data:`DATASETS` (float features, integer labels 0..k−1).

    ``random_state`` only matters for the random datasets: it fixes the generated points and labels.
    """
    check_choice("name", name, DATASETS)
    random_state = check_random_state(random_state, allow_none=False)
    if name.startswith("random_"):
        n, d = (int(v) for v in name.split("_")[1].split("x"))
        return _random_uniform(n, d, random_state)
    from sklearn import datasets as skd

    loader = {"digits": skd.load_digits, "iris": skd.load_iris, "breast_cancer": skd.load_breast_cancer}[name]
    bunch = loader()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def make_splits(name: str, n_repetitions: int = 10, *, random_state: int = 0, max_train: int | None = None,
                max_eval: int | None = None, scale: str = "standard", data_random_state: int = 0) -> list[Split]:
    """``n_repetitions`` independent 50/25/25 splits of dataset ``name``: repetition ``r`` is drawn with
    ``random_state + r``; ``data_random_state`` generates the random datasets."""
    check_positive_int("n_repetitions", n_repetitions)
    random_state = check_random_state(random_state, allow_none=False)
    X, y = load_dataset(name, random_state=data_random_state)
    return [split_dataset(X, y, random_state=random_state + r, max_train=max_train, max_eval=max_eval,
                          scale=scale, dataset=name) for r in range(n_repetitions)]
