"""The one verdict rule (mipnn.verdict): every category, the tolerance's edge cases, and the cases that the old
notebook-02 rule got wrong."""

import math

import numpy as np
import pytest

from mipnn.verdict import FLOOR, MAX_TOLERANCE, Side, tolerance, verdict


def test_tolerance_is_welch_with_a_floor():
    # both sides measured: z * sqrt(sp²/np + so²/no)
    assert tolerance(Side(80, 2.0, 5), Side(80, 3.0, 3)) == pytest.approx(2 * math.sqrt(4 / 5 + 9 / 3))
    # small spreads: the floor
    assert tolerance(Side(80, 0.1, 5), Side(80, 0.1, 5)) == FLOOR


def test_a_single_run_borrows_the_other_sides_spread():
    # our one run has no spread of its own: it is given the authors' per-run spread
    assert tolerance(Side(75, 3.0, 5), Side(70, None, 1)) == pytest.approx(2 * math.sqrt(9 / 5 + 9 / 1))
    assert tolerance(Side(75, 3.0, 5), Side(70, 0.0, 1)) == pytest.approx(2 * math.sqrt(9 / 5 + 9 / 1))
    # and the other way round (a paper that reports one number)
    assert tolerance(Side(75, None, 1), Side(70, 2.0, 4)) == pytest.approx(2 * math.sqrt(4 + 4 / 4))
    # neither side has a spread: the fixed floor alone
    assert tolerance(Side(75, None, 1), Side(70, None, 1)) == FLOOR


def test_reproduced_short_and_above():
    paper = Side(79.6, 0.8, 5)
    assert verdict(paper, Side(79.0, 1.0, 3)).category == "reproduced"
    v = verdict(paper, Side(75.0, 1.0, 3))
    assert v.category == "short" and v.difference == pytest.approx(-4.6) and "short by 4.6" in v.text
    assert verdict(paper, Side(83.0, 1.0, 3)).category == "above"
    # on the edge of the tolerance: still reproduced
    tol = tolerance(paper, Side(0, 1.0, 3))
    assert verdict(paper, Side(79.6 - tol, 1.0, 3)).category == "reproduced"


def test_the_ten_point_miss_is_not_reproduced():
    # notebook 02, session profile, max-correct N=40: paper 71.42 ± 5.97 (5 seeds), ours 3 seeds
    ours = np.array([50.359315, 68.583011, 65.376820])
    v = verdict(Side(71.42, 5.97, 5), Side(ours.mean(), ours.std(), 3))
    assert v.difference == pytest.approx(-10.0, abs=0.05)
    assert v.category == "inconclusive" and v.tolerance > MAX_TOLERANCE
    # the same miss with consistent runs is "short"
    assert verdict(Side(71.42, 1.0, 5), Side(61.44, 1.0, 3)).category == "short"


def test_majority_class_predictors_are_not_reproductions():
    # notebook 02: runs that score exactly the majority share of the Adult test set, 76.38 %
    majority = 76.38
    v = verdict(Side(79.7, 0.6, 5), Side(76.38, 0.0, 3), trivial=majority, trivial_runs=3)
    assert v.category == "trivial predictor"
    # most runs trivial, the mean lifted above the majority by one good run: still trivial
    assert verdict(Side(79.7, 0.6, 5), Side(77.5, 2.0, 3), trivial=majority, trivial_runs=2).category == \
        "trivial predictor"
    # where the paper itself does not beat the trivial predictor, the rule compares the means as usual
    assert verdict(Side(72.7, 3.0, 5), Side(76.38, 0.0, 3), trivial=majority, trivial_runs=3).category != \
        "trivial predictor"


def test_limits_missing_numbers_and_order_of_the_rules():
    paper = Side(79.6, 0.8, 5)
    v = verdict(paper, Side(79.6, 0.5, 3), limit_runs=1)
    assert v.category == "stopped by our limit" and "1 of 3" in v.text
    assert verdict(Side(None), Side(80.0)).category == "no reference"
    assert verdict(paper, Side(None, None, 0)).category == "no result"
    assert verdict(paper, Side(float("nan"), None, 3)).category == "no result"
    # a limit-stopped trivial predictor is reported as limit-stopped first (the run did not meet the paper's rule)
    assert verdict(paper, Side(76.38, 0.0, 3), limit_runs=3, trivial=76.38, trivial_runs=3).category == \
        "stopped by our limit"


def test_bad_input():
    with pytest.raises(ValueError, match="std"):
        Side(1.0, -1.0, 3)
    with pytest.raises(ValueError, match="n"):
        Side(1.0, 1.0, -1)
    with pytest.raises(ValueError, match="limit_runs"):
        verdict(Side(1.0), Side(1.0), limit_runs=-1)
