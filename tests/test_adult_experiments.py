"""Adult preprocessing, sampling, the run function and the reproduction table of notebook 02."""

import numpy as np
import pandas as pd
import pytest

from mipnn.data import adult_split, load_adult_features
from mipnn.experiments import adult as ae

# Adult is vendored in data/adult/, so these tests run with or without MIPNN_DATA_DIR.


def test_preprocessing_shapes():
    d = load_adult_features()
    assert d.X_train.shape == (32_561, 108) and d.X_test.shape == (16_281, 108)
    assert set(np.unique(d.y_train)) == {-1.0, 1.0}
    assert d.X_train.min() >= 0 and d.X_train.max() <= 1


def test_sample_holdout_and_nesting():
    a = adult_split(40, random_state=3)
    b = adult_split(80, random_state=3)
    assert a.X_train.shape == (40, 108) and len(a.y_val) == 6_512 and len(a.y_test) == 16_281
    assert np.array_equal(b.X_train[:40], a.X_train)  # same seed: the smaller sample is nested
    assert not np.array_equal(adult_split(40, random_state=4).X_train, a.X_train)
    assert a.dataset == "adult" and a.random_state == 3
    # the training sample never overlaps the validation hold-out
    val = {r.tobytes() for r in a.X_val}
    dup = sum(r.tobytes() in val for r in a.X_train)
    assert dup <= 2  # identical records can occur in Adult itself; indices are disjoint by construction
    with pytest.raises(ValueError, match="N"):
        adult_split(0, random_state=0)


@pytest.mark.parametrize("objective", ["sat_margin", "gd_nn"])
def test_run_experiment_small(objective):
    out = ae.run_experiment(objective, P=1, N=20, random_state=0, time_limit=30.0, hidden=(4,), max_epochs=300)
    for key in ("train_acc", "test_acc", "val_acc", "runtime", "stop_reason", "weights"):
        assert key in out
    assert 0 <= out["test_acc"] <= 100
    if objective != "gd_nn":
        assert out["stop_reason"] in ("target", "optimal")
        assert out["train_acc"] >= out["guaranteed_train_acc"] >= 90


def test_reference_and_reproduction_table():
    ref = ae.load_reference()
    assert len(ref) == 112 and set(ref["objective"]) == set(ae.METHODS)
    row = ref[(ref.objective == "sat_margin") & (ref.P == 15) & (ref.N == 280)].iloc[0]
    assert row.runtime_s_mean == pytest.approx(1298.8)
    runs = pd.DataFrame({"objective": ["sat_margin"] * 2, "P": [1, 1], "N": [40, 40], "random_state": [0, 1],
                         "train_acc": [100.0, 97.5], "test_acc": [72.0, 73.0], "runtime": [0.4, 0.6],
                         "stop_reason": ["optimal", "time_limit"]})
    agg = ae.aggregate_runs(runs)
    assert agg.loc[0, "test_acc_mean"] == pytest.approx(72.5)
    assert agg.loc[0, "test_acc_std"] == pytest.approx(np.std([72.0, 73.0], ddof=1))  # sample std
    assert agg.loc[0, "stop_reasons"] == {"optimal": 1, "time_limit": 1}
    assert agg.loc[0, "limit_runs"] == 1 and agg.loc[0, "trivial_runs"] == 0
    table = ae.reproduction_table(agg, ref)
    assert table.loc[0, "test_acc_paper"] == pytest.approx(72.58)
    assert table.loc[0, "verdict"] == "stopped by our limit" and "1 of 2" in table.loc[0, "verdict_accuracy"]
    view = ae.deterministic_view(table)
    assert view.loc[0, "test_acc_ours"] == "(limit)" and "runtime_ours" not in view
    # both runs at the cut-off and within the tolerance: reproduced
    done = ae.reproduction_table(ae.aggregate_runs(runs.assign(stop_reason="target")), ref)
    assert done.loc[0, "verdict"] == "reproduced"


def test_majority_class_runs_are_trivial_predictors():
    share = ae.majority_share()
    assert share == pytest.approx(76.38, abs=0.005)
    runs = pd.DataFrame({"objective": ["min_hinge"] * 3, "P": [1] * 3, "N": [280] * 3, "random_state": [0, 1, 2],
                         "train_acc": [90.0] * 3, "test_acc": [share, share, 81.0], "runtime": [1.0] * 3,
                         "stop_reason": ["target"] * 3})
    agg = ae.aggregate_runs(runs)
    assert agg.loc[0, "trivial_runs"] == 2
    table = ae.reproduction_table(agg)
    assert table.loc[0, "verdict"] == "trivial predictor"  # the authors' 79.7 % beats the majority class
    # a gradient baseline that ran its 10,000 epochs met the authors' rule; one stopped by our clock did not
    gd = pd.DataFrame({"objective": ["gd_nn"] * 2, "P": [1] * 2, "N": [40] * 2, "random_state": [0, 1],
                       "train_acc": [95.0] * 2, "test_acc": [79.0, 80.0], "runtime": [1.0] * 2,
                       "stop_reason": ["max_epochs", "time_limit"]})
    assert ae.aggregate_runs(gd).loc[0, "limit_runs"] == 1


def test_bad_method():
    with pytest.raises(ValueError, match="objective"):
        ae.run_experiment("adam", P=1, N=10, random_state=0)


def test_run_without_incumbent_is_a_result_not_a_crash(monkeypatch):
    from mipnn.exceptions import NoSolutionError

    class Rec:
        wall_time, bound, node_count, n_variables, n_constraints, status = 60.0, 12.0, 3, 100, 200, "time_limit"

    def no_incumbent(*args, **kwargs):
        raise NoSolutionError("no incumbent", Rec())

    monkeypatch.setattr(ae, "train_sign_net", no_incumbent)
    out = ae.run_experiment("max_correct", 1, 40, 0, time_limit=60.0)
    assert out["stop_reason"] == "no_solution" and out["test_acc"] is None and out["runtime"] == 60.0
    runs = pd.DataFrame([dict(objective="max_correct", P=1, N=40, random_state=0, **out),
                         dict(objective="max_correct", P=1, N=40, random_state=1, **{**out, "stop_reason": "target",
                                                                             "train_acc": 95.0, "test_acc": 70.0})])
    agg = ae.aggregate_runs(runs)
    assert agg["test_acc_mean"].iloc[0] == 70.0 and agg["stop_reasons"].iloc[0] == {"no_solution": 1, "target": 1}
    table = ae.reproduction_table(agg)
    assert table["verdict"].iloc[0] == "stopped by our limit"
