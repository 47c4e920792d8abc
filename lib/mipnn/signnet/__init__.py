"""Thorbjarnarson & Yorke-Smith (2021): sign networks with integer weights trained by MIP (notebook 02).

Modules: :mod:`~mipnn.signnet.network` (numpy forward pass and weight checks), :mod:`~mipnn.signnet.objectives`
(the three objectives and the early-stop rule outside the solver), :mod:`~mipnn.signnet.model` (the MIP (1)–(24)),
:mod:`~mipnn.signnet.train` (build, start, solve, read back), :mod:`~mipnn.signnet.search` (local-search MIP
start), :mod:`~mipnn.signnet.credit` (which stage produced the final network), :mod:`~mipnn.signnet.ste` (the
straight-through gradient baseline) and :mod:`~mipnn.signnet.estimators` (the scikit-learn classifiers).
"""

from .credit import SOLVER_STOPS, STAGES, final_stage
from .estimators import MIPNetClassifier, STEBinaryNetClassifier
from .model import build_sign_net, check_params, extract_weights, safe_tolerance, set_start, verify_sign_net
from .network import (
    EPSILON,
    TIE_RULES,
    check_data,
    check_weights,
    predict_index,
    sign_forward,
    sort_hidden,
    tied,
    zero_input_mask,
)
from .objectives import (
    MARGIN,
    OBJECTIVES,
    STOP_RULES,
    guaranteed_accuracy,
    hinge_pwl,
    hinge_values,
    margin_level,
    objective_from_outputs,
    objective_target,
    output_scale,
)
from .search import STARTS, MIPStart, SearchResult, mip_start, search_sign_net
from .ste import STEResult, train_ste
from .train import SignNetResult, train_sign_net

__all__ = [
    "MIPNetClassifier", "STEBinaryNetClassifier",
    "SOLVER_STOPS", "STAGES", "final_stage",
    "build_sign_net", "check_params", "extract_weights", "safe_tolerance", "set_start", "verify_sign_net",
    "EPSILON", "TIE_RULES", "check_data", "check_weights", "predict_index", "sign_forward", "sort_hidden", "tied",
    "zero_input_mask",
    "MARGIN", "OBJECTIVES", "STOP_RULES", "guaranteed_accuracy", "hinge_pwl", "hinge_values", "margin_level",
    "objective_from_outputs", "objective_target", "output_scale",
    "STARTS", "MIPStart", "SearchResult", "mip_start", "search_sign_net",
    "STEResult", "train_ste",
    "SignNetResult", "train_sign_net",
]
