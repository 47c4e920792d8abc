"""Goebbels (2021) building-block programs: solver weights pushed through numpy reproduce outputs and objective."""

import numpy as np
import pytest

from mipnn.backends import available_backends
from mipnn.executors import close_shared_executors, shared_executor
from mipnn.relu import (
    INPUT_BOX,
    LayerStructure,
    algorithm1,
    dense_structures,
    fit_layer_inputs,
    fit_layer_weights,
    init_network,
    input_bounds,
    last_layer_lp,
    postprocess_lp,
    preactivation_bounds,
    printed_big_m,
    relu,
    relu_forward,
    weight_bounds_from_previous,
    weight_milp,
)


@pytest.fixture
def tiny():
    rng = np.random.default_rng(3)
    X = rng.random((10, 4))
    T = relu(rng.normal(size=(10, 3)))
    return X, T, LayerStructure.dense(4, 3)


def one_sided(A, T):
    return np.where(T != 0, np.abs(A - T), relu(A - T)).sum()


@pytest.mark.parametrize("big_m", ["printed", "tight"])
def test_weight_milp_forward_pass_reproduces_objective(tiny, big_m):
    X, T, S = tiny
    fit = fit_layer_weights(X, T, S, big_m=big_m)
    assert len(fit.records) == 3  # one MILP per output neuron
    assert all(r.status == "optimal" for r in fit.records)
    assert np.all(np.abs(fit.W) <= 1 + 1e-9) and np.all(np.abs(fit.c) <= 1 + 1e-9)
    O = relu_forward(X, fit.W, fit.c)
    assert np.abs(O - T).sum() == pytest.approx(fit.objective, abs=1e-6)


@pytest.mark.parametrize("solver", ["gurobi", "scip"])
def test_weight_milps_on_another_backend_reach_the_same_optimum(tiny, solver):
    if solver not in available_backends():
        pytest.skip(f"{solver} is not installed")
    X, T, S = tiny
    ref = fit_layer_weights(X, T, S, lp_start=False)
    fit = fit_layer_weights(X, T, S, solver=solver, lp_start=False, options={"mip_max_nodes": 10_000})
    assert {r.solver for r in fit.records} == {solver} and all(r.status == "optimal" for r in fit.records)
    assert fit.objective == pytest.approx(ref.objective, abs=1e-6)
    assert np.abs(relu_forward(X, fit.W, fit.c) - T).sum() == pytest.approx(fit.objective, abs=1e-6)
    # Algorithm 1 hands the backend to every weight MILP; a bad name is refused before any solve
    net = init_network(dense_structures((4, 3, 3)), random_state=0)
    y = np.arange(10) % 3
    res = algorithm1(net, X, y, max_iterations=1, solver=solver)
    assert res.statuses and set(res.statuses) <= {"optimal"}
    with pytest.raises(ValueError, match="solver"):
        algorithm1(net, X, y, solver="cplex")


def test_printed_and_tight_big_m_agree_and_warm_start_is_feasible(tiny):
    X, T, S = tiny
    a = fit_layer_weights(X, T, S, big_m="printed")
    b = fit_layer_weights(X, T, S, big_m="tight", theta0=np.zeros(S.n_params))
    assert a.objective == pytest.approx(b.objective, abs=1e-6)
    assert printed_big_m(X) == pytest.approx(4 * (1.1 * X.max() + 0.1) + 1)


def test_per_neuron_milp_equals_its_share(tiny):
    X, T, S = tiny
    whole = fit_layer_weights(X, T, S)
    one = weight_milp(X, T, S, neurons=[1])
    assert one.objective == pytest.approx(np.abs(relu_forward(X, whole.W, whole.c) - T)[:, 1].sum(), abs=1e-6)
    W, c = S.to_weights(np.zeros(S.n_params))
    W[1], c[1] = S.to_weights(np.bincount(one.params, weights=one.theta, minlength=S.n_params))[0][1], one.theta[-1]
    assert np.abs(relu_forward(X, W, c)[:, 1] - T[:, 1]).sum() == pytest.approx(one.objective, abs=1e-6)


def test_weight_bound_10_is_respected(tiny):
    X, T, S = tiny
    prev = np.linspace(-0.8, 0.8, S.n_params)
    lo, hi = weight_bounds_from_previous(prev, factor=0.6)
    assert np.allclose(hi - prev, 0.6 * np.abs(prev) + 0.01) or np.all(hi <= 1)
    fit = fit_layer_weights(X, T, S, lower=lo, upper=hi, theta0=prev)
    assert np.all(fit.theta >= lo - 1e-9) and np.all(fit.theta <= hi + 1e-9)
    assert np.abs(relu_forward(X, fit.W, fit.c) - T).sum() == pytest.approx(fit.objective, abs=1e-6)


def test_last_layer_lp_one_sided_error(tiny):
    X, _, S = tiny
    T = np.eye(3)[np.arange(10) % 3]
    fit = last_layer_lp(X, T, S)
    W, c = S.to_weights(fit.theta)
    assert one_sided(relu_forward(X, W, c, "identity"), T) == pytest.approx(fit.objective, abs=1e-6)


@pytest.mark.parametrize("formulation", ["paper", "compact"])
def test_postprocess_lp_objective_is_capped_error(tiny, formulation):
    X, _, S = tiny
    T = np.eye(3)[np.arange(10) % 3]
    fit = postprocess_lp(X, T, S, formulation=formulation)
    W, c = S.to_weights(fit.theta)
    A = relu_forward(X, W, c, "identity")
    delta = np.where(T != 0, np.abs(A - T), relu(A))
    assert relu(delta - 0.49).sum() == pytest.approx(fit.objective, abs=1e-5)


@pytest.mark.parametrize("structure", ["dense", "conv"])
def test_compact_postprocess_lp_has_the_papers_optimum_with_fewer_rows(structure):
    rng = np.random.default_rng(7)
    if structure == "dense":
        S, X = LayerStructure.dense(6, 4), rng.random((60, 6))
        T = np.eye(4)[rng.integers(0, 4, 60)]
    else:  # shared weights couple every output neuron: a single group
        S, X = LayerStructure.conv2d(5, 3), rng.random((40, 25))
        T = (rng.random((40, 9)) < 0.3).astype(float)
    paper = postprocess_lp(X, T, S, formulation="paper")
    compact = postprocess_lp(X, T, S, formulation="compact")
    assert compact.objective == pytest.approx(paper.objective, abs=1e-5)
    assert compact.record.n_constraints < paper.record.n_constraints
    assert compact.record.status == "optimal"
    A = relu_forward(X, *S.to_weights(compact.theta), "identity")
    delta = np.where(T != 0, np.abs(A - T), relu(A))
    assert relu(delta - 0.49).sum() == pytest.approx(compact.objective, abs=1e-5)
    with pytest.raises(ValueError, match="formulation"):
        postprocess_lp(X, T, S, formulation="dual")


@pytest.mark.parametrize("big_m", ["printed", "tight"])
def test_input_milp_reproduces_objective_within_box_9(tiny, big_m):
    X, T, S = tiny
    rng = np.random.default_rng(0)
    W, c = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 3)
    Xn, obj, recs = fit_layer_inputs(X, T, W, c, big_m=big_m)
    lo, hi = input_bounds(X)
    assert np.all(Xn >= lo - 1e-9) and np.all(Xn <= hi + 1e-9)
    assert np.abs(relu_forward(Xn, W, c) - T).sum() == pytest.approx(obj, abs=1e-6)
    assert obj <= np.abs(relu_forward(X, W, c) - T).sum() + 1e-9


@pytest.mark.parametrize("big_m", ["printed", "tight"])
def test_wider_input_box_keeps_the_program_exact_and_never_does_worse(tiny, big_m):
    """The lever of hypothesis 7: a wider box (r, a) contains box (9), so its optimum is no larger, the proposed
    inputs stay inside it and the forward pass still reproduces the reported objective."""
    X, T, _ = tiny
    rng = np.random.default_rng(0)
    W, c = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 3)
    assert INPUT_BOX == (0.1, 0.1)
    np.testing.assert_array_equal(input_bounds(X)[0], np.maximum(0.0, 0.9 * X - 0.1))
    np.testing.assert_array_equal(input_bounds(X)[1], 1.1 * X + 0.1)
    _, paper, _ = fit_layer_inputs(X, T, W, c, big_m=big_m)
    Xn, wide, recs = fit_layer_inputs(X, T, W, c, big_m=big_m, input_box=(0.5, 0.5))
    lo, hi = input_bounds(X, (0.5, 0.5))
    np.testing.assert_array_equal(lo, np.maximum(0.0, 0.5 * X - 0.5))
    assert np.all(Xn >= lo - 1e-9) and np.all(Xn <= hi + 1e-9)
    assert all(r.status == "optimal" for r in recs)
    assert np.abs(relu_forward(Xn, W, c) - T).sum() == pytest.approx(wide, abs=1e-6)
    assert wide <= paper + 1e-6
    assert printed_big_m(X, (0.5, 0.5)) == pytest.approx(4 * (1.5 * X.max() + 0.5) + 1)


@pytest.mark.parametrize("box", [(0.1,), (-0.1, 0.1), (0.1, float("nan")), "wide"])
def test_bad_input_box_is_refused_before_any_work(tiny, box):
    X, _, _ = tiny
    net = init_network(dense_structures((4, 3, 2)), random_state=0)
    with pytest.raises(ValueError, match="input_box"):
        algorithm1(net, X, np.arange(10) % 2, input_box=box)


def test_input_lp_identity_layer(tiny):
    X, _, _ = tiny
    T = np.eye(3)[np.arange(10) % 3]
    rng = np.random.default_rng(1)
    W, c = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 3)
    Xn, obj, _ = fit_layer_inputs(X, T, W, c, activation="identity")
    assert one_sided(relu_forward(Xn, W, c, "identity"), T) == pytest.approx(obj, abs=1e-6)


def test_conv_structure_shares_weights_and_zero_offsets():
    S = LayerStructure.conv2d(7, 3)
    assert S.n_params == 9 and S.n_outputs == 25 and S.n_inputs == 49
    assert len(S.groups()) == 1
    W, c = S.to_weights(np.arange(1, 10) / 10)
    assert np.all(c == 0) and np.all((W != 0).sum(axis=1) == 9)
    assert W[0, 0] == W[24, 4 * 7 + 4] == 0.1
    rng = np.random.default_rng(2)
    X = rng.random((4, 49))
    T = relu_forward(X, *S.to_weights(rng.uniform(-1, 1, 9)))  # realisable targets (random ones are hard)
    T[0, :5] += 0.3
    fit = fit_layer_weights(X, T, S, time_limit=30, options={"mip_max_nodes": 50})
    assert np.allclose(fit.c, 0)
    assert np.abs(relu_forward(X, fit.W, fit.c) - T).sum() == pytest.approx(fit.objective, abs=1e-6)


def test_parallel_groups_match_serial(tiny):
    X, T, S = tiny
    a = fit_layer_weights(X, T, S)
    b = fit_layer_weights(X, T, S, n_jobs=2)
    assert a.objective == pytest.approx(b.objective, abs=1e-7)
    pool = shared_executor("local", 2)
    c = fit_layer_weights(X, T, S, n_jobs=2)  # the workers are kept alive for the next layer / iteration
    assert shared_executor("local", 2) is pool and c.objective == pytest.approx(a.objective, abs=1e-7)
    close_shared_executors()


def test_bad_parameters(tiny):
    X, T, S = tiny
    with pytest.raises(ValueError, match="big_m"):
        fit_layer_weights(X, T, S, big_m="huge")
    with pytest.raises(ValueError, match="activation"):
        fit_layer_weights(X, T, S, activation="tanh")
    with pytest.raises(ValueError, match="non-negative"):
        fit_layer_weights(-X, T, S)
    with pytest.raises(ValueError, match="columns"):
        fit_layer_weights(X, T[:, :2], S)
    with pytest.raises(ValueError, match="n_jobs"):
        fit_layer_weights(X, T, S, n_jobs=0)
    with pytest.raises(ValueError, match="kernel"):
        LayerStructure.conv2d(3, 5)
    with pytest.raises(ValueError, match="param_index"):
        LayerStructure(np.array([[0, 2]]))
    with pytest.raises(ValueError, match="factor"):
        weight_bounds_from_previous([0.1], factor=-1)


def test_lp_start_reaches_the_same_optimum_and_reproduces_objective(tiny):
    X, T, S = tiny
    theta0 = np.random.default_rng(0).uniform(-1, 1, S.n_params)
    plain = fit_layer_weights(X, T, S, theta0=theta0, lp_start=False)
    started = fit_layer_weights(X, T, S, theta0=theta0, lp_start=True)
    assert all(r.status == "optimal" for r in plain.records + started.records)
    assert started.objective == pytest.approx(plain.objective, abs=1e-6)
    assert np.abs(relu_forward(X, started.W, started.c) - T).sum() == pytest.approx(started.objective, abs=1e-6)


def test_lp_start_with_zero_objective_skips_the_milp():
    # targets produced by a network inside the box: the targets' own activation pattern gives an LP with
    # objective 0, which is optimal, so no MILP is solved (the record is the LP's)
    rng = np.random.default_rng(5)
    X = rng.random((12, 6))
    S = LayerStructure.dense(6, 2)
    W, c = S.to_weights(rng.uniform(-1, 1, S.n_params))
    T = relu_forward(X, W, c)
    fit = weight_milp(X, T, S, neurons=[0])
    assert fit.objective == pytest.approx(0.0, abs=1e-7)
    assert not fit.record.is_mip and fit.record.status == "optimal"
    W2, c2 = S.to_weights(np.bincount(fit.params, weights=fit.theta, minlength=S.n_params))
    assert np.abs(relu_forward(X, W2, c2)[:, 0] - T[:, 0]).sum() == pytest.approx(0.0, abs=1e-6)


def test_preactivation_bounds_are_the_exact_range_over_the_weight_box():
    rng = np.random.default_rng(3)
    X = rng.random((6, 4))
    S = LayerStructure.dense(4, 2)
    L, U = preactivation_bounds(X, S)
    assert L.shape == U.shape == (6, 2)
    np.testing.assert_allclose(U, np.repeat(X.sum(axis=1, keepdims=True) + 1.0, 2, axis=1))  # all at +1
    np.testing.assert_allclose(L, -U)
    for _ in range(50):  # any weights in the box stay inside [L, U]
        W, c = S.to_weights(rng.uniform(-1, 1, S.n_params))
        A = X @ W.T + c
        assert np.all(A >= L - 1e-12) and np.all(A <= U + 1e-12)
    L0, U0 = preactivation_bounds(X, S, neurons=[0], lower=0.0, upper=0.5)
    np.testing.assert_allclose(L0[:, 0], 0.0)
    np.testing.assert_allclose(U0[:, 0], 0.5 * (X.sum(axis=1) + 1.0))
