import numpy as np
import pytest

from mipnn.duality import (
    approx12,
    build_example_milp,
    check_dual_function,
    dual_interpolation_gap,
    dual_lp,
    enumerate_value,
    lp_value_unbounded,
    value_function,
)

B = np.round(np.arange(-3, 3.0001, 0.25), 10)


def test_value_function_matches_enumeration_bounded_and_unbounded():
    z = value_function(B, 6, 3, form="binary")
    np.testing.assert_allclose(z, enumerate_value(B, 6, 3), atol=1e-7)
    zu = value_function(B, None, None)
    np.testing.assert_allclose(zu, enumerate_value(B), atol=1e-7)
    # known values of the Guzelsoy-Ralphs example
    np.testing.assert_allclose(enumerate_value(np.array([0, 0.5, 1, -1.5, -1, 2])), [0, 1, 0.5, 0, 1, 1])


def test_lp_relaxation_value_function():
    zl = value_function(B, 10, 5, relax=True)
    np.testing.assert_allclose(zl, lp_value_unbounded(B), atol=1e-9)
    assert (zl <= enumerate_value(B, 10, 5) + 1e-9).all()


def test_one_model_reused():
    m = build_example_milp(6, 3, 0.0)
    assert m.b.mutable
    with pytest.raises(ValueError, match="m="):
        build_example_milp(6, 6)
    with pytest.raises(ValueError, match="form"):
        build_example_milp(None, None, form="binary")


def test_checker_verdicts():
    g = np.round(np.arange(-6, 6.0001, 0.25), 10)
    assert check_dual_function(g, enumerate_value(g)).attrs["feasible"]
    assert check_dual_function(g, lp_value_unbounded(g)).attrs["feasible"]
    bad = check_dual_function(g, approx12(g))
    assert not bad.attrs["feasible"]
    failed = set(bad.loc[bad.required & ~bad.satisfied, "condition"])
    assert failed == {"f(1) <= 1/2", "f(-3/2) <= 0"}
    # bounded primal with small n, m: its value function is not subadditive
    small = check_dual_function(g, enumerate_value(g, 4, 2))
    assert set(small.loc[small.required & ~small.satisfied, "condition"]) == {"subadditive"}
    # a non-subadditive function with f(0) != 0
    f = g ** 2 + 0.1
    v = check_dual_function(g, f).set_index("condition")
    assert not v.loc["subadditive", "satisfied"] and not v.loc["f(0) = 0", "satisfied"]
    with pytest.raises(ValueError, match="missing"):
        check_dual_function(np.linspace(-1, 1, 5), np.zeros(5))


@pytest.mark.parametrize("b", [-2.5, -1.0, -0.25, 0.5, 1.75, 3.0])
def test_dual_lp_strong_duality(b):
    res = dual_lp(0.25, 5.0, b)
    assert res.value == pytest.approx(enumerate_value(b), abs=1e-7)


def test_dual_lp_weak_duality_and_refinement():
    be = np.linspace(-2.5, 2.5, 51)
    df = dual_interpolation_gap([0.5, 0.25], 4.0, be, enumerate_value(be))
    assert (df.weak_duality_violation < 1e-7).all()
    assert (df.max_gap >= -1e-7).all()
    with pytest.raises(ValueError, match="step"):
        dual_lp(1 / 3, 3.0, 0.0)
    with pytest.raises(ValueError, match="grid"):
        dual_lp(0.5, 3.0, 0.3)
