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
    """Wrap ``module.solve_bdnn`` so that every MIP takes ``delay`` more seconds; record each solved MIP's time limit
    and the seconds elapsed when it was called (a call whose model build ran out of time solved nothing)."""
    real, calls = module.solve_bdnn, []
    t0 = time.perf_counter()

    def slow(*args, time_limit, **kwargs):
        called = time.perf_counter() - t0
        fit = real(*args, time_limit=time_limit, **kwargs)
        calls.append((called, time_limit))
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
    # a round is two MIPs; the first round always runs both (unless the limit strikes while step B's model is built:
    # step A's network stands), then nothing starts after the limit
    if res.stop_reason == "time_limit":
        # one solved MIP only when the limit struck during step B's model build (seen on a loaded machine)
        assert 1 <= len(calls) < 40
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


def _sign_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_a_model_build_stops_at_the_deadline_and_says_how_long_it_would_take():
    # before: the build ran to its end whatever the limit (a sign-net fit of N = 280 with time_limit=2 ended after
    # 12 s, BDNN's exact fit of N = 600 with 2 s after 32 s); the build also pauses the garbage collector
    import gc

    from mipnn.bnn import build_bdnn
    from mipnn.exceptions import BuildTimeError, NoSolutionError
    from mipnn.numerics import one_hot
    from mipnn.signnet import build_sign_net

    X, y = _sign_data(280, 10)
    for build in (lambda d: build_sign_net(X, one_hot(y, 2, off=-1), hidden=(16,), deadline=d),
                  lambda d: build_bdnn(X, y, hidden=(10,), deadline=d)):
        # the deadline is a third of what the whole build takes on this machine now (idle or busy)
        t0 = time.perf_counter()
        build(None)
        budget = (time.perf_counter() - t0) / 3
        t0 = time.perf_counter()
        with pytest.raises(BuildTimeError, match=r"time_limit ran out while building the MIP \(N=280 samples"
                                                 r".*of its rows.*raise time_limit") as err:
            build(t0 + budget)
        assert time.perf_counter() - t0 < budget + 2.0  # the time to the first row counts too (a busy machine)
        assert isinstance(err.value, NoSolutionError) and 0 < err.value.fraction < 1 and gc.isenabled()
        if err.value.fraction >= 0.05:
            assert err.value.estimate > budget and "s on this machine now" in str(err.value)
    assert build_sign_net(X[:5], one_hot(y[:5], 2, off=-1), hidden=(2,), deadline=None).meta["N"] == 5
    assert gc.isenabled()


@pytest.mark.parametrize("kind", ["sign_net", "bdnn_exact"])
def test_a_fit_whose_model_cannot_be_built_in_time_ends_at_its_limit(kind):
    # before: MIPNetClassifier N = 280, time_limit=2 took 12 s (8.8 s of build); BDNN exact N = 600, 2 s took 32 s
    import pyomo.environ  # noqa: F401 - a fresh process's import is not what this test measures

    from mipnn import MIPNetClassifier
    from mipnn.exceptions import BuildTimeError, NoSolutionError

    X, y = _sign_data(600 if kind == "bdnn_exact" else 280, 10)
    clf = (BDNNClassifier(method="exact", hidden=(10,), time_limit=1.0, random_state=0) if kind == "bdnn_exact"
           else MIPNetClassifier(start=None, time_limit=1.5, random_state=0))
    t0 = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clf.fit(X, y)
        except BuildTimeError as err:  # what a loaded machine gives: the build stopped at the limit
            assert "raise time_limit" in str(err)
        except NoSolutionError as err:  # a fast machine: the build fits, the solver finds no network in what is left
            assert "raise time_limit" in str(err) and "building the model took" in str(err)
    assert time.perf_counter() - t0 < clf.time_limit + 2.0  # the build alone took 8.8 s (sign net), 16 s (BDNN)


def test_a_later_mip_whose_build_runs_out_of_time_ends_the_heuristic_with_the_best_so_far(monkeypatch):
    from mipnn.exceptions import BuildTimeError

    X, y = _data()
    real, calls = ds_module.solve_bdnn, []

    def second_build_too_slow(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise BuildTimeError("time_limit ran out while building the MIP", fraction=0.5, elapsed=1.0, estimate=2.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(ds_module, "solve_bdnn", second_build_too_slow)
    res = iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=5, time_limit=30)
    assert res.stop_reason == "time_limit" and len(res.history) == 1 and res.network is not None
    calls.clear()
    calls.append(1)  # the first MIP's build runs out: nothing to keep, the error says so
    with pytest.raises(BuildTimeError):
        iterative_data_splitting(X, y, X, y, hidden=(2,), max_splits=5, time_limit=30)
