"""Notebook 02 on the authors' protocol: their input scaling, their tie rule, and rescoring the stored networks."""

import numpy as np
import pandas as pd
import pytest

from mipnn.data import adult_split, load_adult_features
from mipnn.experiments import adult as ae
from mipnn.experiments import run_key
from mipnn.signnet import EPSILON, predict_index, tied


@pytest.fixture(scope="module")
def both():
    return load_adult_features(scaling="authors"), load_adult_features(scaling="train")


def test_authors_scaling_uses_train_and_test_and_rounds(both):
    authors, train = both
    num = slice(0, 6)
    # min-max over train and test together: the joint range is exactly [0, 1] ...
    joint = np.vstack([authors.X_train[:, num], authors.X_test[:, num]])
    assert np.array_equal(joint.min(axis=0), np.zeros(6)) and np.array_equal(joint.max(axis=0), np.ones(6))
    # ... so fnlwgt, whose largest value is in the test file, stays below 1 in the training file (the leak)
    fnlwgt = authors.feature_names.index("fnlwgt")
    assert authors.X_train[:, fnlwgt].max() < 1.0 == authors.X_test[:, fnlwgt].max()
    assert train.X_train[:, fnlwgt].max() == 1.0 < train.X_test[:, fnlwgt].max()
    # rounded to 4 decimals: every input is a multiple of 1e-4 (the training-statistics scaling is not)
    for X in (authors.X_train, authors.X_test):
        assert np.abs(X * 1e4 - np.round(X * 1e4)).max() < 1e-6
    assert np.abs(train.X_train * 1e4 - np.round(train.X_train * 1e4)).max() > 1e-3
    # the one-hot part and the labels do not depend on the scaling
    assert np.array_equal(authors.X_train[:, 6:], train.X_train[:, 6:])
    assert np.array_equal(authors.y_test, train.y_test)
    with pytest.raises(ValueError, match="scaling"):
        load_adult_features(scaling="test")


def test_rounding_keeps_preactivations_off_the_open_band(both):
    authors, train = both
    X_a, X_t = authors.X_train[:3000], train.X_train[:3000]
    rng = np.random.default_rng(0)
    in_band = {"authors": 0, "train": 0}
    for _ in range(20):
        W = rng.integers(-15, 16, size=(108, 16)).astype(float)
        b = rng.integers(-15, 16, size=16).astype(float)
        for name, X in (("authors", X_a), ("train", X_t)):
            a = X @ W + b
            in_band[name] += int(((a < -1e-9) & (a > -EPSILON + 1e-9)).sum())
    assert in_band["authors"] == 0  # a < 0 implies a <= -1e-4: the strict inequality is exact
    assert in_band["train"] > 0  # unrounded inputs do land in (-1e-4, 0)


def test_random_ties_are_seeded_and_only_among_the_tied():
    s = np.array([[1, 1], [2, 0], [0, 3], [5, 5], [-1, -1]] * 200)
    assert tied(s).sum() == 600
    lowest = predict_index(s)
    assert (lowest[tied(s)] == 0).all()  # the old rule: every tie to class 0
    a = predict_index(s, "random", 7)
    assert np.array_equal(a, predict_index(s, "random", 7))  # seeded
    assert not np.array_equal(a, predict_index(s, "random", 8))
    assert np.array_equal(a[~tied(s)], lowest[~tied(s)])  # untied rows are the argmax
    assert 0.4 < a[tied(s)].mean() < 0.6  # about half of the ties go to each class
    three = np.array([[2, 2, 1]] * 500)
    assert set(predict_index(three, "random", 0)) == {0, 1}  # never a class that is not among the largest
    with pytest.raises(ValueError, match="ties"):
        predict_index(s, "first")


def test_score_network_all_ties_is_chance_not_the_majority_class():
    sample = adult_split(40, random_state=0)
    zero = [(np.zeros((108, 16)), np.zeros(16)), (np.zeros((16, 2)), np.zeros(2))]
    out = ae.score_network(zero, sample, tol=EPSILON / 2, random_state=0)
    assert out["test_ties"] == 16_281 and out["train_ties"] == 40 and out["test_trivial"]
    assert out["test_acc_lowest"] == pytest.approx(ae.majority_share())  # the old rule: 76.38 %
    assert 48 < out["test_acc"] < 52  # the authors' rule: a coin
    assert out == ae.score_network(zero, sample, tol=EPSILON / 2, random_state=0)


def test_aggregate_counts_recorded_trivial_runs_and_ties():
    runs = pd.DataFrame({"objective": ["sat_margin"] * 3, "P": [1] * 3, "N": [280] * 3, "random_state": [0, 1, 2],
                         "train_acc": [90.0] * 3, "test_acc": [50.2, 77.0, 80.0], "runtime": [1.0] * 3,
                         "stop_reason": ["target"] * 3, "test_trivial": [True, True, False],
                         "test_ties": [16_281, 10, 0]})
    agg = ae.aggregate_runs(runs)
    assert agg.loc[0, "trivial_runs"] == 2 and agg.loc[0, "test_ties_mean"] == pytest.approx(5430.33, abs=0.01)
    assert ae.reproduction_table(agg).loc[0, "verdict"] == "trivial predictor"


def test_rescore_record_adds_scaling_and_keeps_the_old_numbers():
    out = ae.run_experiment("sat_margin", P=1, N=20, random_state=1, time_limit=30.0, hidden=(4,),
                            scaling="train")
    params = {"objective": "sat_margin", "P": 1, "N": 20, "random_state": 1, "hidden": [4], "time_limit": 30.0}
    old = dict(out, train_acc=out["train_acc_lowest"], val_acc=out["val_acc_lowest"],
               test_acc=out["test_acc_lowest"])
    for k in ("train_acc_lowest", "val_acc_lowest", "test_acc_lowest", "train_ties", "test_ties", "test_trivial"):
        old.pop(k)
    rec = {"key": run_key(params), "params": params, "result": old}
    new = ae.rescore_record(rec)
    assert new["params"]["scaling"] == "train" and new["key"] == run_key(dict(params, scaling="train"))
    assert new["rescored"]["before"]["test_acc"] == out["test_acc_lowest"]
    assert new["result"]["test_acc"] == out["test_acc"] and new["result"]["test_ties"] == out["test_ties"]
    with pytest.raises(ValueError, match="do not give"):  # a network that does not give its stored numbers
        ae.rescore_record(dict(rec, result=dict(old, test_acc=old["test_acc"] + 1)))


def test_prefer_scaling_takes_complete_points_only():
    base = {"objective": "sat_margin", "P": 1, "N": 40, "train_acc": 95.0, "test_acc": 75.0}
    runs = pd.DataFrame([{**base, "random_state": s, "scaling": sc, "start": None}
                         for sc, states in (("train", [0, 1, 2]), ("authors", [0, 1, 2])) for s in states]
                        + [{**base, "N": 80, "random_state": s, "scaling": sc, "start": None}
                           for sc, states in ((None, [0, 1, 2]), ("authors", [0])) for s in states])
    got = ae.prefer_scaling(runs)
    assert set(got[got["N"] == 40]["scaling"]) == {"authors"} and len(got[got["N"] == 40]) == 3
    assert set(got[got["N"] == 80]["scaling"]) == {"train"} and len(got[got["N"] == 80]) == 3


def test_sweep_grid_records_the_scaling():
    grid = ae.sweep_grid(["sat_margin", "gd_nn", "min_hinge"], [1, 3], [40], [0], time_limit=60, hidden=[16])
    assert len(grid) == 4 and all(p["scaling"] == "authors" for p in grid)
    assert [p for p in grid if p["objective"] == "min_hinge"][0]["stop_rule"] == "authors"
    assert "solver_options" not in [p for p in grid if p["objective"] == "gd_nn"][0]


def _table(test_accs, stop="target"):
    runs = pd.DataFrame([{"objective": o, "P": P, "N": N, "random_state": s, "train_acc": 95.0, "test_acc": acc,
                          "runtime": 1.0, "stop_reason": stop}
                         for (o, P, N), acc in test_accs.items() for s in (0, 1, 2)])
    return ae.reproduction_table(ae.aggregate_runs(runs))


def test_page_width_tables():
    a = _table({("sat_margin", 1, 40): 72.5, ("sat_margin", 3, 40): 72.0, ("sat_margin", 1, 280): 79.6})
    b = _table({("sat_margin", 1, 40): 60.0, ("sat_margin", 3, 40): 72.0, ("sat_margin", 1, 280): 79.6})
    grid = ae.verdict_grid(a)
    assert list(grid.index) == ["sat-margin P=1", "sat-margin P=3"] and list(grid.columns) == [40, 280]
    assert grid.loc["sat-margin P=1", 280] == "REPRO" and grid.loc["sat-margin P=3", 280] == ""
    tt = ae.train_test_table({"x": a, "y": b}, min_N=200)
    assert len(tt) == 1 and tt.loc[0, "paper 10 h"] == "all"  # the authors' sat-margin P=1 N=280 ran 10 h
    assert tt.loc[0, "test %"] == "79.6 / 79.6 / 79.6" and tt.loc[0, "verdict"] == "REPRO / REPRO"
    assert tt.attrs["order"] == "paper / x / y"
    ch = ae.verdict_changes(a, b, names=("a", "b"))
    assert list(ch["point"]) == ["sat-margin P=1 N=40"] and ch.loc[0, "verdict b"] == "short"
    assert max(len(str(c)) for c in tt.columns) < 30
