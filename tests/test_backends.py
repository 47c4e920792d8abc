"""The solve layer's cases on every installed backend: HiGHS always, Gurobi and SCIP when their packages
are installed (the test extra installs both; a missing one skips with its reason). Real solves of small models."""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
import pytest
import scipy.sparse as sp

from mipnn.backends import BACKENDS, GUROBI_SIZE_LIMIT, available_backends, backend_version
from mipnn.exceptions import InfeasibleError, SolverUnavailableError, UnboundedError
from mipnn.solve import solve, solve_matrices

INSTALLED = available_backends()


def backend_params():
    return [pytest.param(b, marks=pytest.mark.skipif(b not in INSTALLED, reason=f"{b}'s Python package is not "
                                                     "installed (pip install 'mipnn[test]' installs it)"))
            for b in BACKENDS]


def knapsack(n=12, seed=0):
    """max v·x  s.t.  w·x ≤ W, x binary: a small MIP with a unique optimum (found by enumeration below)."""
    rng = np.random.default_rng(seed)
    v, w = rng.integers(5, 40, n).astype(float), rng.integers(3, 30, n).astype(float)
    return v, w, float(w.sum() // 2)


def knapsack_optimum(v, w, W):
    n = len(v)
    best = 0.0
    for mask in range(1 << n):
        x = np.array([(mask >> j) & 1 for j in range(n)], dtype=float)
        if w @ x <= W:
            best = max(best, v @ x)
    return best


def solve_knapsack(solver, **kw):
    v, w, W = knapsack()
    n = len(v)
    return solve_matrices(v, sp.csr_matrix(w.reshape(1, -1)), [-np.inf], [W], np.zeros(n), np.ones(n), np.ones(n),
                          sense="max", solver=solver, **kw)


@pytest.mark.parametrize("solver", backend_params())
def test_mip_optimum_status_gap_nodes_version(solver):
    v, w, W = knapsack()
    rec, sol = solve_knapsack(solver, time_limit=30, threads=1)
    assert rec.status == "optimal" and rec.gap == 0.0
    assert rec.objective == pytest.approx(knapsack_optimum(v, w, W))
    assert v @ sol.x == pytest.approx(rec.objective) and w @ sol.x <= W + 1e-9
    assert set(np.unique(sol.x)) <= {0.0, 1.0}
    assert rec.solver == solver and rec.solver_version == backend_version(solver) and rec.solver_version
    assert isinstance(rec.node_count, int) and rec.n_binaries == len(v) and rec.is_mip


@pytest.mark.parametrize("solver", backend_params())
def test_lp_offset_and_ranged_rows(solver):
    # min -x - 2y + 3  s.t.  1 <= x + y <= 4 (ranged),  x - y == 0.5,  0 <= x, y <= 3
    A = sp.csr_matrix([[1.0, 1.0], [1.0, -1.0]])
    rec, sol = solve_matrices([-1.0, -2.0], A, [1.0, 0.5], [4.0, 0.5], [0, 0], [3, 3], offset=3.0,
                              time_limit=10, solver=solver)
    assert rec.status == "optimal" and not rec.is_mip
    assert sol.x == pytest.approx([2.25, 1.75], abs=1e-7)
    assert rec.objective == pytest.approx(-2.25 - 3.5 + 3.0) and rec.bound == pytest.approx(rec.objective)
    assert sol.row_activity == pytest.approx([4.0, 0.5], abs=1e-7)


@pytest.mark.parametrize("solver", backend_params())
def test_objective_target_stops_early(solver):
    v, w, W = knapsack()
    opt = knapsack_optimum(v, w, W)
    rec, sol = solve_knapsack(solver, time_limit=30, objective_target=0.5 * opt, threads=1)
    assert rec.status in ("target_reached", "optimal")  # a solver may find the optimum before its first check
    assert rec.objective >= 0.5 * opt


@pytest.mark.parametrize("solver", backend_params())
def test_full_and_partial_mip_starts(solver):
    v, w, W = knapsack()
    n = len(v)
    start = np.zeros(n)
    start[np.argsort(w)[:3]] = 1.0  # the three lightest items: feasible
    # a full start that already meets the target ends the solve with it (or something at least as good)
    rec, sol = solve_knapsack(solver, time_limit=30, warm_start=start, objective_target=float(v @ start), threads=1)
    assert rec.objective >= v @ start - 1e-9
    # a partial start (nan = unknown) is completed by the solver
    part = np.full(n, np.nan)
    part[np.argsort(w)[:2]] = 1.0
    rec, sol = solve_knapsack(solver, time_limit=30, warm_start=part, threads=1)
    assert rec.status == "optimal" and rec.objective == pytest.approx(knapsack_optimum(v, w, W))
    rec, _ = solve_knapsack(solver, time_limit=30, warm_start={0: 1.0}, threads=1)
    assert rec.status == "optimal"


def hard_mip(n=60, seed=3):
    """A market-split-like equality knapsack system: small but far beyond a 1 s limit for every backend."""
    rng = np.random.default_rng(seed)
    A = rng.integers(0, 100, (4, n)).astype(float)
    rhs = np.floor(A.sum(axis=1) / 2)
    # minimise the total slack of A x + s⁺ − s⁻ = rhs with binary x
    m = A.shape[0]
    A_full = sp.hstack([sp.csr_matrix(A), sp.eye(m), -sp.eye(m)]).tocsr()
    c = np.r_[np.zeros(n), np.ones(2 * m)]
    lo = np.r_[np.zeros(n), np.zeros(2 * m)]
    up = np.r_[np.ones(n), np.full(2 * m, np.inf)]
    integ = np.r_[np.ones(n), np.zeros(2 * m)]
    return c, A_full, rhs, rhs, lo, up, integ


@pytest.mark.parametrize("solver", backend_params())
def test_time_limit_returns_the_incumbent(solver):
    t0 = time.perf_counter()
    rec, sol = solve_matrices(*hard_mip(), time_limit=1.0, solver=solver, threads=1, mip_gap=0.0)
    elapsed = time.perf_counter() - t0
    assert rec.status in ("time_limit", "optimal")
    if rec.status == "time_limit":
        assert rec.objective is not None and rec.gap is None or rec.gap >= 0
    assert rec.wall_time < 1.0 + 1.0 and elapsed < 6.0


@pytest.mark.parametrize("solver", backend_params())
def test_infeasible_and_unbounded_raise(solver):
    A = sp.csr_matrix([[1.0, 1.0]])
    with pytest.raises(InfeasibleError):
        solve_matrices([1.0, 1.0], A, [3.0], [np.inf], [0, 0], [1, 1], [1, 1], time_limit=10, solver=solver)
    with pytest.raises(UnboundedError):
        solve_matrices([-1.0, 0.0], A, [1.0], [np.inf], [0, 0], [np.inf, 1], [1, 1], time_limit=10, solver=solver)


@pytest.mark.parametrize("solver", backend_params())
def test_pyomo_models_load_the_solution(solver):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(3), domain=pyo.Binary)
    m.y = pyo.Var(bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x[0] + 2 * m.x[1] + 3 * m.x[2] + m.y <= 4.5)
    m.obj = pyo.Objective(expr=3 * m.x[0] + 4 * m.x[1] + 6 * m.x[2] + 0.5 * m.y, sense=pyo.maximize)
    rec = solve(m, time_limit=10, solver=solver)
    assert rec.objective == pytest.approx(9.25) and rec.status == "optimal"
    assert [pyo.value(m.x[i]) for i in range(3)] == [1.0, 0.0, 1.0] and pyo.value(m.y) == pytest.approx(0.5)


@pytest.mark.parametrize("solver", backend_params())
def test_feasibility_tolerance_reaches_the_backend(solver):
    rec, _ = solve_knapsack(solver, time_limit=10, feasibility_tolerance=1e-8)
    assert rec.status == "optimal"
    with pytest.raises(ValueError, match="feasibility_tolerance"):
        solve_knapsack(solver, time_limit=10, feasibility_tolerance=1e-13)


@pytest.mark.skipif("gurobi" not in INSTALLED, reason="gurobipy is not installed")
def test_gurobi_license_limit_is_named():
    n = GUROBI_SIZE_LIMIT + 1
    try:
        rec, _ = solve_matrices(np.ones(n), sp.csr_matrix(np.ones((1, n))), [-np.inf], [5.0], np.zeros(n),
                                np.ones(n), np.ones(n), sense="max", time_limit=10, solver="gurobi")
    except SolverUnavailableError as err:
        assert "2000" in str(err) and "solver='highs'" in str(err)
    else:
        pytest.skip(f"this Gurobi license is not size-limited (solved: {rec.status})")


def test_scip_is_single_threaded():
    if "scip" not in INSTALLED:
        pytest.skip("pyscipopt is not installed")
    with pytest.raises(ValueError, match="one thread"):
        solve_knapsack("scip", time_limit=10, threads=2)


def test_a_backend_that_is_not_installed_says_what_to_install(monkeypatch):
    import mipnn.backends as bk

    monkeypatch.setattr(bk, "available_backends", lambda: ("highs",))
    with pytest.raises(SolverUnavailableError, match="pip install"):
        solve_knapsack("gurobi", time_limit=10)
    with pytest.raises(ValueError, match="solver='cplex' is not allowed"):
        solve_knapsack("cplex", time_limit=10)


# --- the families' training functions and estimators on every backend ---------------------------------------------

def _tiny(seed=0, n=12):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("solver", backend_params())
def test_bdnn_and_sign_net_optima_agree_across_backends(solver):
    from mipnn.bnn import point_losses, solve_bdnn
    from mipnn.numerics import one_hot
    from mipnn.signnet import train_sign_net

    X, y = _tiny()
    fit = solve_bdnn(X, y, hidden=(2,), n_classes=2, time_limit=30, solver=solver)
    ref = solve_bdnn(X, y, hidden=(2,), n_classes=2, time_limit=30)
    assert fit.record.solver == solver and fit.record.status == "optimal"
    assert fit.record.objective == pytest.approx(ref.record.objective, abs=1e-6)
    assert point_losses(X, y, fit.network, 2).sum() == pytest.approx(fit.record.objective, abs=1e-6)
    kw = dict(hidden=(2,), P=1, objective="max_correct", time_limit=30, target_accuracy=None)
    sn = train_sign_net(X, one_hot(y, 2, off=-1), solver=solver, **kw)
    assert sn.record.solver == solver and sn.record.status == "optimal"
    assert sn.recomputed_objective == pytest.approx(train_sign_net(X, one_hot(y, 2, off=-1), **kw).record.objective)


@pytest.mark.parametrize("solver", backend_params())
def test_estimators_take_a_solver(solver):
    from mipnn.bnn import BDNNClassifier
    from mipnn.signnet import MIPNetClassifier

    X, y = _tiny(1, 16)
    for est in (MIPNetClassifier(hidden=(2,), time_limit=20, start=None, solver=solver, threads=1, random_state=0),
                BDNNClassifier(method="exact", hidden=(2,), time_limit=20, solver=solver, threads=1, random_state=0)):
        est.fit(X, y)
        assert est.solve_record_.solver == solver
        assert est.score(X, y) >= 0.75


@pytest.mark.parametrize("solver", [p for p in backend_params() if p.values[0] != "highs"])
def test_the_notebooks_drivers_run_on_another_backend(solver):
    from mipnn.backends import translate_options
    from mipnn.experiments.adult import run_experiment
    from mipnn.experiments.bdnn import run_bdnn_experiment

    assert translate_options({"mip_max_nodes": 10, "random_seed": 1}, solver) == {
        {"gurobi": "NodeLimit", "scip": "limits/totalnodes"}[solver]: 10,
        {"gurobi": "Seed", "scip": "randomization/randomseedshift"}[solver]: 1}
    out = run_bdnn_experiment("iris", "exact", 0, hidden=(2,), max_train=12, time_limit=10, node_limit=50,
                              solver=solver)
    assert out["status"] in ("optimal", "work_limit", "time_limit") and out["train_accuracy"] >= 0
    out = run_experiment("sat_margin", 1, 20, 0, hidden=(2,), time_limit=10, solver_options={"mip_max_nodes": 10},
                         solver=solver)
    assert out["status"] in ("target_reached", "optimal", "work_limit", "time_limit")
    assert out["recomputed_objective"] == pytest.approx(out["objective_value"]) or out["status"] != "optimal"


@pytest.mark.parametrize("solver", backend_params())
def test_first_incumbent_time_is_recorded(solver):
    rec, _ = solve_knapsack(solver, time_limit=30, threads=1)
    assert rec.first_incumbent_time is not None and 0.0 <= rec.first_incumbent_time <= rec.wall_time + 1e-6
    lp, _ = solve_matrices([1.0], sp.csr_matrix([[1.0]]), [1.0], [np.inf], [0.0], [10.0], solver=solver)
    assert lp.first_incumbent_time is None  # an LP has no incumbents


def test_heuristic_inside_the_tree_offers_solutions_highs_checks():
    """HiGHS's user-solution callback (solve_matrices(heuristic=...)): an offered optimum is taken; an infeasible
    offer is rejected and the optimum is unchanged; a heuristic's error reaches the caller."""
    v, w, W = knapsack()
    best = knapsack_optimum(v, w, W)
    plain, sol = solve_knapsack("highs", time_limit=30, threads=1)
    seen = []

    def offer_optimum(x):
        seen.append(x)
        return sol.x

    rec, _ = solve_knapsack("highs", time_limit=30, threads=1, heuristic=offer_optimum)
    assert rec.status == "optimal" and rec.objective == pytest.approx(best) and seen
    assert all(x is None or x.shape == v.shape for x in seen)
    bad, _ = solve_knapsack("highs", time_limit=30, threads=1, heuristic=lambda x: np.ones_like(v))  # w·1 > W
    assert bad.status == "optimal" and bad.objective == pytest.approx(best)
    with pytest.raises(ValueError, match=r"shape \(3,\); expected \(12,\)"):
        solve_knapsack("highs", time_limit=30, threads=1, heuristic=lambda x: np.ones(3))
    with pytest.raises(ValueError, match="heuristic must be a callable and needs solver='highs'"):
        solve_knapsack("gurobi", time_limit=30, heuristic=offer_optimum)
