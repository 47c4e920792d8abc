import numpy as np
import pyomo.environ as pyo
import pytest

from mipnn.bnn import (
    big_m_constants,
    bnn_forward,
    bnn_loss,
    build_bnn_milp,
    extract_activations,
    extract_weights,
    fix_weights,
    threshold_rule,
)
from mipnn.numerics import one_hot
from mipnn.solve import solve


def xor(n, seed):
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def check_forward(model, rec, X):
    W = extract_weights(model)
    acts = bnn_forward(X, W, tol=model.meta["epsilon"] / 2)
    for a, s in zip(acts, extract_activations(model), strict=True):
        np.testing.assert_array_equal(a, s)
    assert bnn_loss(acts[-1], model.meta["Y"], model.meta["loss"]) == pytest.approx(rec.objective, abs=1e-6)
    for Wk, lam in W:
        assert np.abs(Wk).max() <= 1 + 1e-9 and np.abs(lam).max() <= model.meta["threshold_bound"] + 1e-9
    return W


@pytest.mark.parametrize("kw", [dict(), dict(big_m="per_sample", threshold="neuron"),
                                dict(loss="zero_one", weight_domain="integer")])
def test_forward_pass_reproduces_solver(kw):
    X, y = xor(8, 0)
    m = build_bnn_milp(X, y, (2, 3, 3, 2), **kw)
    rec = solve(m, time_limit=60, options={"mip_max_nodes": 20000})
    assert rec.has_solution
    W = check_forward(m, rec, X)
    if kw.get("weight_domain") == "integer":
        for Wk, _ in W:
            np.testing.assert_allclose(Wk, np.round(Wk), atol=1e-9)


def test_squared_loss_real_targets_and_one_output():
    X = np.array([[0.5, -0.2], [-0.7, 0.1], [0.3, 0.9], [-0.1, -0.8]])
    y = np.array([[0.2], [0.9], [0.6], [0.0]])
    m = build_bnn_milp(X, y, (2, 2, 1), loss="squared")
    rec = solve(m, time_limit=30)
    assert rec.is_optimal
    check_forward(m, rec, X)
    # best possible: each sample picks u in {0,1} closest to its target -> 0.04 + 0.01 + 0.16 + 0
    assert rec.objective >= 0.21 - 1e-6


def test_activation_sharing_and_fixed_weights():
    X, y = xor(12, 1)
    groups = np.arange(12) % 3 + 3 * y  # class-pure groups
    fixed = np.full((2, 3), np.nan)
    fixed[0, :] = [1.0, -1.0, 0.5]
    m = build_bnn_milp(X, y, (2, 3, 3, 2), big_m="per_sample", share_activations=groups,
                       fixed_weights={3: np.vstack([fixed[0], [np.nan] * 3])})
    rec = solve(m, time_limit=60, options={"mip_max_nodes": 20000})
    W = check_forward(m, rec, X)
    np.testing.assert_allclose(W[2][0][0], [1.0, -1.0, 0.5])
    acts = extract_activations(m)
    for g in np.unique(groups):  # every member of a group has the same pattern
        assert (acts[0][groups == g] == acts[0][groups == g][0]).all()
    fix_weights(m, 1, np.zeros((3, 2)))
    assert all(m.W[1, j, l].fixed for j in range(3) for l in range(2))


def test_big_m_printed_and_per_sample():
    X = np.array([[3.0, 4.0], [1.0, 0.0]])
    m1, mk = big_m_constants(X, (2, 3, 2))
    np.testing.assert_allclose(m1, [2 * 5 + 1] * 2)  # n r + 1
    assert mk == [4.0]  # d1 + 1
    m1s, _ = big_m_constants(X, (2, 3, 2), big_m="per_sample", threshold_bound=2.0)
    np.testing.assert_allclose(m1s, [9.0, 3.0])


def test_model_structure_counts():
    X, y = xor(5, 2)
    m = build_bnn_milp(X, y, (2, 3, 3, 2))
    assert len(m.u) == 5 * 8 and len(m.s) == 5 * (9 + 6) and len(m.W) == 6 + 9 + 6
    assert isinstance(m.loss, pyo.Objective)


def test_bad_parameters():
    X, y = xor(4, 0)
    with pytest.raises(ValueError, match="loss"):
        build_bnn_milp(X, y, (2, 2, 2), loss="hinge")
    with pytest.raises(ValueError, match="X must have shape"):
        build_bnn_milp(X, y, (3, 2, 2))
    with pytest.raises(ValueError, match="layers"):
        build_bnn_milp(X, y, (2,))
    with pytest.raises(ValueError, match="epsilon"):
        build_bnn_milp(X, y, (2, 2, 2), epsilon=0)
    with pytest.raises(ValueError, match="weight_domain"):
        build_bnn_milp(X, y, (2, 2, 2), weight_domain="binary")
    with pytest.raises(ValueError, match="0/1 targets"):
        build_bnn_milp(X, np.full((4, 1), 0.5), (2, 2, 1))
    with pytest.raises(ValueError, match="share_activations"):
        build_bnn_milp(X, y, (2, 2, 2), share_activations=[0, 1])
    with pytest.raises(ValueError, match="fixed_weights"):
        build_bnn_milp(X, y, (2, 2, 2), fixed_weights={5: np.zeros((2, 2))})


def test_one_hot_and_rules():
    np.testing.assert_array_equal(one_hot(np.array([0, 2, 1])), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 3, off=-1), [[-1, 1, -1], [1, -1, -1]])
    with pytest.raises(ValueError, match="n_classes"):
        one_hot(np.array([0, 3]), 2)
    assert threshold_rule([1, 1], 2, ["a", "b"]) == "a ∧ b"
    assert threshold_rule([1, 1], 1, ["a", "b"]) in ("a ∨ b", "b ∨ a")
    assert threshold_rule([1, -1], 1, ["a", "b"]) == "a ∧ ¬b"
    assert threshold_rule([1, 1], 5, ["a", "b"]) == "false"


def test_symmetry_breaking_keeps_the_optimum():
    # the lever claims to keep the model exact: same optimum with and without it, and the rows are there
    from mipnn.bnn import build_bdnn, safe_tolerance, solve_bnn_milp

    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (8, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    for build in (lambda sb: build_bnn_milp(X, y, (2, 2, 2, 1), threshold="neuron", symmetry_breaking=sb),
                  lambda sb: build_bdnn(X, y, hidden=(3,), n_classes=2, symmetry_breaking=sb)):
        plain, ordered = build(False), build(True)
        assert not hasattr(plain, "symmetry") and len(ordered.symmetry) >= 2
        a = solve_bnn_milp(plain, time_limit=30, feasibility_tolerance=safe_tolerance(plain))
        b = solve_bnn_milp(ordered, time_limit=30, feasibility_tolerance=safe_tolerance(ordered))
        assert a.status == b.status == "optimal"
        assert a.objective == pytest.approx(b.objective, abs=1e-6)
        h = ordered.meta["layers"][1]
        sums = [sum(ordered.W[1, j, l].value for l in range(2)) for j in range(h)]
        assert all(sums[j] >= sums[j + 1] - 1e-6 for j in range(h - 1))
    # fixed next-layer weights: the ordering is left out there (a permutation would not be available)
    m = build_bdnn(X, y, hidden=(3,), n_classes=2, symmetry_breaking=True, fixed_weights={2: np.ones((2, 3))})
    assert len(m.symmetry) == 0


def test_public_solve_applies_the_models_safe_tolerance_and_verification(monkeypatch):
    # before: mipnn.solve.solve(build_bnn_milp(...)) ran with HiGHS's 1e-6 tolerances and no check, so with a big-M
    # of 10-16 and ε = 1e-5 it could claim optima the returned weights do not reach
    import mipnn.bnn.milp as milp_module
    import mipnn.solve as solve_module
    from mipnn.bnn import safe_tolerance
    from mipnn.exceptions import VerificationError

    X, y = xor(6, 1)
    X = 8 * X  # big-M ≈ 17
    m = build_bnn_milp(X, y, (2, 2, 2), big_m="per_sample", epsilon=1e-5)
    seen, checked = [], []
    real_matrices, real_verify = solve_module.solve_matrices, milp_module.verify_bnn_solution
    monkeypatch.setattr(solve_module, "solve_matrices",
                        lambda *a, **k: seen.append(k["feasibility_tolerance"]) or real_matrices(*a, **k))
    monkeypatch.setattr(milp_module, "verify_bnn_solution",
                        lambda model, record: checked.append(record) or real_verify(model, record))
    rec = solve(m, time_limit=30)
    assert seen == [pytest.approx(safe_tolerance(m))] and seen[0] < 1e-7
    assert checked == [rec]
    check_forward(m, rec, X)
    # an explicit tolerance wins, and the verification still runs on what it returns
    monkeypatch.setattr(milp_module, "verify_bnn_solution",
                        lambda model, record: (_ for _ in ()).throw(VerificationError("checked", record)))
    with pytest.raises(VerificationError, match="checked"):
        solve(m, time_limit=30, feasibility_tolerance=1e-8)
    assert seen[-1] == 1e-8
