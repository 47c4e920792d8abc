"""Notebook 03's paper-scale page from the committed stores: the glance rows carry the status rows' verdicts
unchanged, the registered figures draw from whatever stores exist (a missing one is named, never an error), with
human labels and at most 6 legend entries, and the closing note stays short."""

from __future__ import annotations

import json
import re
import shutil

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mipnn import figures as mf  # noqa: E402
from mipnn.experiments import benchmarks as br  # noqa: E402
from mipnn.experiments import layerwise_figures as lf  # noqa: E402
from mipnn.paths import REPO_ROOT  # noqa: E402
from mipnn.report import MAX_CELL  # noqa: E402

SESSION = json.loads((REPO_ROOT / "results" / lf.NB / "summary_session.json").read_text())
BENCH = REPO_ROOT / "results" / "benchmarks"


def _init_store(folder, runs):
    from mipnn.experiments import ResultStore, run_key

    store = ResultStore(folder / "bench_03_init.jsonl")
    for init, state, accs in runs:
        params = dict(init=init, random_state=state, solver="gurobi", max_iterations=50, mip_nodes=None,
                      time_limit=60.0, evaluate=True)
        result = {"train_accuracy": max(accs), "test_accuracy": 0.5, "solve_time": 10.0, "run_wall_s": 12.0,
                  "iterations": [{"iteration": i + 1, "accuracy": a} for i, a in enumerate(accs)],
                  "statuses": {"optimal": 40, "time_limit": 1}}
        store.append({"key": run_key(params), "params": params, "result": result})


def test_glance_rows_carry_the_status_verdicts_unchanged():
    rows = br.glance_rows(SESSION, BENCH)
    status = br.status_rows(SESSION, BENCH)
    assert [r["verdict"] for r in rows] == [s["verdict"] for s in status]  # one verdict computation
    assert all(len(cell) <= MAX_CELL for r in rows for cell in r.values())
    assert not any("best run of the status table" in r["ours"] for r in rows)  # the number was found, not implied
    assert rows[0]["paper"] == "1.0" and rows[1]["ours"].startswith("0.4785 in 4,043 s (exact MILPs by gurobi")
    table = lf.glance(SESSION, BENCH)
    assert list(table.columns) == ["claim", "paper", "ours", "verdict"] and len(table) == len(status)


def test_glance_rows_follow_a_new_run(tmp_path):
    """A small-start run that reaches 1.0 turns the Algorithm 1 row (and only its numbers change)."""
    for f in BENCH.glob("bench_03_*"):
        if f.is_file() and f.suffix in (".json", ".csv", ".jsonl") and f.stem != "bench_03_init":
            shutil.copy(f, tmp_path / f.name)
    before = br.glance_rows(SESSION, tmp_path)[0]
    _init_store(tmp_path, [("glorot_uniform", 1, [0.33, 0.6, 1.0]), ("uniform:0.1", 0, [0.4, 0.5])])
    after = br.glance_rows(SESSION, tmp_path)[0]
    assert after["verdict"] == br.status_rows(SESSION, tmp_path)[0]["verdict"]
    assert after["verdict"].startswith("reproduced") and not before["verdict"].startswith("reproduced")
    assert after["ours"] == "1.00 (exact MILPs, Glorot-uniform, state 1); 1 of 2 small starts ≥ 0.95"
    assert br.verdict_difference("short: ≤ 50 nodes per MILP, not the paper's exact MILPs (-21.1 pt)") == -21.1
    assert br.verdict_difference("reproduced (+0.4 pt) / short (-5.6 pt)") == 0.4
    assert br.verdict_difference("faster (beyond the paper: the compact form)") is None


def _legend_texts(fig):
    texts = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            texts += [t.get_text() for t in leg.get_texts()]
    return texts


def test_every_figure_draws_from_the_committed_stores_with_human_labels():
    figs = mf.registered(lf.NB)
    assert {f.name for f in figs} == {"paper_fig2_algorithm1", "paper_fig3_batches", "paper_postprocess_lp",
                                      "paper_committee", "paper_conv", "paper_adam"}
    for f in figs:
        fig, data = mf.draw(lf.NB, f.name)
        legends = _legend_texts(fig)
        labels = legends + [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.get_xticklabels()]
        assert 0 < len(legends) <= 6, (f.name, legends)
        assert not any("bench_03" in t or ".json" in t for t in labels), (f.name, labels)
        assert not data.empty, f.name
        plt.close(fig)
    fig, data = mf.draw(lf.NB, "paper_fig3_batches")
    plt.close(fig)
    assert data.groupby("family")["test_accuracy"].max().max() == pytest.approx(0.4785)  # the best exact run


def test_figures_name_a_missing_store_and_show_new_runs(tmp_path, monkeypatch):
    """With only the session summary and the literal-uniform Algorithm 1 runs, every figure still draws and names
    the command of what is missing; a small-start store then appears in Figure 2 as its own family."""
    (tmp_path / lf.NB).mkdir()
    shutil.copy(REPO_ROOT / "results" / lf.NB / "summary_session.json", tmp_path / lf.NB)
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(BENCH / "bench_03_algorithm1.csv", tmp_path / "benchmarks")
    monkeypatch.setenv("MIPNN_STORES_DIR", str(tmp_path))
    for f in mf.registered(lf.NB):
        fig, _ = mf.draw(lf.NB, f.name)
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        if f.name in ("paper_fig2_algorithm1", "paper_fig3_batches", "paper_conv"):
            assert any("not committed yet (benchmarks/" in t for t in texts), (f.name, texts)
        plt.close(fig)
    _init_store(tmp_path / "benchmarks", [("glorot_uniform", 1, [0.33, 0.6, 1.0]), ("uniform:0.1", 0, [0.4, 0.5]),
                                          ("glorot_uniform", 2, [0.4, 0.41])])
    fig, data = mf.draw(lf.NB, "paper_fig2_algorithm1")
    legends = _legend_texts(fig)
    plt.close(fig)
    assert "Glorot-uniform: 2 runs, best 1.00, 1 reach ≥ 0.95" in legends and len(legends) == 4
    assert set(data["init"]) == {"uniform", "glorot_uniform", "uniform:0.1"}


def test_closing_note_and_hypotheses_are_rendered_from_data():
    note = lf.closing_note(SESSION, BENCH).data
    words = len(re.sub(r"[`*|]", " ", note).split())
    assert words <= 400, words
    assert "0.4785" in note and "bench_03_batches.py" in note
    hyp = lf.hypothesis_markdown(BENCH).data.splitlines()
    assert len(hyp) == 2 + 11 and hyp[-1].startswith("| 11. the scale of the initial weights")


def test_hypothesis_11_carries_the_small_start_committee(tmp_path):
    """A committee trained from a small start (the paper's method otherwise) joins hypothesis 11 with its vote, its
    vote after the LP and the best vote from U[−1, 1]; the run's measurement names it."""
    import json

    for f in BENCH.iterdir():
        if f.is_file() and not (f.name.startswith("bench_03_committee_") and "glorot" in f.name):
            (tmp_path / f.name).symlink_to(f)
    args = {"states": [14, 5, 40], "n_batches": 10, "batch_size": 100, "mip_nodes": None, "time_limit": 60.0,
            "max_iterations": 50, "tie_break": "l1", "solver": "gurobi", "input_box": [0.1, 0.1],
            "init": "glorot_uniform", "lp_images": 60000}
    (tmp_path / "bench_03_committee_test_glorot.json").write_text(json.dumps({
        "args": args, "members": [{"state": s, "test_accuracy": 0.5, "train_accuracy": 0.6} for s in (14, 5, 40)],
        "committee_test_accuracy": 0.6123, "after_lp": {"committee_test_accuracy": 0.6345}}))
    row = br.hypothesis_rows(tmp_path).iloc[-1]
    assert row.hypothesis.startswith("11.") and row.measurement.endswith("batch learning and the committee from a "
                                                                        "small start")
    assert "committee of 3 × 1,000 images from Glorot-uniform states 14, 5, 40: vote 0.6123, 0.6345 after the LP " \
           "against 0." in row.result and "(paper 0.7919)" in row.result


def test_show_table_measures_columns_with_missing_values(monkeypatch):
    """An object column with a NaN (a benchmark table where one run lacks a field) is measured, not a TypeError."""
    import numpy as np
    import pandas as pd

    from mipnn import report

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    df = pd.DataFrame({"run": ["a", "b"], "note": ["x", np.nan]})
    assert report.table_width(df) > 0
    report.show_table(df)
    assert shown[-1] is df


def test_markdown_outputs_carry_their_text_for_nbval():
    """The glance table and the closing note display as Markdown whose plain-text form is the text itself, so a
    stored notebook whose numbers drifted from the stores fails nbval."""
    table = lf.glance_markdown(SESSION, BENCH)
    assert repr(table) == table.data and table.data.startswith("| claim | paper | ours | verdict |")
    note = lf.closing_note(SESSION, BENCH)
    assert repr(note).startswith("## Closing note")
