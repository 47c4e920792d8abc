"""The README's status table is generated from the notebooks' summaries (mipnn.status)."""

import json

import pytest

from mipnn import status


def test_readme_table_is_the_generated_one():
    assert status.readme_table() == status.render_table(status.collect_rows()), \
        "README.md's status table is stale: run `python -m mipnn.status --write`"


def test_every_notebook_contributes_rows():
    papers = {r["paper"] for r in status.collect_rows()}
    assert {"Aspman et al.", "Thorbjarnarson & Y.-S.", "Goebbels", "Kurtz & Bah"} <= papers


def test_render_and_write(tmp_path):
    root = tmp_path / "results" / "01_demo"
    root.mkdir(parents=True)
    rows = [{"paper": "P", "claim": "a | b", "ours": "1", "verdict": "reproduced"}]
    (root / "summary.json").write_text(json.dumps({"status": rows}))
    table = status.render_table(status.collect_rows(tmp_path / "results"))
    assert table.splitlines()[2] == "| P | a \\| b | 1 | reproduced |"
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{status.BEGIN}\nold\n{status.END}\nrest\n")
    assert status.write_readme(readme, tmp_path / "results") is True
    assert status.readme_table(readme) == table and readme.read_text().endswith("rest\n")
    assert status.write_readme(readme, tmp_path / "results") is False
    (root / "summary.json").write_text(json.dumps({"status": [{"paper": "P"}]}))
    with pytest.raises(ValueError, match="lacks"):
        status.collect_rows(tmp_path / "results")
