"""A ReLU network of Goebbels (2021) as a chain of building blocks, in plain numpy.

Hidden layers use ReLU, the output layer the identity (the LP (7)–(8) trains it that way); a prediction is the
output closest to 1 (:func:`closest_to_one`, the paper's rule), which ReLU would not change except for ties among
non-positive outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_int_sequence, check_number
from .structure import LayerStructure, relu

__all__ = ["ReluNetwork", "diagnostics_columns", "closest_to_one", "dense_structures", "conv_structures",
           "init_network", "INITS", "check_init", "glorot_limits"]


@dataclass(eq=False)
class ReluNetwork:
    """Parameters ``thetas[i]`` of each layer ``structures[i]``; ReLU hidden layers, identity output layer."""

    structures: list
    thetas: list

    def __post_init__(self):
        if len(self.structures) != len(self.thetas) or not self.structures:
            raise ValueError("structures and thetas must be non-empty lists of the same length")
        for i in range(1, len(self.structures)):
            if self.structures[i].n_inputs != self.structures[i - 1].n_outputs:
                raise ValueError(f"layer {i} expects {self.structures[i].n_inputs} inputs but layer {i - 1} has "
                                 f"{self.structures[i - 1].n_outputs} outputs")
        self.thetas = [np.asarray(t, dtype=np.float64).copy() for t in self.thetas]

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.structures[0].n_inputs,) + tuple(s.n_outputs for s in self.structures)

    def weights(self, i: int):
        return self.structures[i].to_weights(self.thetas[i])

    def copy(self) -> "ReluNetwork":
        return ReluNetwork(list(self.structures), [t.copy() for t in self.thetas])

    def forward(self, X) -> list[np.ndarray]:
        """``[x, h_1, ..., h_{L-1}, a_L]``: the inputs of every layer and the (identity) output."""
        acts = [np.asarray(X, dtype=np.float64)]
        for i in range(len(self.structures)):
            W, c = self.weights(i)
            a = acts[-1] @ W.T + c
            acts.append(a if i == len(self.structures) - 1 else relu(a))
        return acts

    def decision(self, X) -> np.ndarray:
        return self.forward(X)[-1]

    def predict(self, X) -> np.ndarray:
        """The class whose output is closest to 1."""
        return closest_to_one(self.decision(X))

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def dead_units(self, X) -> list[int]:
        """Per hidden layer, the number of units whose output is 0 on every row of ``X`` (dead units)."""
        return self.diagnostics(X)["dead"]

    def activation_patterns(self, X) -> int:
        """Number of distinct on/off patterns of the last hidden layer over the rows of ``X``: the network is
        affine on each pattern's inputs, so few patterns mean a coarse representation."""
        return self.diagnostics(X)["patterns"]

    def diagnostics(self, X) -> dict:
        """Both of the above from one forward pass: ``{"dead": [per hidden layer], "patterns": int}``."""
        hidden = self.forward(X)[1:-1]
        if not hidden:
            raise ValueError("the network has no hidden layer")
        return {"dead": [int(((h > 0).sum(axis=0) == 0).sum()) for h in hidden],
                "patterns": int(np.unique(hidden[-1] > 0, axis=0).shape[0])}


def diagnostics_columns(network: ReluNetwork, X, prefix: str = "") -> dict:
    """:meth:`ReluNetwork.diagnostics` as flat table columns ``<prefix>dead_h1..``, ``<prefix>patterns``."""
    d = network.diagnostics(X)
    return {**{f"{prefix}dead_h{j + 1}": n for j, n in enumerate(d["dead"])}, f"{prefix}patterns": d["patterns"]}

def closest_to_one(outputs) -> np.ndarray:
    """The paper's prediction rule: per row of output-layer values, the class whose output is closest to 1."""
    return np.argmin(np.abs(np.asarray(outputs, dtype=np.float64) - 1.0), axis=1)


def dense_structures(sizes) -> list[LayerStructure]:
    """Fully connected layers for ``sizes = (d, h_1, ..., n_out)``, e.g. ``(784, 8, 8, 8, 10)``."""
    sizes = check_int_sequence("sizes", sizes)
    if len(sizes) < 2:
        raise ValueError("sizes needs at least an input and an output size, e.g. (784, 8, 8, 8, 10)")
    return [LayerStructure.dense(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]


def conv_structures(side: int = 7, kernel: int = 3, n_classes: int = 10) -> list[LayerStructure]:
    """The 49-25-10 network of the paper (for ``side=7``): one 3×3 feature map without offsets, then dense."""
    conv = LayerStructure.conv2d(side, kernel, bias=False)
    return [conv, LayerStructure.dense(conv.n_outputs, n_classes)]


#: The starts :func:`init_network` draws: ``"uniform"`` (every parameter uniform in ``[low, high]``, by default the
#: paper's literal ``[-1, 1]``), ``"uniform:<a>"`` (every parameter uniform in ``[-a, a]``, ``0 < a <= 1``) and
#: ``"glorot_uniform"`` (Keras' default start: weights uniform in ``±sqrt(6 / (fan_in + fan_out))``, offsets 0).
INITS = ("uniform", "uniform:<a>", "glorot_uniform")


def check_init(init) -> str:
    """``init`` if it names a start of :data:`INITS` (``"uniform:<a>"`` with ``0 < a <= 1``), else a ValueError."""
    if init in ("uniform", "glorot_uniform"):
        return init
    if isinstance(init, str) and init.startswith("uniform:"):
        try:
            a = float(init.split(":", 1)[1])
        except ValueError:
            a = float("nan")
        if 0.0 < a <= 1.0:
            return f"uniform:{a:g}"
    raise ValueError(f"init must be one of 'uniform', 'glorot_uniform' or 'uniform:<a>' with 0 < a <= 1 "
                     f"(e.g. 'uniform:0.1'), got {init!r}")


def glorot_limits(structure: LayerStructure) -> tuple[float, np.ndarray]:
    """Keras' Glorot-uniform limit ``sqrt(6 / (fan_in + fan_out))`` of one layer, and a boolean mask of its offset
    parameters. ``fan_in`` is the largest number of weights into one output, ``fan_out`` the largest number of
    weights out of one input (a dense ``d -> n`` layer: ``d`` and ``n``; a 3×3 feature map: 9 and 9, as Keras counts a
    one-channel 3×3 convolution)."""
    idx = structure.param_index
    edges = idx[:, :-1] >= 0
    fan_in, fan_out = int(edges.sum(axis=1).max()), int(edges.sum(axis=0).max())
    offsets = np.zeros(structure.n_params, dtype=bool)
    offsets[np.unique(idx[:, -1][idx[:, -1] >= 0])] = True
    return float(np.sqrt(6.0 / (fan_in + fan_out))), offsets


def init_network(structures, *, init: str = "uniform", low: float = -1.0, high: float = 1.0,
                 random_state=0) -> ReluNetwork:
    """A random start, drawn with ``numpy.random.default_rng(random_state)``, layer by layer.

    ``init`` (:data:`INITS`): ``"uniform"`` draws every parameter from ``[low, high]`` (default ``[-1, 1]``, the
    paper's "random values in [-1, 1]" read literally; the draws are the same as before ``init`` existed);
    ``"uniform:<a>"`` from ``[-a, a]``; ``"glorot_uniform"`` is Keras' default start, which also lies inside
    ``[-1, 1]`` (weights uniform in ``±sqrt(6 / (fan_in + fan_out))``, per layer, and zero offsets).
    """
    init = check_init(init)
    check_number("low", low, low=-1.0, high=1.0)
    check_number("high", high, low=-1.0, high=1.0)
    if low >= high:
        raise ValueError(f"low={low} must be below high={high}")
    if init != "uniform" and (low, high) != (-1.0, 1.0):
        raise ValueError(f"low and high apply to init='uniform' only; init={init!r} sets its own range")
    rng = np.random.default_rng(random_state)
    thetas = []
    for s in structures:
        if init == "glorot_uniform":
            limit, offsets = glorot_limits(s)
            theta = rng.uniform(-limit, limit, s.n_params)
            theta[offsets] = 0.0
        else:
            a = float(init.split(":", 1)[1]) if ":" in init else None
            theta = rng.uniform(low, high, s.n_params) if a is None else rng.uniform(-a, a, s.n_params)
        thetas.append(theta)
    return ReluNetwork(list(structures), thetas)
