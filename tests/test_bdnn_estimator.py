"""BDNNClassifier: scikit-learn behaviour and the three training methods."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from mipnn.bnn import BDNNClassifier, bnn_forward
from mipnn.exceptions import FitWarning


def _data(seed=0, n=16):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    return X, y


@pytest.mark.parametrize("method", ["exact", "local_search", "data_splitting"])
def test_methods_fit_and_predict(method):
    X, y = _data()
    clf = BDNNClassifier(method=method, hidden=(2,), max_splits=2, max_rounds=2, time_limit=20, random_state=0)
    assert clf.fit(X, y) is clf
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.train_accuracy_ == pytest.approx(np.mean(clf.predict(X) == y))
    assert [W.shape for W, _ in clf.weights_] == [(2, 3), (2, 2)]
    assert [W.shape for W in clf.coefs_] == [(3, 2), (2, 2)]  # scikit-learn's (n_in, n_out), like MLPClassifier
    assert all(np.array_equal(C, W.T) for C, (W, _) in zip(clf.coefs_, clf.weights_, strict=True))
    # predictions come from the numpy forward pass of the stored network
    out = bnn_forward(X, clf.weights_)[-1]
    single = out.sum(axis=1) == 1
    np.testing.assert_array_equal(clf.classes_[np.argmax(out[single], axis=1)], clf.predict(X)[single])
    assert clf.decision_function(X).shape == (16,)
    assert clone(clf).get_params()["method"] == method


def test_exact_multiclass_integer_accuracy_is_bounded_by_the_hamming_loss():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 2))
    y = np.argmax(X @ np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]]), axis=1)
    clf = BDNNClassifier(method="exact", hidden=(4,), weight_domain="integer", time_limit=30).fit(X, y)
    assert clf.solve_record_.status == "optimal"
    assert all(np.isin(W, (-1, 0, 1)).all() for W, _ in clf.weights_)
    # a point with Hamming loss 0 is classified correctly, so errors <= loss
    assert clf.train_accuracy_ >= 1.0 - clf.solve_record_.objective / 12 - 1e-9
    assert clf.solve_record_.objective <= 4


@pytest.mark.parametrize("params,match", [
    ({"method": "sgd"}, "method"), ({"weight_domain": "binary"}, "weight_domain"),
    ({"robust_radius": -1}, "robust_radius"),
    ({"hidden": (0,)}, "hidden"), ({"time_limit": 0}, "time_limit"), ({"max_splits": -2}, "max_splits"),
    ({"validation_data": 3}, "validation_data")])
def test_bad_parameters(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        BDNNClassifier(**params).fit(X, y)


def test_validation_labels_must_be_training_classes():
    X, y = _data()
    clf = BDNNClassifier(method="data_splitting", hidden=(2,), max_splits=1, time_limit=20,
                         validation_data=(X[:4], np.array(["no", "maybe", "yes", "no"])))
    with pytest.raises(ValueError, match="maybe"):
        clf.fit(X, y)


def test_experiment_reports_fit_time_and_capped_runs():
    from mipnn.experiments.bdnn import run_bdnn_experiment

    capped = run_bdnn_experiment("iris", "exact", 0, hidden=(1,), max_train=40, node_limit=1, time_limit=20)
    assert capped["capped"] and capped["status"] in ("work_limit", "time_limit")
    assert capped["fit_time"] >= capped["solve_time"] > 0                  # the model's build is in fit_time
    ls = run_bdnn_experiment("iris", "local_search", 0, hidden=(3,), max_train=20, max_rounds=2, time_limit=20)
    assert ls["best_iteration"] in (0, 1) and not ls["capped"]
    adam = run_bdnn_experiment("iris", "adam", 0, hidden=(3,), max_train=20, epochs=40, n_iter_no_change=5)
    assert adam["epochs_run"] <= 40 and isinstance(adam["converged"], bool) and not adam["capped"]
    assert adam["fit_time"] == adam["solve_time"] and 1 <= adam["best_epoch"] <= adam["epochs_run"]


def test_trivial_network_is_a_feasible_start_and_exact_always_has_an_incumbent():
    from mipnn.bnn import point_losses, trivial_network

    X, y = np.random.default_rng(0).normal(size=(30, 4)), np.arange(30) % 3
    net = trivial_network(X.shape[1], (3, 3))
    assert point_losses(X, y, net, 3).sum() == 2 * len(y)            # every output fires: 2 wrong units per point
    with pytest.warns(FitWarning, match=r"stopped at its limit \(work_limit\).*Raise time_limit"):
        clf = BDNNClassifier(method="exact", hidden=(3,), time_limit=20, solver_options={"mip_max_nodes": 1},
                             random_state=0).fit(X, y)
    assert clf.solve_record_.has_solution and clf.solve_record_.objective <= 2 * len(y) + 1e-9
    assert clf.train_accuracy_ <= 1 / 3 + 1e-9                      # the trivial predictor the warning names


def test_a_start_is_returned_when_highs_has_no_incumbent_at_the_limit(monkeypatch):
    # HiGHS checks a MIP start only after presolve; when the limit strikes first the start is what we have
    import mipnn.bnn.bdnn as bd
    import mipnn.bnn.milp as milp
    from mipnn.bnn import point_losses, trivial_network
    from mipnn.exceptions import NoSolutionError

    real_solve = milp.solve

    def no_incumbent(model, **kw):
        rec = real_solve(model, **{**kw, "time_limit": 1})
        raise NoSolutionError("no incumbent (simulated)", rec)

    monkeypatch.setattr(milp, "solve", no_incumbent)
    X, y = np.random.default_rng(1).normal(size=(12, 3)), np.arange(12) % 2
    start = trivial_network(3, (2, 2))
    fit = bd.solve_bdnn(X, y, hidden=(2,), start=start, time_limit=5)
    assert "MIP start is returned" in fit.record.solver_status
    assert fit.record.objective == pytest.approx(point_losses(X, y, fit.network, 2).sum())
    assert all(np.array_equal(W, W0) for (W, _), (W0, _) in zip(fit.network, start, strict=True))
    with pytest.raises(NoSolutionError):
        bd.solve_bdnn(X, y, hidden=(2,), time_limit=5)


def _fake_runs():
    import pandas as pd

    rows = []
    for rs in range(3):
        # local search has the best *test* accuracy, data splitting the best *validation* accuracy
        for method, val, test in (("exact", 0.50, 0.40), ("local_search", 0.70, 0.95), ("data_splitting", 0.80, 0.80)):
            rows.append(dict(dataset="iris", method=method, random_state=rs, train_accuracy=0.9, val_accuracy=val,
                             test_accuracy=test + 0.01 * rs, fit_time=2.0, solve_time=1.0, capped=method == "exact",
                             n_binaries=10, n_constraints=20, status="time_limit" if method == "exact" else "optimal"))
        for patience, test in ((20, 0.805), (None, 0.30)):                 # converged / the authors' 30 epochs
            rows.append(dict(dataset="iris", method="adam", random_state=rs, n_iter_no_change=patience,
                             train_accuracy=0.95, val_accuracy=0.8, test_accuracy=test + 0.01 * rs, fit_time=1.0,
                             solve_time=1.0, capped=False, n_binaries=0, n_constraints=0, status="trained"))
    return pd.DataFrame(rows)


def test_notebook_04_tables_choose_on_validation_and_read_with_the_verdict_tolerance():
    from mipnn.experiments.bdnn import best_bdnn_by_validation, compare_methods, label_methods, method_table

    runs = _fake_runs()
    assert set(label_methods(runs)) == {"exact", "local_search", "data_splitting", "adam", "adam_30ep"}
    table = method_table(runs)
    assert table.loc[("iris", "exact"), "capped"] == 3 and table.loc[("iris", "adam"), "runs"] == 3
    assert best_bdnn_by_validation(table)["iris"] == "data_splitting"   # never the test-best local search
    tie = compare_methods(table, "iris", "data_splitting", "adam")     # -0.5 pt against ±2·sqrt(1/3 + 1/3) pt
    assert tie["reading"] == "tie" and tie["difference"] == pytest.approx(-0.5)
    assert tie["tolerance"] == pytest.approx(2 * (2 / 3) ** 0.5)        # both sides: 3 runs, std 1 pt
    assert compare_methods(table, "iris", "data_splitting", "adam_30ep")["reading"] == "beats"
    assert compare_methods(table, "iris", "exact", "data_splitting")["reading"] == "behind"


def test_exact_yardstick_counts_parameters_and_capped_runs():
    from mipnn.experiments.bdnn import exact_yardstick, majority_share

    runs = _fake_runs().assign(n_features=4, n_train=24, objective=3.0, bound=0.0)
    yard = exact_yardstick(runs, (4,))
    row = yard.loc["iris"]
    assert row["BDNN parameters"] == 4 * 4 + 4 + 4 * 3 + 3                # widths 4-4-3: weights and thresholds
    assert row["capped"] == "3/3" and row["test acc (%)"] == 41.0 and row["majority (%)"] == 33.3
    assert majority_share("iris") == pytest.approx(1 / 3)


@pytest.mark.parametrize("method", ["exact", "local_search", "data_splitting"])
@pytest.mark.parametrize("bad,match", [((lambda X, y: (X[:4, :2], y[:4])), "X_val"),
                                       ((lambda X, y: (X[:4], np.array(["no", "maybe", "yes", "no"]))), "maybe")])
def test_validation_data_is_checked_for_every_method_before_any_work(method, bad, match, monkeypatch):
    import mipnn.bnn.estimator as est

    def no_solve(*args, **kwargs):
        raise AssertionError("a MIP was solved before validation_data was checked")

    for name in ("solve_bdnn", "local_search", "iterative_data_splitting"):
        monkeypatch.setattr(est, name, no_solve)
    X, y = _data()
    clf = BDNNClassifier(method=method, hidden=(2,), time_limit=20, validation_data=bad(X, y))
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def _documented_rule(clf, X):
    """A fitted BDNN evaluated from its exported attributes only, with the documented rule."""
    u = np.asarray(X, dtype=float)
    for C, t in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        u = (u @ C >= t).astype(float)
    return clf.classes_[np.argmax(u @ clf.coefs_[-1] - clf.intercepts_[-1], axis=1)]


def test_exported_thresholds_describe_the_network_predict_uses():
    # A network whose hidden pre-activation sits just below λ, as a solver leaves a firing unit (round-off):
    # predict() counts the unit as firing (threshold λ − ε/2), so the exported intercepts_ must too.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    clf = BDNNClassifier(method="exact", hidden=(1,), time_limit=5).fit(X, y)
    clf.weights_ = [(np.array([[0.0, 1.0]]), np.array([1.0 + 1e-9])),            # a = x2: fires iff x2 = 1
                    (np.array([[-1.0], [1.0]]), np.array([0.0, 0.5]))]
    expected = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(clf.predict(X), expected)
    np.testing.assert_array_equal(_documented_rule(clf, X), clf.predict(X))
    s = clf.decision_function(X)
    np.testing.assert_allclose(s, (X[:, [1]] @ clf.coefs_[1] - clf.intercepts_[1]) @ np.array([-1.0, 1.0]))


@pytest.mark.parametrize("method", ["exact", "data_splitting"])
def test_exported_thresholds_reproduce_predict_after_a_real_fit(method):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 4))
    y = (X @ np.array([1.0, -0.5, 0.3, 0.0]) > 0).astype(int)
    clf = BDNNClassifier(method=method, hidden=(3,), max_splits=2, time_limit=20, random_state=0).fit(X, y)
    np.testing.assert_array_equal(_documented_rule(clf, X), clf.predict(X))
    assert np.mean(_documented_rule(clf, X) == y) == pytest.approx(clf.train_accuracy_)


def test_a_trivial_fit_that_ran_out_of_time_warns_even_when_its_mips_were_optimal(monkeypatch):
    # data splitting whose MIPs all end "optimal" but whose fit stops at its time limit with a trivial network
    from types import SimpleNamespace

    import mipnn.bnn.estimator as est
    from mipnn.bnn import trivial_network

    def out_of_time(X, y, X_val, y_val, **kwargs):
        net = trivial_network(X.shape[1], (*kwargs["hidden"], kwargs["n_classes"]))
        return SimpleNamespace(network=net, history=[{"status": "optimal"}], solve_time=0.1,
                                   stop_reason="time_limit", best_iteration=0)

    monkeypatch.setattr(est, "iterative_data_splitting", out_of_time)
    X, y = _data(n=20)
    with pytest.warns(FitWarning, match="time_limit"):
        clf = BDNNClassifier(method="data_splitting", hidden=(2,), time_limit=1).fit(X, y)
    assert clf.stop_reason_ == "time_limit"


def test_robust_runs_scale_to_the_unit_box_and_report_both_prediction_rules():
    from mipnn.experiments.bdnn import robust_grid, run_bdnn_experiment

    P = dict(robust_dataset="breast_cancer_wisconsin", robust_hidden=(2,), robust_max_train=20, time_limit=10.0,
             node_limit=50, max_splits=4, robust_max_splits=1, batch_size=None, robust_radii=[0.0, 0.1],
             attack_trials=1, repetitions=1, weight_domain="integer")
    grid = robust_grid(P)
    assert [g["robust_radius"] for g in grid] == [0.0, 0.1] and all("scale" not in g for g in grid)
    assert {g["max_splits"] for g in grid} == {1} and {g["weight_domain"] for g in grid} == {"integer"}
    out = run_bdnn_experiment(**grid[0])                                 # ρ = 0 with the attack: [0, 1] too
    assert out["scale"] == "minmax" and out["n_mips"] == 1
    assert 0 <= out["test_accuracy"] <= 1 and 0 <= out["test_accuracy_margin"] <= 1
    assert [a["epsilon"] for a in out["attack"]] == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_status_rows_without_exact_runs():
    from mipnn.experiments.bdnn import status_rows

    entry = {"repetitions": 3, "test_accuracy_mean": 0.9, "test_accuracy_std": 0.01, "fit_time_mean_s": 10.0}
    summary = {"methods": {"iris": {"data_splitting": entry, "adam": {**entry, "test_accuracy_mean": 0.95}}},
               "best_bdnn": {"iris": "data_splitting"},
               "robustness": {"dataset": "iris", "rho=0": {"eps=0": 0.9, "eps=1": 0.5, "eps=2": 0.3},
                              "rho=0.1": {"eps=0": 0.9, "eps=1": 0.6, "eps=2": 0.3}}}
    rows = status_rows(summary, "medium", {"cases": [{"claim_holds": True}, {"claim_holds": False}]})
    assert "data splitting only" in rows[0]["ours"] and rows[0]["verdict"].endswith("partly")
    assert "behind" in rows[1]["ours"] and len(rows) == 3                # no exact runs: no yardstick row


def test_status_rows_name_a_trivial_bdnn_instead_of_comparing_it():
    from mipnn.experiments.bdnn import status_rows

    entry = {"repetitions": 2, "test_accuracy_mean": 0.9, "test_accuracy_std": 0.01}
    trivial = {**entry, "test_accuracy_mean": 1 / 3, "capped_runs": 2}  # iris: three classes of 50
    summary = {"methods": {"iris": {"data_splitting": trivial, "adam": entry},
                           "breast_cancer_wisconsin": {"data_splitting": entry, "adam": entry}},
               "robustness": {"dataset": "iris", "rho=0": {"eps=0": 0.9, "eps=1": 0.5},
                              "rho=0.1": {"eps=0": 1 / 3, "eps=1": 1 / 3}}}
    rows = status_rows(summary, "medium")
    assert "iris data_splitting 33.3 vs 90.0: no comparison: the BDNN is a trivial predictor" in rows[1]["ours"]
    assert rows[1]["verdict"].startswith("no reference; the BDNN beats Adam on 0 of 1 real datasets where it is "
                                         "not a trivial predictor; on iris it predicts the majority class or worse")
    assert "not evidence about the method" in rows[1]["verdict"]
    assert "ρ = 0.1 a trivial predictor at every ε (majority class 33.3 %)" in rows[2]["verdict"]


def test_a_robust_radius_whose_runs_mostly_answer_one_class_is_named_not_compared():
    from mipnn.experiments.bdnn import constant_predictors, robust_effect, status_rows

    # seeds 0-2 at rho = 0.1 answer one class (the same accuracy at every eps), seed 3 does not; rho = 0 never
    rows = [{"rho": rho, "seed": seed, "epsilon": eps, "accuracy": 0.65 if rho and seed < 3 else 0.9 - eps / 10}
            for rho in (0.0, 0.1) for seed in range(4) for eps in (0.0, 1.0, 2.0)]
    flat = constant_predictors(pd.DataFrame(rows))
    assert flat == {"rho=0": "0/4", "rho=0.1": "3/4"}
    nominal, robust = {"eps=0": 0.9, "eps=1": 0.6}, {"eps=0": 0.7, "eps=1": 0.65}
    assert robust_effect(robust, nominal, 0.6) == "hurts at ε = 0"
    assert robust_effect(robust, nominal, 0.6, constant="3/4").startswith(
        "a trivial predictor in most runs (3 of 4 answer one class): no evidence")
    assert robust_effect(robust, nominal, 0.6, constant="2/4") == "hurts at ε = 0"  # half is not most
    assert robust_effect(robust, nominal, 0.6, nominal_constant="3/4").startswith("compared with ρ = 0, a trivial")
    entry = {"repetitions": 2, "test_accuracy_mean": 0.9, "test_accuracy_std": 0.01}
    summary = {"methods": {"breast_cancer_wisconsin": {"data_splitting": entry, "adam": entry}},
               "robustness": {"dataset": "breast_cancer_wisconsin", "rho=0": nominal, "rho=0.1": robust,
                              "constant": flat}}
    row = status_rows(summary, "medium")[2]
    assert "constant predictors: ρ = 0 0/4, ρ = 0.1 3/4" in row["ours"]
    assert row["verdict"] == ("no reference; ρ = 0.1 a trivial predictor in most runs (3 of 4 answer one class): "
                              "no evidence either way")
