"""The L∞-robust BDNN model and the random-sign attack (Kurtz & Bah)."""

import numpy as np
import pytest

from mipnn import bnn
from mipnn.bnn import ATTACK_EPSILONS, bnn_forward, point_losses, predict_bdnn, random_sign_attack, solve_bdnn


def _data(seed=0, n=8, d=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * 2
    y = (X[:, 0] > 0).astype(int)
    return X, y


def test_exact_model_forward_pass_matches_solver():
    X, y = _data(5, n=10, d=3)
    fit = solve_bdnn(X, y, hidden=(2, 2), time_limit=30)
    assert fit.record.status == "optimal"
    for a, s in zip(bnn_forward(X, fit.network), bnn.extract_activations(fit.model), strict=True):
        np.testing.assert_array_equal(a, s)
    assert point_losses(X, y, fit.network, 2).sum() == pytest.approx(fit.record.objective)


@pytest.mark.parametrize("rho", [0.25, 0.6])
def test_robust_guarantee_holds_inside_the_ball(rho):
    X, y = _data(1)
    fit = solve_bdnn(X, y, hidden=(2,), robust_radius=rho, time_limit=30)
    assert fit.record.status == "optimal"
    solver = bnn.extract_activations(fit.model)
    assert point_losses(X, y, fit.network, 2).sum() == pytest.approx(fit.record.objective)
    # first-layer margin: every unit's pre-activation stays on its side for the worst move in the box
    W1, lam1 = fit.network[0]
    a = X @ W1.T - lam1
    shift = rho * np.abs(W1).sum(axis=1)
    u1 = solver[0]
    assert np.all(np.where(u1 == 1, a - shift >= -1e-6, a + shift <= -1e-4 + 1e-6))
    rng = np.random.default_rng(0)
    for _ in range(200):  # random points and corners of the box: all activations unchanged
        delta = rng.uniform(-rho, rho, size=X.shape) if _ % 2 else rho * rng.choice([-1.0, 1.0], size=X.shape)
        for got, want in zip(bnn_forward(X + delta, fit.network), solver, strict=True):
            np.testing.assert_array_equal(got, want)
    # the robust optimum can only be worse than the nominal one
    nominal = solve_bdnn(X, y, hidden=(2,), time_limit=30)
    assert fit.record.objective >= nominal.record.objective - 1e-9


def test_random_sign_attack():
    X, y = _data(2, n=16)
    fit = solve_bdnn(X, y, hidden=(2,), robust_radius=0.3, time_limit=30)
    df = random_sign_attack(lambda Z: predict_bdnn(Z, fit.network), X, y, n_trials=3, random_state=0)
    assert list(df.columns) == ["epsilon", "trial", "accuracy"]
    assert len(df) == 3 * len(ATTACK_EPSILONS)
    clean = float(np.mean(predict_bdnn(X, fit.network) == y))
    assert (df[df.epsilon == 0].accuracy == clean).all()
    # inside the protected radius the robust network's training accuracy cannot drop
    inside = random_sign_attack(lambda Z: predict_bdnn(Z, fit.network), X, y, epsilons=[0.3], n_trials=2)
    assert (inside.accuracy == clean).all()
    again = random_sign_attack(lambda Z: predict_bdnn(Z, fit.network), X, y, n_trials=3, random_state=0)
    assert df.equals(again)
    with pytest.raises(ValueError, match="n_trials"):
        random_sign_attack(lambda Z: Z, X, y, n_trials=0)
    with pytest.raises(ValueError, match="robust_radius"):
        solve_bdnn(X, y, robust_radius=-1.0)
    with pytest.raises(ValueError, match="weight_domain"):
        solve_bdnn(X, y, weight_domain="binary")
