"""Re-running a notebook with the same numbers leaves the tracked files byte for byte as they are: no wall-clock
measurement in a tracked summary or in a live demo's figure file, and figures saved twice are identical."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mipnn import figures as mf  # noqa: E402
from mipnn.experiments import split_timings  # noqa: E402
from mipnn.experiments.summary import TIMING_KEY  # noqa: E402
from mipnn.paths import REPO_ROOT  # noqa: E402
from mipnn.plotting import save_figure, set_style  # noqa: E402

#: The notebooks whose default-profile outputs are checked here.
NOTEBOOKS = ("02_mip_training_adult", "03_layerwise_relu_mnist")


def test_split_timings_moves_every_wall_clock_key_and_keeps_limits():
    summary = {"limits": {"time_limit_s": 60.0}, "time_limit": 300.0,
               "points": {"a": {"train_acc_mean": 90.0, "runtime_s_mean": 1.5}},
               "reproduction": [{"runtime_paper": 3.7, "runtime_ours": 0.1, "verdict_runtime": "faster"}],
               "search": [{"runtime": 7.3, "search_time": 5.8, "solve_time": 0.1, "train_acc": 97.5}],
               "wall_time": 2.0, "iteration_seconds": 1.0, "experiments": {"conv": {"runtime_s": 3.0}}}
    stable, timings = split_timings(summary)
    assert stable == {"limits": {"time_limit_s": 60.0}, "time_limit": 300.0,
                      "points": {"a": {"train_acc_mean": 90.0}}, "reproduction": [{"runtime_paper": 3.7}],
                      "search": [{"train_acc": 97.5}], "experiments": {"conv": {}}}
    assert timings == {"points.a.runtime_s_mean": 1.5, "reproduction[0].runtime_ours": 0.1,
                       "reproduction[0].verdict_runtime": "faster", "search[0].runtime": 7.3,
                       "search[0].search_time": 5.8, "search[0].solve_time": 0.1, "wall_time": 2.0,
                       "iteration_seconds": 1.0, "experiments.conv.runtime_s": 3.0}
    assert summary["points"]["a"]["runtime_s_mean"] == 1.5  # the input is not modified


def _timing_keys(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            where = f"{path}.{k}" if path else k
            if TIMING_KEY.match(str(k)) and not str(k).startswith("time_limit"):
                yield where
            yield from _timing_keys(v, where)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _timing_keys(v, f"{path}[{i}]")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_default_summary_holds_no_wall_clock_measurement(notebook):
    """The default profile's tracked summary keeps its timings in the untracked sidecar (write_summary's volatile)."""
    summary = json.loads((REPO_ROOT / "results" / notebook / "summary.json").read_text(encoding="utf-8"))
    assert list(_timing_keys(summary)) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_live_demo_figure_files_hold_no_wall_clock_column(notebook):
    """A live demo's tracked figure data (not the registered paper-scale figures, which read committed stores, nor a
    larger profile's ``_session`` files) carries no wall-clock column, and no demo plots a runtime into a file."""
    registered = {f.name for f in mf.registered()} if notebook in mf.FIGURE_MODULES else set()
    checked = 0
    for csv in sorted((REPO_ROOT / "figures" / notebook).glob("*.csv")):
        if csv.stem in registered or "_session" in csv.stem:
            continue
        columns = pd.read_csv(csv, nrows=0).columns
        assert [c for c in columns if TIMING_KEY.match(c)] == [], f"figures/{notebook}/{csv.name}"
        assert not any(TIMING_KEY.match(c.removesuffix("_mean")) for c in columns), csv.name
        checked += 1
    assert checked
    assert not (REPO_ROOT / "figures" / "02_mip_training_adult" / "fig3_runtime.png").exists()


def test_save_figure_twice_writes_identical_bytes(tmp_path, monkeypatch):
    """PNG without software tag, PDF without dates: saving the same figure twice gives the same bytes."""
    monkeypatch.setenv("MIPNN_FIGURES_DIR", str(tmp_path))
    set_style()
    written = []
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.plot([40, 80], [90.0, 93.75], marker="o", label="sat-margin")
        ax.set_title("Demo: Fig. 1 — training accuracy, P = 1")
        ax.legend()
        paths = save_figure(fig, "00_demo", "fig1_train_accuracy", data=pd.DataFrame({"N": [40, 80]}))
        plt.close(fig)
        written.append({k: p.read_bytes() for k, p in paths.items()})
    assert written[0] == written[1]
    assert b"CreationDate" not in written[0]["pdf"]


def test_notebook02_registered_figure_renders_twice_identically(tmp_path, monkeypatch):
    """A paper-scale figure of notebook 02, drawn from the committed store without a solver, twice: same bytes,
    the same as the committed file."""
    monkeypatch.setenv("MIPNN_FIGURES_DIR", str(tmp_path))
    monkeypatch.setenv("MIPNN_NO_SOLVE", "1")
    first = {k: p.read_bytes() for k, p in mf.render("02_mip_training_adult", "credit_session_search",
                                                       show=False).items()}
    second = {k: p.read_bytes() for k, p in mf.render("02_mip_training_adult", "credit_session_search",
                                                        show=False).items()}
    assert first == second
    committed = REPO_ROOT / "figures" / "02_mip_training_adult" / "credit_session_search.csv"
    assert first["csv"] == committed.read_bytes()


def test_notebook02_browser_reads_the_committed_runs():
    from mipnn.experiments import adult_figures as af

    opts = af.browse_options()
    assert opts["P"] == [1, 3, 7, 15] and 40 in opts["N"] and "sat_margin" in opts["objective"]
    view = af.browse_point("sat_margin", 1, 120)
    assert set(view["who"]) == {"ours, plain", "ours, search", "authors (Gurobi, 8 cores, 10 h)"}
    assert view["seed"].tolist().count("mean") == 2
    with pytest.raises(ValueError, match="N=50"):
        af.browse_point("sat_margin", 1, 50)
