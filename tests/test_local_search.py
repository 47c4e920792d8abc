"""Local search by alternating MIPs (Kurtz & Bah)."""

import numpy as np
import pytest

from mipnn.bnn import local_search, point_losses, predict_bdnn, solve_bdnn


def _data(seed=0, n=14, d=3, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.argmax(X @ rng.normal(size=(d, classes)) + rng.normal(size=(n, classes)), axis=1)
    return X, y


@pytest.mark.parametrize("weight_domain", ["continuous", "integer"])
def test_local_search_is_monotone_and_consistent(weight_domain):
    X, y = _data(0)
    res = local_search(X, y, hidden=(3,), weight_domain=weight_domain, n_classes=3, max_rounds=4, time_limit=20,
                       random_state=1)
    assert res.stop_reason in ("no_change", "unchanged_objective", "zero_loss", "max_rounds")
    losses = [h["train_loss"] for h in res.history]
    assert all(a >= b - 1e-9 for a, b in zip(losses, losses[1:], strict=False))       # no step makes things worse
    # the solver's objective of every optimal step is the numpy loss of the network it returned
    for h in res.history:
        if h["status"] == "optimal":
            assert h["objective"] == pytest.approx(h["train_loss"])
    assert point_losses(X, y, res.network, 3).sum() == pytest.approx(losses[-1])
    if weight_domain == "integer":
        assert all(np.isin(W, (-1, 0, 1)).all() for W, _ in res.network)


def test_local_search_never_beats_the_exact_optimum():
    X, y = _data(3, n=10, d=2, classes=2)
    exact = solve_bdnn(X, y, hidden=(2,), time_limit=30)
    res = local_search(X, y, hidden=(2,), max_rounds=3, time_limit=20)
    assert exact.record.status == "optimal"
    assert res.history[-1]["train_loss"] >= exact.record.objective - 1e-9


def test_local_search_errors():
    X, y = _data()
    with pytest.raises(ValueError, match="max_rounds"):
        local_search(X, y, max_rounds=0)
    with pytest.raises(ValueError, match="weight_domain"):
        local_search(X, y, weight_domain="float")


def test_local_search_keeps_the_best_validation_round():
    X, y = _data(0, n=16)
    X_val, y_val = _data(5, n=12)
    res = local_search(X, y, hidden=(3,), n_classes=3, max_rounds=4, time_limit=20, random_state=2,
                       X_val=X_val, y_val=y_val)
    rounds = [h for h in res.history if h["step"] == "output"]
    accs = [h["val_accuracy"] for h in rounds]
    assert res.best_round == int(np.argmax(accs))                       # earliest round of the best accuracy
    assert np.mean(predict_bdnn(X_val, res.network, rule="units") == y_val) == pytest.approx(max(accs))
    with pytest.raises(ValueError, match="X_val and y_val"):
        local_search(X, y, X_val=X_val)


def test_local_search_first_step_always_has_an_incumbent():
    # Round 0 starts HiGHS from a feasible network, so even a tiny node budget returns an incumbent whose loss
    # is no worse than that start's (every hidden unit on under the random output layer).
    X, y = _data(1, n=30, d=4)
    res = local_search(X, y, hidden=(3,), n_classes=3, max_rounds=1, time_limit=20, options={"mip_max_nodes": 1})
    assert res.history[0]["objective"] is not None
    assert res.history[0]["train_loss"] <= len(y) * 3


def test_step_a_optimises_the_output_thresholds_and_patience_ends_the_search(monkeypatch):
    import importlib

    ls_module = importlib.import_module("mipnn.bnn.local_search")
    X, y = _data(2, n=12, d=2, classes=2)
    real, calls = ls_module.solve_bdnn, []

    def spy(*args, **kw):
        calls.append(kw)
        return real(*args, **kw)

    monkeypatch.setattr(ls_module, "solve_bdnn", spy)
    res = local_search(X, y, hidden=(2,), max_rounds=50, time_limit=20, random_state=0, patience=1)
    step_a = [kw for kw in calls if kw.get("hidden") != ()]
    assert step_a and all("fixed_thresholds" not in kw and set(kw["fixed_weights"]) == {2} for kw in step_a)
    # patience=1: one repeated objective ends the search (the authors' 100 in a row)
    assert res.stop_reason in ("unchanged_objective", "no_change", "zero_loss")
    losses = [h["train_loss"] for h in res.history]
    if res.stop_reason == "unchanged_objective":
        assert losses[-1] == losses[-2]
    with pytest.raises(ValueError, match="patience"):
        local_search(X, y, patience=0)
