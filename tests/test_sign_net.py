"""The sign-network MIP (Thorbjarnarson & Yorke-Smith): solver weights pushed through numpy must reproduce the
activations, the outputs and the objective the solver reports, for all three objectives."""

import dataclasses
import math

import numpy as np
import pytest

from mipnn import signnet as sn
from mipnn.numerics import one_hot


def _data(N=14, n=6, seed=0, K=2):
    rng = np.random.default_rng(seed)
    X = rng.random((N, n))
    X[:, -1] = 0.0  # an input that is zero everywhere: its weights must be fixed to 0
    X[:, 0] = (X[:, 0] > 0.5).astype(float)  # a one-hot-like column
    y = (X[:, 1] + X[:, 2] > 1.0).astype(int) if K == 2 else rng.integers(0, K, N)
    return X, one_hot(y, K, off=-1)


def _solve(X, Y, **kw):
    from mipnn.solve import solve

    model = sn.build_sign_net(X, Y, **kw)
    record = solve(model, time_limit=120.0)  # they end optimal (≤ 10 s idle); the limit is for a loaded machine
    return model, record


@pytest.mark.parametrize("objective", sn.OBJECTIVES)
@pytest.mark.parametrize("hidden,P", [((3,), 1), ((2, 2), 2)])
def test_forward_pass_reproduces_solver(objective, hidden, P):
    X, Y = _data()
    model, record = _solve(X, Y, hidden=hidden, P=P, objective=objective, symmetry_breaking=True)
    assert record.status == "optimal"
    weights = sn.extract_weights(model)
    sn.check_weights(weights, X.shape[1], hidden, 2, P)
    assert np.all(weights[0][0][-1] == 0)  # zero input -> zero weight
    pre = sn.sign_forward(X, weights)
    sizes = model.meta["sizes"]
    # hidden activations u equal the numpy sign of the pre-activations
    for l in range(len(hidden)):
        u = np.array([[model.u[l, k, j].value for j in range(sizes[l + 1])] for k in range(X.shape[0])])
        assert np.array_equal(np.round(u), (pre[l] >= -sn.EPSILON / 2).astype(float))
    # the objective recomputed from the forward pass equals the solver's
    got = sn.objective_from_outputs(objective, pre[-1], Y, hidden, P)
    assert got == pytest.approx(record.objective, abs=1e-6)
    # symmetry-breaking order holds
    for l in range(len(hidden)):
        W, b = weights[l]
        key = W.sum(axis=0) + b
        assert np.all(np.diff(key) <= 0)


def test_max_correct_objective_is_training_accuracy():
    X, Y = _data(N=16, seed=3)
    model, record = _solve(X, Y, hidden=(2,), P=1, objective="max_correct")
    s = sn.sign_forward(X, sn.extract_weights(model))[-1]
    acc = np.mean(sn.predict_index(s) == np.argmax(Y, axis=1))
    assert record.objective == pytest.approx(acc * len(X))
    assert sn.guaranteed_accuracy("max_correct", record.objective, len(X)) == pytest.approx(acc)
    # (16) is imposed per sample: exactly one output active for every sample
    o = np.array([[model.o[k, j].value for j in range(2)] for k in range(len(X))])
    assert np.allclose(o.sum(axis=1), 1)


def test_multiclass_sat_margin_forward_check():
    X, Y = _data(N=6, K=3, seed=5)
    model, record = _solve(X, Y, hidden=(2,), P=1, objective="sat_margin")
    s = sn.sign_forward(X, sn.extract_weights(model))[-1]
    assert sn.objective_from_outputs("sat_margin", s, Y, (2,), 1) == pytest.approx(record.objective)


def test_loose_big_m_gives_same_optimum():
    X, Y = _data(N=10, seed=2)
    _, tight = _solve(X, Y, hidden=(2,), P=1, objective="sat_margin", tight_big_m=True)
    _, loose = _solve(X, Y, hidden=(2,), P=1, objective="sat_margin", tight_big_m=False)
    assert tight.objective == pytest.approx(loose.objective)


def test_hinge_pwl_matches_squared_hinge_on_the_output_grid():
    B = 17
    t = 2 * np.arange(-(B // 2), B // 2 + 1) / B  # values of ŷ inside [-1, 1]
    assert np.allclose(sn.hinge_values(t, B, 0.5), np.maximum(0, 0.5 - t) ** 2)
    # convex and non-increasing; 2 g(0) = 1/2 is the least loss of a misclassified sample
    grid = np.linspace(-2, 2, 401)
    g = sn.hinge_values(grid, B, 0.5)
    assert np.all(np.diff(g) <= 1e-12)
    assert np.min(g + g[::-1]) == pytest.approx(0.5)


@pytest.mark.parametrize("objective", sn.OBJECTIVES)
def test_objective_target_implies_accuracy(objective):
    N = 40
    target = sn.objective_target(objective, N, 0.9)
    assert sn.guaranteed_accuracy(objective, target, N) >= 0.9
    if objective == "max_correct":
        assert target == 36
    elif objective == "sat_margin":
        assert target == 76  # the authors' rule: at most 0.1 N unsatisfied margins
    else:  # the authors' rule: loss < floor(0.025 N) + 1 = 2; the accuracy-derived one: loss < 2 m² (E + 1) = 2.5
        assert target == pytest.approx(2.0, abs=1e-5)
        accuracy_rule = sn.objective_target(objective, N, 0.9, stop_rule="accuracy")
        assert accuracy_rule == pytest.approx(2.5, abs=1e-5)
        assert sn.guaranteed_accuracy(objective, accuracy_rule, N) >= 0.9
        assert sn.objective_target(objective, 280, 0.9) == pytest.approx(8.0, abs=1e-5)
        assert sn.objective_target(objective, 280, 0.9, stop_rule="accuracy") == pytest.approx(14.5, abs=1e-5)


@pytest.mark.parametrize("objective", sn.OBJECTIVES)
def test_early_stop_reports_target_and_accuracy(objective):
    X, Y = _data(N=20, seed=1)
    fit = sn.train_sign_net(X, Y, hidden=(3,), P=1, objective=objective, time_limit=30.0, target_accuracy=0.8)
    assert fit.stop_reason in ("target", "optimal")
    assert fit.guaranteed_train_accuracy >= 0.8
    assert fit.train_accuracy >= fit.guaranteed_train_accuracy - 1e-12
    if objective == "min_hinge":
        assert fit.recomputed_objective <= fit.record.objective + 1e-6
    else:
        assert fit.recomputed_objective == pytest.approx(fit.record.objective)


def test_start_from_weights_is_accepted():
    X, Y = _data(N=12, seed=4)
    ref = sn.train_sign_net(X, Y, hidden=(2,), P=1, objective="sat_margin", time_limit=30.0, target_accuracy=None)
    again = sn.train_sign_net(X, Y, hidden=(2,), P=1, objective="sat_margin", time_limit=30.0,
                              target_accuracy=None, start_weights=ref.weights, symmetry_breaking=True)
    assert again.start_used and again.record.objective == pytest.approx(ref.record.objective)


def test_sort_hidden_keeps_function():
    rng = np.random.default_rng(0)
    X = rng.random((9, 4))
    w = [(rng.integers(-1, 2, (4, 3)).astype(float), rng.integers(-1, 2, 3).astype(float)),
         (rng.integers(-1, 2, (3, 2)).astype(float), rng.integers(-1, 2, 2).astype(float))]
    assert np.array_equal(sn.sign_forward(X, w)[-1], sn.sign_forward(X, sn.sort_hidden(w))[-1])


@pytest.mark.parametrize("kwargs,match", [
    ({"objective": "max_margin"}, "objective"),
    ({"hidden": (0,)}, "hidden"),
    ({"P": 0}, "P"),
    ({"margin": -1.0}, "margin"),
    ({"epsilon": 0.0}, "epsilon"),
    ({"tight_big_m": "yes"}, "tight_big_m"),
    ({"one_sided": True, "objective": "min_hinge"}, "one_sided"),
])
def test_bad_parameters(kwargs, match):
    X, Y = _data(N=5)
    with pytest.raises(ValueError, match=match):
        sn.build_sign_net(X, Y, **kwargs)


def test_bad_data():
    X, Y = _data(N=5)
    with pytest.raises(ValueError, match="Y must"):
        sn.build_sign_net(X, np.ones((5, 2)))
    with pytest.raises(ValueError, match="X must"):
        sn.build_sign_net(np.full((5, 3), math.nan), Y)
    with pytest.raises(ValueError, match="target_accuracy"):
        sn.objective_target("sat_margin", 10, 1.5)


def test_public_solve_applies_the_sign_nets_safe_tolerance_and_verification(monkeypatch):
    # before: mipnn.solve.solve(build_sign_net(...)) ran with HiGHS's 1e-6 tolerance and no check (only
    # train_sign_net applied them); the model now carries both, like build_bnn_milp's
    import mipnn.solve as solve_module
    from mipnn.exceptions import VerificationError
    from mipnn.signnet import safe_tolerance, verify_sign_net
    from mipnn.solve import solve

    X, Y = _data(12, 4, seed=1)
    m = sn.build_sign_net(10 * X, Y, hidden=(3,), P=2, objective="max_correct")
    seen = []
    real = solve_module.solve_matrices
    monkeypatch.setattr(solve_module, "solve_matrices",
                        lambda *a, **k: seen.append(k["feasibility_tolerance"]) or real(*a, **k))
    rec = solve(m, time_limit=30)
    assert seen == [pytest.approx(safe_tolerance(m))] and seen[0] < 1e-6
    assert verify_sign_net(m, rec) == pytest.approx(rec.objective)
    # the check runs on whatever the solve returned: a network whose objective is not the solver's is refused
    m.mipnn_verify = lambda model, record: verify_sign_net(model, dataclasses.replace(record,
                                                                                      objective=record.objective + 1))
    with pytest.raises(VerificationError):
        solve(m, time_limit=30)
