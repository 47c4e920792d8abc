"""Datasets and 50/25/25 splits for the BDNN experiments of Kurtz & Bah (2021).

Kurtz, J. and Bah, B. (2021), *Efficient and Robust Mixed-Integer Optimization Methods for Training Binarized
Deep Neural Networks*. Their code reads two files from its data folder, which we read the same way (semicolon
separated, no header, the label in the last column):

* ``breast_cancer_wisconsin`` — the *original* Breast Cancer Wisconsin set (699 × 9 integer features 1–10,
  2 classes), vendored gzip-compressed in ``data/bdnn/`` (15 kB);
* ``credit_card`` — Default of Credit Card Clients (30,000 × 23, 2 classes; 2.7 MB, not vendored), read like MNIST
  from ``$MIPNN_DATA_DIR/bdnn/`` (or ``data_dir=``, or the ``data/bdnn/`` cache); a missing file raises
  :class:`~mipnn.exceptions.DataNotFoundError` naming the file, where it was looked for, its SHA256 and how to get
  it (``download=True`` fetches it from the authors' repository);

both verified by the SHA256 in ``checksums.json``. Extra rows use sets that ship with scikit-learn or are
generated:

* ``digits`` — scikit-learn's 8×8 handwritten digits (1,797 × 64, 10 classes);
* ``iris`` — 150 × 4, 3 classes;
* ``breast_cancer`` — scikit-learn's Wisconsin *diagnostic* set (569 × 30, 2 classes), a different set from the
  original one above;
* ``random_200x100`` and ``random_1000x10`` — features drawn uniformly from [−10, 10] with balanced random
  binary labels (half the points in each class). Nothing can be learned here beyond memorisation: test
  accuracy should stay near 50 %.

Every repetition draws a fresh stratified 50 % / 25 % / 25 % train/validation/test split
(:func:`mipnn.data.split_dataset`) from its own ``random_state``. Features are then scaled with statistics of the
training part only (``scale="standard"`` by default; the authors' robust experiment scales to [0, 1],
``scale="minmax"``).
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from ..exceptions import DataError
from ..validation import check_bool, check_choice, check_positive_int, check_random_state
from . import files
from .split import Split, split_dataset

__all__ = ["DATASETS", "FILE_DATASETS", "load_dataset", "make_splits"]

#: Names accepted by :func:`load_dataset`.
DATASETS = ("breast_cancer_wisconsin", "credit_card", "digits", "iris", "breast_cancer", "random_200x100",
            "random_1000x10")
#: The authors' data files (folder ``bdnn/`` of the data directory): dataset name -> (file, rows, features).
FILE_DATASETS = {"breast_cancer_wisconsin": ("breast-cancer-wisconsin.csv", 699, 9),
                 "credit_card": ("default_of_credit_card_clients.csv", 30_000, 23)}
_FOLDER = "bdnn"


@lru_cache(maxsize=4)
def _load_file(name: str, data_dir=None, download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    fname, rows, cols = FILE_DATASETS[name]
    found = files.find_file(_FOLDER, files.file_spec(_FOLDER, fname), data_dir=data_dir, download=download)
    data = np.loadtxt(io.BytesIO(found.content), delimiter=";", dtype=np.float64, ndmin=2)
    if data.shape != (rows, cols + 1):  # cannot happen for a verified file; guards against parser changes
        raise DataError(f"{found.path}: parsed {data.shape}, expected ({rows}, {cols + 1})")
    return data[:, :-1], data[:, -1].astype(np.int64)


def _random_uniform(n: int, d: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-10.0, 10.0, size=(n, d))
    y = np.zeros(n, dtype=np.int64)
    y[: n // 2] = 1
    rng.shuffle(y)
    return X, y


def load_dataset(name: str, *, random_state: int = 0, data_dir=None,
                 download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)`` of a dataset in :data:`DATASETS` (float features, integer labels 0..k−1).

    ``random_state`` only matters for the random datasets: it fixes the generated points and labels.
    ``data_dir`` and ``download`` only matter for the authors' files (:data:`FILE_DATASETS`; see
    :mod:`mipnn.data` for where they are looked for).
    """
    check_choice("name", name, DATASETS)
    random_state = check_random_state(random_state, allow_none=False)
    files.check_data_dir(data_dir)
    check_bool("download", download)
    if name in FILE_DATASETS:
        X, y = _load_file(name, None if data_dir is None else str(data_dir), download)
        return X.copy(), y.copy()
    if name.startswith("random_"):
        n, d = (int(v) for v in name.split("_")[1].split("x"))
        return _random_uniform(n, d, random_state)
    from sklearn import datasets as skd

    loader = {"digits": skd.load_digits, "iris": skd.load_iris, "breast_cancer": skd.load_breast_cancer}[name]
    bunch = loader()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def make_splits(name: str, n_repetitions: int = 10, *, random_state: int = 0, max_train: int | None = None,
                max_eval: int | None = None, scale: str = "standard", data_random_state: int = 0,
                data_dir=None) -> list[Split]:
    """``n_repetitions`` independent 50/25/25 splits of dataset ``name``: repetition ``r`` is drawn with
    ``random_state + r``; ``data_random_state`` generates the random datasets. The training part comes out in
    random order (the authors' contiguous batches of 64 rows rely on that)."""
    check_positive_int("n_repetitions", n_repetitions)
    random_state = check_random_state(random_state, allow_none=False)
    X, y = load_dataset(name, random_state=data_random_state, data_dir=data_dir)
    return [split_dataset(X, y, random_state=random_state + r, max_train=max_train, max_eval=max_eval,
                          scale=scale, dataset=name) for r in range(n_repetitions)]
