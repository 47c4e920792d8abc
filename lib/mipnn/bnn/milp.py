"""Training a binarized neural network as one MILP: Theorem 1 of Aspman, Korpas & Marecek (AAAI 2024).

The theorem restates the formulation of Bah & Kurtz (2020): a network with layer widths ``L = (d0, d1, ..., dK)``
whose hidden and output units are binary, ``u = 1`` exactly when the unit's pre-activation reaches its threshold
``lambda``. Everything that is nonlinear in the forward pass becomes linear once the activations ``u`` are binary
variables. The theorem prints one program, (BNN-MILP), without numbered rows; the code cites its rows by position:

* rows 1–2, first layer — the pre-activation ``W1 x_i`` is linear in the weights because ``x_i`` is data; two
  big-M rows switch between ``W1 x_i >= lambda`` (``u = 1``) and ``W1 x_i < lambda`` (``u = 0``);
* rows 3–4, deeper layers — the pre-activation ``sum_l s[j, l]`` with ``s[j, l]`` standing for the product
  ``W[j, l] u_l`` of a weight and a binary, and the same pair of big-M rows with ``M_k = d_{k-1} + 1``;
* rows 5–7, products — four rows force ``s = W`` when ``u_l = 1`` and ``s = 0`` when ``u_l = 0`` (valid because
  weights lie in [-1, 1]);
* rows 8–11, domains — ``W, lambda, s`` in ``[-1, 1]``, ``u`` binary; the objective sums the loss of the output
  units ``u^(K)``.

Strict inequalities cannot be stated in a MILP. We use ``a <= lambda - epsilon`` for "``a < lambda``" with a small
:data:`EPSILON` (``1e-4``), so the MILP is exact for any network whose pre-activations avoid the open band
``(lambda - epsilon, lambda)``. The solver only guarantees that band's edges up to its feasibility tolerance, so
the numpy forward pass :func:`bnn_forward` takes a ``tol`` argument: with ``tol = epsilon / 2`` the threshold sits
in the middle of the band and the forward pass reproduces the solver's activations exactly (see the tests).

Index convention: the paper prints the McCormick rows as ``s_lj^(k) <= u_j^(k)``; the product being linearised is
``w_lj^(k) * u_l^(k-1)`` (weight times the *previous* layer's activation), so the rows here use ``u_l^(k-1)``.

Reuse (notebook 04, Kurtz & Bah BDNNs, :mod:`mipnn.bnn.bdnn`): any widths, one-hot multiclass targets, Hamming /
0-1 / squared loss, continuous or integer ({-1, 0, 1}) weights, per-layer / per-neuron / fixed thresholds with a
configurable bound, printed or per-sample big-M, activation sharing between groups of samples and fixed weights.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pyomo.environ as pyo

from ..budget import BuildClock
from ..numerics import TOL, label_targets
from ..solve import OPTIMALITY_GAP, SolveRecord, big_m_tolerance, solve, verify_objective
from ..validation import check_bool, check_choice, check_int_sequence, check_number

__all__ = ["build_bnn_milp", "solve_bnn_milp", "safe_tolerance", "big_m_scale", "verify_bnn_solution",
           "extract_weights", "extract_activations", "bnn_forward", "bnn_loss",
           "big_m_constants", "fix_weights", "unfix_weights", "set_warm_start",
           "threshold_expr", "threshold_rule", "LOSSES", "THRESHOLDS", "BIG_M", "WEIGHT_DOMAINS", "EPSILON"]

LOSSES = ("hamming", "zero_one", "squared")
THRESHOLDS = ("layer", "neuron", "fixed")
BIG_M = ("printed", "per_sample")
WEIGHT_DOMAINS = ("continuous", "integer")
#: Margin that models the strict "a < lambda" as "a <= lambda - EPSILON" (BNN and BDNN models alike).
EPSILON = 1e-4


def big_m_constants(X, layers: Sequence[int], *, big_m: str = "printed", threshold_bound: float = 1.0):
    """The big-M constants of Theorem 1.

    ``"printed"``: ``M1 = n*r + B`` for every sample, with ``n = d0``, ``r = max_i ||x_i||_2`` and ``B`` the bound
    on ``|lambda|`` (the theorem's ``n r + 1`` for ``B = 1``); ``"per_sample"``: ``M1_i = ||x_i||_1 + B``, which is
    still valid because ``|W1 x_i| <= ||x_i||_1`` for weights in [-1, 1] and never larger than the printed value.
    Deeper layers: ``M_k = d_{k-1} + B`` (the printed ``d_{k-1} + 1``). Returns ``(M1 per sample, [M2, ..., MK])``.
    """
    check_choice("big_m", big_m, BIG_M)
    X = np.asarray(X, dtype=float)
    B = float(threshold_bound)
    if big_m == "printed":
        r = float(np.linalg.norm(X, axis=1).max()) if X.size else 0.0
        m1 = np.full(X.shape[0], X.shape[1] * r + B)
    else:
        m1 = np.abs(X).sum(axis=1) + B
    return m1, [layers[k - 1] + B for k in range(2, len(layers))]


def _weight_mask(fixed, layers):
    """Normalise ``fixed_weights`` to a list (per weight layer) of arrays with NaN for free entries."""
    K = len(layers) - 1
    out = [np.full((layers[k + 1], layers[k]), np.nan) for k in range(K)]
    if fixed is None:
        return out
    items = fixed.items() if isinstance(fixed, Mapping) else enumerate(fixed, start=1)
    for k, arr in items:
        if arr is None:
            continue
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= K:
            raise ValueError(f"fixed_weights: layer {k!r} must be an integer in 1..{K}")
        arr = np.asarray(arr, dtype=float)
        if arr.shape != out[k - 1].shape:
            raise ValueError(f"fixed_weights[{k}] must have shape {out[k - 1].shape} (NaN = free); got {arr.shape}")
        finite = arr[np.isfinite(arr)]
        if (np.abs(finite) > 1 + TOL).any():
            raise ValueError(f"fixed_weights[{k}] must lie in [-1, 1]")
        out[k - 1] = arr
    return out


def _checked_inputs(X, y, layers, loss, weight_domain, threshold, threshold_bound, threshold_value, big_m, epsilon,
                    share_activations):
    layers = check_int_sequence("layers", layers, minimum=1)
    if len(layers) < 2:
        raise ValueError(f"layers={layers!r} needs at least an input and an output width")
    check_choice("loss", loss, LOSSES)
    check_choice("weight_domain", weight_domain, WEIGHT_DOMAINS)
    check_choice("threshold", threshold, THRESHOLDS)
    check_choice("big_m", big_m, BIG_M)
    check_number("threshold_bound", threshold_bound, low=0.0)
    check_number("threshold_value", threshold_value)
    check_number("epsilon", epsilon, low=0.0, high=1.0, low_open=True)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != layers[0] or X.shape[0] < 1:
        raise ValueError(f"X must have shape (N, {layers[0]}) with N >= 1; got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or inf")
    N = X.shape[0]
    Y = label_targets(y, layers[-1], N)
    if loss in ("hamming", "zero_one") and not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError(f"loss={loss!r} needs 0/1 targets; use loss='squared' for real-valued targets")
    if share_activations is None:
        group = np.arange(N)
    else:
        group = np.asarray(share_activations)
        if group.shape != (N,):
            raise ValueError(f"share_activations must be a length-{N} array of group ids")
        _, group = np.unique(group, return_inverse=True)
    return layers, X, Y, group


def build_bnn_milp(X, y, layers: Sequence[int], *, loss: str = "hamming", weight_domain: str = "continuous",
                   threshold: str = "layer", threshold_bound: float = 1.0, threshold_value: float = 0.0,
                   big_m: str = "printed", epsilon: float = EPSILON, share_activations=None,
                   fixed_weights=None, symmetry_breaking: bool = False,
                   deadline: float | None = None) -> pyo.ConcreteModel:
    """Build the BNN-MILP of Theorem 1 for data ``(X, y)`` and widths ``layers = (d0, ..., dK)``.

    Parameters
    ----------
    X : (N, d0) array of real inputs.
    y : (N, dK) target matrix (0/1 for Hamming and 0-1 loss, any real for squared loss) or N integer labels
        (one-hot encoded when ``dK > 1``).
    loss : ``"hamming"`` (sum over samples and outputs of ``|u - y|``), ``"zero_one"`` (number of samples whose
        output vector differs from the target) or ``"squared"`` (``sum (u - y)^2``, linear because ``u^2 = u``;
        equal to Hamming for 0/1 targets).
    weight_domain : ``"continuous"`` (W in [-1, 1], as printed) or ``"integer"`` (W in {-1, 0, 1}).
    threshold : ``"layer"`` (one learned lambda per layer, as printed), ``"neuron"`` (one per unit, i.e. a bias)
        or ``"fixed"`` (every lambda equal to ``threshold_value``).
    threshold_bound : bound ``B`` with learned thresholds in ``[-B, B]`` (the theorem: 1).
    big_m : ``"printed"`` (default, the theorem's ``M1 = n r + 1``) or ``"per_sample"`` (``||x_i||_1 + B``).
    epsilon : margin that models the strict inequality ``a < lambda`` as ``a <= lambda - epsilon``.
    share_activations : optional length-N array of group ids. Samples of one group share one set of activation
        variables (one activation pattern); each sample keeps its own first-layer rows and its own loss terms.
    fixed_weights : optional ``{layer k (1-based): (d_k, d_{k-1}) array}`` (or a list) whose finite entries fix
        those weights (NaN entries stay free), e.g. for local search.
    symmetry_breaking : beyond the paper — order the units of every hidden layer by the sum of their incoming
        weights (non-increasing). Permuting a hidden layer's units (with the next layer's columns) gives the same
        network function and loss, and every network can be permuted into that order, so the optimum is kept;
        layers whose own or next weights are fixed are left unordered.
    deadline : a :func:`time.perf_counter` value (the end of the fit's ``time_limit``) at which the build stops with
        :class:`~mipnn.exceptions.BuildTimeError` (saying how long the whole build would take); ``None``: no limit.

    Returns a Pyomo ``ConcreteModel`` with variables ``W[k, j, l]``, ``lam[k, j]``, ``u[g, k, j]`` (g = group),
    ``s[g, k, j, l]`` and an objective ``loss``; ``model.meta`` holds the settings (used by
    :func:`extract_weights` / :func:`extract_activations`).
    """
    layers, X, Y, group = _checked_inputs(X, y, layers, loss, weight_domain, threshold, threshold_bound,
                                          threshold_value, big_m, epsilon, share_activations)
    fixed = _weight_mask(fixed_weights, layers)
    check_bool("symmetry_breaking", symmetry_breaking)
    B = abs(float(threshold_value)) if threshold == "fixed" else float(threshold_bound)
    m1, mk = big_m_constants(X, layers, big_m=big_m, threshold_bound=B)
    m = pyo.ConcreteModel(name="bnn_milp")
    m.meta = {"layers": layers, "loss": loss, "weight_domain": weight_domain, "threshold": threshold,
              "epsilon": float(epsilon), "threshold_bound": B, "threshold_value": float(threshold_value),
              "big_m": big_m, "group": group, "n_samples": X.shape[0], "M1": m1, "Mk": mk}
    n_groups, N = int(group.max()) + 1, X.shape[0]
    rows = 2 * N * layers[1] + n_groups * sum(2 * layers[k] + 4 * layers[k] * layers[k - 1]
                                              for k in range(2, len(layers)))
    with BuildClock(deadline, rows, f"the MIP (N={N} samples, layers={tuple(layers)})") as m.clock:
        _add_variables(m, fixed)
        _add_first_layer_rows(m, X)
        _add_deep_layer_rows(m)
        _add_product_rows(m)
        _add_loss(m, Y)
    del m.clock
    if symmetry_breaking:
        _add_symmetry_rows(m, fixed)
    m.meta["Y"] = Y
    m.meta["X"] = X
    # carried by the model, so that the public mipnn.solve.solve(model) is as safe as solve_bnn_milp
    m.mipnn_safe_tolerance = safe_tolerance
    m.mipnn_verify = _verify_loaded
    return m


def safe_tolerance(model) -> float:
    """The feasibility tolerance under which every big-M row pair of a built BNN-MILP keeps its meaning after rounding
    (:func:`mipnn.solve.big_m_tolerance`): the scale is the largest ``M + S + 2`` over the rows, with
    ``S = ‖x_i‖₁`` in the first layer (rows 1–2; the robust rows' enlarged ``M``) and ``S = 2 d_{k−1}`` in the
    deeper ones (rows 3–4: ``d_{k−1}`` products ``s``, each within twice the tolerance of ``W·u``)."""
    meta = model.meta
    scale = big_m_scale(meta["X"], meta["layers"], meta["M1"], meta["Mk"], meta.get("robust_radius", 0.0))
    return big_m_tolerance(meta["epsilon"], scale)


def big_m_scale(X, layers: Sequence[int], m1, mk, robust_radius: float = 0.0) -> float:
    """The scale of :func:`safe_tolerance` from the data and the big-M constants (:func:`big_m_constants`), so that
    it can be known before a model is built."""
    m1 = np.asarray(m1, dtype=float) + float(robust_radius) * layers[0]
    scale = float((m1 + np.abs(np.asarray(X, dtype=float)).sum(axis=1)).max()) + 2.0
    for k, m in enumerate(mk, start=2):
        scale = max(scale, float(m) + 2.0 * layers[k - 1] + 2.0)
    return scale


def verify_bnn_solution(model, record: SolveRecord, network=None) -> float:
    """Recompute the loss of the solved network with the numpy forward pass (:func:`bnn_forward`, threshold in
    the middle of the ε band) and raise :class:`~mipnn.exceptions.VerificationError` unless it is the solver's
    objective. ``network`` defaults to the model's weights; returns the recomputed loss."""
    meta = model.meta
    network = extract_weights(model) if network is None else network
    out = bnn_forward(meta["X"], network, tol=meta["epsilon"] / 2)[-1]
    loss = bnn_loss(out, meta["Y"], meta["loss"])
    integral = meta["loss"] != "squared" or bool(np.isin(meta["Y"], (0.0, 1.0)).all())
    verify_objective(record, loss, integral=integral, what="the network it returned")
    return loss


def solve_bnn_milp(model, *, time_limit: float = 60.0, mip_gap: float = OPTIMALITY_GAP, warm_start: bool = False,
                   threads: int | None = None, solver: str = "highs", feasibility_tolerance: float | None = None,
                   options=None, build_time: float | None = None, log: bool = False) -> SolveRecord:
    """Solve a model of :func:`build_bnn_milp` with :func:`mipnn.solve.solve` (``solver``: ``"highs"``, ``"gurobi"``
    or ``"scip"``), under the tolerance its big-M rows need (``feasibility_tolerance=None``:
    :func:`safe_tolerance`; solver-specific ``options`` are applied last), and verify the result: the
    network read back, pushed through the numpy forward pass, must have the loss the solver reports
    (:func:`verify_bnn_solution`, else :class:`~mipnn.exceptions.VerificationError`).

    Weights that appear in no row (their input is 0 on every sample) are set to 0. Returns the record.
    """
    tol = safe_tolerance(model) if feasibility_tolerance is None else feasibility_tolerance
    record = solve(model, time_limit=time_limit, mip_gap=mip_gap, warm_start=warm_start, threads=threads,
                   solver=solver, feasibility_tolerance=tol, options=options, build_time=build_time, log=log)
    if getattr(model, "mipnn_verify", None) is not _verify_loaded:  # a model built before the hook: same checks
        _verify_loaded(model, record)
    return record


def _verify_loaded(model, record: SolveRecord) -> None:
    """The check :func:`mipnn.solve.solve` runs on a loaded BNN-MILP solution (``model.mipnn_verify``): weights in
    no row are set to 0, then :func:`verify_bnn_solution`."""
    for v in model.W.values():
        if v.value is None:
            v.set_value(0.0)
    verify_bnn_solution(model, record)


def threshold_expr(m, k: int, j: int):
    """The threshold ``lambda`` of unit ``j`` of layer ``k`` in model ``m``: a variable, or the fixed value."""
    t = m.meta["threshold"]
    if t == "neuron":
        return m.lam[k, j]
    if t == "layer":
        return m.lam_layer[k]
    return m.meta["threshold_value"]


def _add_variables(m, fixed):
    """Rows 8–11: ``W`` in [-1, 1] (or {-1, 0, 1}), thresholds in [-B, B], binary ``u`` per group, ``s`` in [-1, 1]."""
    layers, B = m.meta["layers"], m.meta["threshold_bound"]
    K, n_groups = len(layers) - 1, int(m.meta["group"].max()) + 1
    m.WIDX = pyo.Set(dimen=3, initialize=[(k, j, l) for k in range(1, K + 1) for j in range(layers[k])
                                          for l in range(layers[k - 1])])
    integer = m.meta["weight_domain"] == "integer"
    m.W = pyo.Var(m.WIDX, domain=pyo.Integers if integer else pyo.Reals, bounds=(-1, 1))
    for (k, j, l) in m.WIDX:
        v = fixed[k - 1][j, l]
        if np.isfinite(v):
            if integer and v != round(v):
                raise ValueError(f"fixed_weights[{k}][{j}, {l}]={v} is not in {{-1, 0, 1}} "
                                 f"(weight_domain='integer')")
            m.W[k, j, l].fix(float(v))
    # One threshold per layer (as printed), per unit, or fixed; threshold_expr gives uniform access.
    m.LIDX = pyo.Set(dimen=2, initialize=[(k, j) for k in range(1, K + 1) for j in range(layers[k])])
    if m.meta["threshold"] == "neuron":
        m.lam = pyo.Var(m.LIDX, bounds=(-B, B))
    elif m.meta["threshold"] == "layer":
        m.lam_layer = pyo.Var(range(1, K + 1), bounds=(-B, B))
    m.UIDX = pyo.Set(dimen=3, initialize=[(g, k, j) for g in range(n_groups) for k in range(1, K + 1)
                                          for j in range(layers[k])])
    m.u = pyo.Var(m.UIDX, domain=pyo.Binary)
    m.SIDX = pyo.Set(dimen=4, initialize=[(g, k, j, l) for g in range(n_groups) for k in range(2, K + 1)
                                          for j in range(layers[k]) for l in range(layers[k - 1])])
    m.s = pyo.Var(m.SIDX, bounds=(-1, 1))


def _clocked(m, rule):
    """``rule`` of an indexed constraint, ticking the model's build clock at every row."""
    def timed(*args):
        m.clock.tick()
        return rule(*args)

    return timed


def _add_first_layer_rows(m, X):
    """Rows 1–2, one pair per sample (shared groups still check every sample's own input):

    ``W1 x_i - lambda <= -epsilon + (M1 + epsilon) u``   (``u = 0  =>  W1 x_i <= lambda - epsilon``, the strict "<")
    ``W1 x_i - lambda >= -M1 (1 - u)``                   (``u = 1  =>  W1 x_i >= lambda``)
    """
    layers, group, eps, m1 = m.meta["layers"], m.meta["group"], m.meta["epsilon"], m.meta["M1"]
    rows1 = [(i, j) for i in range(X.shape[0]) for j in range(layers[1])]

    def pre1(i, j):
        return sum(float(X[i, l]) * m.W[1, j, l] for l in range(layers[0]) if X[i, l] != 0.0)

    m.first_upper = pyo.Constraint(rows1, rule=_clocked(m, lambda m, i, j: pre1(i, j) - threshold_expr(m, 1, j)
                                   <= -eps + (float(m1[i]) + eps) * m.u[group[i], 1, j]))
    m.first_lower = pyo.Constraint(rows1, rule=_clocked(m, lambda m, i, j: pre1(i, j) - threshold_expr(m, 1, j)
                                   >= -float(m1[i]) * (1 - m.u[group[i], 1, j])))


def _add_deep_layer_rows(m):
    """Rows 3–4, once per group: ``sum_l s[g,k,j,l]`` plays the pre-activation, ``M_k = d_{k-1} + B``."""
    layers, eps, mk = m.meta["layers"], m.meta["epsilon"], m.meta["Mk"]
    K, n_groups = len(layers) - 1, int(m.meta["group"].max()) + 1
    rowsk = [(g, k, j) for g in range(n_groups) for k in range(2, K + 1) for j in range(layers[k])]

    def prek(g, k, j):
        return sum(m.s[g, k, j, l] for l in range(layers[k - 1]))

    m.deep_upper = pyo.Constraint(rowsk, rule=_clocked(m, lambda m, g, k, j: prek(g, k, j) - threshold_expr(m, k, j)
                                  <= -eps + (mk[k - 2] + eps) * m.u[g, k, j]))
    m.deep_lower = pyo.Constraint(rowsk, rule=_clocked(m, lambda m, g, k, j: prek(g, k, j) - threshold_expr(m, k, j)
                                  >= -mk[k - 2] * (1 - m.u[g, k, j])))


def _add_product_rows(m):
    """Rows 5–7: ``s = W * u_prev`` as ``|s| <= u_prev`` and ``|s - W| <= 1 - u_prev`` (index fixed to ``u^(k-1)``)."""
    m.s_up = pyo.Constraint(m.SIDX, rule=_clocked(m, lambda m, g, k, j, l: m.s[g, k, j, l] <= m.u[g, k - 1, l]))
    m.s_lo = pyo.Constraint(m.SIDX, rule=_clocked(m, lambda m, g, k, j, l: m.s[g, k, j, l] >= -m.u[g, k - 1, l]))
    m.s_wup = pyo.Constraint(m.SIDX, rule=_clocked(m, lambda m, g, k, j, l:
                             m.s[g, k, j, l] <= m.W[k, j, l] + (1 - m.u[g, k - 1, l])))
    m.s_wlo = pyo.Constraint(m.SIDX, rule=_clocked(m, lambda m, g, k, j, l:
                             m.s[g, k, j, l] >= m.W[k, j, l] - (1 - m.u[g, k - 1, l])))


def _add_symmetry_rows(m, fixed):
    """Beyond the paper: ``Σ_l W[k, j, l] ≥ Σ_l W[k, j+1, l]`` in every hidden layer ``k`` whose weights and whose
    next layer's weights are all free (a permutation of its units is then always available)."""
    layers = m.meta["layers"]
    rows = [(k, j) for k in range(1, len(layers) - 1) for j in range(layers[k] - 1)
            if not np.isfinite(fixed[k - 1]).any() and not np.isfinite(fixed[k]).any()]
    m.symmetry = pyo.Constraint(rows, rule=lambda m, k, j: sum(m.W[k, j, l] for l in range(layers[k - 1]))
                                >= sum(m.W[k, j + 1, l] for l in range(layers[k - 1])))


def _add_loss(m, Y):
    """The objective ``sum_i L(y_i, u_i^(K))`` on the output units (linear because ``u`` is binary)."""
    layers, group = m.meta["layers"], m.meta["group"]
    N, K, d_out = Y.shape[0], len(layers) - 1, layers[-1]

    def out(i, j):
        return m.u[group[i], K, j]

    loss = m.meta["loss"]
    if loss == "hamming":
        expr = sum((1 - out(i, j)) if Y[i, j] == 1 else out(i, j) for i in range(N) for j in range(d_out))
    elif loss == "squared":
        expr = sum((1 - 2 * float(Y[i, j])) * out(i, j) + float(Y[i, j]) ** 2 for i in range(N) for j in range(d_out))
    else:  # zero_one: e_i >= |u_ij - y_ij| for every output j
        m.err = pyo.Var(range(N), bounds=(0, 1))
        m.err_rows = pyo.Constraint([(i, j) for i in range(N) for j in range(d_out)], rule=lambda m, i, j:
                                    m.err[i] >= ((1 - out(i, j)) if Y[i, j] == 1 else out(i, j)))
        expr = sum(m.err[i] for i in range(N))
    m.loss = pyo.Objective(expr=expr, sense=pyo.minimize)


def extract_weights(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """The solved network as a list ``[(W1, lam1), ..., (WK, lamK)]``; ``Wk`` has shape (d_k, d_{k-1}) and
    ``lamk`` shape (d_k,) (a per-layer threshold is repeated for every unit)."""
    layers = model.meta["layers"]
    out = []
    for k in range(1, len(layers)):
        W = np.array([[pyo.value(model.W[k, j, l]) for l in range(layers[k - 1])] for j in range(layers[k])])
        lam = np.array([float(pyo.value(threshold_expr(model, k, j))) for j in range(layers[k])])
        out.append((W, lam))
    return out


def extract_activations(model) -> list[np.ndarray]:
    """The solver's activations ``[u1, ..., uK]``, each (N, d_k) of 0/1 ints, expanded from groups to samples."""
    layers, group = model.meta["layers"], model.meta["group"]
    n_groups = int(group.max()) + 1
    acts = []
    for k in range(1, len(layers)):
        U = np.array([[pyo.value(model.u[g, k, j]) for j in range(layers[k])] for g in range(n_groups)])
        acts.append(np.rint(U[group]).astype(int))
    return acts


def bnn_forward(X, weights, tol: float = EPSILON / 2) -> list[np.ndarray]:
    """Plain numpy forward pass: ``u_k = 1[W_k u_{k-1} >= lam_k - tol]`` with ``u_0 = X``. Returns ``[u1, ..., uK]``.

    ``weights`` is ``[(W1, lam1), ..., (WK, lamK)]`` with ``Wk`` of shape (d_k, d_{k-1}). ``tol = 0`` is the
    network's own rule (2). The MILP separates ``u = 1`` (``a >= lam``) from ``u = 0`` (``a <= lam - epsilon``);
    the default ``tol = epsilon / 2`` puts the threshold in the middle of that band so that solver round-off
    (about 1e-9) cannot flip a unit sitting exactly on ``a = lam``: use it for every network a solver trained.
    """
    h = np.asarray(X, dtype=float)
    if h.ndim != 2:
        raise ValueError("X must be a 2-D array (N, d0)")
    acts = []
    for k, (W, lam) in enumerate(weights, start=1):
        W = np.asarray(W, dtype=float)
        if W.shape[1] != h.shape[1]:
            raise ValueError(f"layer {k}: W has {W.shape[1]} columns but its input has {h.shape[1]} features")
        a = h @ W.T
        h = (a >= np.asarray(lam, dtype=float) - tol).astype(int)
        acts.append(h)
    return acts


def bnn_loss(y_out, Y, loss: str = "hamming") -> float:
    """The MILP's objective recomputed from output activations ``y_out`` (N, dK) and targets ``Y`` (N, dK)."""
    check_choice("loss", loss, LOSSES)
    y_out = np.asarray(y_out, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if loss == "hamming":
        return float(np.abs(y_out - Y).sum())
    if loss == "squared":
        return float(((y_out - Y) ** 2).sum())
    return float((np.abs(y_out - Y).max(axis=1) > 0.5).sum())


def fix_weights(model, layer: int, values) -> None:
    """Fix the weights of ``layer`` (1-based) to ``values`` (NaN entries stay free) in a built model."""
    layers = model.meta["layers"]
    check_number("layer", layer, low=1, high=len(layers) - 1, integer=True)
    values = np.asarray(values, dtype=float)
    if values.shape != (layers[layer], layers[layer - 1]):
        raise ValueError(f"values must have shape {(layers[layer], layers[layer - 1])}; got {values.shape}")
    for j, l in itertools.product(range(layers[layer]), range(layers[layer - 1])):
        if np.isfinite(values[j, l]):
            model.W[layer, j, l].fix(float(np.clip(values[j, l], -1, 1)))


def unfix_weights(model, layer: int | None = None) -> None:
    """Free the weights of ``layer`` (or of every layer)."""
    for (k, j, l) in model.WIDX:
        if layer is None or k == layer:
            model.W[k, j, l].unfix()


def set_warm_start(model, weights) -> None:
    """Load a network into the variables (weights, thresholds, activations, products) as a MIP start.

    Use with ``mipnn.solve.solve(model, warm_start=True)``. Thresholds are loaded where they are variables.
    The activations are those of :func:`bnn_forward` (``tol = 0``: the start's own rule); for shared groups the
    first member's.
    """
    _start_parameters(model, weights)
    if model.meta.get("X") is not None:
        _start_activations(model, weights)


def _start_parameters(model, weights):
    meta = model.meta
    layers, B = meta["layers"], meta["threshold_bound"]
    for k, (W, lam) in enumerate(weights, start=1):
        for j in range(layers[k]):
            for l in range(layers[k - 1]):
                if not model.W[k, j, l].fixed:
                    model.W[k, j, l].set_value(float(W[j, l]))
            if meta["threshold"] == "neuron":
                model.lam[k, j].set_value(float(np.clip(lam[j], -B, B)))
        if meta["threshold"] == "layer":
            model.lam_layer[k].set_value(float(np.clip(lam[0], -B, B)))


def _start_activations(model, weights):
    layers, group = model.meta["layers"], model.meta["group"]
    acts = bnn_forward(model.meta["X"], weights, tol=0.0)
    first = {}
    for i, g in enumerate(group):
        first.setdefault(int(g), i)
    for g, i in first.items():
        for k in range(1, len(layers)):
            for j in range(layers[k]):
                model.u[g, k, j].set_value(float(acts[k - 1][i, j]))
                if k >= 2:
                    W = weights[k - 1][0]
                    for l in range(layers[k - 1]):
                        model.s[g, k, j, l].set_value(float(W[j, l] * acts[k - 2][i, l]))


def threshold_rule(w, lam, names: Sequence[str], tol: float = 0.0) -> str:
    """Read a binary-input threshold unit ``1[w . u >= lam]`` as a minimal sum-of-products logical rule.

    Enumerates the truth table over the unit's binary inputs (``names``) and returns a disjunction of prime
    implicants (a greedy cover; exact for the few inputs of a small BNN), e.g. ``"h1 ∧ ¬h3 ∨ h2"``.
    """
    w = np.asarray(w, dtype=float)
    n = w.size
    if len(names) != n:
        raise ValueError(f"names must have {n} entries")
    if n > 10:
        raise ValueError("threshold_rule enumerates the truth table; at most 10 inputs")
    patterns = np.array(list(itertools.product((0, 1), repeat=n)), dtype=int)
    ones = {tuple(p) for p in patterns if p @ w >= lam - tol}
    if not ones:
        return "false"
    if len(ones) == 2 ** n:
        return "true"
    # candidate implicants: terms over {0, 1, None}^n all of whose minterms are ones
    implicants = []
    for term in itertools.product((0, 1, None), repeat=n):
        free = [i for i, t in enumerate(term) if t is None]
        cover = set()
        ok = True
        for bits in itertools.product((0, 1), repeat=len(free)):
            p = list(term)
            for i, b in zip(free, bits, strict=True):
                p[i] = b
            if tuple(p) not in ones:
                ok = False
                break
            cover.add(tuple(p))
        if ok:
            implicants.append((term, cover))
    # keep prime ones (not contained in a larger implicant), then cover greedily (largest first, stable order)
    primes = [(t, c) for t, c in implicants if not any(c < c2 for _, c2 in implicants)]
    primes.sort(key=lambda tc: (-len(tc[1]), str(tc[0])))
    left, chosen = set(ones), []
    while left:
        t, c = max(primes, key=lambda tc: len(tc[1] & left))
        chosen.append(t)
        left -= c

    def lit(t):
        parts = [names[i] if v == 1 else f"¬{names[i]}" for i, v in enumerate(t) if v is not None]
        return " ∧ ".join(parts) if parts else "true"

    return " ∨ ".join(f"({lit(t)})" if len(chosen) > 1 and sum(v is not None for v in t) > 1 else lit(t)
                      for t in chosen)
