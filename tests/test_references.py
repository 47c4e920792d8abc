"""No reference a reader of the repository cannot follow: folders outside it, machine paths, private notes, issue
numbers, or links to files that do not exist — in the README, docs/, the data READMEs and the notebooks."""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "a folder outside the repository": re.compile(r"\.\./shared|\bshared/(?:datasets|papers|anchors)\b"),
    "a machine path": re.compile(r"(?<![\w.])/(?:work|root)/"),
    "private reference notes": re.compile(r"REFERENCE\.md|reference (?:notes|anchors)", re.IGNORECASE),
    "an issue number": re.compile(r"\bissues?\s*#?\d+(?:\s*/\s*\d+)?", re.IGNORECASE),
}
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _markdown_files():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "data").rglob("README.md")),
             ROOT / "results" / "README.md"]
    return [f for f in files if f.exists() and "_build" not in f.parts]


def _notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _offences(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for what, rx in FORBIDDEN.items() for m in rx.finditer(text)]


def _dead_links(text: str, base: Path) -> list[str]:
    dead = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # http(s), mailto, anchors
        path = unquote(target.split("#", 1)[0])
        if path and not (base / path).exists():
            dead.append(target)
    return dead


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_markdown_pages_hold_only_followable_references(path):
    text = path.read_text(encoding="utf-8")
    problems = _offences(text) + [f"link to a missing file: {t}" for t in _dead_links(text, path.parent)]
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def notebook_offences(path: Path) -> list[str]:
    """Every cell of a notebook (source and stored text outputs) with a forbidden reference or a dead link."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell.get("source", ""))
        texts = [source]
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/") and mime != "text/html":
                    texts.append("".join(data))
        problems = _offences("\n".join(texts))
        if cell["cell_type"] == "markdown":
            problems += [f"link to a missing file: {t}" for t in _dead_links(source, path.parent)]
        if problems:
            found.append(f"cell {i} ({cell['cell_type']}, id {cell.get('id', '?')}): " + "; ".join(problems))
    return found


@pytest.mark.xfail(strict=False, reason="the notebooks are edited by their owners; the offending cells are listed "
                   "in the failure message and must be cleaned there (the stored outputs are checked by nbval)")
@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebooks_hold_only_followable_references(path):
    found = notebook_offences(path)
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_the_patterns_catch_what_they_should():
    assert _offences("see ../shared/papers/x.txt")
    assert _offences("MIPNN_DATA_DIR=/work/shared/datasets")
    assert _offences("REFERENCE.md §3") and _offences("the project's reference notes")
    assert _offences("issue 16/18") and _offences("see issue #3") and _offences("Issues 12")
    assert not _offences("the shared cache of the executor") and not _offences("an issue with the solver")
    assert _dead_links("[a](no/such/file.md) [b](https://x.org) [c](#anchor)", ROOT) == ["no/such/file.md"]
    assert not _dead_links("![fig](figures/benchmarks/bench_solvers.png)", ROOT)


def _sources():
    return sorted(p for folder in ("lib", "benchmarks", "tests") for p in (ROOT / folder).rglob("*.py")
                  if p.name != "test_references.py")


def test_sources_hold_only_followable_references():
    """The library, the benchmark scripts and the tests are read too (docstrings, help texts, messages): no machine
    path, private note, issue number or folder outside the repository there either."""
    found = [f"{p.relative_to(ROOT)}: {o}" for p in _sources() for o in _offences(p.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)
