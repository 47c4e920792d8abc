"""The whole-fit time budget of heuristics that solve several MIPs (mipnn.budget) and its use by Kurtz & Bah's
data splitting, local search and BDNNClassifier: no MIP starts once the fit's limit is used up, each MIP gets at
most what is left, and the first always runs."""

import importlib
import time

import numpy as np
import pytest

from mipnn.bnn import BDNNClassifier, iterative_data_splitting, local_search
from mipnn.budget import MIN_SOLVE_TIME, TimeBudget

# the package exports functions of the same names, so the modules are looked up by their dotted names
ds_module = importlib.import_module("mipnn.bnn.data_splitting")
ls_module = importlib.import_module("mipnn.bnn.local_search")


def test_budget_hands_out_the_smaller_limit_and_says_when_it_is_used_up():
    b = TimeBudget(5.0, None)
    assert b.next_limit() == 5.0 and b.remaining() == float("inf")
    t0 = time.perf_counter()
    b = TimeBudget(5.0, 2.0, start=t0 - 1.5)  # 1.5 s of 2 s already gone
    assert 0.0 < b.next_limit() <= 0.5
    b = TimeBudget(5.0, 2.0, start=t0 - 3.0)  # used up
    assert b.next_limit() is None
    assert b.next_limit(first=True) == MIN_SOLVE_TIME  # the first MIP of a fit always runs
    with pytest.raises(ValueError, match="per_solve"):
        TimeBudget(0.0)
    with pytest.raises(ValueError, match="total"):
        TimeBudget(1.0, -2.0)


def _slow_solves(monkeypatch, module, delay):
    """Wrap ``module.solve_bdnn`` so that every MIP takes ``delay`` more seconds; record each MIP's time limit and
    the seconds elapsed when it was called."""
    real, calls = module.solve_bdnn, []
    t0 = time.perf_counter()

    def slow(*args, time_limit, **kwargs):
        calls.append((time.perf_counter() - t0, time_limit))
        fit = real(*args, time_limit=time_limit, **kwargs)
        time.sleep(delay)
        return fit

    monkeypatch.setattr(module, "solve_bdnn", slow)
    return calls


def _data(seed=0, n=12):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def test_data_splitting_stops_at_the_fit_limit(monkeypatch):
    X, y = _data()
    calls = _slow_solves(monkeypatch, ds_module, delay=0.4)
    # 4 s: each split also runs k-means with the authors' 25 restarts (slow on a loaded machine)
    res = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=10, time_limit=30, fit_time_limit=4.0)
    assert res.stop_reason == "time_limit"
    assert 2 <= len(res.history) == len(calls) < 10
    assert all(limit <= 4.0 - elapsed + 0.05 for elapsed, limit in calls)  # never more than what is left
    assert res.total_time < 4.0 + 0.4 + 0.5  # the last MIP's extra delay and one model build at most
    without = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=2, time_limit=30)
    assert without.stop_reason == "max_splits"


def test_local_search_stops_at_the_fit_limit(monkeypatch):
    X, y = _data(1)
    calls = _slow_solves(monkeypatch, ls_module, delay=0.4)
    res = local_search(X, y, hidden=(2,), max_rounds=20, time_limit=30, fit_time_limit=1.0, random_state=0)
    # a round is two MIPs; the first round always runs both, then nothing starts after the limit
    if res.stop_reason == "time_limit":
        assert 2 <= len(calls) < 40
        assert all(limit <= 1.0 - elapsed + 0.05 for elapsed, limit in calls[2:])
    assert len(res.history) == len(calls)
    assert res.total_time < 1.0 + 2 * 0.4 + 0.5


@pytest.mark.parametrize("method", ["local_search", "data_splitting"])
def test_estimator_time_limit_is_the_whole_fit(monkeypatch, method):
    X, y = _data(2)
    calls = _slow_solves(monkeypatch, ds_module if method == "data_splitting" else ls_module, delay=0.4)
    clf = BDNNClassifier(method=method, hidden=(2,), max_splits=10, max_rounds=20, time_limit=1.0,
                         random_state=0).fit(X, y)
    assert clf.fit_time_ < 1.0 + 2 * 0.4 + 0.5
    assert all(limit <= 1.0 for _, limit in calls)
    capped = BDNNClassifier(method=method, hidden=(2,), max_splits=1, max_rounds=1, time_limit=30.0,
                            mip_time_limit=0.5, random_state=0).fit(X, y)
    assert capped.history_ and all(limit == 0.5 for _, limit in calls[len(calls) - len(capped.history_):])
    with pytest.raises(ValueError, match="mip_time_limit"):
        BDNNClassifier(mip_time_limit=0).fit(X, y)


def test_exact_fit_counts_its_model_build_against_the_limit():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 6))
    y = (X[:, 0] * X[:, 1] + 0.3 * rng.normal(size=150) > 0).astype(int)
    clf = BDNNClassifier(method="exact", hidden=(6,), time_limit=2.0, threads=1, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a capped exact fit may warn that its network is trivial
        clf.fit(X, y)
    assert clf.stop_reason_ == "time_limit"
    assert clf.solve_record_.time_limit < 2.0  # the solver got what the model build left
    assert clf.fit_time_ < 2.0 + 1.0  # read-back and the numpy check after the solve
