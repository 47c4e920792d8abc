"""Dataset loaders for UCI Adult and MNIST. Importing this package never touches the network.

Where files are looked for (first hit wins; ``<name>`` or ``<name>.gz`` in each folder):

1. ``<data_dir>/<dataset>/`` if a loader is called with ``data_dir=``;
2. ``$MIPNN_DATA_DIR/<dataset>/`` (e.g. ``MIPNN_DATA_DIR=/work/shared/datasets``);
3. the repository cache ``data/<dataset>/`` (Adult is vendored there; MNIST never is). Outside a source
   checkout the cache is ``$XDG_CACHE_HOME/mipnn/<dataset>/``.

Every file is verified by the SHA256 of its decompressed content (``checksums.json`` in this package). A corrupt
or truncated file raises :class:`mipnn.exceptions.ChecksumError`; a missing one
:class:`mipnn.exceptions.DataNotFoundError`, listing where it looked and how to supply the file. Loaders download
only when called with ``download=True`` (into ``<data_dir>/<dataset>/`` or the cache, verified before keeping).

Public API::

    load_adult(split="train", data_dir=None, download=False) -> pandas.DataFrame
    adult_features(train_df, test_df) -> AdultFeatures(X_train, y_train, X_test, y_test, feature_names)
    load_adult_features(data_dir=None, download=False) -> AdultFeatures
    load_mnist(split="train", data_dir=None, download=False) -> MnistData(images, labels, split, source, sha256)
    pool_mnist(images, size=4) -> float64 array (..., 28/size, 28/size)
    scale_pixels(images, dtype=numpy.float64) -> images / 255
    parse_idx(content, kind=...), read_idx(path, kind=..., sha256=None) -> numpy array
"""

from .adult import (
    ADULT_COLUMNS,
    CATEGORICAL_COLUMNS,
    NUMERIC_COLUMNS,
    AdultFeatures,
    adult_features,
    load_adult,
    load_adult_features,
)
from .mnist import MnistData, load_mnist, parse_idx, pool_mnist, read_idx, scale_pixels
from ._files import ENV_VAR, FileSpec, file_spec

__all__ = [
    "ADULT_COLUMNS",
    "CATEGORICAL_COLUMNS",
    "NUMERIC_COLUMNS",
    "AdultFeatures",
    "adult_features",
    "load_adult",
    "load_adult_features",
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
