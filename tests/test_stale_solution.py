"""HiGHS 1.16 can report a MIP's optimum while handing back its MIP start as the solution vector (found on the output
step of Kurtz & Bah's local search, Adult, N = 200, seed 2: objective 94 reported, the vector's 199; the BDNN check
then raised VerificationError). mipnn.solve detects a vector whose objective is not the reported one and re-solves
without presolve, which returns both right."""

from types import SimpleNamespace

import highspy
import numpy as np
import pytest

from mipnn.bnn import solve_bdnn
from mipnn.exceptions import SolveError
from mipnn.solve import solve_matrices

#: Labels of that instance (200 points); its features are the hidden activations of the search's network, all 0
#: except one (point 170, unit 1 of the three kept here).
LABELS = ("0101000100101100011000111100000000010001000010010010000000010000000000010001111100011000000000"
          "1000011010000000000000110000000000101000001100100011000010100010000010011000100000001000000000"
          "100000000000")
START = [(np.array([[0.5, -0.6, -0.9], [0.3, 0.9, 0.4]]), np.zeros(2))]


def _instance():
    y = np.array([int(c) for c in LABELS])
    H = np.zeros((len(y), 3))
    H[170, 1] = 1.0
    return H, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_returned_network_has_the_reported_objective(seed):
    H, y = _instance()
    # solve_bdnn verifies the returned network against the solver's objective (VerificationError otherwise)
    fit = solve_bdnn(H, y, hidden=(), n_classes=2, start=START, bound=11.0, time_limit=20,
                     options={"random_seed": seed})
    assert fit.record.status == "optimal" and fit.record.objective == 94


def _knapsack():
    c = np.array([5.0, 4.0, 3.0])
    A = np.array([[2.0, 3.0, 1.0]])
    return dict(c=c, A=A, row_lower=[-np.inf], row_upper=[4.0], col_lower=np.zeros(3), col_upper=np.ones(3),
                integrality=np.ones(3), sense="max")


def _stale_solutions(monkeypatch, stale_runs):
    """Make HiGHS hand back an all-zero solution vector (with its real objective) on its first ``stale_runs`` runs;
    return the list of the ``presolve`` option of every run."""
    real_get, real_run, runs = highspy.Highs.getSolution, highspy.Highs.run, []

    def run(self):
        value = self.getOptionValue("presolve")  # a value, or (status, value) in older highspy
        runs.append(value[1] if isinstance(value, tuple) else value)
        return real_run(self)

    def get_solution(self):
        sol = real_get(self)
        if len(runs) > stale_runs:
            return sol
        return SimpleNamespace(col_value=[0.0] * len(sol.col_value), row_value=sol.row_value,
                               dual_valid=sol.dual_valid, row_dual=sol.row_dual, col_dual=sol.col_dual)

    monkeypatch.setattr(highspy.Highs, "run", run)
    monkeypatch.setattr(highspy.Highs, "getSolution", get_solution)
    return runs


def test_a_stale_vector_is_re_solved_without_presolve(monkeypatch):
    runs = _stale_solutions(monkeypatch, stale_runs=1)
    rec, sol = solve_matrices(**_knapsack(), time_limit=10)
    assert len(runs) == 2 and runs[1] == "off"
    assert rec.objective == 8.0 and float(_knapsack()["c"] @ sol.x) == pytest.approx(8.0)
    assert "re-solved without presolve" in rec.solver_status


def test_a_vector_that_stays_stale_is_an_error(monkeypatch):
    _stale_solutions(monkeypatch, stale_runs=2)
    with pytest.raises(SolveError, match="with and without presolve"):
        solve_matrices(**_knapsack(), time_limit=10)
