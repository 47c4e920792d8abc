"""The trainer comparison of notebook 05: one split per (dataset, seed) for every trainer, a run record that says
everything the tables need (or why a trainer cannot fit a dataset), and figures and tables that derive every
recommendation from stored rows and say which cells of the grid are missing. Fits end on node and iteration caps."""

import json

import matplotlib
import numpy as np
import pytest

from mipnn.experiments import ResultStore, run_key
from mipnn.experiments import trainer_figures as tf
from mipnn.experiments.trainer_data import SPECS, TRAINER_DATASETS, dataset_table, feature_transform, trainer_split
from mipnn.experiments.trainer_runs import (
    DEMO_SETTINGS,
    PROFILES,
    SCALING,
    SIZE_DATASETS,
    SIZES,
    count_parameters,
    profile_grid,
    run_trainer,
    size_grid,
)
from mipnn.experiments.trainers import TRAINERS
from mipnn.figures import FIGURE_MODULES, draw, registered

matplotlib.use("Agg")
SMALL = ("breast_cancer_wisconsin", "digits", "synthetic")


@pytest.mark.parametrize("name", SMALL)
def test_split_is_seeded_scaled_and_the_same_for_every_trainer(name):
    a, b, c = trainer_split(name, 0), trainer_split(name, 0), trainer_split(name, 1)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)
    assert len(a.y_train) == SPECS[name].n_train and len(np.unique(a.y_train)) == SPECS[name].n_classes
    assert a.X_train.min() == 0.0 and a.X_train.max() == 1.0 and len(a.y_val) == 0
    assert set(np.unique(a.y_train)) == set(range(SPECS[name].n_classes))
    std = feature_transform(a, "standard")(a.X_train)
    assert np.allclose(std.mean(axis=0), 0.0) and feature_transform(a, "minmax")(a.X_train) is not None


def test_bad_names_are_refused_by_name():
    with pytest.raises(ValueError, match="name='iris'"):
        trainer_split("iris")
    with pytest.raises(ValueError, match="scaling="):
        feature_transform(trainer_split("synthetic"), "robust")
    with pytest.raises(ValueError, match="dataset="):
        run_trainer("iris", "adam_mlp", 0, 10.0)
    with pytest.raises(ValueError, match="name="):
        run_trainer("synthetic", "svm", 0, 10.0)
    with pytest.raises(ValueError, match="datasets="):
        profile_grid("session", datasets=["iris"])
    assert set(SCALING) == set(TRAINERS) == set(DEMO_SETTINGS)
    assert set(TRAINER_DATASETS) >= {"adult", "breast_cancer_wisconsin", "digits", "synthetic", "mnist_10",
                                      "mnist_40"}


def test_grid_of_the_issue_and_its_slices():
    grid = profile_grid("session")
    assert len(grid) == len(TRAINER_DATASETS) * len(TRAINERS) * 5 * 2
    assert {p["budget"] for p in grid} == {60.0, 600.0} and {p["seed"] for p in grid} == set(range(5))
    part = profile_grid("session", datasets=["digits"], seeds=[0], budgets=[60])
    assert len(part) == len(TRAINERS) and all(p["budget"] == 60.0 for p in part)
    assert PROFILES["default"]["settings"] == "demo"


@pytest.mark.filterwarnings("ignore::mipnn.exceptions.FitWarning")
def test_run_record_on_a_tiny_work_limited_fit():
    r = run_trainer("breast_cancer_wisconsin", "bdnn_data_splitting", 0, 120.0, settings="demo", max_train=20)
    assert r["supported"] and r["n_train"] == 20 and r["n_test"] == 499
    for key in ("test_accuracy", "train_accuracy"):
        assert 0.0 <= r[key] <= 1.0
    assert r["stop_reason"] and isinstance(r["stopped_at_limit"], bool) and r["fit_time"] > 0
    assert 0 <= r["nonzero_parameters"] <= r["parameters"] == 9 * 4 + 4 + 4 * 2 + 2
    assert [a["epsilon"] for a in r["attack"]] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert r["attack"][0]["accuracy"] == pytest.approx(r["test_accuracy"])  # ε = 0 is the clean test set
    assert r["solver_name"] == "highs" and r["solver_version"] and r["scaling"] == "standard"
    json.dumps(r)  # a JSON line of the store
    lr = run_trainer("synthetic", "logistic_regression", 0, 10.0, settings="demo", max_train=30)
    assert lr["solver_name"] == "none" and lr["parameters"] == 11


def test_unsupported_pairs_are_recorded_with_the_reason():
    r = run_trainer("digits", "sign_mip_min_hinge", 0, 60.0)
    assert r["supported"] is False and "binary labels only" in r["reason"] and "test_accuracy" not in r


def test_count_parameters():
    class Net:
        weights_ = [(np.array([[0.0, 1.0], [2.0, 0.0]]), np.array([0.0, -1.0])), {"t": 0.5}]

    assert count_parameters(Net()) == (4, 7)


# ---- figures and tables on synthetic stores ----------------------------------------------------------------------

def _record(p, acc, **extra):
    t = TRAINERS[p["trainer_name"]]
    n_classes = SPECS[p["dataset"]].n_classes
    reason = t.supports(n_classes)
    res = {"label": t.label, "kind": t.kind, "weights": t.weights, "n_classes": n_classes, "scaling": "minmax",
           "solver_name": "highs", "solver_version": "1", "load_1min": 1.0}
    if reason:
        res.update(supported=False, reason=reason)
    else:
        spec = SPECS[p["dataset"]]
        res.update(supported=True, reason="", n_train=spec.n_train * (n_classes if spec.per_class else 1),
                   n_test=100, n_features=9, train_accuracy=acc,
                   test_accuracy=acc, fit_time=p["budget"] / 2, fit_wall=p["budget"] / 2, stop_reason="time_limit",
                   stopped_at_limit=True, nonzero_parameters=int(100 * acc), parameters=200,
                   attack=[{"epsilon": e, "accuracy": acc / 2} for e in (0.0, 0.5, 1.0)])
        if p.get("max_train"):
            res["n_train"] = p["max_train"]
    res.update(extra)
    return {"key": run_key(p), "params": p, "result": res, "wall_time": 1.0}


def _store(tmp_path, monkeypatch, records, store=tf.STORE):
    path = tmp_path / store
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()  # an empty store is a file without runs (a missing one raises StoreMissingError, naming COMMAND)
    for rec in records:
        ResultStore(path).append(rec)
    monkeypatch.setenv("MIPNN_STORES_DIR", str(tmp_path))
    return tf.stored_runs()


def _accuracy(p):  # a made-up but deterministic accuracy per cell
    return 0.5 + 0.4 * ((sorted(TRAINERS).index(p["trainer_name"]) * 7 + p["seed"]) % 11) / 10


def test_figures_and_tables_on_a_partial_store(tmp_path, monkeypatch):
    grid = profile_grid("session", datasets=["breast_cancer_wisconsin", "digits"], seeds=[0, 1])
    runs = _store(tmp_path, monkeypatch, [_record(p, _accuracy(p)) for p in grid])
    cov = tf.coverage(runs)
    assert cov.stored.sum() == len(grid)
    assert (cov[cov.dataset == "adult"]["missing"] == "every trainer, seeds 0, 1, 2, 3, 4").all()
    assert (cov[cov.dataset == "digits"]["missing"] == "every trainer, seeds 2, 3, 4").all()
    assert "not run yet: 8 of 12" in tf.coverage_note(runs)
    table = tf.method_table(runs)
    unsupported = table[~table.supported]
    assert set(unsupported.dataset) == {"digits"} and unsupported.reason.str.contains("binary").all()
    which = tf.which_trainer_table(runs)
    assert not which.empty and len(which) <= 6 * 4  # ≤ 6 needs per (dataset, budget)
    # every recommendation is a row of the method table, with the value reported there
    for r in which.itertuples():
        row = table[(table.dataset == r.dataset) & (table.trainer_name == r.trainer_name)
                    & (table.budget == r.budget)]
        assert len(row) == 1 and row.supported.iloc[0]
        assert r.value in [row[c].iloc[0] for c in ("test_mean", "attack_mean", "nonzero")]
    assert (which[which.dataset == "digits"]["not run yet"] == "").all()  # every trainer stored (or unsupported)
    best = which[which.need.str.startswith("the best test")]
    for r in best.itertuples():
        cands = table[(table.dataset == r.dataset) & (table.budget == r.budget) & table.supported]
        assert r.value == cands.test_mean.max()
    bemi = tf.bemi_table(runs)
    assert list(bemi["BeMi (%)"]) == [68.4, 81.8] and (bemi["our best MIP trainer"] == "not run yet").all()
    fig, data = draw("05_which_trainer", "accuracy_vs_time")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("no runs stored yet") == 4 and len(fig.legends[0].get_texts()) <= 6
    assert len(data) == len(table)
    fig, data = draw("05_which_trainer", "which_trainer")
    assert len(data) == len(which)


def test_which_trainer_names_the_trainers_not_run_yet(tmp_path, monkeypatch):
    grid = [p for p in profile_grid("session", datasets=["synthetic"], seeds=[0], budgets=[60])
            if p["trainer_name"] not in ("bdnn_exact", "adam_mlp")]
    which = tf.which_trainer_table(_store(tmp_path, monkeypatch, [_record(p, _accuracy(p)) for p in grid]))
    assert (which["not run yet"] == "bdnn_exact, adam_mlp").all()
    # no verdict between MIP and gradients while a trainer of either side is missing: it could reverse it
    row = which[which.need == "MIP against gradients"].iloc[0]
    assert row.use == "not decided yet" and row.evidence == "waiting for BDNN, exact MIP / MLP, Adam (not run yet at " \
        "this budget)"
    fig, data = draw("05_which_trainer", "which_trainer")
    cells = [c.get_text().get_text() for c in fig.axes[0].tables[0].get_celld().values()]
    assert "not decided yet\n *" in cells and not any("nan" in c for c in cells)


def test_figures_and_tables_on_an_empty_store(tmp_path, monkeypatch):
    runs = _store(tmp_path, monkeypatch, [])
    assert runs.empty and tf.method_table(runs).empty and tf.which_trainer_table(runs).empty
    assert tf.coverage_note(runs).startswith("0 of ")
    fig, _ = draw("05_which_trainer", "accuracy_vs_time")
    assert [t.get_text() for ax in fig.axes for t in ax.texts].count("no runs stored yet") == 6
    draw("05_which_trainer", "which_trainer")


def test_bemi_verdict_uses_the_rule(tmp_path, monkeypatch):
    grid = profile_grid("session", datasets=["mnist_10"], seeds=[0, 1], budgets=[60])
    runs = _store(tmp_path, monkeypatch, [_record(p, 0.69, stopped_at_limit=False, stop_reason="optimal")
                                          for p in grid])
    row = tf.bemi_table(runs).iloc[0]
    assert row["ours (%)"] == 69.0 and row["verdict"].startswith("reproduced")
    runs2 = _store(tmp_path / "b", monkeypatch, [_record(p, 0.7) for p in grid])
    assert tf.bemi_table(runs2).iloc[0]["verdict"].startswith("2 of 2 run(s) ended by our limit")


def test_registered_and_listed():
    assert FIGURE_MODULES["05_which_trainer"] == ("mipnn.experiments.trainer_figures",)
    assert {f.name for f in registered("05_which_trainer")} == {"accuracy_vs_time", "which_trainer", "accuracy_vs_size"}
    table = dataset_table()
    assert list(table.train) == [200, 200, 200, 200, 100, 400] and list(table.classes) == [2, 2, 10, 2, 10, 10]


def test_a_lead_inside_the_verdict_tolerance_is_called_a_tie(tmp_path, monkeypatch):
    """One run each: the tolerance is the verdict rule's floor (1.5 points), so 1 point apart ties and 5 do not."""
    grid = profile_grid("session", datasets=["synthetic"], seeds=[0], budgets=[60])
    acc = {"adam_mlp": 0.80, "logistic_regression": 0.79, "layerwise_relu": 0.75}  # the others 40 %: trivial
    runs = _store(tmp_path, monkeypatch, [_record(p, acc.get(p["trainer_name"], 0.40)) for p in grid])
    table = tf.method_table(runs).set_index("trainer_name")
    # 40 % is below the synthetic test part's majority class
    assert table.trivial[~table.trivial].index.tolist() == ["layerwise_relu", "adam_mlp", "logistic_regression"]
    which = tf.which_trainer_table(runs)
    assert "BNN-MILP" not in " ".join(which.use) + " ".join(which.evidence)  # a trivial fit is never recommended
    best = which[which.need == "the best test accuracy, any trainer"].iloc[0]
    assert best.use == "MLP, Adam (tie with 1)" and "logistic regression (a tie)" in best.evidence
    assert "layer-wise" not in best.evidence
    mip = which[which.need == "MIP against gradients"].iloc[0]
    assert "is behind" in mip.evidence and "stopped at the budget" in mip.evidence  # the record's fits hit the limit


def test_size_study_grid_and_its_slices():
    grid = size_grid()
    assert len(grid) == len(SIZES) * 3 * len(SIZE_DATASETS) * len(TRAINERS)
    assert {p["budget"] for p in grid} == {60.0} and {p["max_train"] for p in grid} == set(SIZES)
    assert [p["max_train"] for p in grid][0] == min(SIZES)  # smallest size first
    assert len(size_grid(datasets=["synthetic"], seeds=[0], sizes=[25])) == len(TRAINERS)
    with pytest.raises(ValueError, match=r"sizes=\[30\] not in the size study; allowed: 25, 50, 100"):
        size_grid(sizes=[30])
    with pytest.raises(ValueError, match="datasets="):
        size_grid(datasets=["mnist_10"])  # the few-shot pair is a size pair of its own


def test_accuracy_vs_size_joins_the_size_study_and_the_grid(tmp_path, monkeypatch):
    """The size study's runs and the grid's 60 s runs (200 points; MNIST's 100 and 400 images) in one table, one row
    per (panel, trainer, size); the figure draws one line per family and keeps the legend within six entries."""
    grid = profile_grid("session", datasets=["synthetic", "mnist_10", "mnist_40"], seeds=[0], budgets=[60, 600])
    _store(tmp_path, monkeypatch, [_record(p, 0.8) for p in grid])
    sizes = size_grid(datasets=["synthetic"], seeds=[0, 1], sizes=[25, 50])
    _store(tmp_path, monkeypatch, [_record(p, 0.6 + p["max_train"] / 1000) for p in sizes], store=tf.SIZE_STORE)
    table = tf.size_table(tf.stored_runs(), tf.stored_size_runs())
    syn = table[table.panel == "synthetic"]
    assert sorted(syn.n_train.unique()) == [25, 50, 200]
    assert (syn.groupby(["trainer_name", "n_train"]).size() == 1).all()  # 600 s runs left out
    assert syn[syn.n_train == 25].runs.eq(2).all() and syn[syn.n_train == 50].test_mean.round(6).eq(65.0).all()
    mnist = table[table.panel == "mnist"]
    assert set(mnist.n_train) == {100, 400} and mnist.supported.all()
    fig, data = draw("05_which_trainer", "accuracy_vs_size")
    assert len(data) == len(table)
    legend = [t.get_text() for ax in fig.axes for lg in [ax.get_legend()] if lg for t in lg.get_texts()]
    assert 0 < len(legend) <= 6
    assert f"{len(sizes)} of {len(size_grid())} runs of the size study stored" in fig._suptitle.get_text()


def test_accuracy_vs_size_without_a_size_store(tmp_path, monkeypatch):
    _store(tmp_path, monkeypatch, [])
    assert tf.stored_size_runs().empty and tf.size_table(tf.stored_runs(), tf.stored_size_runs()).empty
    fig, _ = draw("05_which_trainer", "accuracy_vs_size")
    assert [t.get_text() for ax in fig.axes for t in ax.texts].count("no runs stored yet") == 5


def test_under_attack_a_trainer_must_beat_the_constant_answer(tmp_path, monkeypatch):
    """The majority class keeps its accuracy under any attack: a trainer below it is no recommendation there."""
    grid = [p for p in profile_grid("session", datasets=["synthetic"], seeds=[0], budgets=[60])
            if p["trainer_name"] in ("adam_mlp", "logistic_regression")]
    need = "accuracy under the random-sign attack (ε = 0.5)"

    def attacked(under):
        return [_record(p, 0.8, attack=[{"epsilon": e, "accuracy": 0.8 if e == 0 else under[p["trainer_name"]]}
                                        for e in (0.0, 0.5, 1.0)]) for p in grid]

    runs = _store(tmp_path, monkeypatch, attacked({"adam_mlp": 0.30, "logistic_regression": 0.40}))
    majority = tf.method_table(runs).majority.iloc[0]
    assert 40 < majority < 80
    row = tf.which_trainer_table(runs).set_index("need").loc[need]
    assert row.use == "none beats the majority class" and f"keeps {majority:.1f} % under any attack" in row.evidence
    assert row.trainer_name == "logistic_regression" and row.value == pytest.approx(40.0)
    runs = _store(tmp_path / "again", monkeypatch, attacked({"adam_mlp": 0.30, "logistic_regression": 0.79}))
    row = tf.which_trainer_table(runs).set_index("need").loc[need]
    assert row.use == "logistic regression" and row.value == pytest.approx(79.0)


def _runner():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "run_05_trainers.py"
    spec = importlib.util.spec_from_file_location("run_05_trainers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_run_script_sweeps_on_parallel_workers_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIPNN_RESULTS_DIR", str(tmp_path))
    script = _runner()
    argv = ["--datasets", "synthetic", "--trainers", "logistic_regression", "--seeds", "0", "1",
            "--budgets", "60", "--jobs", "2"]
    assert script.main(argv) == 0
    lines = (tmp_path / "05_which_trainer" / "runs_session.jsonl").read_text().splitlines()
    runs = [json.loads(line) for line in lines]
    assert sorted(r["params"]["seed"] for r in runs) == [0, 1]
    assert {r["worker"]["executor"] for r in runs} == {"local"}  # spawned workers, not this process
    assert script.main(argv) == 0 and "0 of 2 runs to do" in capsys.readouterr().out


def test_the_run_script_runs_the_gradient_baselines_first_within_a_dataset():
    grid = profile_grid("session", datasets=["synthetic", "adult"], seeds=[0, 1], budgets=[600])
    order = _runner()._cheap_first(grid)
    assert sorted(map(run_key, order)) == sorted(map(run_key, grid))
    first = [(p["seed"], p["dataset"], p["trainer_name"]) for p in order[:4]]
    assert first[:3] == [(0, grid[0]["dataset"], t) for t in ("ste", "adam_mlp", "logistic_regression")]
    assert first[3][2] == grid[0]["trainer_name"] and TRAINERS[first[3][2]].kind == "mip"
    cells = [(p["seed"], p["dataset"]) for p in order]
    assert cells == sorted(cells, key=cells.index) and len(set(cells)) == 4  # cells stay together, in grid order


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "--jobs=0"),
    (["--executor", "spark"], "executor"),
    (["--jobs", "2", "--until", "12:00"], "--until applies"),
])
def test_the_run_script_refuses_bad_parallel_options_before_any_run(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MIPNN_RESULTS_DIR", str(tmp_path))
    with pytest.raises(SystemExit):
        _runner().main(argv)
    assert message in capsys.readouterr().err and not any(tmp_path.rglob("*.jsonl"))


def test_budget_gain_pairs_seeds_and_uses_the_verdict_tolerance(tmp_path, monkeypatch):
    grid = [p for p in profile_grid("session", datasets=["synthetic"], seeds=[0, 1], budgets=[60, 600])
            if p["trainer_name"] in ("layerwise_relu", "adam_mlp", "sign_mip_sat_margin")]
    acc = {("layerwise_relu", 60): 0.60, ("layerwise_relu", 600): 0.70, ("adam_mlp", 60): 0.80,
           ("adam_mlp", 600): 0.805, ("sign_mip_sat_margin", 60): 0.70}
    # seed 1 at 600 s is missing for the sign net: it has no pair at all and no row
    records = [_record(p, acc[p["trainer_name"], p["budget"]] + 0.01 * p["seed"]) for p in grid
               if (p["trainer_name"], p["budget"]) in acc]
    gain = tf.budget_gain(_store(tmp_path, monkeypatch, records)).set_index("trainer_name")
    assert set(gain.index) == {"layerwise_relu", "adam_mlp"} and (gain.pairs == 2).all()
    assert gain.loc["layerwise_relu", "change (pt)"] == 10.0 and gain.loc["layerwise_relu", "reading"] == "gains"
    assert gain.loc["adam_mlp", "reading"] == "same"  # +0.5 pt is inside the 1.5-point floor
    assert gain.loc["layerwise_relu", "at limit at 600 s"] == 2
    assert (gain["clock at 60 s"] == 2).all()  # the made-up records stop on time_limit: both could gain
    assert tf.budget_gain(_store(tmp_path / "e", monkeypatch, [])).empty


def test_coverage_names_trainers_missing_more_than_the_common_seeds(tmp_path, monkeypatch):
    grid = [p for p in profile_grid("session", datasets=["synthetic"], seeds=[0], budgets=[600])
            if p["trainer_name"] != "bdnn_exact"]
    cov = tf.coverage(_store(tmp_path, monkeypatch, [_record(p, 0.7) for p in grid])).set_index(["dataset", "budget"])
    assert cov.loc[("synthetic", 600.0), "missing"] == "every trainer, seeds 1, 2, 3, 4; also bdnn_exact (seed 0)"


def test_a_trainers_budgets_are_joined_only_when_they_rest_on_as_many_runs(tmp_path, monkeypatch):
    grid = [p for p in profile_grid("session", datasets=["synthetic"], seeds=[0, 1], budgets=[60, 600])
            if p["trainer_name"] in ("adam_mlp", "layerwise_relu") and (p["budget"] == 60 or p["seed"] == 0
                                                                        or p["trainer_name"] == "adam_mlp")]
    _store(tmp_path, monkeypatch, [_record(p, 0.7) for p in grid])
    fig, _ = draw("05_which_trainer", "accuracy_vs_time")
    ax = next(a for a in fig.axes if a.get_title().startswith("synthetic"))
    assert len([ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]) == 1  # Adam (2 and 2), not layer-wise
