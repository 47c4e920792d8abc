import numpy as np
import pytest

from mipnn.duality import (
    PiecewiseLinear,
    approx12,
    approx12_pwl,
    enumerate_value,
    refine,
    ste_example,
    step_size,
    train_pwl_dual,
    train_pwl_sequence,
)


def test_pwl_values_field_and_jacobian():
    f = PiecewiseLinear([0.3, 1.0], [1.0, -2.0, 0.5])
    assert f(0.0) == 0
    assert f(0.3) == pytest.approx(0.3) and f(1.0) == pytest.approx(0.3 - 1.4)
    lo, hi = f.field(np.array([0.3, 0.5, -1.0]))
    np.testing.assert_allclose(lo, [-2, -2, 1])
    np.testing.assert_allclose(hi, [1, -2, 1])
    b = np.array([-1.2, 0.5, 2.0, 0.7])
    th, e = f.params, 1e-6
    fd = np.stack([(f.with_params(th + e * np.eye(5)[i])(b) - f.with_params(th - e * np.eye(5)[i])(b)) / (2 * e)
                   for i in range(5)], axis=1)
    np.testing.assert_allclose(f.jacobian(b), fd, atol=1e-6)


def test_k2_is_eq12_and_its_field_is_eq13():
    f = approx12_pwl()
    b = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(f(b), approx12(b))
    lo, hi = f.field(np.array([-1.0, 0.0, 1.0]))
    np.testing.assert_allclose(lo, [-1, -1, 2])
    np.testing.assert_allclose(hi, [-1, 2, 2])
    assert f.directional_derivatives() == (2.0, 1.0)


def test_refine_keeps_function():
    f = PiecewiseLinear([0.0], [0.0, 0.5])
    g = refine(f, 6, 3.0)
    b = np.linspace(-4, 4, 81)
    assert g.K == 6
    np.testing.assert_allclose(g(b), f(b), atol=1e-12)


def test_training_recovers_eq12_and_lp_dual():
    bt = np.arange(-3, 3.0001, 0.25)
    loc = train_pwl_dual(2, bt, constraints="continuous", n_steps=1500, check_radius=6)
    np.testing.assert_allclose(loc.f.slopes, [-1, 2], atol=0.05)
    assert abs(loc.f.breakpoints[0]) < 0.05
    full = train_pwl_dual(2, bt, constraints="full", n_steps=1500, check_radius=6)
    np.testing.assert_allclose(full.f.slopes, [0, 0.5], atol=0.05)  # the LP relaxation's value function
    be = np.arange(-3, 3.0001, 0.05)
    assert (enumerate_value(be) - full.f(be)).mean() > 0.4  # a real gap to z remains with two segments


def test_step_sizes_and_errors():
    assert step_size(3, 1.0) == pytest.approx(0.5)
    assert step_size(100, 1.0, "harmonic") == pytest.approx(0.5)
    with pytest.raises(ValueError, match="constraints"):
        train_pwl_dual(2, [0.0], constraints="none")
    with pytest.raises(ValueError, match="breakpoints"):
        PiecewiseLinear([1.0, 0.0], [0, 0, 0])
    with pytest.raises(ValueError, match="K"):
        train_pwl_dual(0, [0.0])


def test_ste_is_not_a_gradient():
    df = ste_example(np.linspace(-1, 1, 5))
    assert (df.true_grad == 0).all() and (df.ste_grad != 0).any()


def test_sequence_picks_lowest_loss():
    bt = np.arange(-2, 2.0001, 0.5)
    runs = train_pwl_sequence([2, 4], bt, n_steps=200, check_radius=4)
    assert set(runs) == {2, 4} and runs[4].f.K == 4
    assert all("alpha0" in r.settings["start"] for r in runs.values())


def test_fixed_grid_slopes_close_the_gap_once_the_grid_holds_the_kinks():
    from mipnn.duality import enumerate_value, train_pwl_slopes

    b = np.arange(-3, 3.0001, 0.25)
    z = enumerate_value(b)
    gaps = {}
    for K in (2, 16):
        r = train_pwl_slopes(K, b, z_eval=z, b_eval=b, n_steps=20000)
        last = r.history.iloc[-1]
        gaps[K] = last["mean_gap"]
        assert last["max_violation"] < 5e-3  # (approximately) dual feasible
        assert r.f(0.0) == 0.0
    assert gaps[2] > 0.4  # two segments cannot follow the sawtooth of z
    assert abs(gaps[16]) < 0.01  # breakpoints every 1/2 contain every kink of z on [-3, 3]
    with pytest.raises(ValueError, match="radius"):
        train_pwl_slopes(4, b, radius=0)
