"""Sign-activation networks with integer weights trained by MIP (Thorbjarnarson & Yorke-Smith, 2021).

Reference: T. Þorbjarnarson and N. Yorke-Smith, "On Training Neural Networks with Mixed Integer Programming",
IJCAI-PRICAI 2020 Workshop on Data Science Meets Optimisation (arXiv:2009.03825). Equation numbers in the
comments are the paper's.

The network has integer weights and biases in ``{-P, …, P}``, hidden units ``sign(a)`` (``+1`` for ``a ≥ 0``)
and one output unit per class; a sample is assigned the class of its largest output. Labels are one-hot
encoded as ±1 (``+1`` for the true class, ``-1`` elsewhere), as in the authors' code.

The base model (1)–(12) is written with big-M constraints because HiGHS has no indicator constraints:

* first hidden layer, sample ``k``, neuron ``j``: ``a = Σ_i x_i w_ij + b_j`` (4) lies in ``[-M_k, M_k]`` with
  ``M_k = P·(‖x^k‖₁ + 1)`` — the tightest constant that holds for every admissible weight vector (it is
  attained by ``w = ±P``). ``u = 1 ⇒ a ≥ 0`` (2) becomes ``a ≥ -M_k (1 - u)`` and ``u = 0 ⇒ a ≤ -ε`` (3)
  becomes ``a ≤ -ε + (M_k + ε) u``. With ``tight_big_m=False`` a single constant for all samples is used
  (``P·(max_k ‖x^k‖₁ + 1)``), which is what the ablation compares against;
* deeper layers: ``c_ij = w_ij (2u_i - 1)`` by the four inequalities (5)–(8) with constant ``2P``; the
  pre-activation ``Σ_i c_ij + b_j`` is then an integer in ``[-P(n+1), P(n+1)]`` and ``u = 0 ⇒ a ≤ -ε`` is
  equivalent to ``a ≤ -1`` (used here, it is tighter and free of the tolerance question);
* the output (1) is ``ŷ = 2 s / (P (n_{L-1} + 1))`` with the integer ``s = Σ_i c_iLj + b_Lj``.

Inputs that are zero for every training sample get weight 0 (they cannot influence training).

Objectives (``objective=``):

* ``"max_correct"`` (13)–(17): ``o_j^k = 1 ⇒ ŷ_j^k ≥ 0`` (14), ``o_j^k = 0 ⇒ ŷ_j^k ≤ -ε`` (15), maximise the
  ``o`` of the true class (13). The printed (16), ``Σ_k o_j^k = 1`` for every output ``j``, would allow a single
  positive output in the whole training set, which makes the objective at most 1; the authors' code (and the
  text: "only one output neuron per sample to be positive") sums over the outputs of one sample instead,
  ``Σ_j o_j^k = 1`` for every sample ``k``. That is what is implemented. Then ``o`` of the true class is 1
  exactly when the sample is classified correctly, so the objective *is* the number of correct samples.
* ``"min_hinge"`` (18)–(19): minimise ``Σ_{k,j} g(ŷ_j^k y_j^k)`` where ``g`` is the piecewise-linear
  interpolant of ``max(0, m - t)²`` (``m = 1/2``) through the authors' ``2P(n_{L-1}+1) + 1`` equally spaced
  breakpoints on ``[-1, 1]``, extended linearly beyond (as Gurobi does). ``g`` is convex, so under
  minimisation it is exactly represented by an epigraph variable ``z ≥ 0`` above each linear piece — no
  binaries. Every value ŷ can take is a breakpoint, so ``g`` equals the squared hinge there on ``[-1, 1]``.
* ``"sat_margin"`` (20)–(24): ``o_j^k = 1 ⇒ ŷ_j^k y_j^k ≥ m`` (21), ``o_j^k = 0 ⇒ ŷ_j^k y_j^k ≤ m - ε`` (22),
  maximise ``Σ o`` (20) with ``m = 1/2``. As ``s`` is an integer, (21)–(22) become ``s y ≥ ⌈m B / 2⌉`` and
  ``s y ≤ ⌈m B / 2⌉ - 1`` with ``B = P (n_{L-1}+1)``, which is the same set of integer solutions.

Early stop ("stop once the incumbent guarantees a training accuracy ≥ τ"): :func:`objective_target` gives,
per objective, an objective value that implies it (``E = N − ⌈τN⌉`` errors allowed, ``K`` outputs):

* max-correct: the objective counts correct samples, target ``⌈τN⌉``;
* sat-margin: a sample whose ``K`` margins all hold is correct, so at most ``NK − obj`` samples are wrong;
  target ``NK − E`` (the authors' rule, ``#unsatisfied ≤ 0.1 N``, is the same);
* min-hinge: a wrong (or tied) sample has ``ŷ_true ≤ ŷ_j`` for some other ``j``, and since ``g`` is convex and
  non-increasing, ``g(ŷ_true) + g(-ŷ_j) ≥ 2 g(0) = 2m² = 1/2``; a loss below ``2m²(E + 1)`` therefore leaves at
  most ``E`` wrong samples. (The authors stopped at ``loss < ⌊0.025 N⌋ + 1``, a slightly stricter value that
  is not derived from the accuracy.)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..validation import check_choice, check_int_sequence, check_number, check_positive_int

__all__ = [
    "OBJECTIVES", "EPSILON", "MARGIN", "SignNetFit", "build_sign_net", "objective_target",
    "guaranteed_accuracy", "forward", "predict_index", "objective_from_outputs", "hinge_pwl",
    "extract_weights", "set_start", "sort_hidden", "train_sign_net", "one_hot_pm", "zero_input_mask",
    "check_weights",
]

OBJECTIVES = ("max_correct", "min_hinge", "sat_margin")
#: Gap below zero for a negative pre-activation in (3), (15), (22); the authors' code uses 1e-4.
EPSILON = 1e-4
#: Margin of sat-margin (21) and of the squared hinge (18).
MARGIN = 0.5


# ----------------------------------------------------------------------------------------------- helpers
def one_hot_pm(y_index: np.ndarray, n_classes: int) -> np.ndarray:
    """±1 one-hot matrix (N × K) of integer class indices: +1 for the true class, −1 elsewhere."""
    y_index = np.asarray(y_index, dtype=int).reshape(-1)
    Y = -np.ones((y_index.size, n_classes))
    Y[np.arange(y_index.size), y_index] = 1.0
    return Y


def zero_input_mask(X: np.ndarray) -> np.ndarray:
    """Boolean mask of the inputs that are zero in every row of ``X`` (their weights are fixed to 0)."""
    return ~np.any(np.asarray(X) != 0, axis=0)


def _check_data(X, Y):
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (samples × features), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must contain only finite values")
    if Y.ndim != 2 or Y.shape[0] != X.shape[0] or Y.shape[1] < 2:
        raise ValueError(f"Y must be a ±1 one-hot matrix with {X.shape[0]} rows and ≥ 2 columns, got {Y.shape}")
    if not np.isin(Y, (-1.0, 1.0)).all() or not (np.sum(Y > 0, axis=1) == 1).all():
        raise ValueError("Y must be ±1 one-hot: exactly one +1 per row, −1 elsewhere")
    return X, Y


def _check_params(objective, hidden, P, margin, epsilon):
    check_choice("objective", objective, OBJECTIVES)
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    check_positive_int("P", P)
    check_number("margin", margin, low=0.0, low_open=True, high=1.0)
    check_number("epsilon", epsilon, low=0.0, low_open=True, high=0.1)
    return hidden


def _out_scale(hidden: Sequence[int], P: int) -> int:
    """``B = P·(n_{L-1} + 1)``: the bound on the integer output ``s``; ``ŷ = 2 s / B`` (1)."""
    return int(P * (hidden[-1] + 1))


def _margin_level(margin: float, B: int) -> int:
    """Smallest integer ``s·y`` with ``2 s y / B ≥ margin``."""
    return int(math.ceil(margin * B / 2 - 1e-9))


def hinge_pwl(B: int, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of the linear pieces of ``g`` (convex PWL squared hinge, authors' breakpoints).

    Breakpoints: ``2B + 1`` equally spaced points on ``[-1, 1]``; pieces whose both ends are 0 are dropped
    (``z ≥ 0`` covers them). Returns ``(slope, intercept)`` arrays with ``g(t) = max(0, max_p slope_p t + icpt_p)``.
    """
    t = np.linspace(-1.0, 1.0, 2 * B + 1)
    f = np.maximum(0.0, margin - t) ** 2
    slope = np.diff(f) / np.diff(t)
    icpt = f[:-1] - slope * t[:-1]
    keep = (f[:-1] > 0) | (f[1:] > 0)
    return slope[keep], icpt[keep]


def _g(t: np.ndarray, B: int, margin: float) -> np.ndarray:
    slope, icpt = hinge_pwl(B, margin)
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(0.0, np.max(np.multiply.outer(t, slope) + icpt, axis=-1))


# ----------------------------------------------------------------------------------------------- forward pass
def forward(X: np.ndarray, weights: Sequence[tuple[np.ndarray, np.ndarray]], epsilon: float = EPSILON
            ) -> list[np.ndarray]:
    """Plain numpy forward pass; returns the pre-activations of every layer (the last one is the integer ``s``).

    A hidden unit is ``+1`` when its pre-activation is ``≥ -ε/2``, the middle of the gap ``(-ε, 0)`` that the
    model keeps empty; this makes the check immune to the solver's feasibility tolerance (1e-6). Deeper
    pre-activations are integers, for which this is the same as ``≥ 0``.
    """
    h = np.asarray(X, dtype=np.float64)
    pre = []
    for layer, (W, b) in enumerate(weights):
        a = h @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        pre.append(a)
        if layer < len(weights) - 1:
            h = np.where(a >= -epsilon / 2, 1.0, -1.0)
    return pre


def predict_index(s: np.ndarray) -> np.ndarray:
    """Class index of the largest output; ties go to the lowest index (the paper breaks ties at random)."""
    return np.argmax(np.asarray(s), axis=1)


def objective_from_outputs(objective: str, s: np.ndarray, Y: np.ndarray, hidden: Sequence[int], P: int,
                           margin: float = MARGIN) -> float:
    """The objective value that weights producing outputs ``s`` have, recomputed outside the solver."""
    B = _out_scale(hidden, P)
    s = np.asarray(s, dtype=np.float64)
    if objective == "max_correct":
        pos = s >= 0
        ok = (pos.sum(axis=1) == 1) & pos[Y > 0]
        return float(ok.sum())
    sy = s * Y
    if objective == "sat_margin":
        return float((sy >= _margin_level(margin, B) - 1e-9).sum())
    return float(_g(2 * sy / B, B, margin).sum())


def check_weights(weights, n_features: int, hidden: Sequence[int], n_outputs: int, P: int) -> None:
    """Raise ``ValueError`` unless ``weights`` is a list of integer ``(W, b)`` pairs of the right shapes in [-P, P]."""
    sizes = [n_features, *hidden, n_outputs]
    if len(weights) != len(sizes) - 1:
        raise ValueError(f"weights must have {len(sizes) - 1} (W, b) pairs, got {len(weights)}")
    for layer, (W, b) in enumerate(weights):
        W, b = np.asarray(W), np.asarray(b)
        if W.shape != (sizes[layer], sizes[layer + 1]) or b.shape != (sizes[layer + 1],):
            raise ValueError(f"weights[{layer}] has shapes {W.shape}, {b.shape}; expected "
                             f"{(sizes[layer], sizes[layer + 1])}, {(sizes[layer + 1],)}")
        for arr in (W, b):
            if not np.all(np.abs(arr) <= P) or not np.all(arr == np.round(arr)):
                raise ValueError(f"weights[{layer}] must be integers in [-{P}, {P}]")


# ----------------------------------------------------------------------------------------------- model
def build_sign_net(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1,
                   objective: str = "sat_margin", margin: float = MARGIN, epsilon: float = EPSILON,
                   tight_big_m: bool = True, symmetry_breaking: bool = False, one_sided: bool = False):
    """Build the Pyomo MIP of the base model (1)–(12) with one of the three objectives.

    Parameters
    ----------
    X : (N, n) training inputs; Y : (N, K) ±1 one-hot labels (:func:`one_hot_pm`).
    hidden : widths of the hidden sign layers (paper: ``(16,)``). P : weights and biases in ``{-P, …, P}``.
    objective : ``"max_correct"``, ``"min_hinge"`` or ``"sat_margin"``.
    margin, epsilon : ``m`` of (18)/(21) and ``ε`` of (3)/(15)/(22).
    tight_big_m : per-sample big-M ``P(‖x^k‖₁+1)`` (default) or one constant for all samples.
    symmetry_breaking : order the neurons of each hidden layer by ``Σ_i w_ij + b_j`` (non-increasing); every
        network can be permuted into that order, so no function is lost.
    one_sided : sat-margin only — drop (22). Then ``o = 1`` still certifies a satisfied margin, so the
        objective remains a valid lower bound (enough for the early stop), but it may undercount.

    Returns the ``ConcreteModel``; ``model.meta`` holds the sizes needed to read the solution back.
    """
    import pyomo.environ as pyo

    X, Y = _check_data(X, Y)
    hidden = _check_params(objective, hidden, P, margin, epsilon)
    for name, flag in (("tight_big_m", tight_big_m), ("symmetry_breaking", symmetry_breaking),
                       ("one_sided", one_sided)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name}={flag!r} must be True or False")
    if one_sided and objective != "sat_margin":
        raise ValueError("one_sided=True is only valid with objective='sat_margin'")

    N, n0 = X.shape
    K = Y.shape[1]
    sizes = [n0, *hidden, K]
    L = len(sizes) - 1  # number of weight layers; layers 0..L-2 are hidden sign layers
    B = _out_scale(hidden, P)
    zero = zero_input_mask(X)
    nz = [np.flatnonzero(X[k]) for k in range(N)]

    m = pyo.ConcreteModel(name=f"sign_net_{objective}")
    m.meta = dict(sizes=sizes, P=int(P), objective=objective, margin=float(margin), epsilon=float(epsilon),
                  N=N, K=K, B=B, hidden=tuple(hidden), one_sided=bool(one_sided))
    w_idx = [(l, i, j) for l in range(L) for i in range(sizes[l]) for j in range(sizes[l + 1])]
    b_idx = [(l, j) for l in range(L) for j in range(sizes[l + 1])]
    # (9): integer weights and biases in {-P..P}
    m.w = pyo.Var(w_idx, domain=pyo.Integers, bounds=(-P, P))
    m.b = pyo.Var(b_idx, domain=pyo.Integers, bounds=(-P, P))
    for i in np.flatnonzero(zero):  # inputs never seen non-zero: weight 0
        for j in range(sizes[1]):
            m.w[0, i, j].fix(0)
    # (11): binary activations of the hidden layers
    u_idx = [(l, k, j) for l in range(L - 1) for k in range(N) for j in range(sizes[l + 1])]
    m.u = pyo.Var(u_idx, domain=pyo.Binary)
    # (10): c = w·(2u-1) for layers after the first, bounded by P
    c_idx = [(l, k, i, j) for l in range(1, L) for k in range(N) for i in range(sizes[l]) for j in range(sizes[l + 1])]
    m.c = pyo.Var(c_idx, bounds=(-P, P))

    def pre(l, k, j):
        if l == 0:  # (4): c = x·w, substituted
            return sum(float(X[k, i]) * m.w[0, i, j] for i in nz[k]) + m.b[0, j]
        return sum(m.c[l, k, i, j] for i in range(sizes[l])) + m.b[l, j]

    m.act = pyo.ConstraintList()  # (2)-(3)
    m.link = pyo.ConstraintList()  # (5)-(8)
    l1 = np.abs(X).sum(axis=1)
    M_all = P * (float(l1.max()) + 1.0)
    for l in range(L - 1):
        for k in range(N):
            if l == 0:
                M = P * (float(l1[k]) + 1.0) if tight_big_m else M_all
                gap = float(epsilon)
            else:
                M = float(P * (sizes[l] + 1))
                gap = 1.0  # integer pre-activation: a ≤ -ε ⇔ a ≤ -1
            for j in range(sizes[l + 1]):
                a = pre(l, k, j)
                m.act.add(a >= -M * (1 - m.u[l, k, j]))            # (2) u = 1 ⇒ a ≥ 0
                m.act.add(a <= -gap + (M + gap) * m.u[l, k, j])     # (3) u = 0 ⇒ a ≤ -ε
    for l in range(1, L):
        for k in range(N):
            for i in range(sizes[l]):
                u = m.u[l - 1, k, i]
                for j in range(sizes[l + 1]):
                    c, w = m.c[l, k, i, j], m.w[l, i, j]
                    m.link.add(c - w + 2 * P * u <= 2 * P)   # (5)
                    m.link.add(c + w - 2 * P * u <= 0)       # (6)
                    m.link.add(c - w - 2 * P * u >= -2 * P)  # (7)
                    m.link.add(c + w + 2 * P * u >= 0)       # (8)

    if symmetry_breaking:
        m.sym = pyo.ConstraintList()
        for l in range(L - 1):
            for j in range(sizes[l + 1] - 1):
                key = lambda jj: sum(m.w[l, i, jj] for i in range(sizes[l])) + m.b[l, jj]  # noqa: E731
                m.sym.add(key(j) >= key(j + 1))

    # (1): integer output s; ŷ = 2 s / B
    s = {(k, j): pre(L - 1, k, j) for k in range(N) for j in range(K)}
    m.out = pyo.ConstraintList()
    if objective == "max_correct":
        m.o = pyo.Var(range(N), range(K), domain=pyo.Binary)  # (17)
        for k in range(N):
            for j in range(K):
                m.out.add(s[k, j] >= -B * (1 - m.o[k, j]))          # (14) o = 1 ⇒ ŷ ≥ 0
                m.out.add(s[k, j] <= -1 + (B + 1) * m.o[k, j])      # (15) o = 0 ⇒ ŷ ≤ -ε (s integer)
            m.out.add(sum(m.o[k, j] for j in range(K)) == 1)        # (16), summed over the outputs of sample k
        m.obj = pyo.Objective(expr=sum(m.o[k, int(np.argmax(Y[k]))] for k in range(N)), sense=pyo.maximize)  # (13)
    elif objective == "sat_margin":
        lev = _margin_level(margin, B)
        m.o = pyo.Var(range(N), range(K), domain=pyo.Binary)  # (23)
        for k in range(N):
            for j in range(K):
                v = float(Y[k, j]) * s[k, j]  # s·y, integer in [-B, B]
                m.out.add(v >= lev - (lev + B) * (1 - m.o[k, j]))   # (21) o = 1 ⇒ ŷ y ≥ m
                if not one_sided:
                    m.out.add(v <= lev - 1 + (B - lev + 1) * m.o[k, j])  # (22) o = 0 ⇒ ŷ y ≤ m - ε
        m.obj = pyo.Objective(expr=sum(m.o[k, j] for k in range(N) for j in range(K)), sense=pyo.maximize)  # (20)
    else:
        slope, icpt = hinge_pwl(B, margin)
        m.z = pyo.Var(range(N), range(K), bounds=(0, None))
        for k in range(N):
            for j in range(K):
                t = (2.0 * float(Y[k, j]) / B) * s[k, j]  # ŷ·y
                for a_p, c_p in zip(slope, icpt):
                    m.out.add(m.z[k, j] >= float(a_p) * t + float(c_p))  # epigraph of the convex PWL f in (19)
        m.obj = pyo.Objective(expr=sum(m.z[k, j] for k in range(N) for j in range(K)), sense=pyo.minimize)  # (19)
    return m


def objective_target(objective: str, n_samples: int, target_accuracy: float, *, n_outputs: int = 2,
                     margin: float = MARGIN) -> float:
    """Objective value whose attainment guarantees training accuracy ≥ ``target_accuracy`` (module docstring)."""
    check_choice("objective", objective, OBJECTIVES)
    check_positive_int("n_samples", n_samples)
    check_number("target_accuracy", target_accuracy, low=0.0, high=1.0)
    check_positive_int("n_outputs", n_outputs, minimum=2)
    need = int(math.ceil(target_accuracy * n_samples - 1e-9))
    errors = n_samples - need
    if objective == "max_correct":
        return float(need)
    if objective == "sat_margin":
        return float(n_samples * n_outputs - errors)
    return 2 * margin ** 2 * (errors + 1) - 1e-6


def guaranteed_accuracy(objective: str, value: float, n_samples: int, *, n_outputs: int = 2,
                        margin: float = MARGIN) -> float:
    """Lower bound on the training accuracy implied by an objective value alone (exact for max-correct)."""
    check_choice("objective", objective, OBJECTIVES)
    if value is None:
        return float("nan")
    if objective == "max_correct":
        correct = round(value)
    elif objective == "sat_margin":
        correct = max(0, round(value) - n_samples * (n_outputs - 1))
    else:
        wrong_max = math.floor(value / (2 * margin ** 2) + 1e-9)
        correct = max(0, n_samples - wrong_max)
    return correct / n_samples


def extract_weights(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """Integer ``(W, b)`` per layer from a solved model (``W`` has shape ``(n_in, n_out)``)."""
    sizes = model.meta["sizes"]
    out = []
    for l in range(len(sizes) - 1):
        W = np.zeros((sizes[l], sizes[l + 1]))
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                v = model.w[l, i, j].value
                W[i, j] = 0.0 if v is None else round(v)
        b = np.array([round(model.b[l, j].value or 0.0) for j in range(sizes[l + 1])], dtype=np.float64)
        out.append((W, b))
    return out


def sort_hidden(weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Permute hidden neurons so that ``Σ_i w_ij + b_j`` is non-increasing (the symmetry-breaking order)."""
    ws = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in weights]
    for l in range(len(ws) - 1):
        W, b = ws[l]
        order = np.argsort(-(W.sum(axis=0) + b), kind="stable")
        ws[l] = (W[:, order], b[order])
        Wn, bn = ws[l + 1]
        ws[l + 1] = (Wn[order, :], bn)
    return ws


def set_start(model, X: np.ndarray, Y: np.ndarray, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
    """Load a complete MIP start (weights and every derived variable) into ``model`` for ``solve(warm_start=True)``.

    Derived values follow the forward pass. Where a start is inconsistent with the model (a first-layer
    pre-activation inside ``(-ε, 0)``; for max-correct a sample without exactly one non-negative output) the
    start is infeasible and HiGHS will discard it — that is reported, not hidden.
    """
    meta = model.meta
    sizes, N, K = meta["sizes"], meta["N"], meta["K"]
    L = len(sizes) - 1
    check_weights(weights, sizes[0], meta["hidden"], K, meta["P"])
    pre = forward(X, weights, meta["epsilon"])
    for l in range(L):
        W, b = weights[l]
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                if not model.w[l, i, j].fixed:
                    model.w[l, i, j].set_value(float(W[i, j]))
        for j in range(sizes[l + 1]):
            model.b[l, j].set_value(float(b[j]))
    acts = [np.where(a >= -meta["epsilon"] / 2, 1.0, 0.0) for a in pre[:-1]]
    for l in range(L - 1):
        for k in range(N):
            for j in range(sizes[l + 1]):
                model.u[l, k, j].set_value(float(acts[l][k, j]))
    for l in range(1, L):
        W = weights[l][0]
        for k in range(N):
            for i in range(sizes[l]):
                sgn = 2 * acts[l - 1][k, i] - 1
                for j in range(sizes[l + 1]):
                    model.c[l, k, i, j].set_value(float(W[i, j] * sgn))
    s = pre[-1]
    obj = meta["objective"]
    if obj == "max_correct":
        for k in range(N):
            for j in range(K):
                model.o[k, j].set_value(1.0 if s[k, j] >= 0 else 0.0)
    elif obj == "sat_margin":
        lev = _margin_level(meta["margin"], meta["B"])
        for k in range(N):
            for j in range(K):
                model.o[k, j].set_value(1.0 if s[k, j] * Y[k, j] >= lev else 0.0)
    else:
        z = _g(2 * s * Y / meta["B"], meta["B"], meta["margin"])
        for k in range(N):
            for j in range(K):
                model.z[k, j].set_value(float(z[k, j]))


# ----------------------------------------------------------------------------------------------- training
@dataclass(frozen=True)
class SignNetFit:
    """Result of :func:`train_sign_net`.

    ``stop_reason`` is ``"target"`` (the incumbent guaranteed the target accuracy), ``"optimal"``,
    ``"time_limit"`` or another :class:`~mipnn.solve.SolveRecord` status.
    """

    weights: list
    record: Any
    stop_reason: str
    objective_target: float | None
    guaranteed_train_accuracy: float
    train_accuracy: float
    recomputed_objective: float
    build_time: float
    start_used: bool = False
    info: dict = field(default_factory=dict)


def train_sign_net(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1,
                   objective: str = "sat_margin", time_limit: float = 60.0, target_accuracy: float | None = 0.9,
                   margin: float = MARGIN, epsilon: float = EPSILON, tight_big_m: bool = True,
                   symmetry_breaking: bool = False, one_sided: bool = False, start_weights=None,
                   options: Mapping[str, Any] | None = None, threads: int | None = None,
                   mip_gap: float = 1e-4) -> SignNetFit:
    """Build, solve (with the early-stop target) and read back a sign network. See :func:`build_sign_net`.

    ``target_accuracy=None`` disables the early stop (solve to ``mip_gap`` or ``time_limit``).
    ``start_weights`` (list of integer ``(W, b)``) is handed to HiGHS as a complete MIP start.
    """
    from ..solve import solve

    X, Y = _check_data(X, Y)
    hidden = _check_params(objective, hidden, P, margin, epsilon)
    check_number("time_limit", time_limit, low=0.0, low_open=True)
    check_number("target_accuracy", target_accuracy, low=0.0, high=1.0, allow_none=True)
    t0 = time.perf_counter()
    model = build_sign_net(X, Y, hidden=hidden, P=P, objective=objective, margin=margin, epsilon=epsilon,
                           tight_big_m=tight_big_m, symmetry_breaking=symmetry_breaking, one_sided=one_sided)
    start_used = start_weights is not None
    if start_used:
        # the model fixes the weights of all-zero inputs to 0: do the same in the start (it changes nothing on
        # the training data), then put the hidden neurons in the symmetry-breaking order
        sw = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in start_weights]
        sw[0][0][zero_input_mask(X), :] = 0.0
        sw = sort_hidden(sw) if symmetry_breaking else sw
        set_start(model, X, Y, sw)
    build_time = time.perf_counter() - t0
    N, K = Y.shape
    target = None if target_accuracy is None else objective_target(
        objective, N, target_accuracy, n_outputs=K, margin=margin)
    # HiGHS stops only when the incumbent is strictly better than its objective_target, so integer-valued
    # objectives (max-correct, sat-margin) get a half-unit slack: obj > target − ½ ⇔ obj ≥ target.
    highs_target = None if target is None else (target - 0.5 if objective != "min_hinge" else target)
    record = solve(model, time_limit=time_limit, mip_gap=mip_gap, threads=threads, warm_start=start_used,
                   objective_target=highs_target, options=options, build_time=build_time)
    weights = extract_weights(model)
    s = forward(X, weights, epsilon)[-1]
    train_acc = float(np.mean(predict_index(s) == np.argmax(Y, axis=1)))
    recomputed = objective_from_outputs(objective, s, Y, hidden, P, margin)
    reason = {"target_reached": "target"}.get(record.status, record.status)
    return SignNetFit(weights=weights, record=record, stop_reason=reason, objective_target=target,
                      guaranteed_train_accuracy=guaranteed_accuracy(objective, record.objective, N, n_outputs=K,
                                                                     margin=margin),
                      train_accuracy=train_acc, recomputed_objective=recomputed, build_time=build_time,
                      start_used=start_used)
