import numpy as np
import pytest

from mipnn.duality import ParametricMILP, build_example_milp, enumerate_value, gradient_check, train_rhs_layer


@pytest.fixture(scope="module")
def oracle():
    mdl = build_example_milp(None, None, 0.0, form="aggregate")
    return ParametricMILP(mdl, mdl.b)


@pytest.mark.parametrize("b,slope,lp_slope", [(-1.2, 2.0, 0.0), (-0.3, -1.0, 0.0), (0.2, 2.0, 0.5),
                                              (0.7, -1.0, 0.5), (2.6, -1.0, 0.5)])
def test_value_and_slope(oracle, b, slope, lp_slope):
    vs = oracle.value_and_slope(b)
    assert vs.value == pytest.approx(enumerate_value(b), abs=1e-7)
    assert vs.slope == pytest.approx(slope)
    assert oracle.value_and_slope(b, "lp_relaxation").slope == pytest.approx(lp_slope)


def test_gradient_matches_finite_differences(oracle):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (5, 2))
    t = enumerate_value(X @ np.array([1.5, -1.0]))
    chk = gradient_check(np.array([0.5, 0.5]), X, t, oracle, kinks=np.arange(-10, 10.01, 0.5))
    assert chk["away_from_kinks"] and chk["rel_error"] < 1e-6


def test_training_decreases_loss(oracle):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (4, 2))
    t = enumerate_value(X @ np.array([1.5, -1.0]))
    h = train_rhs_layer(np.array([0.5, 0.5]), X, t, oracle, n_steps=8, lr=0.1)
    assert h.loss.iloc[-1] < h.loss.iloc[0]


def test_errors(oracle):
    import pyomo.environ as pyo
    m = pyo.ConcreteModel()
    m.p = pyo.Param(mutable=True, initialize=1.0)
    m.x = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=m.x <= 1)
    m.o = pyo.Objective(expr=m.x + m.p)
    with pytest.raises(ValueError, match="right-hand side"):
        ParametricMILP(m, m.p)
    with pytest.raises(ValueError, match="method"):
        oracle.value_and_slope(0.0, "adam")
