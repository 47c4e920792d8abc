"""Tests of mipnn.data: Adult and MNIST loaders, checksum verification and the (offline) download path.

MNIST tests read the real files from $MIPNN_DATA_DIR/mnist and are skipped when that is unavailable. Adult tests
always run (Adult is vendored in data/adult). No test touches the network: ``fetch_url`` is replaced by a guard
for every test, and by fakes in the download tests.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mipnn
from mipnn.data import (
    ADULT_COLUMNS,
    MnistData,
    adult_features,
    files,
    load_adult,
    load_mnist,
    parse_idx,
    pool_mnist,
    read_idx,
    scale_pixels,
)
from mipnn.data.files import FileSpec
from mipnn.exceptions import ChecksumError, DataError, DataNotFoundError

REPO_DATA = Path(mipnn.__file__).resolve().parents[2] / "data"

ADULT_SHA = {
    "adult.data": "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
    "adult.test": "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
    "adult.names": "c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a",
}
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mnist_root() -> Path | None:
    value = os.environ.get("MIPNN_DATA_DIR", "").strip()
    if value and (Path(value) / "mnist").is_dir():
        return Path(value)
    return None


MNIST_ROOT = mnist_root()  # read once, before any test fiddles with the environment
needs_mnist = pytest.mark.skipif(
    MNIST_ROOT is None,
    reason="MNIST files not available: set MIPNN_DATA_DIR to a folder with an mnist/ subfolder "
           "(see data/README.md) to run the MNIST tests",
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to fetch a URL fails the test."""
    def guard(url):
        raise AssertionError(f"test tried to access the network: {url}")

    monkeypatch.setattr(files, "fetch_url", guard)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No MIPNN_DATA_DIR and an empty cache: only what a test writes (or passes as data_dir) exists."""
    monkeypatch.delenv("MIPNN_DATA_DIR", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setattr(files, "default_cache_root", lambda: cache)
    return cache


# ------------------------------------------------------------------------------------------------------- Adult

@pytest.fixture(scope="module")
def adult():
    return load_adult("train"), load_adult("test")


def test_adult_shapes_and_columns(adult):
    train, test = adult
    assert train.shape == (32_561, 15) and test.shape == (16_281, 15)
    assert list(train.columns) == list(ADULT_COLUMNS) == list(test.columns)
    # the first record is data, not a header
    assert train.iloc[0][["age", "workclass", "fnlwgt"]].tolist() == [39, "State-gov", 77516]
    assert test.iloc[0][["age", "workclass", "fnlwgt"]].tolist() == [25, "Private", 226802]
    for df in (train, test):
        assert set(df["income"]) == {"<=50K", ">50K"}
        for col in ("workclass", "native-country", "income"):
            assert not df[col].str.contains(r"^\s|\s$").any()
        assert "?" in set(df["workclass"])
    assert train["income"].value_counts().to_dict() == {"<=50K": 24_720, ">50K": 7_841}
    assert test["income"].value_counts().to_dict() == {"<=50K": 12_435, ">50K": 3_846}


def test_adult_attrs(adult):
    train, test = adult
    assert train.attrs["sha256"] == ADULT_SHA["adult.data"]
    assert test.attrs["sha256"] == ADULT_SHA["adult.test"]
    assert Path(train.attrs["source"]).name in ("adult.data", "adult.data.gz")
    assert test.attrs["split"] == "test"


def test_adult_features_108(adult):
    X_train, y_train, X_test, y_test, names = adult_features(*adult)
    assert X_train.shape == (32_561, 108) and X_test.shape == (16_281, 108)
    assert len(names) == 108 == len(set(names))
    assert X_train.dtype == X_test.dtype == np.float64
    assert names[:6] == ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    assert {"workclass_?", "occupation_?", "native-country_?", "sex_Male"} <= set(names)
    # scaled (by default) with the min/max of train and test together, as the authors' loader
    joint = np.vstack([X_train[:, :6], X_test[:, :6]])
    assert np.allclose(joint.min(axis=0), 0) and np.allclose(joint.max(axis=0), 1)
    # or with the training min/max alone
    X_tr = adult_features(*adult, scaling="train").X_train
    assert np.allclose(X_tr[:, :6].min(axis=0), 0) and np.allclose(X_tr[:, :6].max(axis=0), 1)
    # exactly one category per categorical column is hot
    assert np.all(X_train[:, 6:].sum(axis=1) == 8) and np.all(X_test[:, 6:].sum(axis=1) == 8)
    # the test set lacks Holand-Netherlands: the column exists and is all zero there
    holand = names.index("native-country_Holand-Netherlands")
    assert X_test[:, holand].sum() == 0 and X_train[:, holand].sum() == 1
    assert set(np.unique(y_train)) == {-1.0, 1.0} and set(np.unique(y_test)) == {-1.0, 1.0}
    assert (y_train == 1).sum() == 7_841 and (y_test == 1).sum() == 3_846


def test_adult_features_rejects_bad_input(adult):
    with pytest.raises(ValueError, match="train_df"):
        adult_features(np.zeros((3, 15)), adult[1])
    with pytest.raises(ValueError, match="test_df.*income"):
        adult_features(adult[0], adult[1].drop(columns="income"))


def test_adult_vendored_copy_is_used_without_env(monkeypatch):
    monkeypatch.delenv("MIPNN_DATA_DIR", raising=False)
    df = load_adult("test")
    assert Path(df.attrs["source"]) == REPO_DATA / "adult" / "adult.test.gz"
    assert len(df) == 16_281
    for name, digest in ADULT_SHA.items():
        assert sha(gzip.decompress((REPO_DATA / "adult" / f"{name}.gz").read_bytes())) == digest


def test_data_dir_takes_precedence(isolated, tmp_path):
    root = tmp_path / "mine"
    (root / "adult").mkdir(parents=True)
    content = gzip.decompress((REPO_DATA / "adult" / "adult.test.gz").read_bytes())
    (root / "adult" / "adult.test").write_bytes(content)  # plain, not gzip
    df = load_adult("test", data_dir=str(root))
    assert Path(df.attrs["source"]) == root / "adult" / "adult.test"


def test_corrupt_adult_file_shadows_and_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("MIPNN_DATA_DIR", str(tmp_path))
    (tmp_path / "adult").mkdir()
    bad = tmp_path / "adult" / "adult.data"
    bad.write_text("39, State-gov, 77516\n")
    with pytest.raises(ChecksumError) as info:
        load_adult("train")
    msg = str(info.value)
    assert str(bad) in msg and ADULT_SHA["adult.data"] in msg and sha(bad.read_bytes()) in msg
    assert "download=True" in msg


# ------------------------------------------------------------------------------------------------------- MNIST

@pytest.fixture(scope="module")
def mnist_train():
    return load_mnist("train")


@needs_mnist
def test_mnist_train(mnist_train):
    data = mnist_train
    assert isinstance(data, MnistData) and data.split == "train" and len(data) == 60_000
    assert data.images.shape == (60_000, 28, 28) and data.images.dtype == np.uint8
    assert data.labels.shape == (60_000,) and data.labels.dtype == np.uint8
    assert np.bincount(data.labels, minlength=10).tolist() == MNIST_TRAIN_COUNTS
    pixels = scale_pixels(data.images)
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert pixels.mean() == pytest.approx(0.130660, abs=1e-6)
    assert pixels.std() == pytest.approx(0.308108, abs=1e-6)
    assert data.sha256["images"] == files.file_spec("mnist", "train-images-idx3-ubyte").sha256
    assert data.source["labels"].name.startswith("train-labels-idx1-ubyte")


@needs_mnist
def test_mnist_pooling(mnist_train):
    pooled = pool_mnist(mnist_train.images)
    assert pooled.shape == (60_000, 7, 7) and pooled.dtype == np.float64
    assert scale_pixels(pooled).mean() == pytest.approx(0.130660, abs=1e-6)
    block = mnist_train.images[0, 8:12, 12:16].astype(float).mean()
    assert pooled[0, 2, 3] == pytest.approx(block)


@needs_mnist
def test_mnist_test_split_unpacks():
    images, labels = load_mnist("test", data_dir=MNIST_ROOT)
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)
    assert np.bincount(labels, minlength=10).tolist() == MNIST_TEST_COUNTS


def test_pool_and_scale_small():
    images = np.arange(2 * 28 * 28, dtype=np.uint16).reshape(2, 28, 28)
    pooled = pool_mnist(images)
    assert pooled.shape == (2, 7, 7)
    assert pooled[1, 0, 0] == pytest.approx(images[1, :4, :4].mean())
    assert pool_mnist(images[0], size=7).shape == (4, 4)
    assert pool_mnist(images, size=1).shape == (2, 28, 28)
    with pytest.raises(ValueError, match="size"):
        pool_mnist(images, size=3)
    with pytest.raises(ValueError, match="size"):
        pool_mnist(images, size=0)
    scaled = scale_pixels(np.array([0, 51, 255], dtype=np.uint8))
    assert scaled.tolist() == [0.0, 0.2, 1.0]
    assert scale_pixels(np.array([255], dtype=np.uint8), dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="dtype"):
        scale_pixels(np.zeros(3), dtype=np.int32)


def idx_images(n=2, rows=28, cols=28, magic=2051) -> bytes:
    header = np.array([magic, n, rows, cols], dtype=">u4").tobytes()
    return header + (np.arange(n * rows * cols) % 256).astype(np.uint8).tobytes()


def idx_labels(values, magic=2049) -> bytes:
    return np.array([magic, len(values)], dtype=">u4").tobytes() + bytes(values)


def test_parse_idx_good_and_bad():
    images = parse_idx(idx_images(), kind="images")
    assert images.shape == (2, 28, 28) and images.dtype == np.uint8 and images.flags.writeable
    assert parse_idx(idx_labels([3, 1, 4]), kind="labels").tolist() == [3, 1, 4]
    with pytest.raises(DataError, match="magic number is 2049, expected 2051"):
        parse_idx(idx_images(magic=2049), kind="images")
    with pytest.raises(DataError, match="magic"):
        parse_idx(idx_labels([1], magic=2051), kind="labels")
    with pytest.raises(DataError, match="truncated"):
        parse_idx(idx_images()[:-1], kind="images")
    with pytest.raises(DataError, match="truncated or has trailing data"):
        parse_idx(idx_labels([1, 2]) + b"\0", kind="labels")
    with pytest.raises(DataError, match="27x28"):
        parse_idx(idx_images(rows=27), kind="images")
    with pytest.raises(DataError, match="not a digit"):
        parse_idx(idx_labels([1, 12]), kind="labels")
    with pytest.raises(DataError, match="too short"):
        parse_idx(b"\0\0\x08", kind="images")
    with pytest.raises(ValueError, match="kind"):
        parse_idx(idx_labels([1]), kind="label")


def test_read_idx_file_with_bad_magic(tmp_path):
    content = idx_images(magic=1234)
    path = tmp_path / "bad-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(content, mtime=0))
    with pytest.raises(DataError, match=r"magic number is 1234.*not an MNIST images file"):
        read_idx(path, kind="images", sha256=sha(content))  # checksum passes, parsing fails
    good = tmp_path / "good-labels-idx1-ubyte"
    good.write_bytes(idx_labels([7, 0]))
    assert read_idx(good, kind="labels").tolist() == [7, 0]
    with pytest.raises(ChecksumError):
        read_idx(good, kind="labels", sha256="0" * 64)


# --------------------------------------------------------------------------------------- locating and verifying

def test_missing_file_lists_places_and_checksum(isolated, tmp_path):
    root = tmp_path / "root"
    spec = FileSpec(name="tiny.bin", sha256=sha(b"tiny"), size=4, urls=("https://example.invalid/tiny.bin.gz",))
    with pytest.raises(DataNotFoundError) as info:
        files.find_file("mnist", spec, data_dir=root)
    msg = str(info.value)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, DataError)
    for path in (root / "mnist" / "tiny.bin", root / "mnist" / "tiny.bin.gz",
                 isolated / "mnist" / "tiny.bin", isolated / "mnist" / "tiny.bin.gz"):
        assert str(path) in msg
    assert spec.sha256 in msg and "MIPNN_DATA_DIR" in msg and "download=True" in msg
    assert "https://example.invalid/tiny.bin.gz" in msg


def test_missing_mnist_via_loader(isolated, monkeypatch, tmp_path):
    env_root = tmp_path / "env"
    monkeypatch.setenv("MIPNN_DATA_DIR", str(env_root))
    with pytest.raises(DataNotFoundError) as info:
        load_mnist("test")
    msg = str(info.value)
    assert str(env_root / "mnist" / "t10k-images-idx3-ubyte.gz") in msg
    assert str(isolated / "mnist" / "t10k-images-idx3-ubyte") in msg
    assert files.file_spec("mnist", "t10k-images-idx3-ubyte").sha256 in msg
    assert "MIPNN_DATA_DIR is set to" in msg


def test_wrong_checksum(isolated, tmp_path):
    folder = tmp_path / "root" / "mnist"
    folder.mkdir(parents=True)
    (folder / "tiny.bin.gz").write_bytes(gzip.compress(b"other content", mtime=0))
    spec = FileSpec(name="tiny.bin", sha256=sha(b"tiny"))
    with pytest.raises(ChecksumError) as info:
        files.find_file("mnist", spec, data_dir=tmp_path / "root")
    err = info.value
    assert err.path == folder / "tiny.bin.gz" and err.expected == spec.sha256 and err.actual == sha(b"other content")
    msg = str(err)
    assert str(folder / "tiny.bin.gz") in msg and spec.sha256 in msg and sha(b"other content") in msg
    assert "To fix it" in msg


def test_plain_and_gz_files_verify(isolated, tmp_path):
    folder = tmp_path / "root" / "adult"
    folder.mkdir(parents=True)
    spec = FileSpec(name="tiny.csv", sha256=sha(b"1,2\n"))
    (folder / "tiny.csv.gz").write_bytes(gzip.compress(b"1,2\n", mtime=0))
    found = files.find_file("adult", spec, data_dir=tmp_path / "root")
    assert found.path.name == "tiny.csv.gz" and found.content == b"1,2\n" and found.sha256 == spec.sha256
    (folder / "tiny.csv").write_bytes(b"1,2\n")  # the plain name is preferred within a folder
    assert files.find_file("adult", spec, data_dir=tmp_path / "root").path.name == "tiny.csv"


def test_truncated_gzip(isolated, tmp_path):
    folder = tmp_path / "root" / "mnist"
    folder.mkdir(parents=True)
    content = idx_labels([1, 2, 3] * 100)
    (folder / "tiny.bin.gz").write_bytes(gzip.compress(content, mtime=0)[:-12])
    with pytest.raises(ChecksumError, match="truncated or corrupt") as info:
        files.find_file("mnist", FileSpec(name="tiny.bin", sha256=sha(content)), data_dir=tmp_path / "root")
    assert sha(content) in str(info.value) and str(folder / "tiny.bin.gz") in str(info.value)
    # the same through the loader: a truncated MNIST file in data_dir
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(content, mtime=0)[:30])
    (folder / "t10k-images-idx3-ubyte").write_bytes(idx_images())
    with pytest.raises(ChecksumError):
        load_mnist("test", data_dir=tmp_path / "root")


def test_parameter_validation():
    with pytest.raises(ValueError, match=r"split='val'.*'train', 'test'"):
        load_adult("val")
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation")
    with pytest.raises(ValueError, match="download"):
        load_mnist("test", download="yes")
    with pytest.raises(ValueError, match="data_dir"):
        load_adult("train", data_dir=42)
    with pytest.raises(ValueError, match="data_dir"):
        load_mnist("train", data_dir="")
    with pytest.raises(ValueError, match="dataset"):
        files.file_spec("cifar", "x")


# ----------------------------------------------------------------------------------------------------- download

def test_download_keeps_verified_bytes_and_skips_bad_mirror(isolated, monkeypatch):
    good = idx_labels([5, 0, 4, 1])
    spec = FileSpec(name="tiny-labels", sha256=sha(good), urls=("https://a.invalid/x.gz", "https://b.invalid/x.gz"))
    calls = []

    def fake_fetch(url):
        calls.append(url)
        return gzip.compress(b"wrong bytes") if "a.invalid" in url else gzip.compress(good)

    monkeypatch.setattr(files, "fetch_url", fake_fetch)
    found = files.find_file("mnist", spec, download=True)
    assert calls == list(spec.urls)
    assert found.path == isolated / "mnist" / "tiny-labels.gz" and found.content == good
    assert gzip.decompress(found.path.read_bytes()) == good
    assert sorted(p.name for p in (isolated / "mnist").iterdir()) == ["tiny-labels.gz"]
    # now found locally: no fetch
    monkeypatch.setattr(files, "fetch_url", lambda url: pytest.fail("fetched although the file exists"))
    assert files.find_file("mnist", spec, download=True).content == good


def test_download_rejects_bad_bytes(isolated, monkeypatch):
    spec = FileSpec(name="tiny", sha256=sha(b"expected"), urls=("https://a.invalid/tiny", "https://b.invalid/tiny"))

    def fake_fetch(url):
        if "a.invalid" in url:
            raise OSError("connection refused")
        return b"tampered"

    monkeypatch.setattr(files, "fetch_url", fake_fetch)
    with pytest.raises(DataNotFoundError) as info:
        files.find_file("adult", spec, download=True)
    msg = str(info.value)
    assert "connection refused" in msg and "checksum mismatch" in msg and sha(b"tampered") in msg
    folder = isolated / "adult"
    assert not folder.exists() or not any(folder.iterdir())


def test_download_not_attempted_by_default(isolated):
    spec = FileSpec(name="tiny", sha256=sha(b"x"), urls=("https://a.invalid/tiny",))
    with pytest.raises(DataNotFoundError):  # the autouse guard would fail the test on any fetch
        files.find_file("adult", spec)


def test_load_adult_download_end_to_end(isolated, monkeypatch):
    content = gzip.decompress((REPO_DATA / "adult" / "adult.test.gz").read_bytes())
    urls = []

    def fake_fetch(url):
        urls.append(url)
        assert url == "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/adult.test"
        return content  # UCI serves the plain file; it is stored gzip-compressed

    monkeypatch.setattr(files, "fetch_url", fake_fetch)
    df = load_adult("test", download=True)
    saved = isolated / "adult" / "adult.test.gz"
    assert len(df) == 16_281 and Path(df.attrs["source"]) == saved and len(urls) == 1
    assert gzip.decompress(saved.read_bytes()) == content


def test_mnist_download_into_data_dir(isolated, monkeypatch, tmp_path):
    """load_mnist(download=True) saves into <data_dir>/mnist; checksums are those of checksums.json."""
    target_root = tmp_path / "dl"
    fetched = []

    def fake_fetch(url):
        fetched.append(url)
        raise OSError("offline")

    monkeypatch.setattr(files, "fetch_url", fake_fetch)
    with pytest.raises(DataNotFoundError, match="offline"):
        load_mnist("test", data_dir=target_root, download=True)
    assert fetched == list(files.file_spec("mnist", "t10k-images-idx3-ubyte").urls)
    assert all(u.startswith(("https://ossci-datasets.s3.amazonaws.com/mnist/",
                             "https://storage.googleapis.com/cvdf-datasets/mnist/")) for u in fetched)


@needs_mnist
def test_mnist_download_real_bytes(isolated, monkeypatch, tmp_path):
    source = MNIST_ROOT / "mnist"

    def fake_fetch(url):
        return (source / url.rsplit("/", 1)[1]).read_bytes()

    monkeypatch.setattr(files, "fetch_url", fake_fetch)
    images, labels = load_mnist("test", data_dir=tmp_path / "dl", download=True)
    assert images.shape == (10_000, 28, 28)
    assert np.bincount(labels, minlength=10).tolist() == MNIST_TEST_COUNTS
    assert (tmp_path / "dl" / "mnist" / "t10k-images-idx3-ubyte.gz").is_file()


# ------------------------------------------------------------------------------------------------------- import

def test_import_does_not_touch_network(tmp_path):
    code = (
        "import socket\n"
        "def boom(*a, **k): raise RuntimeError('network used at import')\n"
        "socket.socket = boom; socket.create_connection = boom; socket.getaddrinfo = boom\n"
        "import mipnn.data, mipnn.data.adult, mipnn.data.mnist\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(mipnn.__file__).resolve().parents[1]))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_checksum_table_matches_readme_values():
    for name, digest in ADULT_SHA.items():
        assert files.file_spec("adult", name).sha256 == digest
    spec = files.file_spec("mnist", "train-images-idx3-ubyte")
    assert spec.size == 47_040_016 and len(spec.urls) == 2
