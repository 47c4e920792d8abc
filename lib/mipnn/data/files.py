"""Locate, verify and (only on request) download dataset files.

Every dataset file is identified by its name (``"adult.data"``, ``"train-images-idx3-ubyte"``) and the SHA256 of
its *decompressed* content, recorded in ``checksums.json`` next to this module. A file may be stored plain or
gzip-compressed (``<name>.gz``); either way the decompressed bytes are hashed, so re-compressing a file never
breaks verification.

Search order for ``<name>`` of dataset ``<dataset>`` (the first hit wins, ``<name>`` before ``<name>.gz`` in each
folder):

1. ``<data_dir>/<dataset>/`` when the caller passes ``data_dir=``;
2. ``$MIPNN_DATA_DIR/<dataset>/`` when that environment variable is set and non-empty;
3. the cache ``<repo>/data/<dataset>/`` (``<repo>`` is the folder holding ``lib/mipnn``); when mipnn is installed
   outside a checkout, ``$XDG_CACHE_HOME/mipnn/<dataset>/`` (default ``~/.cache/mipnn/<dataset>/``).

``data_dir`` and ``MIPNN_DATA_DIR`` both name a *root* folder with one subfolder per dataset (``adult/``,
``mnist/``). A file that is found but fails verification raises :class:`~mipnn.exceptions.ChecksumError`
immediately (it would shadow any later copy); nothing is searched past it.

Nothing here touches the network unless a caller passes ``download=True``. Downloads go through the module-level
function :func:`fetch_url`, the single place that opens URLs (tests replace it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..exceptions import ChecksumError, DataError, DataNotFoundError
from ..validation import check_bool

ENV_VAR = "MIPNN_DATA_DIR"
#: Who set ``MIPNN_DATA_DIR`` when not the user (the Makefile sets it, and says so here, so that messages can tell).
ORIGIN_VAR = "MIPNN_DATA_DIR_ORIGIN"
_CHECKSUMS_FILE = Path(__file__).with_name("checksums.json")
_FETCH_TIMEOUT_S = 60.0
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FileSpec:
    """What a dataset file must be: its name, SHA256 and size of the decompressed content, and where to get it."""

    name: str
    sha256: str
    size: int | None = None
    source: str = ""
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifiedFile:
    """A file whose decompressed content matched its expected SHA256."""

    path: Path
    sha256: str
    content: bytes


# ----------------------------------------------------------------------------------------------- checksum table

@lru_cache(maxsize=1)
def _checksum_table() -> dict:
    with open(_CHECKSUMS_FILE, encoding="utf-8") as f:
        return json.load(f)


def datasets() -> tuple[str, ...]:
    """Names of the datasets listed in ``checksums.json``."""
    return tuple(_checksum_table()["datasets"])


def file_spec(dataset: str, name: str) -> FileSpec:
    """The :class:`FileSpec` recorded in ``checksums.json`` for file ``name`` of ``dataset``."""
    table = _checksum_table()["datasets"]
    if dataset not in table:
        raise ValueError(f"dataset={dataset!r} is not known; choose one of {', '.join(map(repr, table))}")
    files = table[dataset]["files"]
    if name not in files:
        raise ValueError(f"name={name!r} is not a file of dataset {dataset!r}; choose one of "
                         f"{', '.join(map(repr, files))}")
    entry = files[name]
    return FileSpec(name=name, sha256=entry["sha256"], size=entry.get("size"), source=entry.get("source", ""),
                    urls=tuple(entry.get("urls", ())))


# ---------------------------------------------------------------------------------------------- parameter checks

def check_data_dir(data_dir) -> Path | None:
    """Check the ``data_dir`` argument (``None``, a ``str`` or a path) and return it as a ``Path``."""
    if data_dir is None:
        return None
    if isinstance(data_dir, (str, os.PathLike)) and str(os.fspath(data_dir)).strip():
        return Path(os.fspath(data_dir)).expanduser()
    raise ValueError(f"data_dir={data_dir!r} must be None or a non-empty path (str or os.PathLike) to a folder "
                     f"holding one subfolder per dataset, like ${ENV_VAR}")


# ------------------------------------------------------------------------------------------------------ folders

def default_cache_root() -> Path:
    """Root of the writable data cache: ``<repo>/data`` in a checkout, else ``$XDG_CACHE_HOME/mipnn``."""
    from ..paths import REPO_ROOT, in_checkout

    if in_checkout():
        return REPO_ROOT / "data"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "mipnn"


def env_data_root() -> Path | None:
    """The folder named by ``$MIPNN_DATA_DIR``, or ``None`` if the variable is unset or empty."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def env_origin() -> str:
    """Where ``$MIPNN_DATA_DIR`` came from: ``$MIPNN_DATA_DIR_ORIGIN`` (e.g. "set by the Makefile: ...") when a
    tool that set it says so, else "set in your environment"."""
    return os.environ.get(ORIGIN_VAR, "").strip() or "set in your environment"


def search_dirs(dataset: str, data_dir=None) -> list[Path]:
    """The folders searched for files of ``dataset``, in order (see the module docstring)."""
    roots = []
    explicit = check_data_dir(data_dir)
    if explicit is not None:
        roots.append(explicit)
    env_root = env_data_root()
    if env_root is not None:
        roots.append(env_root)
    roots.append(default_cache_root())
    dirs: list[Path] = []
    for root in roots:
        d = root / dataset
        if d not in dirs:
            dirs.append(d)
    return dirs


def download_dir(dataset: str, data_dir=None) -> Path:
    """Where ``download=True`` saves files: ``<data_dir>/<dataset>`` if given, else the cache."""
    explicit = check_data_dir(data_dir)
    return (explicit if explicit is not None else default_cache_root()) / dataset


# ------------------------------------------------------------------------------------------------- verification

def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _fix_hint(spec: FileSpec, path: Path) -> str:
    return (f"To fix it, delete or replace {path} with a verified copy of '{spec.name}' (plain or .gz): for example "
            f"set {ENV_VAR} to a folder holding a good copy, or delete the file and call the loader with "
            f"download=True.")


def read_verified(path, spec: FileSpec) -> VerifiedFile:
    """Read ``path`` (gunzipping it if its name ends in ``.gz``) and check its content against ``spec``.

    Raises :class:`ChecksumError` if the gzip stream is truncated or unreadable, or if the SHA256 of the
    decompressed content differs from ``spec.sha256``.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read dataset file {path}: {exc}") from exc
    return verify_bytes(raw, spec, path=path, gzipped=path.name.endswith(".gz"))


def verify_bytes(raw: bytes, spec: FileSpec, *, path: Path, gzipped: bool) -> VerifiedFile:
    """Decompress ``raw`` if ``gzipped`` and check it against ``spec``; ``path`` is only used in messages."""
    if gzipped:
        try:
            content = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            actual_raw = sha256_hex(raw)
            err = ChecksumError(
                f"Cannot decompress {path} ({len(raw):,} bytes): {exc}. The gzip file is truncated or corrupt. "
                f"Expected SHA256 of the decompressed content: {spec.sha256}; actual: none could be computed "
                f"(SHA256 of the raw .gz bytes is {actual_raw}). " + _fix_hint(spec, path))
            err.path, err.expected, err.actual = path, spec.sha256, None
            raise err from exc
    else:
        content = raw
    actual = sha256_hex(content)
    if actual != spec.sha256:
        size_note = ""
        if spec.size is not None and spec.size != len(content):
            size_note = f" The content is {len(content):,} bytes instead of {spec.size:,}."
        err = ChecksumError(
            f"Checksum mismatch for {path}: the SHA256 of its decompressed content is {actual}, but {spec.sha256} "
            f"is expected for '{spec.name}'.{size_note} The file is corrupt, truncated or a different version. "
            + _fix_hint(spec, path))
        err.path, err.expected, err.actual = path, spec.sha256, actual
        raise err
    return VerifiedFile(path=path, sha256=actual, content=content)


def candidate_paths(dataset: str, name: str, data_dir=None) -> list[Path]:
    """Every path looked at for ``name``, in search order."""
    paths = []
    for d in search_dirs(dataset, data_dir):
        paths.append(d / name)
        paths.append(d / (name + ".gz"))
    return paths


def find_file(dataset: str, spec: FileSpec, *, data_dir=None, download: bool = False) -> VerifiedFile:
    """Find, verify and return the file described by ``spec``; download it first if asked and it is missing.

    ``spec`` is usually ``file_spec(dataset, name)``; passing another :class:`FileSpec` lets callers (and tests)
    check any file against any expected SHA256.
    """
    check_bool("download", download)
    candidates = candidate_paths(dataset, spec.name, data_dir)
    for path in candidates:
        if path.is_file():
            return read_verified(path, spec)
    if download:
        return download_file(dataset, spec, data_dir=data_dir, looked=candidates)
    raise DataNotFoundError(_not_found_message(dataset, spec, candidates, data_dir))


def _not_found_message(dataset: str, spec: FileSpec, candidates: list[Path], data_dir, failures=()) -> str:
    lines = [f"Dataset file '{spec.name}' (dataset '{dataset}') was not found. Looked in, in this order:"]
    for path in candidates:
        note = "" if path.parent.is_dir() else "   (folder does not exist)"
        lines.append(f"  - {path}{note}")
    env_root = env_data_root()
    lines.append(f"{ENV_VAR} is " + (f"set to {env_root} ({env_origin()})." if env_root else "not set."))
    size = f" ({spec.size:,} bytes)" if spec.size is not None else ""
    lines.append(f"Expected SHA256 of the decompressed content: {spec.sha256}{size}.")
    if spec.source:
        lines.append(f"Source: {spec.source}")
    if failures:
        lines.append("Download attempts failed:")
        lines.extend(f"  - {url}: {why}" for url, why in failures)
    lines.append("To supply it, do one of:")
    lines.append(f"  - set {ENV_VAR} to a folder that holds {dataset}/{spec.name} (or {spec.name}.gz);")
    lines.append(f"  - copy the file (plain or gzip-compressed) into {download_dir(dataset, data_dir)}/;")
    if spec.urls:
        lines.append(f"  - run `make data` (or call the loader with download=True) on a machine with internet "
                     f"access to fetch and verify it from: {', '.join(spec.urls)}.")
    else:
        lines.append("  - (no download mirror is known for this file.)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------- download

def fetch_url(url: str) -> bytes:
    """Return the bytes at ``url``. The only function in mipnn.data that opens a network connection."""
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "mipnn-data-loader"})
    with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_S) as response:  # noqa: S310 (fixed https URLs)
        return response.read()


def download_file(dataset: str, spec: FileSpec, *, data_dir=None, looked=()) -> VerifiedFile:
    """Fetch ``spec`` from its mirrors in order and save it as ``<download_dir>/<name>.gz``.

    The fetched content is verified before anything is kept: a mirror whose bytes do not match ``spec.sha256``
    is skipped (its data is discarded and any partial file deleted) and the next mirror is tried. Raises
    :class:`DataNotFoundError` listing each mirror's failure if none delivers a verified copy.
    """
    target_dir = download_dir(dataset, data_dir)
    target = target_dir / (spec.name + ".gz")
    failures: list[tuple[str, str]] = []
    for url in spec.urls:
        try:
            fetched = fetch_url(url)
        except Exception as exc:  # any network/HTTP error: record it and try the next mirror
            failures.append((url, f"{type(exc).__name__}: {exc}"))
            continue
        if fetched[:2] == _GZIP_MAGIC:  # gzip stream (MNIST mirrors); plain content otherwise (UCI)
            try:
                content = gzip.decompress(fetched)
            except (OSError, EOFError, zlib.error) as exc:
                failures.append((url, f"not a readable gzip file ({exc})"))
                continue
            compressed = fetched
        else:
            content = fetched
            compressed = None
        actual = sha256_hex(content)
        if actual != spec.sha256:
            failures.append((url, f"checksum mismatch: got SHA256 {actual}, expected {spec.sha256}"))
            continue
        if compressed is None:
            compressed = gzip.compress(content, compresslevel=9, mtime=0)
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            tmp.write_bytes(compressed)
            verify_bytes(tmp.read_bytes(), spec, path=tmp, gzipped=True)  # re-check what landed on disk
        except (OSError, DataError) as exc:
            tmp.unlink(missing_ok=True)
            failures.append((url, f"could not save a verified copy to {target}: {exc}"))
            continue
        os.replace(tmp, target)
        return VerifiedFile(path=target, sha256=actual, content=content)
    if not spec.urls:
        failures.append(("(none)", "no download mirror is known for this file"))
    candidates = list(looked) or candidate_paths(dataset, spec.name, data_dir)
    raise DataNotFoundError(_not_found_message(dataset, spec, candidates, data_dir, failures))

