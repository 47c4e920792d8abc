"""`make data` (mipnn.data.ensure): every dataset file in place, or one message at once, before any notebook runs."""

import gzip
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mipnn.data import ensure, files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty(monkeypatch, tmp_path):
    """No MIPNN_DATA_DIR and an empty cache."""
    monkeypatch.delenv("MIPNN_DATA_DIR", raising=False)
    monkeypatch.delenv("MIPNN_DATA_DIR_ORIGIN", raising=False)
    monkeypatch.delenv(ensure.NO_DOWNLOAD_VAR, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setattr(files, "default_cache_root", lambda: cache)
    return cache


def test_required_files_are_the_checksum_table():
    assert set(ensure.required_files()) >= {("adult", "adult.data"), ("adult", "adult.test"),
                                             ("mnist", "train-images-idx3-ubyte"), ("mnist", "t10k-labels-idx1-ubyte")}


def test_empty_dir_without_downloads_fails_at_once_with_one_message(empty, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(files, "fetch_url", lambda url: pytest.fail("touched the network"))
    start = time.perf_counter()
    assert ensure.main(["--data-dir", str(tmp_path / "none"), "--no-download"]) == 1
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    for _, name in ensure.required_files():
        assert name in err
    assert err.count("make data:") == 1 and "downloads are disabled" in err
    assert "three ways" in err and "MIPNN_DATA_DIR" in err and "make data" in err and "internet" in err
    assert str(tmp_path / "none" / "mnist") in err and "MIPNN_DATA_DIR is not set" in err
    assert "https://" in err  # the mirrors a download would use


def test_no_network_fails_within_seconds(empty, monkeypatch, capsys):
    monkeypatch.setattr(ensure, "_reachable", lambda url: f"cannot reach {url.split('/')[2]}:443 (gaierror)")
    monkeypatch.setattr(files, "fetch_url", lambda url: pytest.fail("fetched although the host is unreachable"))
    assert ensure.main([]) == 1
    err = capsys.readouterr().err
    assert "Downloads failed: cannot reach" in err and "three ways" in err


def test_environment_variable_disables_downloads(empty, monkeypatch):
    monkeypatch.setenv(ensure.NO_DOWNLOAD_VAR, "1")
    monkeypatch.setattr(files, "fetch_url", lambda url: pytest.fail("touched the network"))
    report = ensure.ensure_data()
    assert not report.ok and "disabled" in report.download_note


def test_message_says_the_makefile_chose_the_folder(empty, monkeypatch, tmp_path):
    monkeypatch.setenv("MIPNN_DATA_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv(files.ORIGIN_VAR, "set by the Makefile: the datasets folder found beside the checkout")
    report = ensure.ensure_data(download=False)
    assert "set by the Makefile" in ensure.missing_message(report)
    monkeypatch.delenv(files.ORIGIN_VAR)
    assert "set in your environment" in ensure.missing_message(report)
    # the loaders' own message says the same
    with pytest.raises(files.DataNotFoundError, match="set in your environment"):
        files.find_file("mnist", files.file_spec("mnist", "t10k-labels-idx1-ubyte"))


def test_downloads_verified_files_and_then_succeeds(empty, monkeypatch, capsys):
    good = b"tiny dataset file\n"
    table = {"datasets": {"tiny": {"files": {"a.bin": {
        "sha256": hashlib.sha256(good).hexdigest(), "size": len(good),
        "urls": ["https://bad.invalid/a.bin.gz", "https://good.invalid/a.bin.gz"]}}}}}
    monkeypatch.setattr(files, "_checksum_table", lambda: table)
    monkeypatch.setattr(ensure, "_reachable", lambda url: "")
    monkeypatch.setattr(files, "fetch_url", lambda url: gzip.compress(b"tampered" if "bad" in url else good))
    assert ensure.main([]) == 0
    assert "1 downloaded" in capsys.readouterr().out
    assert gzip.decompress((empty / "tiny" / "a.bin.gz").read_bytes()) == good
    monkeypatch.setattr(files, "fetch_url", lambda url: pytest.fail("fetched although the file exists"))
    assert ensure.ensure_data().ok


def test_corrupt_file_is_reported(empty, monkeypatch):
    table = {"datasets": {"tiny": {"files": {"a.bin": {"sha256": "0" * 64, "urls": []}}}}}
    monkeypatch.setattr(files, "_checksum_table", lambda: table)
    (empty / "tiny").mkdir(parents=True)
    (empty / "tiny" / "a.bin").write_bytes(b"x")
    report = ensure.ensure_data(download=False)
    assert not report.ok and "Checksum mismatch" in ensure.missing_message(report)


def test_command_line_entry_point_fails_fast(tmp_path):
    """The entry point `make data` runs, as a process: empty data dir, downloads off -> exit 1 within seconds."""
    if any((ROOT / "data" / "mnist").glob("*")):
        pytest.skip("data/mnist/ of this checkout holds files, so nothing would be missing")
    env = {k: v for k, v in os.environ.items() if k not in ("MIPNN_DATA_DIR", "MIPNN_DATA_DIR_ORIGIN")}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mipnn.data.ensure", "--data-dir", str(tmp_path), "--no-download"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1 and time.perf_counter() - start < 20
    assert "three ways" in proc.stderr and "t10k-images-idx3-ubyte" in proc.stderr


def test_make_runs_data_before_any_notebook():
    out = subprocess.run(["make", "-n", "reproduce", "PROFILE=no_such_profile_for_test"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60).stdout.splitlines()
    data = [i for i, line in enumerate(out) if "mipnn.data.ensure" in line]
    notebooks = [i for i, line in enumerate(out) if "papermill" in line]
    assert data and notebooks and data[0] < notebooks[0]
    out = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "mipnn.data.ensure" in out and out.index("mipnn.data.ensure") < out.index("--nbval")
