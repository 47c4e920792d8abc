"""MNIST: reading the original IDX files with numpy, pixel scaling and mean pooling.

MNIST files are never stored in the repository: they are read from ``$MIPNN_DATA_DIR/mnist/`` (or ``data_dir=``,
or the ``data/mnist/`` cache) or fetched with ``download=True``. See :mod:`mipnn.data` for the search order.

API::

    data = load_mnist("train")           # MnistData
    images, labels = load_mnist("test")  # MnistData also unpacks into (images, labels)
    x = scale_pixels(pool_mnist(data.images))   # (n, 7, 7) floats in [0, 1]
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..exceptions import ChecksumError, DataError
from ..validation import check_bool, check_choice, check_positive_int
from . import files

DATASET = "mnist"
IMAGE_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABEL_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
IMAGE_SIDE = 28

_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
EXPECTED_COUNTS = {"train": 60_000, "test": 10_000}


@dataclass(frozen=True, eq=False)
class MnistData:
    """One MNIST split.

    Attributes
    ----------
    images : uint8 array of shape (n, 28, 28), pixel values 0..255 (0 = background).
    labels : uint8 array of shape (n,), digits 0..9.
    split : ``"train"`` or ``"test"``.
    source : ``{"images": Path, "labels": Path}``, the files read.
    sha256 : ``{"images": str, "labels": str}``, SHA256 of their decompressed content (as verified).

    Iterating yields ``images, labels``, so ``images, labels = load_mnist()`` works.
    """

    images: np.ndarray
    labels: np.ndarray
    split: str
    source: dict = field(default_factory=dict)
    sha256: dict = field(default_factory=dict)

    def __iter__(self):
        return iter((self.images, self.labels))

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def load_mnist(split: str = "train", data_dir=None, download: bool = False) -> MnistData:
    """Load one MNIST split from the verified original IDX files.

    Parameters
    ----------
    split : ``"train"`` (60,000 images) or ``"test"`` (10,000 images).
    data_dir : optional folder with an ``mnist/`` subfolder, searched before ``$MIPNN_DATA_DIR`` and the cache.
    download : fetch missing files from the mirrors in ``checksums.json`` into the cache (or
        ``<data_dir>/mnist``). Default ``False``: never touch the network.

    Returns
    -------
    :class:`MnistData` (unpacks into ``images, labels``).

    Raises
    ------
    ValueError for bad arguments; DataNotFoundError if a file is nowhere; ChecksumError if a file is corrupt or
    truncated; DataError if the IDX content is malformed or images and labels disagree in number.
    """
    check_choice("split", split, tuple(_SPLIT_FILES))
    files.check_data_dir(data_dir)
    check_bool("download", download)
    image_name, label_name = _SPLIT_FILES[split]
    found_images = files.find_file(DATASET, files.file_spec(DATASET, image_name), data_dir=data_dir,
                                    download=download)
    found_labels = files.find_file(DATASET, files.file_spec(DATASET, label_name), data_dir=data_dir,
                                    download=download)
    images = parse_idx(found_images.content, kind="images", source=found_images.path)
    labels = parse_idx(found_labels.content, kind="labels", source=found_labels.path)
    if images.shape[0] != labels.shape[0] or images.shape[0] != EXPECTED_COUNTS[split]:
        raise DataError(f"MNIST {split}: {images.shape[0]} images in {found_images.path} and {labels.shape[0]} "
                        f"labels in {found_labels.path}; expected {EXPECTED_COUNTS[split]} of each")
    return MnistData(images=images, labels=labels, split=split,
                     source={"images": found_images.path, "labels": found_labels.path},
                     sha256={"images": found_images.sha256, "labels": found_labels.sha256})


def parse_idx(content: bytes, *, kind: str, source="<bytes>") -> np.ndarray:
    """Parse the bytes of an MNIST IDX file (already decompressed).

    ``kind="images"`` expects magic 2051 and dimensions (n, 28, 28) and returns a uint8 array of that shape;
    ``kind="labels"`` expects magic 2049 and returns a uint8 array of shape (n,) with values 0..9. Raises
    :class:`DataError` (naming ``source``) on a wrong magic number, wrong image size, a byte length that does not
    match the header, or a label outside 0..9. The result is a writable copy.
    """
    check_choice("kind", kind, ("images", "labels"))
    magic, ndim = (IMAGE_MAGIC, 3) if kind == "images" else (LABEL_MAGIC, 1)
    header_len = 4 + 4 * ndim
    if len(content) < header_len:
        raise DataError(f"{source}: {len(content)} bytes is too short for an IDX {kind} header "
                        f"({header_len} bytes)")
    header = np.frombuffer(content, dtype=">u4", count=1 + ndim)
    if int(header[0]) != magic:
        raise DataError(f"{source}: IDX magic number is {int(header[0])}, expected {magic} for MNIST {kind}; "
                        f"this is not an MNIST {kind} file")
    dims = tuple(int(d) for d in header[1:])
    if kind == "images" and dims[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise DataError(f"{source}: images are {dims[1]}x{dims[2]}, expected {IMAGE_SIDE}x{IMAGE_SIDE}")
    expected_len = header_len + int(np.prod(dims, dtype=np.int64))
    if len(content) != expected_len:
        raise DataError(f"{source}: {len(content):,} bytes, but the IDX header (dimensions {dims}) implies "
                        f"{expected_len:,}; the file is truncated or has trailing data")
    array = np.frombuffer(content, dtype=np.uint8, offset=header_len).reshape(dims).copy()
    if kind == "labels" and array.size and int(array.max()) > 9:
        raise DataError(f"{source}: label {int(array.max())} is not a digit 0..9")
    return array


def read_idx(path, *, kind: str, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (plain, or gzip if the name ends in ``.gz``) and parse it with :func:`parse_idx`.

    If ``sha256`` is given, the decompressed content must have that SHA256 (else :class:`ChecksumError`).
    A truncated or unreadable gzip file raises :class:`ChecksumError` as well.
    """
    check_choice("kind", kind, ("images", "labels"))
    path = Path(path)
    if sha256 is not None:
        content = files.read_verified(path, files.FileSpec(name=path.name.removesuffix(".gz"),
                                                             sha256=sha256)).content
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"Cannot read {path}: {exc}") from exc
        if path.name.endswith(".gz"):
            try:
                content = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as exc:
                raise ChecksumError(f"Cannot decompress {path}: {exc}; the gzip file is truncated or "
                                    f"corrupt. Replace it with a verified copy.") from exc
        else:
            content = raw
    return parse_idx(content, kind=kind, source=path)


def scale_pixels(images, dtype=np.float64) -> np.ndarray:
    """Map pixel values 0..255 to [0, 1]: ``images / 255`` as a new float array of ``dtype`` (default float64).

    Works on raw uint8 images and on pooled images (pooling is a mean, so it commutes with this scaling).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype={dtype!r} must be a floating-point dtype, e.g. numpy.float64 or numpy.float32")
    return np.asarray(images, dtype=dtype) / dtype.type(255)


def pool_mnist(images, size: int = 4) -> np.ndarray:
    """Mean-pool non-overlapping ``size`` x ``size`` blocks: (n, 28, 28) -> (n, 28/size, 28/size).

    With the default ``size=4`` this is the 28x28 -> 7x7 average pooling of Goebbels (2021). Accepts any array
    whose last two dimensions are divisible by ``size`` (a single (28, 28) image too) and returns float64 values
    on the input's scale (apply :func:`scale_pixels` before or after for [0, 1]).
    """
    check_positive_int("size", size)
    arr = np.asarray(images)
    if arr.ndim < 2:
        raise ValueError(f"images must have at least 2 dimensions (..., height, width), got shape {arr.shape}")
    height, width = arr.shape[-2:]
    if height % size or width % size:
        raise ValueError(f"size={size} must divide the image height and width ({height}x{width}); for MNIST "
                         f"choose one of 1, 2, 4, 7, 14, 28")
    lead = arr.shape[:-2]
    blocks = arr.reshape(*lead, height // size, size, width // size, size)
    return blocks.mean(axis=(-3, -1), dtype=np.float64)
