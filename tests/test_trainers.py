"""The trainers' registry and the contract every estimator in it keeps: parameters checked before any work, the
whole fit within ``time_limit``, why it stopped, and fitted networks that reproduce what their trainer reported
through a plain numpy forward pass. Solves end on node and iteration caps; only the time-limit tests use the clock."""

import time

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

import mipnn
from mipnn.bnn import EPSILON, bnn_forward, bnn_loss
from mipnn.duality import network_loss
from mipnn.estimator import LIMIT_STOP_REASONS
from mipnn.experiments.tame import xor_data
from mipnn.experiments.trainers import KINDS, TRAINERS, fit_outcome, trainer
from mipnn.numerics import one_hot
from mipnn.relu import algorithm1, dense_structures, init_network
from mipnn.solve import NO_SOLVE_ENV

#: Small settings per trainer: every solve capped by nodes, every loop by its iteration cap.
FAST = {
    "bnn_milp": dict(hidden=(2,), solver_options={"mip_max_nodes": 0}),
    "field_bnn": dict(hidden=(2,), steps=20),
    "sign_mip_sat_margin": dict(hidden=(2,), start_max_epochs=200, start_max_passes=20,
                                solver_options={"mip_max_nodes": 1}),
    "sign_mip_min_hinge": dict(hidden=(2,), start_max_epochs=200, start_max_passes=20,
                               solver_options={"mip_max_nodes": 1}),
    "sign_mip_max_correct": dict(hidden=(2,), start_max_epochs=200, start_max_passes=20,
                                 solver_options={"mip_max_nodes": 1}),
    "ste": dict(hidden=(2,), max_epochs=200),
    "layerwise_relu": dict(hidden=(2,), max_iterations=1, solver_options={"mip_max_nodes": 0}),
    "bdnn_exact": dict(hidden=(2,), solver_options={"mip_max_nodes": 1}),
    "bdnn_local_search": dict(hidden=(2,), max_rounds=1, solver_options={"mip_max_nodes": 1}),
    "bdnn_data_splitting": dict(hidden=(2,), max_splits=2, solver_options={"mip_max_nodes": 1}),
    "bdnn_robust": dict(hidden=(2,), max_splits=2, solver_options={"mip_max_nodes": 1}),
    "adam_mlp": dict(hidden=(4,), max_epochs=20),
    "logistic_regression": {},
}


@pytest.fixture(scope="module")
def small():
    X, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).choice(len(y), 24, replace=False)
    X = X[idx][:, :4]
    return (X - X.min(axis=0)) / np.ptp(X, axis=0), y[idx]


def test_registry_lists_every_estimator_with_its_paper():
    assert set(FAST) == set(TRAINERS)
    classes = {t.estimator for t in TRAINERS.values()}
    for name in ("MIPNetClassifier", "STEBinaryNetClassifier", "BDNNClassifier", "BNNMILPClassifier",
                 "FieldBNNClassifier", "LayerwiseReLUClassifier", "AdamMLPClassifier"):
        assert getattr(mipnn, name) in classes
    assert LogisticRegression in classes
    for t in TRAINERS.values():
        assert t.kind in KINDS and t.paper and t.label and t.weights
    assert trainer("bdnn_exact").make().method == "exact"
    with pytest.raises(ValueError, match="name="):
        trainer("svm")


def test_make_applies_the_shared_budget():
    for t in TRAINERS.values():
        est = t.make(time_limit=7.0, random_state=3, solver="highs")
        params = est.get_params()
        assert params["random_state"] == 3
        if t.estimator is not LogisticRegression:
            assert params["time_limit"] == 7.0
        assert (params.get("solver") == "highs") == t.uses_solver
        if "threads" in params:
            assert params["threads"] == 1
    assert trainer("logistic_regression").make().solver == "lbfgs"  # a gradient trainer's solver is its own
    with pytest.raises(ValueError, match="bogus"):
        trainer("adam_mlp").make(bogus=1)
    assert trainer("sign_mip_sat_margin").supports(3) and trainer("bdnn_exact").supports(3) is None


@pytest.mark.parametrize("name", [n for n in TRAINERS if n != "logistic_regression"])
def test_bad_parameters_fail_before_any_work(name, small, monkeypatch):
    X, y = small
    monkeypatch.setenv(NO_SOLVE_ENV, "1")  # any solve would raise SolvesDisabledError, not ValueError
    t = TRAINERS[name]
    for bad, match in ((dict(time_limit=-1.0), "time_limit"), (dict(random_state="seed"), "random_state"),
                       (dict(hidden=(0,)), "hidden")):
        with pytest.raises(ValueError, match=match):
            t.make(**FAST[name]).set_params(**bad).fit(X, y)
    if t.uses_solver:
        with pytest.raises(ValueError, match="solver"):
            t.make(**FAST[name]).set_params(solver="cplex").fit(X, y)
    with pytest.raises(ValueError):
        t.make(**FAST[name]).fit(X[:, :2] * np.nan, y)


@pytest.mark.filterwarnings("ignore::mipnn.exceptions.FitWarning")
@pytest.mark.parametrize("name", list(TRAINERS))
def test_every_trainer_reports_why_it_stopped(name, small):
    X, y = small
    est = TRAINERS[name].make(time_limit=60.0, random_state=0, **FAST[name])
    out = fit_outcome(est, X, y)
    assert set(out) == {"stop_reason", "stopped_at_limit", "fit_time", "train_accuracy"}
    assert isinstance(out["stop_reason"], str) and isinstance(out["stopped_at_limit"], bool)
    if out["stop_reason"] in LIMIT_STOP_REASONS:
        assert out["stopped_at_limit"]
    assert 0.0 <= out["train_accuracy"] <= 1.0 and out["train_accuracy"] == est.score(X, y)
    assert 0.0 < out["fit_time"] < 60.0
    assert est.predict(X).shape == y.shape


def test_work_caps_count_as_limits(small):
    X, y = small
    # a node cap of 0 stops the Theorem 1 MILP at its root; 20 field steps are the cap, not a zero hinge
    assert mipnn.BNNMILPClassifier(**FAST["bnn_milp"]).fit(X, y).stopped_at_limit_
    field = mipnn.FieldBNNClassifier(**FAST["field_bnn"]).fit(X, y)
    assert field.stop_reason_ == "max_steps" and field.stopped_at_limit_
    adam = mipnn.AdamMLPClassifier(hidden=(4,), max_epochs=3, n_iter_no_change=None).fit(X, y)
    assert adam.stop_reason_ == "max_epochs" and adam.n_epochs_ == 3 and adam.stopped_at_limit_


def test_time_limit_bounds_the_whole_fit():
    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[:80, :10], y[:80]
    t0 = time.perf_counter()
    clf = mipnn.LayerwiseReLUClassifier(hidden=(8, 8), max_iterations=50, time_limit=0.5, random_state=0).fit(X, y)
    wall = time.perf_counter() - t0
    assert clf.stop_reason_ == "time_limit" and clf.stopped_at_limit_
    # the last solve may overrun by the solver's reaction time (mipnn's watchdog: at most 1 s past its limit)
    assert wall < 0.5 + 3.0
    adam = mipnn.AdamMLPClassifier(max_epochs=10**6, n_iter_no_change=None, time_limit=0.2, random_state=0).fit(X, y)
    assert adam.stop_reason_ == "time_limit" and adam.fit_time_ < 0.2 + 0.5


def test_algorithm1_deadline_keeps_the_first_update_and_says_why():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (12, 3)), rng.integers(0, 2, 12)
    net = init_network(dense_structures((3, 2, 2)), init="glorot_uniform", random_state=0)
    opts = {"mip_max_nodes": 20}
    past = algorithm1(net, X, y, max_iterations=3, options=opts, deadline=time.perf_counter() - 1.0)
    assert past.stop_reason == "time_limit" and len(past.updates) == 1  # the output layer's LP only
    free = algorithm1(net, X, y, max_iterations=3, options=opts)
    assert free.stop_reason in ("no_improvement", "max_iterations") and len(free.updates) >= 2


def test_bnn_milp_network_reproduces_the_solver_objective():
    X, y = xor_data(8, np.random.default_rng(1))
    clf = mipnn.BNNMILPClassifier(hidden=(3, 3), threads=1, solver_options={"mip_max_nodes": 5000},
                                  random_state=0).fit(X, y)
    out = bnn_forward(X, clf.weights_, tol=EPSILON / 2)[-1]
    assert bnn_loss(out, one_hot(y, 2), "hamming") == clf.objective_ == clf.solve_record_.objective
    # the exported thresholds give the same units, and the class of the largest margin is the prediction
    h = X
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        h = (h @ W >= b).astype(float)
    assert np.array_equal(np.argmax(h @ clf.coefs_[-1] - clf.intercepts_[-1], axis=1), clf.predict(X))
    if clf.solve_record_.status == "optimal" and clf.objective_ == 0:
        assert clf.train_accuracy_ == 1.0 and not clf.stopped_at_limit_


def test_layerwise_network_reproduces_algorithm1_accuracy(small):
    X, y = small
    clf = mipnn.LayerwiseReLUClassifier(hidden=(3,), max_iterations=3, postprocess=False,
                                        solver_options={"mip_max_nodes": 50}, random_state=1).fit(X, y)
    assert len(clf.history_) == 1 and clf.history_[0]["batch_accuracy"] == clf.train_accuracy_ == clf.score(X, y)
    Xs = (X - clf.data_min_) / clf.data_range_
    h = np.maximum(Xs @ clf.coefs_[0] + clf.intercepts_[0], 0.0)
    out = h @ clf.coefs_[1] + clf.intercepts_[1]
    np.testing.assert_allclose(out, clf.network_.decision(Xs), atol=1e-12)
    assert np.array_equal(clf.classes_[np.argmin(np.abs(out - 1.0), axis=1)], clf.predict(X))
    with pytest.raises(ValueError, match="non-negative"):
        mipnn.LayerwiseReLUClassifier(scale_inputs=False).fit(X - 1.0, y)
    with pytest.raises(ValueError, match="HiGHS-only"):
        mipnn.LayerwiseReLUClassifier(solver="scip", solver_options={"mip_heuristic_effort": 0.1}).fit(X, y)


def test_field_network_reproduces_its_reported_hinge(small):
    X, y = small
    clf = mipnn.FieldBNNClassifier(hidden=(3,), steps=40, random_state=2).fit(X, y)
    hinge, _ = network_loss(X, np.searchsorted(clf.classes_, y), clf.weights_, clf.margin)
    steps = {row["step"]: row for row in clf.history_}
    if clf.best_step_ in steps:
        assert hinge == pytest.approx(steps[clf.best_step_]["hinge"], abs=1e-12)
    h = X
    for W, lam in zip(clf.coefs_, clf.intercepts_, strict=True):
        a = h @ W - lam
        h = (a >= 0).astype(float)
    assert np.array_equal(clf.classes_[np.argmax(a, axis=1)], clf.predict(X))


def test_adam_network_reproduces_its_reported_loss(small):
    X, y = small
    clf = mipnn.AdamMLPClassifier(hidden=(4,), max_epochs=15, n_iter_no_change=None, random_state=0).fit(X, y)
    h = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0.0)
    z = h @ clf.coefs_[1] + clf.intercepts_[1]
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -np.mean(logp[np.arange(len(y)), np.searchsorted(clf.classes_, y)])
    assert loss == pytest.approx(clf.losses_[-1], rel=1e-12)
    assert np.array_equal(clf.classes_[np.argmax(z, axis=1)], clf.predict(X))
