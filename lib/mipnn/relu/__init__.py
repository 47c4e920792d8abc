"""Goebbels (2021): ReLU networks trained layer by layer with MILPs and LPs (notebook 03).

Modules: :mod:`~mipnn.relu.structure` (one building block and which weights exist or are shared),
:mod:`~mipnn.relu.programs` (the weight MILP (1)–(6), the output LP (7)–(8), the input MILP of §2.2 and the
post-processing LP of §2.3), :mod:`~mipnn.relu.layers` (whole layers, optionally in worker processes),
:mod:`~mipnn.relu.network` (the network and its prediction rule), :mod:`~mipnn.relu.training` (Algorithm 1,
batch learning, the post-processing step and the committee), :mod:`~mipnn.relu.screening` (a seeded search
for a good random initialisation, on training data), :mod:`~mipnn.relu.readout` (which read-out of the last
hidden layer reaches which accuracy: the post-processing LP against linear and non-linear ceilings) and
:mod:`~mipnn.relu.tiebreak` (which of many optimal weights a fit keeps) and :mod:`~mipnn.relu.estimator`
(:class:`LayerwiseReLUClassifier`, the scikit-learn estimator).
"""

from .estimator import LayerwiseReLUClassifier
from .layers import LayerResult, fit_layer_inputs, fit_layer_weights
from .network import (
    INITS,
    ReluNetwork,
    check_init,
    closest_to_one,
    conv_structures,
    dense_structures,
    diagnostics_columns,
    glorot_limits,
    init_network,
)
from .programs import (
    BIG_M_CHOICES,
    SLACK_CAP,
    InputResult,
    WeightResult,
    input_bounds,
    input_milp,
    last_layer_lp,
    postprocess_lp,
    preactivation_bounds,
    weight_milp,
    weight_program,
)
from .readout import PROBE_COLUMNS, READOUT_COLUMNS, READOUTS, compare_readouts, hidden_features, probe_hidden_layers
from .screening import (
    SCREEN_COLUMNS,
    InitialisationChoice,
    choose_initialisation,
    pick_candidates,
    pick_initialisations,
    screen_initialisation,
    screen_initialisations,
)
from .structure import (
    INPUT_BOX,
    LayerStructure,
    check_input_box,
    printed_big_m,
    relu,
    relu_forward,
    weight_bounds_from_previous,
)
from .tiebreak import TIE_BREAKS, check_tie_break, closest_on_optimal_face
from .training import (
    MAX_ITERATIONS,
    Algorithm1Result,
    algorithm1,
    batch_learning,
    committee_predict,
    postprocess_last_layer,
    train_committee,
)

__all__ = [
    "LayerwiseReLUClassifier",
    "LayerResult", "fit_layer_inputs", "fit_layer_weights",
    "ReluNetwork", "closest_to_one", "diagnostics_columns", "conv_structures", "dense_structures", "init_network",
    "INITS", "check_init", "glorot_limits",
    "BIG_M_CHOICES", "SLACK_CAP", "InputResult", "WeightResult", "input_bounds", "input_milp", "last_layer_lp",
    "postprocess_lp", "preactivation_bounds", "weight_milp", "weight_program",
    "PROBE_COLUMNS", "READOUT_COLUMNS", "READOUTS", "compare_readouts", "hidden_features", "probe_hidden_layers",
    "SCREEN_COLUMNS", "InitialisationChoice", "choose_initialisation", "pick_candidates", "pick_initialisations",
    "screen_initialisation",
    "screen_initialisations",
    "INPUT_BOX", "LayerStructure", "check_input_box", "printed_big_m", "relu", "relu_forward",
    "weight_bounds_from_previous",
    "TIE_BREAKS", "check_tie_break", "closest_on_optimal_face",
    "MAX_ITERATIONS", "Algorithm1Result", "algorithm1", "batch_learning", "committee_predict", "postprocess_last_layer",
    "train_committee",
]
