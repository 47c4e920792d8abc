"""The README's results at a glance and docs/status.md are generated from the notebooks' summaries (mipnn.status)
and agree with the verdict rule (mipnn.verdict)."""

import json
import re

import pytest

from mipnn import status
from mipnn.paths import REPO_ROOT
from mipnn.verdict import CATEGORIES


def test_readme_block_is_the_generated_one():
    assert status.readme_table() == status.render_glance(status.collect_rows()), \
        "README.md's results at a glance are stale: run `python -m mipnn.status --write`"


def test_status_page_is_the_generated_one():
    page = REPO_ROOT / "docs" / "status.md"
    assert page.read_text(encoding="utf-8") == status.render_status_page(status.collect_rows()), \
        "docs/status.md is stale: run `python -m mipnn.status --write`"
    assert status.main(["--check"]) == 0


def test_every_notebook_contributes_rows():
    papers = {r["paper"] for r in status.collect_rows()}
    assert {"Aspman et al.", "Thorbjarnarson & Y.-S.", "Goebbels", "Kurtz & Bah"} <= papers
    assert {p.key for p in status.PAPERS} == papers


def _table_rows(markdown: str) -> list[list[str]]:
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("| claim") and not line.startswith("|---"):
            rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_every_verdict_is_led_by_a_label_of_the_rule():
    """Each verdict cell, in the README and on the status page, starts with the label that verdict_label gives
    its row: a category of mipnn.verdict, or a label for rows without a number of the paper."""
    rows = status.collect_rows()
    allowed = set(CATEGORIES) | set(status.QUALITATIVE_LABELS)
    for row in rows:
        assert status.verdict_label(row) in allowed
    page_rows = _table_rows((REPO_ROOT / "docs" / "status.md").read_text(encoding="utf-8"))
    assert len(page_rows) == len(rows)
    for row, cells in zip(rows, page_rows, strict=True):
        assert cells[0] == " ".join(row["claim"].split()) and cells[1] == " ".join(row["ours"].split())
        assert cells[2].startswith(f"**{status.verdict_label(row)}**")
    readme_rows = _table_rows(status.readme_table())
    headlines = [r for p in status.PAPERS for r in status.headline_rows(rows, p)]
    assert len(readme_rows) == len(headlines)
    for row, cells in zip(headlines, readme_rows, strict=True):
        assert cells[2].startswith(f"**{status.verdict_label(row)}**")
        assert all(len(c) <= status.CELL_LIMIT + 4 for c in cells), cells  # + "**" twice


def test_readme_is_short_and_leads_with_the_results():
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(re.findall(r"\S+", text)) <= 1600
    assert text.index("## Results at a glance") < text.index("## Two commands")
    for paper in status.PAPERS:
        assert 2 <= len(paper.headlines) <= 4
        assert (REPO_ROOT / paper.figure).is_file(), paper.figure


def test_verdict_label():
    row = {"paper": "P", "claim": "c", "ours": "o"}
    assert status.verdict_label({**row, "verdict": "4 inconclusive"}) == "inconclusive"
    assert status.verdict_label({**row, "verdict": "short (-36.0 pt)"}) == "short"
    assert status.verdict_label({**row, "verdict": "stopped by our limit"}) == "stopped by our limit"
    assert status.verdict_label({**row, "claim": "(beyond the paper) x", "verdict": "the MIP did nothing"}) \
        == "beyond the paper"
    with pytest.raises(ValueError, match="no label"):
        status.verdict_label({**row, "verdict": "looks fine"})


def test_shorten():
    assert status.shorten("a  b") == "a b"
    long = "first clause is here; " + "word " * 40
    out = status.shorten(long, 60)
    assert len(out) <= 60 and out.endswith("…") and out.startswith("first clause is here")


def test_render_and_write(tmp_path):
    root = tmp_path / "results" / "01_demo"
    root.mkdir(parents=True)
    rows = [{"paper": "P", "claim": "a | b", "ours": "1", "verdict": "reproduced"}]
    (root / "summary.json").write_text(json.dumps({"status": rows}))
    table = status.render_table(status.collect_rows(tmp_path / "results"))
    assert table.splitlines()[2] == "| P | a \\| b | 1 | **reproduced** |"
    page = tmp_path / "docs" / "status.md"
    assert status.write_status_page(page, tmp_path / "results") is True
    assert "| a \\| b | 1 | **reproduced** |" in page.read_text()
    assert status.write_status_page(page, tmp_path / "results") is False
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{status.BEGIN}\nold\n{status.END}\nrest\n")
    with pytest.raises(ValueError, match="matches 0 status rows"):  # the headlines of PAPERS are not in the demo
        status.write_readme(readme, tmp_path / "results")
    (root / "summary.json").write_text(json.dumps({"status": [{"paper": "P"}]}))
    with pytest.raises(ValueError, match="lacks"):
        status.collect_rows(tmp_path / "results")
