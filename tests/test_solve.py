import math

import numpy as np
import pyomo.environ as pyo
import pytest

from mipnn.exceptions import InfeasibleError, NoSolutionError, SolveError, UnboundedError
from mipnn.solve import SolveRecord, relative_gap, solve, solve_matrices


def small_lp():
    # min x + y + 1  s.t.  x + 2y >= 4,  3x + y >= 6,  x, y >= 0.  Optimum x = 1.6, y = 1.2, value 3.8;
    # duals 0.4 and 0.2 (both constraints bind).
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.c1 = pyo.Constraint(expr=m.x + 2 * m.y >= 4)
    m.c2 = pyo.Constraint(expr=3 * m.x + m.y >= 6)
    m.obj = pyo.Objective(expr=m.x + m.y + 1)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    return m


def market_split(rows=5, cols=40, seed=1):
    """A market-split instance: tiny, but notoriously hard for branch and bound."""
    rng = np.random.default_rng(seed)
    A = rng.integers(0, 100, (rows, cols))
    b = A.sum(axis=1) // 2
    m = pyo.ConcreteModel()
    m.J, m.I = range(cols), range(rows)
    m.x = pyo.Var(m.J, domain=pyo.Binary)
    m.sp = pyo.Var(m.I, bounds=(0, None))
    m.sm = pyo.Var(m.I, bounds=(0, None))
    m.c = pyo.Constraint(m.I, rule=lambda m, i: sum(int(A[i, j]) * m.x[j] for j in m.J) + m.sp[i] - m.sm[i]
                         == int(b[i]))
    m.obj = pyo.Objective(expr=sum(m.sp[i] + m.sm[i] for i in m.I))
    return m


def test_lp_optimum_and_duals():
    m = small_lp()
    rec = solve(m, time_limit=10)
    assert isinstance(rec, SolveRecord)
    assert rec.status == "optimal" and not rec.is_mip
    assert rec.objective == pytest.approx(3.8)
    assert rec.bound == pytest.approx(3.8) and rec.gap == 0.0
    assert pyo.value(m.x) == pytest.approx(1.6) and pyo.value(m.y) == pytest.approx(1.2)
    assert m.dual[m.c1] == pytest.approx(0.4) and m.dual[m.c2] == pytest.approx(0.2)
    assert (rec.n_variables, rec.n_constraints, rec.n_binaries) == (2, 2, 0)
    assert rec.solver_version.count(".") == 2 and rec.wall_time >= 0 and rec.handoff_time >= 0


def test_matrix_path_matches_pyomo_path():
    A = np.array([[1.0, 2.0], [3.0, 1.0]])
    rec, sol = solve_matrices([1, 1], A, [4, 6], [np.inf, np.inf], [0, 0], [np.inf, np.inf], offset=1.0,
                              time_limit=10)
    ref = solve(small_lp(), time_limit=10)
    assert rec.objective == pytest.approx(ref.objective)
    assert sol.x == pytest.approx([1.6, 1.2])
    assert sol.row_dual == pytest.approx([0.4, 0.2])
    assert rec.status == ref.status == "optimal"


def test_mip_knapsack_optimal_and_target():
    rng = np.random.default_rng(0)
    n = 40
    w, v = rng.integers(10, 100, n), rng.integers(10, 100, n)
    cap = w.sum() / 3
    rec, sol = solve_matrices(-v, w[None, :], [-np.inf], [cap], np.zeros(n), np.ones(n), np.ones(n), time_limit=20)
    assert rec.status == "optimal" and rec.is_mip and rec.n_binaries == n
    assert rec.gap <= 1e-4
    assert w @ sol.x <= cap + 1e-9 and np.allclose(sol.x, np.round(sol.x))
    assert rec.objective == pytest.approx(-(v @ sol.x))
    # Stop as soon as an incumbent reaches half the optimum.
    target = rec.objective / 2
    rec2, sol2 = solve_matrices(-v, w[None, :], [-np.inf], [cap], np.zeros(n), np.ones(n), np.ones(n),
                                time_limit=20, objective_target=target)
    assert rec2.status in ("target_reached", "optimal")
    assert rec2.objective <= target


def big_knapsack(n=200, seed=0):
    rng = np.random.default_rng(seed)
    w, v = rng.integers(1000, 10000, n), rng.integers(1000, 10000, n)
    return (-v, w[None, :], [-np.inf], [w.sum() / 3], np.zeros(n), np.ones(n), np.ones(n))


def test_warm_start_is_used():
    data = big_knapsack()
    rec, sol = solve_matrices(*data, time_limit=20)
    # Started from the optimum with a target just above it, HiGHS accepts the start without branching.
    rec2, sol2 = solve_matrices(*data, time_limit=20, warm_start=sol.x, objective_target=rec.objective + 0.5)
    assert rec2.status == "target_reached" and rec2.node_count == 0
    assert rec2.objective == pytest.approx(rec.objective)
    # A partial start (nan = unknown) is completed by HiGHS.
    partial = sol.x.copy()
    partial[::2] = np.nan
    rec3, _ = solve_matrices(*data, time_limit=20, warm_start=partial)
    assert rec3.has_solution


def test_mip_time_limit_returns_incumbent_and_gap():
    m = market_split()
    rec = solve(m, time_limit=1.0)
    assert rec.status == "time_limit"
    assert rec.has_solution and rec.objective >= 0
    assert rec.bound is not None and rec.bound <= rec.objective
    assert rec.gap is not None and rec.gap > 0
    assert rec.wall_time < 10
    # the incumbent loaded into the model is feasible
    for i in m.I:
        assert pyo.value(m.c[i].body) == pytest.approx(pyo.value(m.c[i].upper), abs=1e-6)


def test_relaxed_gap_is_not_reported_as_optimal():
    # HiGHS says "optimal" once the relaxed 5 % gap is met; the record reports the real gap and "gap_limit".
    rec, _ = solve_matrices(*big_knapsack(), time_limit=20, mip_gap=0.05)
    assert rec.solver_status == "Optimal"
    assert 1e-4 < rec.gap <= 0.05
    assert rec.status == "gap_limit"


def test_infeasible_raises_with_record():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.Integers, bounds=(0, 10))
    m.c = pyo.Constraint(expr=2 * m.x == 3)
    m.obj = pyo.Objective(expr=m.x)
    with pytest.raises(InfeasibleError, match="infeasible") as err:
        solve(m, time_limit=5)
    assert err.value.record.status == "infeasible"


def test_unbounded_raises():
    m = pyo.ConcreteModel()
    m.x = pyo.Var()
    m.c = pyo.Constraint(expr=m.x <= 3)
    m.obj = pyo.Objective(expr=m.x)
    with pytest.raises(UnboundedError):
        solve(m, time_limit=5)


def test_no_incumbent_at_time_limit_raises():
    # An LP stopped after zero iterations has no primal solution.
    m = small_lp()
    with pytest.raises((NoSolutionError, SolveError)):
        solve(m, time_limit=10, options={"simplex_iteration_limit": 0, "presolve": "off"}, lp_method="simplex")


@pytest.mark.parametrize("kwargs, word", [
    ({"time_limit": 0}, "time_limit"),
    ({"time_limit": math.inf}, "time_limit"),
    ({"time_limit": "fast"}, "time_limit"),
    ({"mip_gap": 2.0}, "mip_gap"),
    ({"threads": 0}, "threads"),
    ({"solver": "cplex"}, "solver"),
    ({"lp_method": "barrier"}, "lp_method"),
])
def test_bad_parameters_fail_before_solving(kwargs, word):
    with pytest.raises(ValueError, match=word):
        solve_matrices([1.0], [[1.0]], [0], [1], [0], [1], **kwargs)


def test_shape_mismatch_names_the_vector():
    with pytest.raises(ValueError, match="row_upper"):
        solve_matrices([1.0, 1.0], np.ones((2, 2)), [0, 0], [1], [0, 0], [1, 1])


def test_relative_gap_definition():
    assert relative_gap(10.0, 9.0) == pytest.approx(0.1)
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(0.0, -1.0) == math.inf
    assert relative_gap(None, 1.0) is None


def test_record_as_dict_is_json_ready():
    import json

    rec = solve(market_split(rows=2, cols=10), time_limit=5)
    json.dumps(rec.as_dict())
    assert "objective" in rec.summary()


def test_watchdog_interrupts_after_the_grace_period():
    from mipnn.solve import Watchdog

    class Event:
        interrupted = False

        def interrupt(self):
            self.interrupted = True

    dog, e = Watchdog(time_limit=0.0), Event()
    dog(e)
    assert not e.interrupted and not dog.fired  # within the grace period (1 s)
    dog.start -= 2.0
    dog(e)
    assert e.interrupted and dog.fired


def test_any_sequence_of_thread_counts_in_one_process():
    # regression: HiGHS fixes its global thread pool at the first solve; a later threads=1 failed with "Not Set"
    results = [solve(market_split(rows=2, cols=8), time_limit=10, threads=t) for t in (None, 1, 2, 1, None)]
    assert all(r.has_solution for r in results)
    assert len({r.objective for r in results}) == 1


def _one_row(**override):
    data = dict(c=[1.0, 1.0], A=np.array([[1.0, 1.0]]), row_lower=[1.0], row_upper=[np.inf], col_lower=[0.0, 0.0],
                col_upper=[1.0, 1.0], integrality=[1, 1])
    data.update(override)
    return data


@pytest.mark.parametrize("override, message", [
    (dict(A=np.array([[1.0, np.nan]])), r"A\[0, 1\] = nan"),           # HiGHS called this "optimal" before
    (dict(A=np.array([[np.inf, 1.0]])), r"A\[0, 0\] = inf"),
    (dict(c=[1.0, -np.inf]), r"c\[1\] = -inf"),                          # "optimal" with objective -inf before
    (dict(row_upper=[np.nan]), r"row_upper\[0\] is NaN"),
    (dict(c=[], A=np.zeros((1, 0)), col_lower=[], col_upper=[], integrality=[]), "no variables"),
])
def test_matrices_are_validated_before_highs(override, message):
    with pytest.raises(ValueError, match=message):
        solve_matrices(**_one_row(**override), time_limit=5)


def test_bounds_that_leave_no_value_are_infeasible_before_solving():
    with pytest.raises(InfeasibleError, match="col 1"):
        solve_matrices(**_one_row(col_lower=[0.0, 2.0]), time_limit=5)
    with pytest.raises(InfeasibleError, match="row 0"):
        solve_matrices(**_one_row(row_lower=[np.inf]), time_limit=5)


def test_a_trivially_infeasible_pyomo_row_is_an_infeasible_error():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=0 * m.x >= 1)                             # Pyomo finds it before any solver
    m.o = pyo.Objective(expr=m.x)
    with pytest.raises(InfeasibleError, match="trivially infeasible"):
        solve(m, time_limit=5)


@pytest.mark.parametrize("change,match", [
    ({"c": [1e25, 1.0]}, r"c\[0\] = 1e\+25"), ({"c": [1e16, 1.0]}, r"c\[0\]"),
    ({"offset": float("nan")}, "offset"), ({"offset": float("inf")}, "offset"), ({"offset": -math.inf}, "offset"),
    ({"A": [[1.0, 1e16]]}, r"A\[0, 1\] = 1e\+16"), ({"row_upper": [1e25]}, r"row_upper\[0\] = 1e\+25"),
    ({"col_lower": [0.0, -1e21]}, r"col_lower\[1\]")])
def test_non_finite_or_absurd_model_data_is_refused_by_name(change, match):
    # before: c = 1e25 gave an "optimal" solve with objective and bound inf, offset nan an "optimal" NaN objective
    data = dict(c=[1.0, 1.0], A=[[1.0, 1.0]], row_lower=[1.0], row_upper=[np.inf], col_lower=[0.0, 0.0],
                col_upper=[10.0, 10.0])
    offset = change.pop("offset", 0.0)
    data.update(change)
    with pytest.raises(ValueError, match=match):
        solve_matrices(**data, offset=offset, time_limit=5)


def test_raw_errors_are_ours():
    # before: a ragged A raised numpy's "inhomogeneous shape", solve("model") an AttributeError from Pyomo, a time
    # limit in options silently overrode time_limit
    with pytest.raises(ValueError, match="A must be a matrix"):
        solve_matrices([1.0, 1.0], [[1.0, 1.0], [1.0]], [0.0, 0.0], [1.0, 1.0], [0, 0], [1, 1])
    with pytest.raises(TypeError, match="model='model' must be a Pyomo model"):
        solve("model")
    with pytest.raises(ValueError, match="time_limit"):
        solve_matrices([1.0], [[1.0]], [0.0], [1.0], [0.0], [1.0], options={"time_limit": 100})
    with pytest.raises(ValueError, match="did you mean 'presolve'"):
        solve_matrices([1.0], [[1.0]], [0.0], [1.0], [0.0], [1.0], options={"presolv": "off"})


def test_the_model_compile_counts_against_the_time_limit(monkeypatch):
    # before: solve(model, time_limit=0.5) gave HiGHS the full 0.5 s after compiling (1.7 s in all)
    import time as _time

    import mipnn.solve as solve_module

    real_compile, real_matrices, seen = solve_module.compile_model, solve_module.solve_matrices, []

    def slow_compile(model):
        _time.sleep(0.3)
        return real_compile(model)

    monkeypatch.setattr(solve_module, "compile_model", slow_compile)
    monkeypatch.setattr(solve_module, "solve_matrices",
                        lambda *a, **k: seen.append(k["time_limit"]) or real_matrices(*a, **k))
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.Binary)
    m.o = pyo.Objective(expr=m.x, sense=pyo.maximize)
    rec = solve(m, time_limit=1.0)
    assert seen[0] <= 0.7 + 1e-9 and rec.time_limit == 1.0
    rec = solve(m, time_limit=0.2)  # nothing left: the solver still gets its minimum
    assert seen[1] == pytest.approx(0.05) and rec.status == "optimal"


def test_a_heuristic_is_not_started_past_the_time_limit():
    # before: a heuristic that sleeps 3 s under a 1 s limit made the solve take 6 s (it ran again after the limit)
    import time as _time

    rng = np.random.default_rng(0)
    m, n = 4, 40  # a market-split MIP: far from solved in the limit, with new incumbents along the way
    a = rng.integers(0, 100, size=(m, n)).astype(float)
    d = np.floor(a.sum(axis=1) / 2)
    calls = []

    def slow(x):
        calls.append(_time.perf_counter())
        _time.sleep(0.6)

    t0 = _time.perf_counter()
    rec, _ = solve_matrices(np.r_[np.zeros(n), np.ones(2 * m)], np.hstack([a, np.eye(m), -np.eye(m)]), d, d,
                            np.zeros(n + 2 * m), np.r_[np.ones(n), np.full(2 * m, np.inf)],
                            np.r_[np.ones(n), np.zeros(2 * m)], time_limit=0.3, heuristic=slow)
    assert rec.status == "time_limit"
    assert all(c - t0 < 0.3 + 0.1 for c in calls), [c - t0 for c in calls]  # none started past the limit
    assert len(calls) == 1
