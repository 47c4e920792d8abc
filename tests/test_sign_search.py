"""The local-search primal heuristic for the sign-network MIPs (notebook 02)."""

import numpy as np
import pytest

from mipnn import signnet as sn
from mipnn.data import adult_split
from mipnn.experiments import adult as ae
from mipnn.numerics import one_hot
from mipnn.signnet import search_sign_net, train_ste


@pytest.fixture(scope="module")
def adult80():
    smp = adult_split(80, random_state=0)
    return smp.X_train, one_hot((smp.y_train > 0).astype(int), 2, off=-1)


@pytest.mark.parametrize("objective", sn.OBJECTIVES)
def test_search_reports_the_mip_objective_and_keeps_feasibility(adult80, objective):
    X, Y = adult80
    r = search_sign_net(X, Y, objective=objective, hidden=(16,), P=1, target_accuracy=None, max_passes=5,
                        time_limit=30, random_state=1)
    sn.check_weights(r.weights, X.shape[1], (16,), 2, 1)
    W1, b1 = r.weights[0]
    assert np.all(W1[sn.zero_input_mask(X), :] == 0)  # inputs that are always zero keep weight 0
    pre = sn.sign_forward(X, r.weights)
    assert not np.any((pre[0] < 0) & (pre[0] > -sn.EPSILON))  # nothing in the gap the MIP keeps empty
    assert r.objective == sn.objective_from_outputs(objective, pre[-1], Y, (16,), 1)
    assert r.passes == 5 and not r.reached_target


@pytest.mark.parametrize("objective", ["sat_margin", "min_hinge"])
def test_search_from_ste_meets_the_target_and_the_mip_confirms_it(adult80, objective):
    X, Y = adult80
    start = train_ste(X, Y, hidden=(16,), P=1, random_state=0).weights
    r = search_sign_net(X, Y, objective=objective, start_weights=start, target_accuracy=0.9, time_limit=60)
    assert r.reached_target
    target = sn.objective_target(objective, 80, 0.9)
    assert (r.objective <= target) if objective == "min_hinge" else (r.objective >= target)
    # the search never makes the start worse, and its history is monotone in the objective's direction
    objs = [o for _, o in r.history]
    assert objs == (sorted(objs, reverse=True) if objective == "min_hinge" else sorted(objs))
    # handed to HiGHS as a MIP start, the incumbent meets the target at once
    fit = sn.train_sign_net(X, Y, objective=objective, symmetry_breaking=True, start_weights=r.weights,
                            time_limit=30)
    assert fit.stop_reason == "target" and fit.start_used
    assert fit.guaranteed_train_accuracy >= 0.9 and fit.train_accuracy >= 0.9
    assert fit.record.objective == pytest.approx(r.objective)


def test_search_is_deterministic_and_checks_its_input(adult80):
    X, Y = adult80
    a = search_sign_net(X[:30], Y[:30], max_passes=20, target_accuracy=None, random_state=3)
    b = search_sign_net(X[:30], Y[:30], max_passes=20, target_accuracy=None, random_state=3)
    assert all(np.array_equal(p, q)
               for (W, c), (V, d) in zip(a.weights, b.weights, strict=True) for p, q in ((W, V), (c, d)))
    with pytest.raises(ValueError, match="hidden"):
        search_sign_net(X, Y, hidden=(4, 4))
    with pytest.raises(ValueError, match="objective"):
        search_sign_net(X, Y, objective="max_margin")
    with pytest.raises(ValueError, match="weights"):
        search_sign_net(X, Y, hidden=(4,), start_weights=[(np.zeros((108, 4)), np.zeros(4))])


def test_run_experiment_with_search_start():
    out = ae.run_experiment("sat_margin", 1, 40, 0, time_limit=30.0, start="search")
    assert out["stop_reason"] == "target" and out["search_reached_target"]
    assert out["runtime"] >= out["start_time"] >= out["search_time"]
    assert out["guaranteed_train_acc"] >= 90 and out["train_acc"] >= 90
    with pytest.raises(ValueError, match="start"):
        ae.run_experiment("sat_margin", 1, 40, 0, start="adam")


def test_start_inside_the_mip_gap_is_repaired():
    # a pre-activation in (−ε, 0) is infeasible for the MIP; the STE network can produce one (it knows only a ≥ 0)
    rng = np.random.default_rng(0)
    X = rng.random((20, 3))
    X[0, 0] = 5e-5
    Y = one_hot(rng.integers(0, 2, 20), 2, off=-1)
    W1, b1 = np.zeros((3, 4)), np.zeros(4)
    W1[0, 0] = -1.0  # sample 0, neuron 0: a = −5e-5
    start = [(W1, b1), (np.ones((4, 2)), np.zeros(2))]
    assert np.sum((sn.sign_forward(X, start)[0] < 0) & (sn.sign_forward(X, start)[0] > -sn.EPSILON)) == 1
    r = search_sign_net(X, Y, hidden=(4,), start_weights=start, target_accuracy=0.0, max_passes=5)
    a = sn.sign_forward(X, r.weights)[0]
    assert not np.any((a < 0) & (a > -sn.EPSILON)) and r.reached_target


def test_max_correct_search_ends_feasible_for_the_mip(adult80):
    # (16) needs exactly one non-negative output per sample; a start violating it is infeasible for the MIP
    X, Y = adult80
    start = train_ste(X, Y, hidden=(16,), P=1, random_state=1).weights
    r = search_sign_net(X, Y, objective="max_correct", start_weights=start, target_accuracy=0.9, time_limit=30,
                        random_state=1)
    s = sn.sign_forward(X, r.weights)[-1]
    assert np.all((s >= 0).sum(axis=1) == 1)
    fit = sn.train_sign_net(X, Y, objective="max_correct", symmetry_breaking=True, start_weights=r.weights,
                            time_limit=30)
    assert fit.record.objective >= r.objective - 1e-9  # HiGHS accepted the start: never worse than it
    if r.reached_target:
        assert fit.stop_reason == "target"
