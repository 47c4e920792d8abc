"""UCI Adult (Census Income): loading and the 108-feature encoding of Thorbjarnarson & Yorke-Smith.

``load_adult`` returns the raw records as a DataFrame; ``adult_features`` turns the training and test frames into
the numeric design matrices used by the authors' public code (one-hot categoricals, min-max scaled numerics,
labels ±1). Unlike that code we keep the first record of each file (their ``read_csv`` call used it as a header),
so the row counts are the full 32,561 / 16,281.

Scaling (:data:`SCALINGS`). ``"authors"`` (the default) is the authors' loader: each numeric column is min-max scaled
with its minimum and maximum over the training *and* test files together, then rounded to :data:`DECIMALS` (4)
decimals. With the MIP's ε = 1e-4 the rounding makes the strict inequality exact: every input is a multiple of 1e-4,
so with integer weights every first-layer pre-activation is too, and none can fall in the open band (−ε, 0). The
price is a leak: the test file's range enters the training inputs (for Adult only ``fnlwgt`` changes — its test
maximum, 1,490,400, exceeds the training one, 1,484,705 — so the leak is small, but it is there). ``"train"`` is
the textbook alternative: training statistics only, no rounding (test values may then leave [0, 1], and a
pre-activation may fall inside (−ε, 0)).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..validation import check_bool, check_choice, check_number, check_positive_int, check_random_state
from . import files
from .split import Split

DATASET = "adult"

ADULT_COLUMNS: tuple[str, ...] = (
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship",
    "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
)
#: Columns one-hot encoded by :func:`adult_features` ('?' is kept as its own category).
CATEGORICAL_COLUMNS: tuple[str, ...] = (
    "workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country",
)
#: Columns min-max scaled by :func:`adult_features` (see :data:`SCALINGS`).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week",
)
LABEL_COLUMN = "income"
POSITIVE_LABEL = ">50K"
LABELS: tuple[str, ...] = ("<=50K", ">50K")

#: How :func:`adult_features` scales the numeric columns: ``"authors"`` (min-max over train and test together,
#: rounded to :data:`DECIMALS` decimals, as the authors' loader) or ``"train"`` (training statistics, no rounding).
SCALINGS: tuple[str, ...] = ("authors", "train")
#: Decimals kept by the authors' scaling: ε = 1e-4 of the MIP, so the band (−ε, 0) holds no pre-activation.
DECIMALS = 4

_SPLIT_FILES = {"train": "adult.data", "test": "adult.test"}
EXPECTED_ROWS = {"train": 32_561, "test": 16_281}


def load_adult(split: str = "train", data_dir=None, download: bool = False) -> pd.DataFrame:
    """Load the UCI Adult records of one split as a DataFrame.

    Parameters
    ----------
    split : ``"train"`` (``adult.data``, 32,561 rows) or ``"test"`` (``adult.test``, 16,281 rows).
    data_dir : optional folder with an ``adult/`` subfolder, searched before ``$MIPNN_DATA_DIR`` and the repo's
        ``data/`` cache (see :mod:`mipnn.data`).
    download : fetch the file from the UCI repository if it is found nowhere (default ``False``: never touch
        the network).

    Returns
    -------
    DataFrame with the 15 columns :data:`ADULT_COLUMNS`; integers for the six numeric columns, stripped strings
    elsewhere ('?' marks a missing value and is kept as is). ``income`` is ``'<=50K'`` or ``'>50K'`` in both
    splits (the test file's trailing '.' is removed, and its first line ``|1x3 Cross validator`` skipped).
    ``df.attrs`` holds ``dataset``, ``split``, ``file``, ``source`` (path read) and ``sha256`` (of the
    decompressed file).

    Raises
    ------
    ValueError for bad arguments; DataNotFoundError if the file is nowhere; ChecksumError if it is corrupt.
    """
    check_choice("split", split, tuple(_SPLIT_FILES))
    files.check_data_dir(data_dir)
    check_bool("download", download)
    name = _SPLIT_FILES[split]
    found = files.find_file(DATASET, files.file_spec(DATASET, name), data_dir=data_dir, download=download)
    df = parse_adult(found.content, source=found.path)
    if len(df) != EXPECTED_ROWS[split]:  # cannot happen for a verified file; guards against parser changes
        raise DataError(f"{found.path}: parsed {len(df)} records, expected {EXPECTED_ROWS[split]}")
    df.attrs.update({"dataset": DATASET, "split": split, "file": name, "source": str(found.path),
                     "sha256": found.sha256})
    return df


def parse_adult(content: bytes, *, source="<bytes>") -> pd.DataFrame:
    """Parse the bytes of ``adult.data`` or ``adult.test`` (see :func:`load_adult` for the result)."""
    text = content.decode("ascii")
    if text.startswith("|"):  # adult.test opens with the comment line '|1x3 Cross validator'
        text = text.split("\n", 1)[1] if "\n" in text else ""
    dtypes = {c: ("int64" if c in NUMERIC_COLUMNS else str) for c in ADULT_COLUMNS}
    try:
        df = pd.read_csv(io.StringIO(text), header=None, names=list(ADULT_COLUMNS), dtype=dtypes,
                         skipinitialspace=True, na_filter=False, skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{source}: not in the UCI Adult format ({exc})") from exc
    for col in ADULT_COLUMNS:
        if col not in NUMERIC_COLUMNS:
            df[col] = df[col].str.strip()
    df[LABEL_COLUMN] = df[LABEL_COLUMN].str.rstrip(".")
    bad = sorted(set(df[LABEL_COLUMN]) - set(LABELS))
    if bad:
        raise DataError(f"{source}: unexpected income labels {bad}; expected {list(LABELS)}")
    return df


class AdultFeatures(NamedTuple):
    """Encoded Adult data: float64 design matrices, ±1 float64 labels and the feature names (column order)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]


def _check_frame(name: str, df) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame from load_adult(), got {type(df).__name__}")
    missing = [c for c in ADULT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks the Adult columns {missing}; pass a DataFrame from load_adult()")
    bad = sorted(set(map(str, df[LABEL_COLUMN].unique())) - set(LABELS))
    if bad:
        raise ValueError(f"{name}['{LABEL_COLUMN}'] has labels {bad}; allowed: {list(LABELS)}")


def adult_features(train_df: pd.DataFrame, test_df: pd.DataFrame, *, scaling: str = "authors") -> AdultFeatures:
    """Encode Adult as in the authors' public code: 108 features, labels ±1.

    * the six :data:`NUMERIC_COLUMNS` come first, min-max scaled: with ``scaling="authors"`` (default) by the
      minimum and maximum over both frames together and rounded to :data:`DECIMALS` decimals (the authors' loader;
      it leaks the test set's range into the training inputs, see the module docstring); with ``"train"`` by the
      *training* minimum and maximum, unrounded (test values may then fall slightly outside [0, 1]). A constant
      column is mapped to 0;
    * then ``pd.get_dummies`` of the eight :data:`CATEGORICAL_COLUMNS` with names ``<column>_<category>``,
      categories sorted, '?' kept as a category. The test matrix uses exactly the training columns: a training
      category absent from the test set (native-country 'Holand-Netherlands') is an all-zero column, and a test
      category unseen in training would be dropped;
    * ``y`` is +1.0 for ``'>50K'`` and -1.0 for ``'<=50K'``.

    Returns an :class:`AdultFeatures` named tuple ``(X_train, y_train, X_test, y_test, feature_names)``.
    """
    _check_frame("train_df", train_df)
    _check_frame("test_df", test_df)
    check_choice("scaling", scaling, SCALINGS)

    def encode(df: pd.DataFrame) -> pd.DataFrame:
        features = df[list(NUMERIC_COLUMNS) + list(CATEGORICAL_COLUMNS)]
        return pd.get_dummies(features, columns=list(CATEGORICAL_COLUMNS), dtype=np.float64)

    enc_train = encode(train_df).astype(np.float64)
    enc_test = encode(test_df).reindex(columns=enc_train.columns, fill_value=0.0).astype(np.float64)

    numeric = list(NUMERIC_COLUMNS)
    basis = enc_train[numeric] if scaling == "train" else pd.concat([enc_train[numeric], enc_test[numeric]])
    low = basis.min()
    span = basis.max() - low
    span = span.where(span > 0, 1.0)
    enc_train[numeric] = (enc_train[numeric] - low) / span
    enc_test[numeric] = (enc_test[numeric] - low) / span
    if scaling == "authors":
        enc_train[numeric] = enc_train[numeric].round(DECIMALS)
        enc_test[numeric] = enc_test[numeric].round(DECIMALS)

    def labels(df: pd.DataFrame) -> np.ndarray:
        return np.where(df[LABEL_COLUMN].to_numpy() == POSITIVE_LABEL, 1.0, -1.0)

    return AdultFeatures(
        X_train=enc_train.to_numpy(dtype=np.float64),
        y_train=labels(train_df),
        X_test=enc_test.to_numpy(dtype=np.float64),
        y_test=labels(test_df),
        feature_names=[str(c) for c in enc_train.columns],
    )


def load_adult_features(data_dir=None, download: bool = False, *, scaling: str = "authors") -> AdultFeatures:
    """``adult_features(load_adult("train", ...), load_adult("test", ...), scaling=scaling)``: the 108-feature
    matrices (``scaling``: :data:`SCALINGS`)."""
    files.check_data_dir(data_dir)
    check_bool("download", download)
    check_choice("scaling", scaling, SCALINGS)
    return adult_features(load_adult("train", data_dir=data_dir, download=download),
                          load_adult("test", data_dir=data_dir, download=download), scaling=scaling)


#: Share of the training file held out for validation in Thorbjarnarson & Yorke-Smith's protocol.
VAL_FRACTION = 0.2


@lru_cache(maxsize=len(SCALINGS))
def _default_features(scaling: str) -> AdultFeatures:
    return load_adult_features(scaling=scaling)


def adult_split(N: int, random_state: int, *, val_fraction: float = VAL_FRACTION,
                features: AdultFeatures | None = None, scaling: str = "authors") -> Split:
    """The sampling of Thorbjarnarson & Yorke-Smith's Adult experiments (after the authors' code).

    The 32,561 training records are shuffled with ``numpy.random.default_rng(random_state)``; the first
    ``val_fraction`` (20 %, 6,512 records) are the validation hold-out and the ``N`` training samples are the
    first ``N`` of the rest, so for one ``random_state`` the sample of size 40 is contained in the one of size 80.
    The test set is the full ``adult.test`` (16,281 records). ``features`` defaults to
    ``load_adult_features(scaling=scaling)`` (loaded once per process and scaling; ``scaling`` is ignored when
    ``features`` is given). Labels are ±1.
    """
    check_positive_int("N", N)
    check_choice("scaling", scaling, SCALINGS)
    random_state = check_random_state(random_state, allow_none=False)
    check_number("val_fraction", val_fraction, low=0.0, high=1.0, high_open=True)
    d = _default_features(scaling) if features is None else features
    n = len(d.y_train)
    n_val = int(round(val_fraction * n))
    if N > n - n_val:
        raise ValueError(f"N={N} exceeds the {n - n_val} training records left after the validation hold-out")
    perm = np.random.default_rng(random_state).permutation(n)
    val, pool = perm[:n_val], perm[n_val:]
    tr = pool[:N]
    return Split(dataset="adult", random_state=random_state, X_train=d.X_train[tr], y_train=d.y_train[tr],
                 X_val=d.X_train[val], y_val=d.y_train[val], X_test=d.X_test, y_test=d.y_test)
