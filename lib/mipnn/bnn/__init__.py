"""Binarized networks as MILPs: Theorem 1 of Aspman, Korpas & Marecek (notebook 01) and Kurtz & Bah's BDNNs
(notebook 04) — one formulation, its robust variant, the two heuristics and the scikit-learn estimator.

Modules: :mod:`~mipnn.bnn.milp` (the BNN-MILP of Theorem 1 and its numpy forward pass), :mod:`~mipnn.bnn.bdnn`
(Kurtz & Bah's set-up of that MILP and BDNN prediction), :mod:`~mipnn.bnn.robust` (the L∞-robust first layer and
the random-sign attack), :mod:`~mipnn.bnn.local_search`, :mod:`~mipnn.bnn.data_splitting` and
:mod:`~mipnn.bnn.estimator` (:class:`BDNNClassifier`) and :mod:`~mipnn.bnn.theorem1` (:class:`BNNMILPClassifier`, the
Theorem 1 MILP as an estimator).
"""

from .bdnn import (
    PREDICTION_RULES,
    BDNNResult,
    build_bdnn,
    output_margins,
    point_losses,
    predict_bdnn,
    solve_bdnn,
    threshold_bound,
    trivial_network,
)
from .data_splitting import (
    KMEANS_N_INIT,
    DataSplittingResult,
    batch_window,
    choose_cluster_to_split,
    clusters_to_groups,
    iterative_data_splitting,
    split_cluster,
)
from .estimator import METHODS, BDNNClassifier, BinarizedNetClassifier
from .local_search import LocalSearchResult, local_search
from .milp import (
    BIG_M,
    EPSILON,
    LOSSES,
    THRESHOLDS,
    WEIGHT_DOMAINS,
    big_m_constants,
    bnn_forward,
    bnn_loss,
    build_bnn_milp,
    extract_activations,
    extract_weights,
    fix_weights,
    safe_tolerance,
    set_warm_start,
    solve_bnn_milp,
    threshold_expr,
    threshold_rule,
    unfix_weights,
    verify_bnn_solution,
)
from .robust import ATTACK_EPSILONS, add_robust_first_layer, random_sign_attack
from .theorem1 import BNNMILPClassifier

__all__ = [
    "PREDICTION_RULES", "BDNNResult", "build_bdnn", "output_margins", "point_losses", "predict_bdnn", "solve_bdnn",
    "threshold_bound", "trivial_network",
    "KMEANS_N_INIT", "DataSplittingResult", "batch_window", "choose_cluster_to_split", "clusters_to_groups",
    "iterative_data_splitting", "split_cluster",
    "METHODS", "BDNNClassifier", "BinarizedNetClassifier", "BNNMILPClassifier",
    "LocalSearchResult", "local_search",
    "BIG_M", "EPSILON", "LOSSES", "THRESHOLDS", "WEIGHT_DOMAINS", "big_m_constants", "bnn_forward", "bnn_loss",
    "build_bnn_milp", "extract_activations", "extract_weights", "fix_weights", "set_warm_start", "threshold_expr",
    "threshold_rule", "unfix_weights", "safe_tolerance", "solve_bnn_milp", "verify_bnn_solution",
    "ATTACK_EPSILONS", "add_robust_first_layer", "random_sign_attack",
]
