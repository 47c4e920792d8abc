"""Datasets: UCI Adult, MNIST, the small BDNN datasets, and one train/val/test :class:`Split` type.

Importing this package never touches the network.

Where files are looked for (first hit wins; ``<name>`` or ``<name>.gz`` in each folder):

1. ``<data_dir>/<dataset>/`` if a loader is called with ``data_dir=``;
2. ``$MIPNN_DATA_DIR/<dataset>/`` (e.g. ``MIPNN_DATA_DIR=~/mipnn-data``);
3. the repository cache ``data/<dataset>/`` (Adult and the original Breast Cancer Wisconsin file ``bdnn/`` are
   vendored there; MNIST and the credit-card file never are). Outside a source
   checkout the cache is ``$XDG_CACHE_HOME/mipnn/<dataset>/``.

Every file is verified by the SHA256 of its decompressed content (``checksums.json`` in this package). A corrupt
or truncated file raises :class:`mipnn.exceptions.ChecksumError`; a missing one
:class:`mipnn.exceptions.DataNotFoundError`, listing where it looked and how to supply the file. Loaders download
only when called with ``download=True`` (into ``<data_dir>/<dataset>/`` or the cache, verified before keeping).

Public API::

    load_adult(split="train", data_dir=None, download=False) -> pandas.DataFrame
    adult_features(train_df, test_df, scaling="authors") -> AdultFeatures(X_train, y_train, X_test, y_test, names)
    load_adult_features(data_dir=None, download=False, scaling="authors") -> AdultFeatures
    adult_split(N, random_state, val_fraction=0.2, scaling="authors") -> Split (Thorbjarnarson & Yorke-Smith's
        sampling; SCALINGS: "authors" = min-max over train and test, 4 decimals; "train" = training statistics)
    load_mnist(split="train", data_dir=None, download=False) -> MnistData(images, labels, split, source, sha256)
    pool_mnist(images, size=4) -> float64 array (..., 28/size, 28/size)
    scale_pixels(images, dtype=numpy.float64) -> images / 255
    parse_idx(content, kind=...), read_idx(path, kind=..., sha256=None) -> numpy array
    load_dataset(name, random_state=0, data_dir=None) -> (X, y)  for DATASETS (breast_cancer_wisconsin and
        credit_card from the authors' files, scikit-learn's digits, iris, breast_cancer, random_*)
    make_splits(name, n_repetitions, random_state=0, ...) -> list of Split (Kurtz & Bah's 50/25/25 splits)
    split_dataset(X, y, random_state=0, ...) -> Split
"""

from .adult import (
    ADULT_COLUMNS,
    CATEGORICAL_COLUMNS,
    NUMERIC_COLUMNS,
    SCALINGS,
    VAL_FRACTION,
    AdultFeatures,
    adult_features,
    adult_split,
    load_adult,
    load_adult_features,
)
from .bdnn import DATASETS, FILE_DATASETS, load_dataset, make_splits
from .files import ENV_VAR, FileSpec, file_spec
from .mnist import MnistData, load_mnist, parse_idx, pool_mnist, read_idx, scale_pixels
from .split import SCALES, Split, split_dataset

__all__ = [
    "ADULT_COLUMNS",
    "CATEGORICAL_COLUMNS",
    "NUMERIC_COLUMNS",
    "SCALINGS",
    "AdultFeatures",
    "adult_features",
    "load_adult",
    "load_adult_features",
    "adult_split",
    "VAL_FRACTION",
    "DATASETS",
    "FILE_DATASETS",
    "load_dataset",
    "make_splits",
    "SCALES",
    "Split",
    "split_dataset",
    "MnistData",
    "load_mnist",
    "parse_idx",
    "pool_mnist",
    "read_idx",
    "scale_pixels",
    "ENV_VAR",
    "FileSpec",
    "file_spec",
]
