"""One ReLU building block ``o = σ(W x + c)`` of Goebbels (2021) and which of its weights exist or are shared.

Reference: S. Goebbels, "Training of ReLU activated multilayered neural networks with mixed integer linear
programs", technical report, Niederrhein University of Applied Sciences, 2021 (arXiv:2008.08386).

The block maps ``d`` non-negative inputs to ``n`` outputs. Its weights and offsets live in ``[-1, 1]`` (or in
tighter per-weight boxes, e.g. the batch-learning bound (10), :func:`weight_bounds_from_previous`). Which weights
exist and which are equal is given by a :class:`LayerStructure`: every entry of the ``n × (d + 1)`` matrix
``[W | c]`` is either fixed at zero or refers to one free parameter ``θ_p``. A dense layer gives every entry its
own parameter; a convolution makes all positions of one kernel entry share a parameter and fixes the rest to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..validation import check_choice, check_number, check_positive_int

__all__ = ["INPUT_BOX", "LayerStructure", "check_input_box", "relu", "relu_forward", "printed_big_m",
           "weight_bounds_from_previous"]

# box (9) around the current inputs x̃ of a layer: (r, a) gives max{0, (1 − r)·x̃ − a} ≤ x ≤ (1 + r)·x̃ + a
INPUT_BOX = (0.1, 0.1)


def relu(a):
    """``max(a, 0)`` elementwise."""
    return np.maximum(a, 0.0)


@dataclass(frozen=True, eq=False)
class LayerStructure:
    """Map of the entries of ``[W | c]`` (shape ``n × (d+1)``, last column = offsets) to free parameters.

    ``param_index[j, i] = p ≥ 0`` means the entry equals parameter ``θ_p``; ``-1`` fixes it at zero. Entries
    with the same ``p`` are shared (equal) weights.
    """

    param_index: np.ndarray
    n_params: int = field(init=False)

    def __post_init__(self):
        idx = np.asarray(self.param_index)
        if idx.ndim != 2 or idx.shape[1] < 2 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError("param_index must be an integer array of shape (n, d + 1) with d >= 1")
        if (idx < -1).any():
            raise ValueError("param_index entries must be -1 (fixed zero) or a parameter number >= 0")
        used = np.unique(idx[idx >= 0])
        if used.size and not np.array_equal(used, np.arange(used.size)):
            raise ValueError("parameter numbers in param_index must be 0, 1, ..., P-1 without gaps")
        idx = idx.astype(np.int64)
        idx.setflags(write=False)
        object.__setattr__(self, "param_index", idx)
        object.__setattr__(self, "n_params", int(used.size))

    @property
    def n_outputs(self) -> int:
        return self.param_index.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.param_index.shape[1] - 1

    @classmethod
    def dense(cls, n_inputs: int, n_outputs: int, bias: bool = True) -> "LayerStructure":
        """A fully connected layer: every weight (and offset, if ``bias``) is its own parameter."""
        check_positive_int("n_inputs", n_inputs)
        check_positive_int("n_outputs", n_outputs)
        d, n = n_inputs, n_outputs
        idx = np.full((n, d + 1), -1, dtype=np.int64)
        idx[:, :d] = np.arange(n * d).reshape(n, d)
        if bias:
            idx[:, d] = n * d + np.arange(n)
        return cls(idx)

    @classmethod
    def conv2d(cls, side: int, kernel: int = 3, bias: bool = False) -> "LayerStructure":
        """One feature map of a 'valid' ``kernel × kernel`` convolution over a ``side × side`` image.

        Output ``(r, s)`` (row-major, ``(side-kernel+1)²`` outputs) sees the inputs ``(r+u, s+v)``; all outputs
        share the ``kernel²`` kernel parameters, every other edge is fixed at zero. With ``bias`` one shared
        offset is added, else the offsets are fixed at zero (as in the paper's 49-25-10 network).
        """
        check_positive_int("side", side)
        check_positive_int("kernel", kernel)
        if kernel > side:
            raise ValueError(f"kernel={kernel} must not exceed side={side}")
        out = side - kernel + 1
        idx = np.full((out * out, side * side + 1), -1, dtype=np.int64)
        for r in range(out):
            for s in range(out):
                j = r * out + s
                for u in range(kernel):
                    for v in range(kernel):
                        idx[j, (r + u) * side + (s + v)] = u * kernel + v
                if bias:
                    idx[j, side * side] = kernel * kernel
        return cls(idx)

    def to_weights(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """``(W, c)`` for the parameter vector ``theta``."""
        theta = np.asarray(theta, dtype=np.float64).reshape(-1)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have length {self.n_params}, got {theta.shape}")
        full = np.where(self.param_index >= 0, theta[np.maximum(self.param_index, 0)] if theta.size else 0.0, 0.0)
        return full[:, :-1].copy(), full[:, -1].copy()

    def to_params(self, W, c) -> np.ndarray:
        """Parameters from ``(W, c)``; shared entries are averaged."""
        full = np.column_stack([np.asarray(W, dtype=np.float64), np.asarray(c, dtype=np.float64)])
        if full.shape != self.param_index.shape:
            raise ValueError(f"W and c must have shapes ({self.n_outputs}, {self.n_inputs}) and "
                             f"({self.n_outputs},)")
        mask = self.param_index >= 0
        sums = np.bincount(self.param_index[mask], weights=full[mask], minlength=self.n_params)
        counts = np.bincount(self.param_index[mask], minlength=self.n_params)
        return sums / np.maximum(counts, 1)

    def groups(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Independent sub-problems: ``(neurons, parameters)`` of each set of neurons coupled by shared weights."""
        n = self.n_outputs
        parent = list(range(n))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        owner = {}
        for j in range(n):
            for p in np.unique(self.param_index[j][self.param_index[j] >= 0]):
                if p in owner:
                    ra, rb = find(owner[p]), find(j)
                    if ra != rb:
                        parent[rb] = ra
                else:
                    owner[p] = j
        comps: dict[int, list[int]] = {}
        for j in range(n):
            comps.setdefault(find(j), []).append(j)
        out = []
        for members in comps.values():
            neurons = np.array(members, dtype=np.int64)
            params = np.unique(self.param_index[neurons][self.param_index[neurons] >= 0])
            out.append((neurons, params))
        return out


def relu_forward(X, W, c, activation: str = "relu") -> np.ndarray:
    """``σ(X Wᵀ + c)`` for rows ``X`` (``activation="identity"`` skips σ)."""
    check_choice("activation", activation, ("relu", "identity"))
    a = np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T + np.asarray(c, dtype=np.float64)
    return relu(a) if activation == "relu" else a


def check_input_box(input_box) -> tuple[float, float]:
    """Check an input box ``(r, a)``: two non-negative numbers (relative and absolute half-width); the paper's box
    (9) is :data:`INPUT_BOX` ``= (0.1, 0.1)``."""
    if not isinstance(input_box, (tuple, list)) or len(input_box) != 2:
        raise ValueError(f"input_box={input_box!r} must be a pair (r, a) of non-negative numbers, e.g. the paper's "
                         f"box (9) {INPUT_BOX}")
    r = check_number("input_box[0] (relative half-width r)", input_box[0], low=0)
    a = check_number("input_box[1] (absolute half-width a)", input_box[1], low=0)
    return float(r), float(a)


def printed_big_m(X, input_box=INPUT_BOX) -> float:
    """The paper's constant ``M = d·(1.1·M̃ + 0.1) + 1`` for inputs ``X`` (m × d), ``M̃ = max X``; for another
    ``input_box (r, a)`` the inputs are bounded by ``(1 + r)·M̃ + a`` instead of ``1.1·M̃ + 0.1``."""
    r, a = check_input_box(input_box)
    X = np.asarray(X, dtype=np.float64)
    return float(X.shape[1] * ((1.0 + r) * float(X.max(initial=0.0)) + a) + 1.0)


def weight_bounds_from_previous(theta_prev, factor: float = 0.6, slack: float = 0.01, limit: float = 1.0):
    """Bound (10): ``θ̃ − factor·|θ̃| − slack ≤ θ ≤ θ̃ + factor·|θ̃| + slack``, intersected with ``[-limit, limit]``."""
    check_number("factor", factor, low=0.0)
    check_number("slack", slack, low=0.0)
    check_number("limit", limit, low=0.0, low_open=True)
    t = np.asarray(theta_prev, dtype=np.float64)
    width = factor * np.abs(t) + slack
    lo = np.maximum(t - width, -limit)
    hi = np.minimum(t + width, limit)
    return np.minimum(lo, hi), np.maximum(lo, hi)
