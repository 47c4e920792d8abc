"""scikit-learn API of MIPNetClassifier and STEBinaryNetClassifier."""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import mipnn
from mipnn import signnet as sn


def _toy(n=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    return X, y


# the fits end on their target (about 10 s at most on an idle 2-core machine); the time limit is a safety net wide
# enough for a loaded one (20 s was hit with make unit's two workers beside two other single-threaded jobs)
FAST = dict(hidden=(3,), time_limit=120.0, target_train_accuracy=0.75)
#: The paper's plain MIP (no start): the tests of the solver's own guarantees use it.
PLAIN = dict(FAST, start=None)


def test_top_level_exports():
    assert mipnn.MIPNetClassifier is sn.MIPNetClassifier
    assert mipnn.STEBinaryNetClassifier is sn.STEBinaryNetClassifier
    from mipnn.bnn import BDNNClassifier

    assert mipnn.BDNNClassifier is BDNNClassifier


@pytest.mark.parametrize("objective", sn.OBJECTIVES)
def test_mip_fit_predict_and_recomputed_predictions(objective):
    X, y = _toy()
    Xs = MinMaxScaler().fit_transform(X)
    # min-hinge under the authors' rule must reach loss < 2 on 16 points (≈ 19 s, at the time limit on a loaded
    # machine); the accuracy-derived rule keeps this fit/predict test fast (the rules are tested in test_sign_net)
    rule = {"stop_rule": "accuracy"} if objective == "min_hinge" else {}
    clf = mipnn.MIPNetClassifier(objective=objective, random_state=0, **PLAIN, **rule).fit(Xs, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.n_features_in_ == 4
    assert clf.solve_record_.has_solution and clf.stop_reason_ in ("target", "optimal")
    for W, b in clf.weights_:
        assert W.dtype.kind == "i" and np.all(np.abs(W) <= 1) and np.all(np.abs(b) <= 1)
    # predictions recomputed from the stored weights in plain numpy equal predict
    h = Xs
    for W, b in clf.weights_[:-1]:
        h = np.where(h @ W + b >= -clf.epsilon / 2, 1.0, -1.0)
    s = h @ clf.weights_[-1][0] + clf.weights_[-1][1]
    assert np.array_equal(clf.classes_[np.argmax(s, axis=1)], clf.predict(Xs))
    assert np.array_equal(clf.decision_function(Xs), s[:, 1] - s[:, 0])
    # the training accuracy implied by the solver's objective matches the recomputed one
    acc = clf.score(Xs, y)
    assert acc == pytest.approx(clf.train_accuracy_)
    if objective == "max_correct":
        assert clf.guaranteed_train_accuracy_ == pytest.approx(acc)
    else:
        assert clf.guaranteed_train_accuracy_ <= acc + 1e-12
    assert clf.guaranteed_train_accuracy_ >= 0.75


def test_get_set_params_and_clone():
    clf = mipnn.MIPNetClassifier(objective="min_hinge", P=3, solver_options={"mip_heuristic_effort": 0.1})
    params = clf.get_params()
    assert params["objective"] == "min_hinge" and params["P"] == 3
    clf.set_params(P=7, hidden=(4,))
    assert clf.P == 7 and clf.hidden == (4,)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and twin is not clf


def test_pipeline_and_cross_val_score():
    X, y = _toy(n=24, seed=1)
    pipe = make_pipeline(MinMaxScaler(), mipnn.MIPNetClassifier(objective="sat_margin", random_state=0, **FAST))
    scores = cross_val_score(pipe, X, y, cv=2)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))


def test_ste_classifier_api():
    X, y = _toy(n=30, seed=2)
    clf = mipnn.STEBinaryNetClassifier(hidden=(4,), P=1, max_epochs=300, random_state=0).fit(X, y)
    assert clf.n_epochs_ <= 300 and clf.losses_.shape == (clf.n_epochs_,)
    assert clf.score(X, y) == pytest.approx(clf.train_accuracy_)
    again = clone(clf).fit(X, y)
    assert np.array_equal(again.predict(X), clf.predict(X))  # seeded: deterministic
    assert cross_val_score(make_pipeline(MinMaxScaler(), clone(clf)), X, y, cv=2).shape == (2,)


def test_ste_multiclass_and_mip_binary_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.argmax(X, axis=1)
    clf = mipnn.STEBinaryNetClassifier(hidden=(4,), max_epochs=200, random_state=0).fit(X, y)
    assert clf.decision_function(X).shape == (30, 3)
    with pytest.raises(ValueError, match="binary"):
        mipnn.MIPNetClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize("kwargs,match", [
    ({"objective": "nope"}, "objective"),
    ({"P": 0}, "P"),
    ({"hidden": (0,)}, "hidden"),
    ({"time_limit": -1}, "time_limit"),
    ({"target_train_accuracy": 2.0}, "target_train_accuracy"),
    ({"start": "adam"}, "start"),
    ({"symmetry_breaking": "yes"}, "symmetry_breaking"),
    ({"solver_options": [1]}, "solver_options"),
    ({"random_state": -3}, "random_state"),
])
def test_bad_parameters_fail_in_fit(kwargs, match):
    X, y = _toy(n=6)
    clf = mipnn.MIPNetClassifier(**kwargs)  # stored verbatim, no error yet
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


@pytest.mark.parametrize("cls", ["MIPNetClassifier", "BDNNClassifier"])
@pytest.mark.parametrize("options,match", [
    ({"mip_max_nodez": 5}, "no option 'mip_max_nodez'; did you mean 'mip_max_nodes'"),
    ({"mip_max_nodes": "many"}, r"\['mip_max_nodes'\]='many' was refused"),
    ({"time_limit": 100}, "conflicts with mipnn's own limit: set time_limit")])
def test_solver_options_are_checked_before_any_work(cls, options, match, monkeypatch):
    # before: a typo surfaced after the MIP start phase (19 s in); time_limit in solver_options overrode the fit's
    import mipnn.bnn.estimator
    import mipnn.signnet.estimators

    def no_work(*args, **kwargs):
        raise AssertionError("work started before solver_options were checked")

    for mod, name in ((mipnn.signnet.estimators, "train_sign_net"), (mipnn.signnet.estimators, "mip_start"),
                      (mipnn.bnn.estimator, "iterative_data_splitting"), (mipnn.bnn.estimator, "solve_bdnn")):
        monkeypatch.setattr(mod, name, no_work)
    X, y = _toy(n=6)
    with pytest.raises(ValueError, match=match):
        getattr(mipnn, cls)(solver_options=options).fit(X, y)


def test_unfitted_and_wrong_width():
    X, y = _toy(n=10)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        mipnn.STEBinaryNetClassifier().predict(X)
    clf = mipnn.STEBinaryNetClassifier(hidden=(2,), max_epochs=50, random_state=0).fit(X, y)
    with pytest.raises(ValueError):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="lr"):
        mipnn.STEBinaryNetClassifier(lr=0).fit(X, y)


def test_start_from_ste():
    X, y = _toy(n=16, seed=3)
    clf = mipnn.MIPNetClassifier(start="ste", random_state=0, **FAST).fit(MinMaxScaler().fit_transform(X), y)
    assert clf.start_used_


def test_start_from_local_search():
    X, y = _toy(n=16, seed=3)
    Xs = MinMaxScaler().fit_transform(X)
    clf = mipnn.MIPNetClassifier(start="search", random_state=0, **FAST).fit(Xs, y)
    assert clf.start_used_ and clf.stop_reason_ == "target" and clf.train_accuracy_ >= 0.75
    with pytest.raises(ValueError, match="one hidden layer"):
        mipnn.MIPNetClassifier(start="search", hidden=(3, 3)).fit(Xs, y)


def test_credit_names_the_stage_that_produced_the_network():
    X, y = _toy()
    Xs = MinMaxScaler().fit_transform(X)
    plain = mipnn.MIPNetClassifier(objective="max_correct", random_state=0, **PLAIN).fit(Xs, y)
    assert plain.credit_["stage"] == "MIP from scratch" and plain.credit_["start_time"] == 0.0
    assert plain.credit_["mip_gain"] is None
    searched = mipnn.MIPNetClassifier(objective="max_correct", random_state=0, start="search", **FAST).fit(Xs, y)
    c = searched.credit_
    assert c["stage"] in sn.STAGES and c["start_time"] > 0 and c["solve_time"] > 0
    assert searched.fit_time_ >= c["start_time"] + c["solve_time"] - 1e-6
    # the stage agrees with the recorded numbers: a start that met the target leaves HiGHS nothing to gain
    if c["stage"] in ("STE start met the target", "local search met the target", "MIP kept the start"):
        assert c["mip_gain"] <= 1e-6
    if c["stage"] == "MIP improved the start":
        assert c["mip_gain"] > 0
    assert sn.final_stage(objective="min_hinge", start="search", stop_reason="target", search_objective=3.0,
                          final_objective=1.0) == "MIP took the start to the target"
    assert sn.final_stage(objective="sat_margin", start="search", stop_reason="time_limit", search_objective=30,
                          final_objective=20) == "MIP rejected the start"
    assert sn.final_stage(objective="sat_margin", start=None, stop_reason="no_solution") == "no network"


def test_a_network_that_beats_the_majority_class_does_not_warn():
    # the trivial case warns through the same BaseMIPClassifier hook (tests/test_bdnn_estimator.py: a capped exact
    # BDNN); HiGHS finds a non-trivial sign net at the root node on every small case tried, so none is made here
    import warnings

    from mipnn.exceptions import FitWarning

    X, y = _toy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FitWarning)
        clf = mipnn.MIPNetClassifier(objective="max_correct", random_state=0, **PLAIN)
        clf.fit(MinMaxScaler().fit_transform(X), y)
    assert clf.train_accuracy_ > max(np.mean(y == "yes"), np.mean(y == "no"))


def test_default_start_is_the_searched_start_and_fits_within_its_time_limit():
    # the default is the configuration benchmarks/bench_estimator_defaults.py measured best
    # (the STE network improved by local search, then the MIP); the whole fit, start included, keeps time_limit
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    pick = np.concatenate([rng.choice(np.flatnonzero(y == c), 30, replace=False) for c in (0, 1)])
    Xs = MinMaxScaler().fit_transform(X[pick])
    clf = mipnn.MIPNetClassifier(hidden=(16,), P=3, time_limit=10.0, threads=1, random_state=0)
    assert clf.get_params()["start"] == "auto"
    clf.fit(Xs, y[pick])
    assert clf.credit_["start"] == "search" and clf.start_used_
    assert clf.train_accuracy_ >= 0.9 and clf.stop_reason_ == "target"
    assert clf.credit_["start_time"] + clf.credit_["solve_time"] <= 10.0 + 1.0  # the MIP keeps ≥ 1 s (solve_limit)


def test_the_whole_fit_keeps_time_limit_when_the_search_cannot_meet_its_target():
    # noisy labels: no network fits all of them, so the search runs until its budget is used up
    rng = np.random.default_rng(5)
    X = rng.random((80, 6))
    y = rng.integers(0, 2, 80)
    clf = mipnn.MIPNetClassifier(hidden=(8,), P=1, time_limit=6.0, target_train_accuracy=1.0, threads=1,
                                 random_state=0).fit(X, y)
    assert clf.credit_["start_time"] <= 6.0 - 2.0 + 0.3  # the start leaves the MIP its reserve
    assert clf.fit_time_ <= 6.0 + 1.0  # build and read-back on top of the solver's own limit


@pytest.mark.parametrize("objective,P,hidden", [("sat_margin", 1, (4,)), ("max_correct", 3, (4, 3)),
                                                ("min_hinge", 3, (5,))])
def test_the_model_size_estimate_is_a_close_lower_bound(objective, P, hidden):
    from mipnn.signnet import build_sign_net
    from mipnn.signnet.estimators import model_nonzeros
    from mipnn.solve import compile_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 5))
    Y = np.where(np.eye(2)[(X[:, 0] > 0).astype(int)] > 0, 1.0, -1.0)
    nnz = compile_model(build_sign_net(X, Y, hidden=hidden, P=P, objective=objective))[0]["A"].nnz
    est = model_nonzeros(20, 5, hidden, 2, objective=objective, P=P)
    assert est <= nnz  # a lower bound: a model refused by it is certainly too large
    if objective != "min_hinge":  # min-hinge's linear pieces are counted at their least
        assert est >= 0.9 * nnz


def test_a_model_that_cannot_be_built_in_the_budget_is_refused_before_any_work(monkeypatch):
    # before: hidden=(32, 32), N = 280, time_limit=10 took 124 s and 4.9 GB (31 s of build); (64, 64) passed 7.8 GB
    import time

    import mipnn.signnet.estimators as est

    monkeypatch.setattr(est, "mip_start", lambda *a, **k: (_ for _ in ()).throw(AssertionError("work started")))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(280, 10))
    y = (X[:, 0] > 0).astype(int)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"4\.5 million nonzeros: building it takes at least 22 s, more than "
                                         r"time_limit=10 s; raise time_limit"):
        mipnn.MIPNetClassifier(hidden=(32, 32), time_limit=10).fit(X, y)
    monkeypatch.setattr(est, "_available_memory", lambda: 8e9)
    with pytest.raises(ValueError, match=r"about 1[0-9]\.[0-9] GB to build and solve, more than the 8\.0 GB"):
        mipnn.MIPNetClassifier(hidden=(64, 64), time_limit=3600).fit(X, y)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("cls,kwargs,scale,match", [
    ("MIPNetClassifier", {}, 1e6, r"‖x‖₁ = .* needs a feasibility tolerance of .* below the smallest highs accepts "
                                  r"\(1e-10\): scale X first .* no row's ‖x‖₁ exceeds about"),
    ("MIPNetClassifier", {"P": 10**6}, 1.0, r"P=1000000 .* use P <= \d+ for these features"),
    ("MIPNetClassifier", {"P": 10**9}, 1.0, r"P=1000000000 .* use P <= \d+ for these features"),
    ("BDNNClassifier", {}, 1e6, r"‖x‖₁ = .* need a feasibility tolerance .* scale X first \(e\.g\. with "
                                r"sklearn\.preprocessing\.MinMaxScaler")])
def test_unscaled_features_or_a_huge_P_say_what_to_do_before_any_work(cls, kwargs, scale, match, monkeypatch):
    # before: "feasibility_tolerance=... below the smallest highs accepts: rescale the model or raise the margin
    # epsilon" after the start and the build (parameters the estimators do not have); P=10**9: MemoryError 44.7 GiB
    import mipnn.bnn.estimator
    import mipnn.signnet.estimators

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the scale was checked")

    for mod, name in ((mipnn.signnet.estimators, "train_sign_net"), (mipnn.signnet.estimators, "mip_start"),
                      (mipnn.bnn.estimator, "iterative_data_splitting"), (mipnn.bnn.estimator, "solve_bdnn")):
        monkeypatch.setattr(mod, name, no_work)
    X, y = _toy(n=20)
    with pytest.raises(ValueError, match=match):
        getattr(mipnn, cls)(**kwargs).fit(X * scale, y)


def test_the_largest_P_named_works_and_the_next_one_is_refused():
    from mipnn.signnet.model import check_scale

    X, _ = _toy(n=20)
    with pytest.raises(ValueError, match=r"use P <= (\d+)") as err:
        check_scale(X, (16,), 10**6)
    largest = int(re.search(r"P <= (\d+)", str(err.value)).group(1))
    check_scale(X, (16,), largest)
    with pytest.raises(ValueError, match=f"P={largest + 1} "):
        check_scale(X, (16,), largest + 1)


def test_data_splitting_with_a_tiny_time_limit_names_the_estimators_parameter():
    # before: NoSolutionError naming an internal time_limit=0.05 and advising a warm start the estimator has no
    # parameter for
    import warnings

    from mipnn.exceptions import BuildTimeError

    X, y = _toy(n=40)
    for limit in (0.05, 0.5):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mipnn.BDNNClassifier(method="data_splitting", time_limit=limit, random_state=0).fit(X, y)
        except BuildTimeError as err:
            assert "raise time_limit" in str(err) and "warm start" not in str(err) and "0.05" not in str(err)
