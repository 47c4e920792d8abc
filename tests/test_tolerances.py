"""The solver's "optimal" is the returned network's loss tolerances derived from the big-M constants,
and a numpy re-check after every MIP fit of both families.

The instances are tiny (10 points, 2 features, 2 hidden units) but their inputs lie in [−100, 100], so the big-M
constants reach several hundred. With HiGHS's default tolerances (1e-6) a binary at 1 − 1e-6 relaxes a row by more
than the ε = 1e-4 band that stands in for a strict inequality: the solver then reports an optimum that the returned
weights do not have. The seeds below are ones where that happened (found by a scan, each solve < 1 s).
"""

from __future__ import annotations

import numpy as np
import pytest

from mipnn.bnn import (
    bnn_forward,
    bnn_loss,
    build_bnn_milp,
    extract_weights,
    point_losses,
    safe_tolerance,
    solve_bdnn,
    solve_bnn_milp,
)
from mipnn.exceptions import VerificationError
from mipnn.numerics import one_hot
from mipnn.signnet import safe_tolerance as sign_tolerance
from mipnn.signnet import sign_forward, train_sign_net
from mipnn.signnet.model import build_sign_net
from mipnn.solve import (
    DEFAULT_TOLERANCES,
    TIGHT_TOLERANCE,
    SolveRecord,
    big_m_tolerance,
    verify_objective,
)

#: HiGHS's own tolerances, forced: what every fit used before the fix.
HIGHS_DEFAULTS = dict(DEFAULT_TOLERANCES)


def large_norm_instance(seed, n=10, scale=100.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-scale, scale, (n, 2)), rng.integers(0, 2, n)


def _record(objective, sense="min", status="optimal"):
    return SolveRecord(status=status, objective=objective, bound=objective, gap=0.0, wall_time=0.0, build_time=None,
                       handoff_time=0.0, n_variables=1, n_constraints=1, n_binaries=1, n_integers=0, n_nonzeros=1,
                       is_mip=True, sense=sense, solver_status="Optimal", node_count=0, simplex_iterations=0,
                       time_limit=1.0, mip_gap=1e-4)


# --- the derivation -------------------------------------------------------------------------------------------------

def test_big_m_tolerance_follows_the_derivation():
    assert big_m_tolerance(1e-4, 500.0) == pytest.approx(1e-4 / 2000)
    # the guarantee: scale * t < epsilon / 2
    for scale in (3.0, 40.0, 500.0, 5e4):
        assert scale * big_m_tolerance(1e-4, scale) < 1e-4 / 2
    with pytest.raises(ValueError, match="epsilon"):
        big_m_tolerance(0.0, 10.0)
    with pytest.raises(ValueError, match="scale"):
        big_m_tolerance(1e-4, 0.5)


def test_a_tolerance_below_what_the_solver_accepts_is_refused():
    X, y = large_norm_instance(0)
    with pytest.raises(ValueError, match="rescale the model"):
        solve_bnn_milp(build_bnn_milp(X, y, (2, 2, 1), threshold="fixed"), time_limit=5, feasibility_tolerance=1e-11)


def test_safe_tolerance_grows_tighter_with_the_inputs_norm():
    X, y = large_norm_instance(0)
    small = safe_tolerance(build_bnn_milp(X / 100, y, (2, 2, 1), threshold="fixed"))
    large = safe_tolerance(build_bnn_milp(X, y, (2, 2, 1), threshold="fixed"))
    assert small > DEFAULT_TOLERANCES["mip_feasibility_tolerance"]  # HiGHS's defaults are kept
    assert large < 1e-7
    Y = one_hot(y, 2, off=-1)
    p15 = sign_tolerance(build_sign_net(X, Y, hidden=(2,), P=15, objective="max_correct"))
    p1 = sign_tolerance(build_sign_net(X, Y, hidden=(2,), P=1, objective="max_correct"))
    assert p15 < p1


# --- the re-check ---------------------------------------------------------------------------------------------------

def test_verify_objective_rules():
    verify_objective(_record(3.0), 3.4, integral=True)
    with pytest.raises(VerificationError, match="objective 3"):
        verify_objective(_record(3.0), 4.0, integral=True)
    with pytest.raises(VerificationError):  # better than reported is also wrong for an exact model
        verify_objective(_record(3.0), 2.0, integral=True)
    verify_objective(_record(3.0), 2.0, integral=True, one_sided=True)  # a min incumbent may overstate its loss
    with pytest.raises(VerificationError):
        verify_objective(_record(3.0), 4.0, integral=True, one_sided=True)
    verify_objective(_record(10.0, sense="max"), 11.0, integral=True, one_sided=True)  # may undercount a max
    with pytest.raises(VerificationError):
        verify_objective(_record(10.0, sense="max"), 9.0, integral=True, one_sided=True)
    verify_objective(_record(0.25), 0.25 + 1e-8, integral=False)
    with pytest.raises(VerificationError):
        verify_objective(_record(0.25), 0.26, integral=False)
    verify_objective(_record(None, status="time_limit"), 5.0, integral=True)  # nothing to compare


# --- BNN-MILP of Theorem 1 (fixed threshold), BDNN, sign net: the failure and the fix ------------------------------

@pytest.mark.parametrize("seed", [4])
def test_bnn_milp_default_tolerances_caught_and_derived_ones_exact(seed):
    X, y = large_norm_instance(seed)
    with pytest.raises(VerificationError, match="evaluated outside the solver"):
        solve_bnn_milp(build_bnn_milp(X, y, (2, 2, 1), threshold="fixed"), time_limit=20, options=HIGHS_DEFAULTS)
    model = build_bnn_milp(X, y, (2, 2, 1), threshold="fixed")
    rec = solve_bnn_milp(model, time_limit=20)
    assert rec.status == "optimal"
    out = bnn_forward(X, extract_weights(model))[-1]
    assert bnn_loss(out, y.reshape(-1, 1)) == pytest.approx(rec.objective, abs=1e-6)
    # the optimum is the true one: a solve with far tighter tolerances agrees
    tight = solve_bnn_milp(build_bnn_milp(X, y, (2, 2, 1), threshold="fixed"), time_limit=20,
                           feasibility_tolerance=TIGHT_TOLERANCE)
    assert tight.objective == pytest.approx(rec.objective, abs=1e-6)


@pytest.mark.parametrize("seed", [0])
def test_bdnn_default_tolerances_caught_and_derived_ones_exact(seed):
    X, y = large_norm_instance(seed)
    with pytest.raises(VerificationError):
        solve_bdnn(X, y, hidden=(2,), n_classes=2, time_limit=20, options=HIGHS_DEFAULTS)
    fit = solve_bdnn(X, y, hidden=(2,), n_classes=2, time_limit=20)
    assert fit.record.status == "optimal"
    assert point_losses(X, y, fit.network, 2).sum() == pytest.approx(fit.record.objective, abs=1e-6)
    tight = solve_bdnn(X, y, hidden=(2,), n_classes=2, time_limit=20, feasibility_tolerance=TIGHT_TOLERANCE)
    assert tight.record.objective == pytest.approx(fit.record.objective, abs=1e-6)


@pytest.mark.parametrize("seed", [1])
def test_sign_net_default_tolerances_caught_and_derived_ones_exact(seed):
    X, y = large_norm_instance(seed)
    Y = one_hot(y, 2, off=-1)
    kw = dict(hidden=(2,), P=15, objective="max_correct", time_limit=20, target_accuracy=None)
    with pytest.raises(VerificationError):
        train_sign_net(X, Y, options=HIGHS_DEFAULTS, **kw)
    fit = train_sign_net(X, Y, **kw)
    assert fit.record.status == "optimal"
    assert fit.recomputed_objective == pytest.approx(fit.record.objective, abs=1e-6)
    s = sign_forward(X, fit.weights)[-1]
    assert fit.train_accuracy == pytest.approx(float(np.mean(np.argmax(s, axis=1) == y)))
    tight = train_sign_net(X, Y, feasibility_tolerance=TIGHT_TOLERANCE, **kw)
    assert tight.record.objective == pytest.approx(fit.record.objective, abs=1e-6)
