"""a BNN whose layers are MILPs, trained by conservative fields of their value functions, against the STE."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from mipnn.duality import (
    conservative_gradients,
    field_cosine,
    hidden_targets,
    hinge_field,
    hinge_value,
    init_weights,
    layer_milp,
    layer_solution,
    layer_value,
    loss_augmented_milp,
    network_loss,
    sign_disagreement,
    ste_gradients,
    target_gradients,
    train_bnn,
    value_field,
)
from mipnn.duality.bnn_fields import forward
from mipnn.solve import solve_matrices

XOR = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 1, 1, 0]))
MARGIN = 0.1


def test_layer_output_and_value_are_the_layer_milps_solution_and_value():
    rng = np.random.default_rng(0)
    for a in [rng.normal(size=5), np.array([0.0, -0.3, 0.2, 0.0])]:
        u, value, record = layer_milp(a)
        assert record.status == "optimal"
        assert value == pytest.approx(float(layer_value(a)), abs=1e-9)
        nonzero = a != 0  # at a = 0 both u = 0 and u = 1 are optimal; the rule picks 1 (Theorem 1's >=)
        assert np.array_equal(u[nonzero], layer_solution(a)[nonzero])
        lo, hi = value_field(a)
        assert np.all(lo <= layer_solution(a)) and np.all(layer_solution(a) <= hi)  # u* is in the field
        assert np.array_equal(lo[a == 0], np.zeros((a == 0).sum())) and np.all(hi[a == 0] == 1)  # [0, 1] at the kink


@pytest.mark.parametrize("margin", [1.0, MARGIN])
def test_hinge_is_the_value_of_the_loss_augmented_milp(margin):
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, t = rng.normal(size=4), rng.integers(0, 2, 4).astype(float)
        u, value, record = loss_augmented_milp(a, t, margin)
        assert record.status == "optimal"
        assert value == pytest.approx(float(hinge_value(a, t, margin)), abs=1e-9)
        # the hinge bounds the Hamming loss of the layer's own output from above (margin 1)
        if margin == 1.0:
            assert float(hinge_value(a, t)) >= np.abs(layer_solution(a) - t).sum() - 1e-12


def _mean_hinge(X, y, weights):
    return network_loss(X, y, weights, MARGIN)[0]


def _finite_differences(X, y, weights, h=1e-6):
    out = []
    for k, (W, lam) in enumerate(weights):
        dW, dl = np.zeros_like(W), np.zeros_like(lam)
        for idx in itertools.product(*map(range, W.shape)):
            Wp, Wm = W.copy(), W.copy()
            Wp[idx] += h
            Wm[idx] -= h
            dW[idx] = (_mean_hinge(X, y, _swap(weights, k, (Wp, lam))) -
                       _mean_hinge(X, y, _swap(weights, k, (Wm, lam)))) / (2 * h)
        for j in range(lam.size):
            lp, lm = lam.copy(), lam.copy()
            lp[j] += h
            lm[j] -= h
            dl[j] = (_mean_hinge(X, y, _swap(weights, k, (W, lp))) -
                     _mean_hinge(X, y, _swap(weights, k, (W, lm)))) / (2 * h)
        out.append((dW, dl))
    return out


def _swap(weights, k, layer):
    return [layer if i == k else w for i, w in enumerate(weights)]


def test_conservative_field_equals_the_gradient_away_from_kinks():
    """At random points the loss is differentiable; the chain rule's field is its gradient, hidden layers included
    (where the loss is locally constant in the hidden weights, both are 0). The STE's hidden 'gradient' is not."""
    rng = np.random.default_rng(2)
    X, y = rng.random((12, 3)), rng.integers(0, 2, 12)
    ste_hidden_nonzero = 0
    for seed in range(5):
        w = init_weights((3, 4, 3, 2), random_state=seed)
        fd = _finite_differences(X, y, w)
        cf = conservative_gradients(X, y, w, MARGIN)
        for (dW, dl), (fW, fl) in zip(cf, fd, strict=True):
            assert np.allclose(dW, fW, atol=1e-6) and np.allclose(dl, fl, atol=1e-6)
        for dW, dl in cf[:-1]:
            assert not dW.any() and not dl.any()
        ste = ste_gradients(X, y, w, MARGIN)
        ste_hidden_nonzero += sum(int(np.abs(dW).sum() > 0) for dW, _ in ste[:-1])
        assert np.allclose(ste[-1][0], cf[-1][0])  # the same on the output layer
    assert ste_hidden_nonzero > 0


def test_field_at_a_kink_lies_in_the_convex_hull_of_nearby_gradients():
    """Put one output unit exactly on its hinge's kink; the field used there must be a convex combination of the
    gradients at nearby points (an element of the Clarke subdifferential), checked by an LP."""
    rng = np.random.default_rng(3)
    X, y = rng.random((6, 2)), np.array([0, 1, 0, 1, 1, 0])
    w = init_weights((2, 3, 2), random_state=4)
    A, _ = forward(X, w)
    T = np.eye(2)[y]
    s = 2 * T[0, 0] - 1
    # move lam of output unit 0 so that sample 0 sits on the kink: MARGIN - s (a - dlam) = 0, dlam = a - s MARGIN
    W2, lam2 = w[1]
    lam2 = lam2.copy()
    lam2[0] += A[-1][0, 0] - s * MARGIN
    w = [w[0], (W2, lam2)]
    A, _ = forward(X, w)
    assert MARGIN - s * A[-1][0, 0] == pytest.approx(0.0, abs=1e-12)
    g0 = _flat_output(conservative_gradients(X, y, w, MARGIN))
    nearby = []
    for _ in range(40):
        Wp, lp = W2 + rng.normal(scale=1e-5, size=W2.shape), lam2 + rng.normal(scale=1e-5, size=lam2.shape)
        nearby.append(_flat_output(conservative_gradients(X, y, [w[0], (Wp, lp)], MARGIN)))
    G = np.array(nearby).T  # columns: nearby gradients
    assert len({tuple(np.round(c, 9)) for c in G.T}) >= 2  # both sides of the kink were sampled
    k = G.shape[1]
    # find c >= 0, sum c = 1, G c = g0
    A_eq = sp.vstack([sp.csr_matrix(G), sp.csr_matrix(np.ones((1, k)))], format="csr")
    rhs = np.concatenate([g0, [1.0]])
    record, _ = solve_matrices(np.zeros(k), A_eq, rhs - 1e-9, rhs + 1e-9, np.zeros(k), np.full(k, np.inf))
    assert record.status == "optimal"


def _flat_output(grads):
    dW, dl = grads[-1]
    return np.concatenate([dW.ravel(), dl.ravel()])


def test_hidden_targets_enumeration_and_milp_agree():
    rng = np.random.default_rng(5)
    W, lam = rng.uniform(-1, 1, (3, 13)), rng.uniform(-1, 1, 3)  # width 13: the MILP path
    T = rng.integers(0, 2, (4, 3)).astype(float)
    U = rng.integers(0, 2, (4, 13)).astype(float)
    by_milp = hidden_targets(U, W, lam, T, MARGIN)
    cand = np.array(list(itertools.product((0.0, 1.0), repeat=13)))
    best = hinge_value((cand @ W.T - lam)[None], T[:, None, :], MARGIN).min(axis=1)
    assert np.allclose(hinge_value(by_milp @ W.T - lam, T, MARGIN), best, atol=1e-7)


def test_sign_disagreement():
    g1 = [(np.array([[1.0, -1.0, 0.0]]), np.array([0.0]))]
    g2 = [(np.array([[1.0, 1.0, 0.0]]), np.array([2.0]))]
    assert sign_disagreement(g1, g2) == pytest.approx(2 / 3)
    assert sign_disagreement(g1, g1) == 0.0
    assert field_cosine(g1, g2) == pytest.approx(0.0)  # (1, -1, 0, 0) . (1, 1, 0, 2) = 0
    assert field_cosine(g1, g1) == pytest.approx(1.0)
    assert np.isnan(field_cosine(g1, [(np.zeros((1, 3)), np.zeros(1))]))


def test_xor_target_route_reaches_zero_training_error():
    X, y = XOR
    r = train_bnn(X, y, (2, 3, 3, 2), method="target", steps=100, random_state=2)
    assert r.status == "zero_loss"
    assert network_loss(X, y, r.weights, MARGIN)[1] == 1.0
    assert r.history["accuracy"].iloc[-1] == 1.0 and len(r.history) <= 100


def _output_layer_lp(U, T, margin):
    """min mean Σ max(0, μ − s (W u − λ)) over W, λ in [−1, 1]: the best the output layer can do on fixed features."""
    n, p = U.shape
    d = T.shape[1]
    S = 2 * T - 1
    rows = []
    for j in range(d):
        blk = np.zeros((n, d * (p + 1)))
        blk[:, j * p:(j + 1) * p] = S[:, [j]] * U
        blk[:, d * p + j] = -S[:, j]
        rows.append(blk)
    G = np.vstack(rows)  # rows (j, i): s (w_j·u_i − λ_j)
    A = sp.hstack([sp.csr_matrix(G), sp.identity(n * d)], format="csr")  # s(...) + e >= μ
    nv = d * (p + 1)
    record, _ = solve_matrices(np.concatenate([np.zeros(nv), np.full(n * d, 1.0 / n)]), A, np.full(n * d, margin),
                               np.full(n * d, np.inf), np.concatenate([-np.ones(nv), np.zeros(n * d)]),
                               np.concatenate([np.ones(nv), np.full(n * d, np.inf)]))
    return record.objective


def test_xor_conservative_route_trains_only_the_output_layer_and_reaches_its_optimum():
    """The chain rule gives zero fields for hidden weights (the BNN's loss is piecewise constant in them): the
    hidden layers never move, and the route converges to the optimum of the convex output-layer problem."""
    X, y = XOR
    w0 = init_weights((2, 3, 3, 2), random_state=4)
    r = train_bnn(X, y, (2, 3, 3, 2), method="conservative", steps=2000, weights=w0)
    for (W, lam), (W0, lam0) in zip(r.weights[:-1], w0[:-1], strict=True):
        assert np.array_equal(W, W0) and np.array_equal(lam, lam0)
    _, U = forward(X, w0)
    best = _output_layer_lp(U[-2], np.eye(2)[y], MARGIN)
    assert r.history["hinge"].min() == pytest.approx(best, abs=2e-3)
    assert r.history["sign_disagreement"].dropna().gt(0).all()  # the STE always moves hidden weights too


def test_target_gradients_output_layer_equals_the_chain_rule():
    rng = np.random.default_rng(6)
    X, y = rng.random((8, 3)), rng.integers(0, 2, 8)
    w = init_weights((3, 4, 2), random_state=1)
    a, b = target_gradients(X, y, w, MARGIN), conservative_gradients(X, y, w, MARGIN)
    assert np.allclose(a[-1][0], b[-1][0]) and np.allclose(a[-1][1], b[-1][1])


def test_bad_arguments_fail_before_any_work():
    X, y = XOR
    with pytest.raises(ValueError, match="method='sgd' is not allowed"):
        train_bnn(X, y, (2, 3, 2), method="sgd")
    with pytest.raises(ValueError, match="margin"):
        train_bnn(X, y, (2, 3, 2), margin=0.0)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 3\)"):
        train_bnn(X, y, (3, 3, 2))
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        hinge_value(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="y must have"):
        train_bnn(X, y[:3], (2, 3, 2))
    with pytest.raises(ValueError, match="select='best' is not allowed"):
        train_bnn(X, y, (2, 3, 2), select="best")
    with pytest.raises(ValueError, match="at_kink"):
        hinge_field(np.zeros(2), np.zeros(2), at_kink=2.0)


def test_the_estimator_keeps_the_step_it_predicts_best_with():
    """With ten classes, "every output unit on its side" is rarely met, so keeping the step that meets it most
    often (the hinge's notion) can keep a network below chance; the estimator predicts by the largest output
    pre-activation and keeps the step whose predictions are right most often — never worse on the training data."""
    from sklearn.datasets import load_digits

    from mipnn.duality import FieldBNNClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    layers = (64, 8, 10)

    def kept(select):
        w = train_bnn(X, y, layers, method="target", steps=60, random_state=0, compare_ste=False,
                      select=select).weights
        return float((np.argmax(forward(X, w)[0][-1], axis=1) == y).mean())

    units, argmax = kept("units"), kept("argmax")
    assert argmax >= units and argmax > 0.3
    est = FieldBNNClassifier(hidden=(8,), steps=60, random_state=0).fit(X, y)
    assert est.train_accuracy_ == pytest.approx(argmax) and est.score(X, y) == pytest.approx(argmax)
