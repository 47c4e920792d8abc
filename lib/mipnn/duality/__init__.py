"""Aspman, Korpas & Marecek (AAAI 2024), the dual side (notebook 01): the example MILP (10), its value function
and subadditive dual (11), piecewise-linear dual functions with their conservative fields (12)–(14), and
backpropagation through a MILP (Corollary 1). The primal BNN-MILP of Theorem 1 is :mod:`mipnn.bnn.milp`.

Modules: :mod:`~mipnn.duality.example` (example (10), value function, dual checker, discretised dual LP),
:mod:`~mipnn.duality.conservative` (PWL dual functions and conservative-subgradient training),
:mod:`~mipnn.duality.backprop` (a layer whose output is a MILP's optimal value, differentiated through its dual),
:mod:`~mipnn.duality.envelope` (the value function of (10) as Guzelsoy & Ralphs' lower envelope of translated
continuous value functions) and :mod:`~mipnn.duality.bnn_fields` (a BNN whose layers are MILPs, trained by
conservative fields of their value functions, against the straight-through estimator); :mod:`~mipnn.duality.estimator`
(:class:`FieldBNNClassifier`, those routes as a scikit-learn estimator).
"""

from .backprop import ParametricMILP, ValueAndSlope, gradient_check, rhs_regression_loss, train_rhs_layer
from .bnn_fields import (
    METHODS,
    SELECTIONS,
    BNNTrainResult,
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
from .conservative import (
    DualTrainResult,
    PiecewiseLinear,
    approx12_pwl,
    pwl_slopes_lp,
    refine,
    ste_example,
    step_size,
    train_pwl_dual,
    train_pwl_sequence,
    train_pwl_slopes,
)
from .envelope import ValueEnvelope, value_envelope
from .estimator import FieldBNNClassifier
from .example import (
    CONTINUOUS_COLUMNS,
    INTEGER_COLUMNS,
    DualLPResult,
    approx12,
    build_example_milp,
    check_dual_function,
    check_example_size,
    continuous_cost,
    dual_interpolation_gap,
    dual_lp,
    enumerate_value,
    lp_value_unbounded,
    value_function,
)

__all__ = [
    "FieldBNNClassifier",
    "METHODS", "SELECTIONS", "BNNTrainResult", "conservative_gradients", "field_cosine", "hidden_targets",
    "hinge_field",
    "hinge_value",
    "init_weights", "layer_milp", "layer_solution", "layer_value", "loss_augmented_milp", "network_loss",
    "sign_disagreement", "ste_gradients", "target_gradients", "train_bnn", "value_field",
    "ParametricMILP", "ValueAndSlope", "gradient_check", "rhs_regression_loss", "train_rhs_layer",
    "DualTrainResult", "PiecewiseLinear", "approx12_pwl", "pwl_slopes_lp", "refine", "ste_example", "step_size",
    "train_pwl_dual", "train_pwl_sequence", "train_pwl_slopes",
    "ValueEnvelope", "value_envelope",
    "CONTINUOUS_COLUMNS", "INTEGER_COLUMNS", "DualLPResult", "approx12", "build_example_milp",
    "check_dual_function", "check_example_size", "continuous_cost", "dual_interpolation_gap", "dual_lp",
    "enumerate_value", "lp_value_unbounded", "value_function",
]
