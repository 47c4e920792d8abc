"""scikit-learn's own estimator checks on every classifier of the package, in a fast configuration.

Each configuration uses deterministic work limits (node caps, epoch and pass caps) with a generous wall-clock limit
as a safety net, so that the checks that refit and compare predictions see the same network twice.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle
from sklearn.utils.estimator_checks import parametrize_with_checks

import mipnn

#: one node, no sub-MIP heuristics: a fast MIP whose outcome does not depend on the machine's speed
FAST_MIP = {"mip_max_nodes": 1, "mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}

ESTIMATORS = [
    # the STE + local-search start does the fitting; the MIP (one node) confirms or improves it
    mipnn.MIPNetClassifier(hidden=(2,), time_limit=10.0, threads=1, start="search", start_max_epochs=500,
                           start_max_passes=20, solver_options=FAST_MIP, random_state=0),
    mipnn.STEBinaryNetClassifier(hidden=(4,), max_epochs=2000, random_state=0),
    mipnn.BDNNClassifier(method="data_splitting", hidden=(2,), max_splits=3, time_limit=10.0, threads=1,
                         solver_options={"mip_max_nodes": 50}, random_state=0),
    # the root LP only: the contract, not the learning (test_trainers.py solves small BNN-MILPs to optimality)
    mipnn.BNNMILPClassifier(hidden=(2,), time_limit=30.0, threads=1, solver_options={"mip_max_nodes": 0},
                            random_state=0),
    mipnn.FieldBNNClassifier(hidden=(2,), steps=30, time_limit=30.0, random_state=0),
    # one batch of 30 rows, two sweeps of Algorithm 1, every MILP stopped at its root node
    mipnn.LayerwiseReLUClassifier(hidden=(4,), batch_size=30, n_batches=1, max_iterations=2, time_limit=30.0,
                                  solver_options={"mip_max_nodes": 0}, random_state=0),
    mipnn.AdamMLPClassifier(hidden=(8,), max_epochs=100, time_limit=30.0, random_state=0),
]

#: Checks that fail for a reason of the method, not of the estimator's contract.
EXPECTED_FAILURES = {
    "BDNNClassifier": {
        "check_classifiers_train": "multiclass blobs (300 points, 3 classes): HiGHS finds no BDNN above 63 % training "
                                   "accuracy by data splitting (3-8 splits, 10 s per MIP) and 34 % by the exact MIP "
                                   "(90 points, 60 s); the binary half of the check passes (test below) — a solver "
                                   "limitation",
    },
    "BNNMILPClassifier": {
        "check_classifiers_train": "300 blobs in one Theorem 1 MILP: its big-M relaxation is weak, and HiGHS proves "
                                   "no XOR net above N = 8 within 1,000 nodes (notebook 01); the fast configuration "
                                   "stops at the root, which returns the all-zero start — a solver limitation",
    },
}


def _check_name(check) -> str:
    func = getattr(check, "func", check)
    return getattr(func, "__name__", str(func))


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    # a known failure is reported as xfail without running it (the multiclass fits cost ~25 s for nothing);
    # scikit-learn's own expected_failed_checks would run it
    reason = EXPECTED_FAILURES.get(type(estimator).__name__, {}).get(_check_name(check))
    if reason:
        pytest.xfail(reason)
    check(estimator)


def test_bdnn_fits_the_binary_blobs_of_check_classifiers_train():
    # the binary problem of scikit-learn's check_classifiers_train, with the check's own data and threshold
    X, y = make_blobs(n_samples=300, random_state=0)
    X, y = shuffle(X, y, random_state=7)
    X = StandardScaler().fit_transform(X)
    X, y = X[y != 2], y[y != 2]
    clf = clone(ESTIMATORS[2]).fit(X, y)
    assert clf.score(X, y) > 0.83
    assert np.array_equal(clf.classes_, [0, 1])
