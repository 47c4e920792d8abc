"""``make data``: put every dataset file the notebooks need in place, or fail at once with one message.

The notebooks read every file listed in ``checksums.json`` (UCI Adult and MNIST; the small datasets of notebook 04
come with scikit-learn or are generated). For each file this looks where the loaders look (``data_dir``, then
``$MIPNN_DATA_DIR``, then the repository cache ``data/<dataset>/``) and verifies its SHA256. Files found nowhere
are downloaded from the mirrors recorded in ``checksums.json`` (verified before they are kept) unless downloads are
disabled; whatever is still missing then is reported in ONE message naming the files and the three ways to
supply them, and the command exits with status 1 — before any notebook runs::

    python -m mipnn.data.ensure                 # what `make data` runs
    python -m mipnn.data.ensure --no-download   # never touch the network (also: MIPNN_NO_DOWNLOAD=1)
    python -m mipnn.data.ensure --data-dir DIR  # look in DIR/<dataset>/ first and download into it

Without a network the downloads fail within seconds: a short connection probe to each mirror's host runs first,
so an unreachable host is never waited on for the full download timeout.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache

from ..exceptions import ChecksumError, DataNotFoundError
from . import files

__all__ = ["NO_DOWNLOAD_VAR", "EnsureReport", "required_files", "ensure_data", "missing_message", "main"]

#: Set to 1 (or true/yes) to forbid downloads, like ``--no-download``.
NO_DOWNLOAD_VAR = "MIPNN_NO_DOWNLOAD"
_PROBE_TIMEOUT_S = 3.0


@dataclass
class EnsureReport:
    """What :func:`ensure_data` found: ``found`` and ``downloaded`` map ``dataset/name`` to a path; ``missing``
    lists ``(dataset, name)``; ``failures`` maps ``dataset/name`` to why each mirror failed; ``corrupt`` holds the
    messages of files that exist but fail verification."""

    found: dict[str, str] = field(default_factory=dict)
    downloaded: dict[str, str] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)
    corrupt: list[str] = field(default_factory=list)
    download_note: str = ""

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def required_files() -> list[tuple[str, str]]:
    """``(dataset, file name)`` of every file in ``checksums.json``: everything the notebooks read."""
    table = files._checksum_table()["datasets"]
    return [(ds, name) for ds in table for name in table[ds]["files"]]


def _downloads_disabled_by_env() -> bool:
    return os.environ.get(NO_DOWNLOAD_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=None)
def _reachable(url: str) -> str:
    """``""`` if a TCP connection to ``url``'s host opens within a few seconds (or a proxy is configured, which
    then decides), else why not."""
    if urllib.request.getproxies().get(urllib.parse.urlsplit(url).scheme):
        return ""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=_PROBE_TIMEOUT_S):
            return ""
    except OSError as exc:
        return f"cannot reach {parts.hostname}:{port} ({type(exc).__name__}: {exc})"


def _download(dataset: str, spec: files.FileSpec, data_dir, report: EnsureReport) -> None:
    key = f"{dataset}/{spec.name}"
    reachable = [u for u in spec.urls if not _reachable(u)]
    if not reachable:
        report.failures[key] = [_reachable(u) or "unreachable" for u in spec.urls] or ["no download mirror known"]
        report.missing.append((dataset, spec.name))
        return
    try:
        got = files.download_file(dataset, files.FileSpec(spec.name, spec.sha256, spec.size, spec.source,
                                                          tuple(reachable)), data_dir=data_dir)
    except DataNotFoundError as exc:
        report.failures[key] = [line.strip() for line in str(exc).splitlines() if "http" in line and ":" in line]
        report.missing.append((dataset, spec.name))
        return
    report.downloaded[key] = str(got.path)


def ensure_data(data_dir=None, *, download: bool = True) -> EnsureReport:
    """Find and verify every required file; download what is missing when ``download`` (and the network) allow."""
    if _downloads_disabled_by_env():
        download = False
    report = EnsureReport()
    if not download:
        report.download_note = f"downloads are disabled (--no-download or {NO_DOWNLOAD_VAR}=1)"
    to_fetch = []
    for dataset, name in required_files():
        spec = files.file_spec(dataset, name)
        try:
            report.found[f"{dataset}/{name}"] = str(files.find_file(dataset, spec, data_dir=data_dir).path)
        except ChecksumError as exc:
            report.corrupt.append(str(exc))
        except DataNotFoundError:
            to_fetch.append((dataset, spec))
    for dataset, spec in to_fetch:
        if download:
            _download(dataset, spec, data_dir, report)
        else:
            report.missing.append((dataset, spec.name))
    return report


def _origin() -> str:
    root = files.env_data_root()
    if root is None:
        return f"{files.ENV_VAR} is not set"
    return f"{files.ENV_VAR} is {root} ({files.env_origin()})"


def missing_message(report: EnsureReport, data_dir=None) -> str:
    """The one message for missing or corrupt files: which, where looked, and the three ways to supply them."""
    lines = []
    if report.missing:
        by_ds: dict[str, list[str]] = {}
        for ds, name in report.missing:
            by_ds.setdefault(ds, []).append(name)
        what = "; ".join(f"{ds}: {', '.join(names)}" for ds, names in by_ds.items())
        lines.append(f"make data: {len(report.missing)} dataset file(s) the notebooks need are missing — {what}.")
        dirs = {str(d) for ds in by_ds for d in files.search_dirs(ds, data_dir)}
        lines.append(f"Looked in {', '.join(sorted(dirs))}; {_origin()}.")
        if report.download_note:
            lines.append(f"Not downloaded: {report.download_note}.")
        reasons = list(dict.fromkeys(r for why in report.failures.values() for r in why))  # once each, in order
        if reasons:
            lines.append(f"Downloads failed: {'; '.join(reasons)}.")
    for msg in report.corrupt:
        lines.append(msg)
    datasets = sorted({ds for ds, _ in report.missing}) or sorted(files.datasets())
    layout = " and ".join(f"{ds}/" for ds in datasets)
    urls = sorted({u.rsplit("/", 1)[0] + "/" for ds, name in report.missing
                   for u in files.file_spec(ds, name).urls})
    lines += [
        "Supply them in one of three ways (each file plain or gzip-compressed as <name>.gz; its SHA256 is checked):",
        f"  1. point {files.ENV_VAR} at a folder holding {layout} with these files, e.g. "
        f"`make reproduce {files.ENV_VAR}=/path/to/datasets`;",
        f"  2. copy the files into {', '.join(str(files.download_dir(ds, data_dir)) for ds in datasets)};",
        "  3. run `make data` on a machine with internet access: it downloads them"
        + (f" from {', '.join(urls)}" if urls else "") + " and verifies each SHA256.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="put every dataset file the notebooks need in place (make data)")
    ap.add_argument("--data-dir", default=None, help="look in DATA_DIR/<dataset>/ first and download into it")
    ap.add_argument("--no-download", action="store_true", help=f"never touch the network (or {NO_DOWNLOAD_VAR}=1)")
    args = ap.parse_args(argv)
    report = ensure_data(args.data_dir, download=not args.no_download)
    if not report.ok:
        print(missing_message(report, args.data_dir), file=sys.stderr)
        return 1
    n = len(report.found) + len(report.downloaded)
    roots = sorted({os.path.dirname(os.path.dirname(p)) for p in [*report.found.values(),
                                                                    *report.downloaded.values()]})
    extra = f", {len(report.downloaded)} downloaded" if report.downloaded else ""
    print(f"make data: all {n} dataset files present and verified{extra} (in {', '.join(roots)})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
