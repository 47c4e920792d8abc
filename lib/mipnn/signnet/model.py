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

The early-stop targets and the objectives recomputed outside the solver are in
:mod:`mipnn.signnet.objectives`; training (build, start, solve, read back) is :func:`mipnn.signnet.train_sign_net`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..budget import BuildClock
from ..solve import SolveRecord, big_m_tolerance, verify_objective
from ..validation import check_bool, check_choice, check_int_sequence, check_number, check_positive_int
from .network import EPSILON, check_data, check_weights, sign_forward, zero_input_mask
from .objectives import MARGIN, OBJECTIVES, hinge_pwl, hinge_values, margin_level, objective_from_outputs, output_scale

__all__ = ["build_sign_net", "check_params", "check_scale", "extract_weights", "set_start", "safe_tolerance",
           "verify_sign_net"]


def check_params(objective, hidden, P, margin, epsilon):
    """Check the hyper-parameters shared by the model, the training and the estimator; return ``hidden``."""
    check_choice("objective", objective, OBJECTIVES)
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    check_positive_int("P", P)
    check_number("margin", margin, low=0.0, low_open=True, high=1.0)
    check_number("epsilon", epsilon, low=0.0, low_open=True, high=0.1)
    return hidden


def build_sign_net(X: np.ndarray, Y: np.ndarray, *, hidden: Sequence[int] = (16,), P: int = 1,
                   objective: str = "sat_margin", margin: float = MARGIN, epsilon: float = EPSILON,
                   tight_big_m: bool = True, symmetry_breaking: bool = False, one_sided: bool = False,
                   deadline: float | None = None):
    """Build the Pyomo MIP of the base model (1)–(12) with one of the three objectives.

    Parameters
    ----------
    X : (N, n) training inputs; Y : (N, K) ±1 one-hot labels (``mipnn.numerics.one_hot(y, K, off=-1)``).
    hidden : widths of the hidden sign layers (paper: ``(16,)``). P : weights and biases in ``{-P, …, P}``.
    objective : ``"max_correct"``, ``"min_hinge"`` or ``"sat_margin"``.
    margin, epsilon : ``m`` of (18)/(21) and ``ε`` of (3)/(15)/(22).
    tight_big_m : per-sample big-M ``P(‖x^k‖₁+1)`` (default) or one constant for all samples.
    symmetry_breaking : order the neurons of each hidden layer by ``Σ_i w_ij + b_j`` (non-increasing); every
        network can be permuted into that order, so no function is lost.
    one_sided : sat-margin only — drop (22). Then ``o = 1`` still certifies a satisfied margin, so the
        objective remains a valid lower bound (enough for the early stop), but it may undercount.
    deadline : a :func:`time.perf_counter` value (the end of the fit's ``time_limit``) at which the build stops with
        :class:`~mipnn.exceptions.BuildTimeError` (saying how long the whole build would take); ``None``: no limit.

    Returns the ``ConcreteModel``; ``model.meta`` holds the sizes needed to read the solution back. The model
    carries its safe tolerance (:func:`safe_tolerance`) and its check (:func:`verify_sign_net`), so the public
    :func:`mipnn.solve.solve` applies both whatever path the caller takes.
    """
    import pyomo.environ as pyo

    X, Y = check_data(X, Y)
    hidden = check_params(objective, hidden, P, margin, epsilon)
    for name, flag in (("tight_big_m", tight_big_m), ("symmetry_breaking", symmetry_breaking),
                       ("one_sided", one_sided)):
        check_bool(name, flag)
    if one_sided and objective != "sat_margin":
        raise ValueError("one_sided=True is only valid with objective='sat_margin'")
    N, n0 = X.shape
    K = Y.shape[1]
    sizes = [n0, *hidden, K]
    m = pyo.ConcreteModel(name=f"sign_net_{objective}")
    m.meta = dict(sizes=sizes, P=int(P), objective=objective, margin=float(margin), epsilon=float(epsilon),
                  N=N, K=K, B=output_scale(hidden, P), hidden=tuple(hidden), one_sided=bool(one_sided))
    with BuildClock(deadline, _row_count(sizes, N, objective, int(P), one_sided),
                    f"the MIP (N={N} samples, hidden={tuple(hidden)})") as m.clock:
        _add_variables(m, X)
        pre = _preactivation(m, X)
        _add_activation_rows(m, X, pre, tight_big_m)
        _add_product_rows(m)
        if symmetry_breaking:
            _add_symmetry_rows(m)
        s = {(k, j): pre(len(sizes) - 2, k, j) for k in range(N) for j in range(K)}  # (1): integer output s
        m.out = pyo.ConstraintList()
        add_objective = {"max_correct": _add_max_correct, "sat_margin": _add_sat_margin, "min_hinge": _add_min_hinge}
        add_objective[objective](m, Y, s)
    del m.clock
    m.meta.update(X=X, Y=Y)
    # carried by the model, so that the public mipnn.solve.solve(model) is as safe as train_sign_net
    m.mipnn_safe_tolerance = safe_tolerance
    m.mipnn_verify = verify_sign_net
    return m


def verify_sign_net(model, record: SolveRecord) -> float:
    """Recompute the objective of the solved network with the numpy forward pass (threshold in the middle of the
    ε band) and raise :class:`~mipnn.exceptions.VerificationError` unless it is the solver's: exact for max-correct
    and two-sided sat-margin; an incumbent may overstate min-hinge's loss (``z`` above its pieces) or understate
    one-sided sat-margin's count. Returns the recomputed objective."""
    meta = model.meta
    s = sign_forward(meta["X"], extract_weights(model), meta["epsilon"] / 2)[-1]
    recomputed = objective_from_outputs(meta["objective"], s, meta["Y"], meta["hidden"], meta["P"], meta["margin"])
    verify_objective(record, recomputed, integral=meta["objective"] != "min_hinge",
                     one_sided=meta["objective"] == "min_hinge" or meta["one_sided"], what="the network it returned")
    return recomputed


def _row_count(sizes, N, objective, P, one_sided) -> int:
    """The rows :func:`build_sign_net` adds (for its build clock's progress)."""
    K = sizes[-1]
    rows = 2 * N * sum(sizes[1:-1]) + 4 * N * sum(sizes[l] * sizes[l + 1] for l in range(1, len(sizes) - 1))
    per_output = {"max_correct": 2, "sat_margin": 1 if one_sided else 2,
                  "min_hinge": 2 * P * (sizes[-2] + 1) + 1}[objective]
    return rows + N * K * per_output + (N if objective == "max_correct" else 0)


def _add_variables(m, X):
    """(9)–(11): integer weights and biases in {-P..P}, binary hidden activations ``u``, products ``c``."""
    import pyomo.environ as pyo

    sizes, P, N = m.meta["sizes"], m.meta["P"], m.meta["N"]
    L = len(sizes) - 1  # number of weight layers; layers 0..L-2 are hidden sign layers
    w_idx = [(l, i, j) for l in range(L) for i in range(sizes[l]) for j in range(sizes[l + 1])]
    b_idx = [(l, j) for l in range(L) for j in range(sizes[l + 1])]
    # (9): integer weights and biases in {-P..P}
    m.w = pyo.Var(w_idx, domain=pyo.Integers, bounds=(-P, P))
    m.b = pyo.Var(b_idx, domain=pyo.Integers, bounds=(-P, P))
    for i in np.flatnonzero(zero_input_mask(X)):  # inputs never seen non-zero: weight 0
        for j in range(sizes[1]):
            m.w[0, i, j].fix(0)
    # (11): binary activations of the hidden layers
    u_idx = [(l, k, j) for l in range(L - 1) for k in range(N) for j in range(sizes[l + 1])]
    m.u = pyo.Var(u_idx, domain=pyo.Binary)
    # (10): c = w·(2u-1) for layers after the first, bounded by P
    c_idx = [(l, k, i, j) for l in range(1, L) for k in range(N) for i in range(sizes[l]) for j in range(sizes[l + 1])]
    m.c = pyo.Var(c_idx, bounds=(-P, P))


def _preactivation(m, X):
    """``pre(l, k, j)``: the pre-activation of unit ``j`` of layer ``l`` for sample ``k`` as a linear expression."""
    sizes = m.meta["sizes"]
    nz = [np.flatnonzero(X[k]) for k in range(X.shape[0])]

    def pre(l, k, j):
        if l == 0:  # (4): c = x·w, substituted
            return sum(float(X[k, i]) * m.w[0, i, j] for i in nz[k]) + m.b[0, j]
        return sum(m.c[l, k, i, j] for i in range(sizes[l])) + m.b[l, j]

    return pre


def _add_activation_rows(m, X, pre, tight_big_m):
    """(2)–(3) by big-M: ``u = 1 ⇒ a ≥ 0`` and ``u = 0 ⇒ a ≤ −ε`` (``a ≤ −1`` for the integer deeper layers)."""
    import pyomo.environ as pyo

    sizes, P, N, epsilon = m.meta["sizes"], m.meta["P"], m.meta["N"], m.meta["epsilon"]
    m.act = pyo.ConstraintList()  # (2)-(3)
    m.link = pyo.ConstraintList()  # (5)-(8), filled by _add_product_rows
    l1 = np.abs(X).sum(axis=1)
    M_all = P * (float(l1.max()) + 1.0)
    m.meta["input_l1"] = l1
    m.meta["M1"] = P * (l1 + 1.0) if tight_big_m else np.full(N, M_all)
    for l in range(len(sizes) - 2):
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
            m.clock.tick(2 * sizes[l + 1])


def safe_tolerance(model) -> float:
    """The feasibility tolerance under which the big-M rows (2)–(3) keep their meaning after rounding
    (:func:`mipnn.solve.big_m_tolerance`).

    First layer: margin ``ε``, scale ``M_k + ‖x^k‖₁ + 2`` (the rounded integer weights move ``a`` by up to
    ``‖x^k‖₁`` times the tolerance). Deeper layers: the pre-activation is an integer with margin 1, and each of
    its ``n_l`` terms ``c`` sits within ``(2P + 1)`` tolerances of ``w (2u − 1)``: scale
    ``P (n_l + 1) + 2 n_l (2P + 1) + 2``.
    The tighter of the two is returned.
    """
    meta = model.meta
    return _tolerance(float(meta["input_l1"].max()), meta["sizes"][1:-1], meta["P"], meta["epsilon"])


def _tolerance(l1: float, hidden, P: int, epsilon: float) -> float:
    """:func:`safe_tolerance` from the largest ‖xᵏ‖₁ of the data (the tight and the single big-M give the same)."""
    first = big_m_tolerance(epsilon, P * (l1 + 1.0) + l1 + 2.0)
    deep = [big_m_tolerance(1.0, P * (n + 1) + 2.0 * n * (2 * P + 1) + 2.0) for n in hidden]
    return min(first, *deep)


def check_scale(X, hidden: Sequence[int], P: int, epsilon: float = EPSILON, solver: str = "highs") -> None:
    """Refuse, before any work, data and a ``P`` whose big-M rows would need a feasibility tolerance below the
    smallest ``solver`` accepts (:func:`safe_tolerance`): unscaled features (rows of large ‖x‖₁) or a huge ``P``.
    The message says what works: the largest ``P`` for this data, or the ‖x‖₁ to scale the features down to."""
    from ..backends import MIN_FEASIBILITY_TOLERANCE

    check_choice("solver", solver, tuple(MIN_FEASIBILITY_TOLERANCE))
    X = np.asarray(X, dtype=np.float64)
    l1 = float(np.abs(X).sum(axis=1).max()) if X.size else 0.0
    widths = tuple(int(h) for h in hidden)
    low = MIN_FEASIBILITY_TOLERANCE[solver]
    tol = _tolerance(l1, widths, int(P), epsilon)
    if tol >= low:
        return
    what = (f"P={P} with features whose largest row has ‖x‖₁ = {l1:.3g} needs a feasibility tolerance of "
            f"{tol:.2g} in the MIP's big-M rows, below the smallest {solver} accepts ({low:g})")
    if _tolerance(l1, widths, 1, epsilon) >= low:  # the data are fine: P is too large
        lo, hi = 1, int(P)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if _tolerance(l1, widths, mid, epsilon) >= low else (lo, mid)
        raise ValueError(f"{what}: use P <= {lo} for these features (or scale X down, e.g. with "
                         "sklearn.preprocessing.StandardScaler)")
    most = max((epsilon / (4.0 * low) - 2.0 - P) / (P + 1.0), 0.0)
    raise ValueError(f"{what}: scale X first (e.g. with sklearn.preprocessing.StandardScaler or MinMaxScaler) so "
                     f"that no row's ‖x‖₁ exceeds about {most:.3g}")


def _add_product_rows(m):
    """(5)–(8): ``c_ij = w_ij (2u_i − 1)`` for every layer after the first, with constant ``2P``."""
    sizes, P, N = m.meta["sizes"], m.meta["P"], m.meta["N"]
    for l in range(1, len(sizes) - 1):
        for k in range(N):
            for i in range(sizes[l]):
                u = m.u[l - 1, k, i]
                for j in range(sizes[l + 1]):
                    c, w = m.c[l, k, i, j], m.w[l, i, j]
                    m.link.add(c - w + 2 * P * u <= 2 * P)   # (5)
                    m.link.add(c + w - 2 * P * u <= 0)       # (6)
                    m.link.add(c - w - 2 * P * u >= -2 * P)  # (7)
                    m.link.add(c + w + 2 * P * u >= 0)       # (8)
                m.clock.tick(4 * sizes[l + 1])


def _add_symmetry_rows(m):
    """Beyond the paper: hidden neurons ordered by ``Σ_i w_ij + b_j`` (non-increasing) in every hidden layer."""
    import pyomo.environ as pyo

    sizes = m.meta["sizes"]
    m.sym = pyo.ConstraintList()
    for l in range(len(sizes) - 2):
        key = [sum(m.w[l, i, jj] for i in range(sizes[l])) + m.b[l, jj] for jj in range(sizes[l + 1])]
        for j in range(sizes[l + 1] - 1):
            m.sym.add(key[j] >= key[j + 1])


def _add_max_correct(m, Y, s):
    """(13)–(17): ``o = 1 ⇒ ŷ ≥ 0`` (14), ``o = 0 ⇒ ŷ ≤ −ε`` (15), one positive output per sample (16)."""
    import pyomo.environ as pyo

    N, K, B = m.meta["N"], m.meta["K"], m.meta["B"]
    m.o = pyo.Var(range(N), range(K), domain=pyo.Binary)  # (17)
    for k in range(N):
        for j in range(K):
            m.out.add(s[k, j] >= -B * (1 - m.o[k, j]))          # (14) o = 1 ⇒ ŷ ≥ 0
            m.out.add(s[k, j] <= -1 + (B + 1) * m.o[k, j])      # (15) o = 0 ⇒ ŷ ≤ -ε (s integer)
        m.out.add(sum(m.o[k, j] for j in range(K)) == 1)        # (16), summed over the outputs of sample k
        m.clock.tick(2 * K + 1)
    m.obj = pyo.Objective(expr=sum(m.o[k, int(np.argmax(Y[k]))] for k in range(N)), sense=pyo.maximize)  # (13)


def _add_sat_margin(m, Y, s):
    """(20)–(24): ``o = 1 ⇒ ŷ y ≥ m`` (21), ``o = 0 ⇒ ŷ y ≤ m − ε`` (22, unless ``one_sided``), maximise Σ o (20)."""
    import pyomo.environ as pyo

    N, K, B = m.meta["N"], m.meta["K"], m.meta["B"]
    lev = margin_level(m.meta["margin"], B)
    m.o = pyo.Var(range(N), range(K), domain=pyo.Binary)  # (23)
    for k in range(N):
        for j in range(K):
            v = float(Y[k, j]) * s[k, j]  # s·y, integer in [-B, B]
            m.out.add(v >= lev - (lev + B) * (1 - m.o[k, j]))   # (21) o = 1 ⇒ ŷ y ≥ m
            if not m.meta["one_sided"]:
                m.out.add(v <= lev - 1 + (B - lev + 1) * m.o[k, j])  # (22) o = 0 ⇒ ŷ y ≤ m - ε
            m.clock.tick(1 if m.meta["one_sided"] else 2)
    m.obj = pyo.Objective(expr=sum(m.o[k, j] for k in range(N) for j in range(K)), sense=pyo.maximize)  # (20)


def _add_min_hinge(m, Y, s):
    """(18)–(19): minimise Σ g(ŷ y) with the convex PWL ``g`` written as an epigraph ``z ≥ each piece, z ≥ 0``."""
    import pyomo.environ as pyo

    N, K, B = m.meta["N"], m.meta["K"], m.meta["B"]
    slope, icpt = hinge_pwl(B, m.meta["margin"])
    m.z = pyo.Var(range(N), range(K), bounds=(0, None))
    for k in range(N):
        for j in range(K):
            t = (2.0 * float(Y[k, j]) / B) * s[k, j]  # ŷ·y
            for a_p, c_p in zip(slope, icpt, strict=True):
                m.out.add(m.z[k, j] >= float(a_p) * t + float(c_p))  # epigraph of the convex PWL f in (19)
            m.clock.tick(len(slope))
    m.obj = pyo.Objective(expr=sum(m.z[k, j] for k in range(N) for j in range(K)), sense=pyo.minimize)  # (19)


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


def set_start(model, X: np.ndarray, Y: np.ndarray, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
    """Load a complete MIP start (weights and every derived variable) into ``model`` for ``solve(warm_start=True)``.

    Derived values follow the forward pass. Where a start is inconsistent with the model (a first-layer
    pre-activation inside ``(-ε, 0)``; for max-correct a sample without exactly one non-negative output) the
    start is infeasible and HiGHS will discard it — that is reported, not hidden.
    """
    meta = model.meta
    check_weights(weights, meta["sizes"][0], meta["hidden"], meta["K"], meta["P"])
    pre = sign_forward(X, weights, meta["epsilon"] / 2)
    _set_parameter_start(model, weights)
    acts = [np.where(a >= -meta["epsilon"] / 2, 1.0, 0.0) for a in pre[:-1]]
    _set_activation_start(model, weights, acts)
    _set_objective_start(model, Y, pre[-1])


def _set_parameter_start(model, weights):
    sizes = model.meta["sizes"]
    for l, (W, b) in enumerate(weights):
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                if not model.w[l, i, j].fixed:
                    model.w[l, i, j].set_value(float(W[i, j]))
        for j in range(sizes[l + 1]):
            model.b[l, j].set_value(float(b[j]))


def _set_activation_start(model, weights, acts):
    sizes, N = model.meta["sizes"], model.meta["N"]
    L = len(sizes) - 1
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


def _set_objective_start(model, Y, s):
    meta = model.meta
    N, K, obj = meta["N"], meta["K"], meta["objective"]
    if obj == "max_correct":
        for k in range(N):
            for j in range(K):
                model.o[k, j].set_value(1.0 if s[k, j] >= 0 else 0.0)
    elif obj == "sat_margin":
        lev = margin_level(meta["margin"], meta["B"])
        for k in range(N):
            for j in range(K):
                model.o[k, j].set_value(1.0 if s[k, j] * Y[k, j] >= lev else 0.0)
    else:
        z = hinge_values(2 * s * Y / meta["B"], meta["B"], meta["margin"])
        for k in range(N):
            for j in range(K):
                model.z[k, j].set_value(float(z[k, j]))
