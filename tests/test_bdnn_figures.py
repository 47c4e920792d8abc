"""Notebook 04's paper-scale page from the committed stores: the registered figures draw without solving, the
robustness explorer (ρ, ε) reads the store, the glance rows follow the data under the one verdict rule, the closing
note stays short, and the summary keeps wall times out of the tracked file."""

from __future__ import annotations

import json
import shutil

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mipnn import figures as mf  # noqa: E402
from mipnn.experiments import bdnn_figures as bf  # noqa: E402
from mipnn.experiments.bdnn import method_table, method_timings, summary_methods  # noqa: E402
from mipnn.paths import REPO_ROOT  # noqa: E402
from mipnn.report import GLANCE_COLUMNS, MAX_CELL  # noqa: E402
from mipnn.solve import NO_SOLVE_ENV  # noqa: E402

RESULTS = REPO_ROOT / "results"
MEDIUM = json.loads((RESULTS / bf.NB / "summary_medium.json").read_text())
NAMES = {"paper_accuracy_vs_time", "paper_splits", "paper_robustness", "paper_speedup"}


def _legend_entries(fig) -> int:
    n = 0
    for leg in [ax.get_legend() for ax in fig.axes] + list(fig.legends):
        if leg is not None:
            n = max(n, len(leg.get_texts()))
    return n


def test_every_figure_is_registered_and_draws_from_the_stores_without_solving(monkeypatch):
    monkeypatch.setenv(NO_SOLVE_ENV, "1")  # any solve would raise
    assert {f.name for f in mf.registered(bf.NB)} == NAMES
    for name in sorted(NAMES):
        fig, data = mf.draw(bf.NB, name)
        assert isinstance(data, pd.DataFrame) and not data.empty
        assert 0 < _legend_entries(fig) <= 6, name
        texts = [t.get_text() for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
        assert not any("_" in t for t in texts), f"{name}: a label with a code name: {texts}"
        plt.close(fig)


def test_a_missing_store_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("MIPNN_STORES_DIR", str(tmp_path))
    with pytest.raises(mf.StoreMissingError, match="papermill -p profile medium"):
        mf.draw(bf.NB, "paper_splits")
    with pytest.raises(mf.StoreMissingError, match="bench_04_data_splitting.py"):
        mf.draw(bf.NB, "paper_speedup")


def _copy_robust_store(tmp_path):
    (tmp_path / bf.NB).mkdir()
    src = RESULTS / bf.NB / "runs_medium_robust.jsonl"
    dst = tmp_path / bf.NB / src.name
    shutil.copy(src, dst)
    return dst


def test_the_robustness_widget_reads_the_store(tmp_path, monkeypatch):
    """A widget move (ρ, ε) is a draw() of the registered figure: it filters the committed runs, validates its
    values against the store, and follows the store's numbers — nothing is solved."""
    monkeypatch.setenv(NO_SOLVE_ENV, "1")
    options = bf.robust_options()
    assert options["rho"] == [0.0, 0.1] and options["epsilon"] == [0.0, 0.5, 1.0, 1.5, 2.0]
    fig, data = mf.draw(bf.NB, "paper_robustness", rho=0.1, epsilon=2.0)
    plt.close(fig)
    assert set(data.epsilon) == {2.0} and sorted(set(data.rho)) == options["rho"]
    assert len(data) == len(bf.robust_runs())  # one point per run at that ε
    with pytest.raises(ValueError, match="epsilon=0.7 is not in"):
        mf.draw(bf.NB, "paper_robustness", epsilon=0.7)
    with pytest.raises(ValueError, match="rho=0.5 is not in"):
        mf.draw(bf.NB, "paper_robustness", rho=0.5)
    # the view follows the store: halve every attacked accuracy in a copy and draw again
    dst = _copy_robust_store(tmp_path)
    lines = [json.loads(line) for line in dst.read_text().splitlines()]
    for line in lines:
        for a in line["result"]["attack"]:
            a["accuracy"] /= 2
    dst.write_text("".join(json.dumps(line) + "\n" for line in lines))
    monkeypatch.setenv("MIPNN_STORES_DIR", str(tmp_path))
    fig, halved = mf.draw(bf.NB, "paper_robustness", rho=0.1, epsilon=2.0)
    plt.close(fig)
    assert np.allclose(halved.accuracy.to_numpy(), data.accuracy.to_numpy() / 2)


def test_glance_rows_follow_the_data_under_the_verdict_rule():
    table = bf.glance()
    assert list(table.columns) == list(GLANCE_COLUMNS) and 3 <= len(table) <= 4
    assert table.map(len).max().max() <= MAX_CELL
    assert all(v.startswith("no reference") for v in table.verdict)  # the paper is available as its abstract only
    beat = table[table.claim.str.startswith("BDNNs often beat")].iloc[0]
    assert "beats on 0" in beat.ours
    # a BDNN 20 points ahead of Adam on every real dataset turns the row
    better = json.loads(json.dumps(MEDIUM))
    for ds, methods in better["methods"].items():
        methods[better["best_bdnn"][ds]]["test_accuracy_mean"] = methods["adam"]["test_accuracy_mean"] + 0.2
    real = [d for d in better["methods"] if not d.startswith("random_")]
    row = bf.glance(medium=better).set_index("claim").loc[beat.claim]
    assert f"beats on {len(real)}, ties 0, behind 0" in row.ours


def test_closing_note_is_rendered_from_the_stores_and_short():
    note = bf.closing_note()
    text = note.data
    assert repr(note) == text  # nbval compares the numbers of the stored output
    assert len(text.split()) <= 400
    bench = pd.read_csv(RESULTS / "benchmarks" / "bench_04_data_splitting.csv")
    assert f"at ≥ 10× in {int(bench.claim_holds.sum())} " in text
    assert f"{MEDIUM['parameters']['time_limit']:g} s per MIP" in text
    assert text.count("\n* **") == len(bf.glance())


def test_medium_table_fits_the_page():
    from mipnn.report import MAX_ROWS, MAX_WIDTH, table_width

    t = bf.medium_table()
    assert len(t) <= MAX_ROWS and table_width(t) <= MAX_WIDTH
    assert "Adam, to convergence" in set(t.method) and list(t.columns[:2]) == ["dataset", "method"]


def test_summary_keeps_wall_times_in_the_sidecar():
    """summary.json holds what a re-run under node caps repeats; the wall times go to the volatile sidecar."""
    runs = bf.medium_runs()
    table = method_table(runs)
    summary = summary_methods(table)
    flat = json.dumps(summary)
    assert "fit_time" not in flat and "solve_time" not in flat
    timings = method_timings(table)
    ds = next(iter(timings))
    assert set(timings[ds][next(iter(timings[ds]))]) == {"fit_time_mean_s", "solve_time_mean_s"}
    assert set(timings) == set(summary)


def test_the_committed_demo_ends_every_mip_on_a_work_limit():
    """The live demo's MIPs end optimal or on their node cap, never on the clock (a distant safety net), so its
    numbers do not depend on the machine's load; its summary carries no wall time."""
    demo = json.loads((RESULTS / bf.NB / "summary.json").read_text())
    statuses = {s for methods in demo["methods"].values() for entry in methods.values() for s in entry["statuses"]}
    assert statuses <= {"optimal", "work_limit", "trained"}, statuses
    assert demo["parameters"]["node_limit"] and demo["parameters"]["time_limit"] >= 600
    assert "fit_time" not in json.dumps(demo["methods"])
