"""Experiments 1 and 2 of Thorbjarnarson & Yorke-Smith (2021) on UCI Adult (notebook 02): one run, the authors'
reference numbers, aggregation, the reproduction table and the figures.

Sampling is :func:`mipnn.data.adult_split` (the authors' protocol: shuffle with ``random_state``, 20 % validation
hold-out, the first ``N`` of the rest, the full test file).

:func:`run_experiment` is the function handed to :func:`mipnn.experiments.run_sweep`: one call trains one network
(``objective`` one of the three MIP objectives or ``"gd_nn"`` for the straight-through baseline) and returns
JSON-ready results. The authors' own results (5 seeds, Gurobi 9.0.1 on 8 cores, 10 h limit) are read by
:func:`load_reference` from ``data/reference/thorbjarnarson_adult_reference_runs.csv``.
"""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..backends import translate_options
from ..data import SCALINGS, adult_split
from ..exceptions import NoSolutionError
from ..numerics import one_hot
from ..paths import reference_file
from ..signnet import (
    EPSILON,
    OBJECTIVES,
    STAGES,
    STARTS,
    TIE_RULES,
    final_stage,
    mip_start,
    objective_target,
    predict_index,
    sign_forward,
    tied,
    train_sign_net,
    train_ste,
)
from ..validation import check_choice, check_int_sequence, check_random_state
from ..verdict import CATEGORIES, Side, verdict

__all__ = ["METHODS", "run_experiment", "score_network", "sweep_grid", "rescore_record", "LEGACY_SCALING",
           "prefer_scaling", "verdict_grid", "train_test_table", "verdict_changes", "SHORT", "PAPER_LIMIT_S",
           "SCALINGS", "TIE_RULES", "load_reference", "aggregate_runs", "reproduction_table",
           "deterministic_view", "LIMIT_REASONS", "PAPER_STOPS", "majority_share", "plot_vs_reference",
           "summary_points", "points_frame", "reproduction_from_summary", "verdict_counts", "STAGES", "credit",
           "credit_table", "runtime_by_P", "status_rows", "REFERENCE_CSV", "LABELS"]

METHODS = (*OBJECTIVES, "gd_nn")
#: The authors' results per objective, P and N (means and standard deviations over their 5 seeds).
REFERENCE_CSV = "thorbjarnarson_adult_reference_runs.csv"
LABELS = {"max_correct": "max-correct", "min_hinge": "min-hinge", "sat_margin": "sat-margin", "gd_nn": "GD (STE)"}


def _pm_one_hot(y: np.ndarray) -> np.ndarray:
    """±1 Adult labels as the ±1 one-hot matrix of the sign networks (column 1 = '>50K')."""
    return one_hot((np.asarray(y) > 0).astype(int), 2, off=-1.0)


def _accuracy(scores: np.ndarray, y: np.ndarray, ties: str = "lowest", random_state=None) -> float:
    return float(np.mean(predict_index(scores, ties, random_state) == (np.asarray(y) > 0).astype(int)))


def score_network(weights, sample, *, tol: float, random_state: int, ties: str = "random") -> dict[str, Any]:
    """Accuracies (%) of a sign network on the training, validation and test parts of ``sample`` (a
    :class:`~mipnn.data.Split`), as the paper scores them: the class of the larger output, ties broken by ``ties``
    (:data:`~mipnn.signnet.TIE_RULES`; ``"random"``: seeded by ``random_state``, the generator reseeded for each
    part as in the authors' code). Also returned: the accuracies with ties to the lowest class index
    (``*_acc_lowest``, the earlier rule of this package, which hands every tie to ``<=50K``, the majority class),
    how many points of each part tie (``train_ties``, ``test_ties``), and ``test_trivial``: whether the network
    carries no information on the test set (every test point that does not tie gets the same class).
    ``tol`` is the hidden units' threshold (:func:`~mipnn.signnet.sign_forward`)."""
    check_choice("ties", ties, TIE_RULES)
    random_state = check_random_state(random_state, allow_none=False)
    out: dict[str, Any] = {}
    for part in ("train", "val", "test"):
        X, y = getattr(sample, f"X_{part}"), getattr(sample, f"y_{part}")
        s = sign_forward(X, weights, tol)[-1]
        out[f"{part}_acc"] = 100 * _accuracy(s, y, ties, random_state)
        out[f"{part}_acc_lowest"] = 100 * _accuracy(s, y)
        tie = tied(s)
        if part != "val":
            out[f"{part}_ties"] = int(tie.sum())
        if part == "test":
            out["test_trivial"] = bool(np.unique(np.argmax(s[~tie], axis=1)).size <= 1)
    return out


def run_experiment(objective: str, P: int, N: int, random_state: int, *, time_limit: float = 60.0,
                   hidden: Sequence[int] = (16,), target_accuracy: float | None = 0.9,
                   symmetry_breaking: bool = True, tight_big_m: bool = True, start: str | None = None,
                   stop_rule: str = "authors",
                   solver_options: dict | None = None, max_epochs: int = 10_000,
                   one_sided: bool = False, solver: str = "highs", scaling: str = "authors",
                   ties: str = "random") -> dict[str, Any]:
    """Train one network on ``adult_split(N, random_state, scaling=scaling)`` and report accuracies (%), runtime and
    how it stopped.

    ``scaling`` is the input scaling (:data:`~mipnn.data.SCALINGS`: ``"authors"``, min-max over train and test
    rounded to 4 decimals, or ``"train"``); accuracies come from :func:`score_network` with the tie rule ``ties``
    (the authors' ``"random"``, seeded by ``random_state``), which also reports the ties and the lowest-index rule.

    ``objective="gd_nn"`` trains the straight-through baseline (seeded by ``random_state``, ``max_epochs``,
    ``time_limit``);
    the others solve the MIP with the early-stop target ``target_accuracy``. ``runtime`` is the solver's (or
    the gradient loop's) wall time; ``build_time`` the model construction. ``one_sided`` drops (22) of
    sat-margin (see :func:`~mipnn.signnet.build_sign_net`). ``start="ste"`` adds a MIP
    start from the baseline (its training time is reported in ``start_time`` and included in ``runtime``);
    ``start="search"`` improves that start by the local search of :mod:`mipnn.signnet.search` with
    the MIP's own objective until it meets the target, and hands the rest of ``time_limit`` to the MIP (both
    times are included in ``runtime``). ``stop_rule`` is min-hinge's stopping threshold (the authors' by default).
    When the limit strikes before HiGHS has any incumbent, the run is reported with ``stop_reason="no_solution"``
    and no accuracies. ``solver`` is the MIP backend; HiGHS-named work limits in ``solver_options`` are translated
    (:func:`mipnn.backends.translate_options`).
    """
    check_choice("objective", objective, METHODS)
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    check_choice("start", start, STARTS)
    check_choice("scaling", scaling, SCALINGS)
    check_choice("ties", ties, TIE_RULES)
    sample = adult_split(N, random_state, scaling=scaling)
    Y = _pm_one_hot(sample.y_train)
    # the machine's load when the run started: limits are wall-clock, so a loaded machine stops runs earlier
    out: dict[str, Any] = {"load_1min": float(os.getloadavg()[0])}
    if objective == "gd_nn":
        fit = train_ste(sample.X_train, Y, hidden=hidden, P=P, max_epochs=max_epochs, time_limit=time_limit,
                        random_state=random_state)
        weights = fit.weights
        tol = 0.0  # a gradient-trained network: the plain rule a ≥ 0
        out.update(runtime=fit.wall_time, build_time=0.0, stop_reason=fit.stop_reason, epochs=fit.epochs,
                   objective_value=float(fit.losses[-1]), bound=None, gap=None, node_count=None,
                   guaranteed_train_acc=None)
    else:
        mstart = mip_start(sample.X_train, Y, start, objective=objective, hidden=hidden, P=P,
                           time_limit=time_limit, target_accuracy=target_accuracy, stop_rule=stop_rule,
                           random_state=random_state)
        start_time = 0.0 if mstart is None else mstart.wall_time
        solve_limit = time_limit if mstart is None else mstart.solve_limit(time_limit)
        search = None if mstart is None else mstart.search
        try:
            fit = train_sign_net(
                sample.X_train, Y, hidden=hidden, P=P, objective=objective, time_limit=solve_limit,
                target_accuracy=target_accuracy, symmetry_breaking=symmetry_breaking, tight_big_m=tight_big_m,
                start_weights=None if mstart is None else mstart.weights,
                options=translate_options(solver_options, solver), one_sided=one_sided, stop_rule=stop_rule,
                solver=solver)
        except NoSolutionError as err:  # the limit struck before any incumbent: a result, not a crash
            r = err.record  # None when the limit struck while the model was built (no solve started)
            solve_time = 0.0 if r is None else r.wall_time
            return dict(load_1min=out["load_1min"], runtime=solve_time + start_time, solve_time=solve_time,
                        start_time=start_time, build_time=None, stop_reason="no_solution", objective_value=None,
                        bound=getattr(r, "bound", None), gap=None, node_count=getattr(r, "node_count", None),
                        guaranteed_train_acc=None, n_variables=getattr(r, "n_variables", None),
                        n_constraints=getattr(r, "n_constraints", None),
                        status="build_time_limit" if r is None else r.status, train_acc=None, val_acc=None,
                        test_acc=None, weights=None)
        weights = fit.weights
        tol = EPSILON / 2  # the middle of the band (−ε, 0) that the MIP keeps empty
        r = fit.record
        out.update(runtime=r.wall_time + start_time, solve_time=r.wall_time, start_time=start_time,
                   build_time=fit.build_time, stop_reason=fit.stop_reason, objective_value=r.objective, bound=r.bound,
                   gap=r.gap, node_count=r.node_count, objective_target=fit.objective_target,
                   guaranteed_train_acc=100 * fit.guaranteed_train_accuracy,
                   recomputed_objective=fit.recomputed_objective, n_variables=r.n_variables,
                   n_constraints=r.n_constraints, status=r.status)
        if search is not None:
            out.update(search_time=search.wall_time, search_passes=search.passes,
                       search_reached_target=search.reached_target, search_objective=search.objective)
    out.update(score_network(weights, sample, tol=tol, random_state=random_state, ties=ties),
               weights=[[W.astype(int).tolist(), b.astype(int).tolist()] for W, b in weights])
    return out


def sweep_grid(objectives: Sequence[str], P_values: Sequence[int], sample_sizes: Sequence[int],
               random_states: Sequence[int], *, time_limit: float, hidden: Sequence[int],
               solver_options: dict | None = None, start: str | None = None, stop_rule: str = "authors",
               solver: str = "highs", scaling: str = "authors") -> list[dict[str, Any]]:
    """The parameter dicts of notebook 02's sweep (handed to :func:`mipnn.experiments.run_sweep` with
    :func:`run_experiment`): every objective with ``P = 1`` and sat-margin with every ``P`` (Experiments 1 and 2),
    each N and seed. ``start`` and ``solver`` appear only when not the default and ``stop_rule`` only for min-hinge
    (so a run's key is the one earlier sweeps stored); the gradient baseline takes only the limit, the hidden widths
    and the scaling. ``scaling`` is recorded in every run: runs on another scaling are other runs."""
    for o in objectives:
        check_choice("objectives", o, METHODS)
    check_choice("start", start, STARTS)
    check_choice("scaling", scaling, SCALINGS)
    common = dict(time_limit=float(time_limit), hidden=list(hidden), solver_options=dict(solver_options or {}),
                  **({"start": start} if start else {}), **({"solver": solver} if solver != "highs" else {}))
    grid = []
    for obj in objectives:
        Ps = list(P_values) if obj == "sat_margin" else [1]
        rule = {"stop_rule": stop_rule} if obj == "min_hinge" else {}  # the only objective with two stop rules
        params = (dict(time_limit=float(time_limit), hidden=list(hidden)) if obj == "gd_nn"
                  else dict(common, **rule))
        grid += [dict(objective=obj, P=p, N=n, random_state=s, scaling=scaling, **params)
                 for p in Ps for n in sample_sizes for s in random_states]
    return grid


#: The scaling of runs stored before the scaling was a parameter: training statistics, no rounding.
LEGACY_SCALING = "train"
_ACCURACIES = ("train_acc", "val_acc", "test_acc")


def rescore_record(record: dict[str, Any], *, ties: str = "random") -> dict[str, Any]:
    """A stored run (one line of a :class:`~mipnn.experiments.ResultStore` of :func:`run_experiment`) scored again
    from its stored weights by :func:`score_network` with the tie rule ``ties`` — no solve.

    A run stored before ``scaling`` was a parameter gets ``scaling="train"`` (:data:`LEGACY_SCALING`, what it was
    trained and scored on) and the key of its new parameters; its earlier accuracies move to
    ``record["rescored"]["before"]``. They must equal the lowest-index rule on the same inputs (that was the rule
    then), otherwise ``ValueError``: the stored network would not be the one that was scored. A run without a
    network (``no_solution``) is returned with the scaling added and its result unchanged.
    """
    from .store import run_key

    params = dict(record["params"])
    params.setdefault("scaling", LEGACY_SCALING)
    result = dict(record.get("result") or {})
    out = dict(record, params=params, key=run_key(params), result=result)
    if result.get("weights") is None:
        return out
    weights = [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)) for W, b in result["weights"]]
    sample = adult_split(int(params["N"]), int(params["random_state"]), scaling=params["scaling"])
    tol = 0.0 if params["objective"] == "gd_nn" else EPSILON / 2
    new = score_network(weights, sample, tol=tol, random_state=int(params["random_state"]), ties=ties)
    before = {k: result[k] for k in _ACCURACIES if k in result}
    if "rescored" not in record:  # first rescoring: the stored numbers were the lowest-index rule's
        bad = {k: (v, new[f"{k}_lowest"]) for k, v in before.items()
               if v is not None and abs(float(v) - new[f"{k}_lowest"]) > 1e-9}
        if bad:
            raise ValueError(f"run {record.get('key')} ({params}): its stored weights do not give its stored "
                             f"accuracies under the lowest-index rule: {bad}")
        out["rescored"] = {"ties": ties, "before": before,
                           "why": "accuracies recomputed from the stored weights with the authors' tie rule "
                                  "(random, seeded by random_state); before: ties to the lowest class index"}
    result.update(new)
    return out


def prefer_scaling(runs: pd.DataFrame, scaling: str = "authors") -> pd.DataFrame:
    """The runs of a store with one scaling per point: where every run of a point (objective, P, N, start) exists on
    ``scaling``, those runs; elsewhere the point's runs on the other scaling. Column ``scaling`` says which (runs
    stored before the scaling was a parameter count as :data:`LEGACY_SCALING`). A partly finished point keeps its
    other runs, so no point mixes scalings."""
    check_choice("scaling", scaling, SCALINGS)
    if runs.empty:
        return runs
    r = runs.copy()
    r["scaling"] = r["scaling"].fillna(LEGACY_SCALING) if "scaling" in r else LEGACY_SCALING
    if "start" not in r:
        r["start"] = None
    point = ["objective", "P", "N", r["start"].fillna("-").rename("start_")]
    seeds = r.groupby([r["scaling"], *point])["random_state"].agg(frozenset)
    keep = []
    for (sc, *key), states in seeds.items():
        other = seeds.get((LEGACY_SCALING if sc == scaling else scaling, *key))
        if sc == scaling:
            keep.append(other is None or states >= other)
        else:
            keep.append(other is None or not other >= states)
    chosen = {(sc, *key) for (sc, *key), k in zip(seeds.index, keep, strict=True) if k}
    mask = [tuple(x) in chosen for x in zip(r["scaling"], r["objective"], r["P"], r["N"], r["start"].fillna("-"),
                                              strict=True)]
    return r[mask].reset_index(drop=True)


def load_reference(path=None) -> pd.DataFrame:
    """The authors' results: one row per objective, P, N (means/std over 5 seeds; accuracies in %, seconds)."""
    df = pd.read_csv(reference_file(REFERENCE_CSV) if path is None else path)
    expected = {"objective", "P", "N", "n_seeds", "train_acc_mean", "train_acc_std", "test_acc_mean",
                "test_acc_std", "runtime_s_mean", "runtime_s_max"}
    missing = expected - set(df.columns)
    if missing:
        raise ValueError(f"reference file lacks the columns {sorted(missing)}")
    return df


#: Stop reasons that end a run by a limit on work or time rather than by the 90 % cut-off or optimality.
LIMIT_REASONS = ("time_limit", "work_limit", "iteration_limit", "interrupted", "no_solution")
#: How a run may end under the authors' own rules: the MIPs at the 90 % cut-off (or optimal), the gradient baseline
#: at its loss cut-off, when the loss stops moving, or after its 10,000 epochs.
PAPER_STOPS = {"mip": ("target", "optimal"), "gd_nn": ("target", "converged", "max_epochs")}


def majority_share(features=None, split: str = "test") -> float:
    """Accuracy (%) of the trivial predictor that always answers the majority class of Adult's ``split`` ("test":
    the 16,281 test records, 76.38 %; "train": the training file)."""
    check_choice("split", split, ("test", "train"))
    if features is None:  # the default features: parsed once per process (figures and tables ask often)
        return _default_majority_share(split)
    y = features.y_test if split == "test" else features.y_train
    return float(100 * max(np.mean(y > 0), np.mean(y <= 0)))


@functools.lru_cache(maxsize=2)
def _default_majority_share(split: str) -> float:
    from ..data import load_adult_features

    return majority_share(load_adult_features(), split)


def _met_paper_rule(objective: str, reason, value=None, N=None) -> bool:
    """Whether a run ended under the authors' own rule. A min-hinge run stopped by the looser accuracy-derived
    threshold (``stop_rule="accuracy"``) met the authors' rule only if its loss is also below theirs."""
    if reason not in PAPER_STOPS["gd_nn" if objective == "gd_nn" else "mip"]:
        return False
    if objective == "min_hinge" and reason == "target" and value is not None and N is not None \
            and not (isinstance(value, float) and math.isnan(value)):
        return bool(value <= objective_target("min_hinge", int(N), 0.9, stop_rule="authors"))
    return True


def _trivial(v: pd.DataFrame, share: float) -> pd.Series:
    """Per run: a trivial predictor on the test set (``test_trivial`` where recorded, else the majority share)."""
    by_share = v["test_acc"].astype(float).sub(share).abs() < 1e-6
    if "test_trivial" not in v:
        return by_share
    flag = v["test_trivial"]
    return flag.where(flag.notna(), by_share).astype(bool)


def aggregate_runs(runs: pd.DataFrame, *, trivial: float | None = None) -> pd.DataFrame:
    """Per (objective, P, N): mean and sample standard deviation (ddof = 1; NaN for one run) of the train/test
    accuracy (%) over our runs, runtime (s), stop-reason counts, ``limit_runs`` (runs that ended on our limit, or
    by a looser rule, rather than by the authors' stopping rule), ``trivial_runs`` (runs that carry no information
    on the test set: ``test_trivial`` of :func:`score_network` where the run recorded it — every test record that
    does not tie gets one class — and otherwise a test accuracy equal to the majority-class share,
    :func:`majority_share`, i.e. one class for every record; ``trivial`` overrides the share) and, where the runs
    recorded them, ``test_ties_mean`` (test records whose two outputs tie, mean over the runs)."""
    if runs.empty:
        return pd.DataFrame()
    share = majority_share() if trivial is None else float(trivial)
    keys = ["objective", "P", "N"]
    g = runs.groupby(keys, sort=True)
    agg = g.agg(n_seeds=("random_state", "nunique"), train_acc_mean=("train_acc", "mean"),
                train_acc_std=("train_acc", lambda v: float(v.astype(float).std(ddof=1))),
                test_acc_mean=("test_acc", "mean"),
                test_acc_std=("test_acc", lambda v: float(v.astype(float).std(ddof=1))),
                runtime_s_mean=("runtime", "mean"), runtime_s_max=("runtime", "max")).reset_index()
    def values(v):  # the final objective of each run, where recorded
        return v["objective_value"] if "objective_value" in v else [None] * len(v)

    rows = []
    for k, v in g:
        rows.append({"objective": k[0], "P": k[1], "N": k[2],
                     "stop_reasons": {str(r): int(c) for r, c in sorted(v["stop_reason"].value_counts().items())},
                     "limit_runs": int(sum(not _met_paper_rule(k[0], r, o, k[2]) for r, o in
                                           zip(v["stop_reason"], values(v), strict=True))),
                     "trivial_runs": int(_trivial(v, share).sum())}
                    | ({"test_ties_mean": float(v["test_ties"].astype(float).mean())} if "test_ties" in v else {}))
    out = agg.merge(pd.DataFrame(rows), on=keys)
    out.attrs["trivial"] = share
    return out


def _verdict_runtime(row) -> str:
    if pd.isna(row["runtime_paper"]):
        return "no reference"
    if row["limit_runs"]:
        return (f"cut-off NOT reached in {row['limit_runs']} run(s) (stopped by our limit); paper reached it in "
                f"{row['runtime_paper']:.3g} s on average")
    ratio = row["runtime_ours"] / max(row["runtime_paper"], 1e-9)
    return "faster than paper" if ratio < 1 else f"{ratio:.3g}× paper's runtime"


#: The authors' time limit (s): a run with this runtime returned Gurobi's incumbent, not a network at the cut-off.
PAPER_LIMIT_S = 36_000.0


def _at_limit(mean, most) -> str:
    """How many of the authors' runs of a point ended at their 10 h limit, from the mean and max runtime."""
    if pd.isna(mean) or pd.isna(most):
        return ""
    if mean >= PAPER_LIMIT_S - 1:
        return "all"
    return "some" if most >= PAPER_LIMIT_S - 1 else "none"


def reproduction_table(ours: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Paper vs ours per (objective, P, N) present in ``ours`` (from :func:`aggregate_runs`), with the verdict of
    :func:`mipnn.verdict.verdict` on test accuracy (columns ``verdict`` and ``verdict_accuracy``). Training
    accuracies of both sides stand beside the test ones, ``paper_at_10h`` says whether none, some or all of the
    authors' runs of the point ended at their 10 h limit (their network is then Gurobi's incumbent, not the first
    one to meet the cut-off), and ``test_ties_ours`` the mean number of tied test records where recorded."""
    ref = load_reference() if reference is None else reference
    if ours.empty:
        return pd.DataFrame()
    m = ours.merge(ref, on=["objective", "P", "N"], suffixes=("_ours", "_paper"), how="left")
    table = pd.DataFrame({
        "objective": m["objective"], "P": m["P"], "N": m["N"], "seeds ours/paper": m["n_seeds_ours"].astype(str)
        + "/" + m["n_seeds_paper"].fillna(0).astype(int).astype(str),
        "train_acc_paper": m["train_acc_mean_paper"], "train_acc_ours": m["train_acc_mean_ours"],
        "test_acc_paper": m["test_acc_mean_paper"], "test_acc_std_paper": m["test_acc_std_paper"],
        "test_acc_ours": m["test_acc_mean_ours"], "test_acc_std_ours": m["test_acc_std_ours"],
        "runtime_paper": m["runtime_s_mean_paper"], "runtime_ours": m["runtime_s_mean_ours"],
        "paper_at_10h": [_at_limit(a, b) for a, b in zip(m["runtime_s_mean_paper"], m["runtime_s_max_paper"],
                                                          strict=True)],
        "stop_reasons": m["stop_reasons"], "limit_runs": m["limit_runs"], "trivial_runs": m["trivial_runs"],
    })
    if "test_ties_mean" in m:
        table.insert(table.columns.get_loc("test_acc_std_ours") + 1, "test_ties_ours", m["test_ties_mean"])
    trivial = ours.attrs.get("trivial")
    verdicts = [verdict(Side(r["test_acc_paper"], r["test_acc_std_paper"], int(n_p)),
                        Side(r["test_acc_ours"], r["test_acc_std_ours"], int(n_o)),
                        limit_runs=int(r["limit_runs"]), trivial=trivial, trivial_runs=int(r["trivial_runs"]))
                for (_, r), n_p, n_o in zip(table.iterrows(), m["n_seeds_paper"].fillna(0), m["n_seeds_ours"],
                                            strict=True)]
    table["verdict"] = [v.category for v in verdicts]
    table["verdict_accuracy"] = [v.text for v in verdicts]
    table["verdict_runtime"] = [_verdict_runtime(r) for _, r in table.iterrows()]
    return table


#: Short verdict names for the page-width grids of :func:`verdict_grid`.
SHORT = {"no reference": "no ref", "no result": "none", "stopped by our limit": "limit", "trivial predictor": "trivial",
         "short": "short", "above": "above", "inconclusive": "inconcl.", "reproduced": "REPRO"}


def _row_label(objective: str, P) -> str:
    return f"{LABELS.get(objective, objective)} P={int(P)}"


def verdict_grid(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`reproduction_table` as a page-width grid: one row per objective and P, one column per N, the
    verdict's short name (:data:`SHORT`) in each cell."""
    t = table.assign(row=[_row_label(o, P) for o, P in zip(table["objective"], table["P"], strict=True)],
                     short=table["verdict"].map(SHORT))
    order = list(dict.fromkeys(t.sort_values(["objective", "P"])["row"]))
    return t.pivot(index="row", columns="N", values="short").reindex(order).fillna("")


def _joined(values) -> str:
    return " / ".join("-" if pd.isna(v) else f"{v:.1f}" for v in values)


def train_test_table(tables: dict[str, pd.DataFrame], *, min_N: int = 200) -> pd.DataFrame:
    """Training beside test accuracy (%) for the points with ``N >= min_N``: the authors' (and whether none, some or
    all of their runs ended at the 10 h limit) and ours from each of ``tables`` (name → :func:`reproduction_table`),
    so a reader sees which networks are compared: theirs may be Gurobi's incumbents after 10 h, ours the first
    network that met the cut-off or the incumbent at our limit. Page-width: the accuracies of the sources are
    joined in one column ("paper / name1 / name2", also in ``attrs["order"]``), the verdicts ("name1 / name2") in
    short form (:data:`SHORT`)."""
    first = next(iter(tables.values()))
    out = first[first["N"] >= min_N][["objective", "P", "N", "paper_at_10h", "train_acc_paper", "test_acc_paper"]]
    for name, t in tables.items():
        part = t[["objective", "P", "N", "train_acc_ours", "test_acc_ours", "verdict"]].rename(columns={
            "train_acc_ours": f"train {name}", "test_acc_ours": f"test {name}", "verdict": f"verdict {name}"})
        out = out.merge(part, on=["objective", "P", "N"], how="left")
    out = pd.DataFrame({
        "point": [f"{_row_label(o, P)} N={int(n)}" for o, P, n in zip(out["objective"], out["P"], out["N"],
                                                                       strict=True)],
        "paper 10 h": out["paper_at_10h"],
        "train %": [_joined(r) for r in out[["train_acc_paper"] + [f"train {k}" for k in tables]]
                    .itertuples(index=False)],
        "test %": [_joined(r) for r in out[["test_acc_paper"] + [f"test {k}" for k in tables]]
                   .itertuples(index=False)],
        "verdict": [" / ".join(SHORT.get(v, "-") for v in r) for r in
                    out[[f"verdict {k}" for k in tables]].itertuples(index=False)],
    })
    out.attrs["order"] = "paper / " + " / ".join(tables)  # the order of the joined columns
    return out


def verdict_changes(before: pd.DataFrame, after: pd.DataFrame, *, names=("before", "after")) -> pd.DataFrame:
    """The points whose verdict differs between two :func:`reproduction_table` results: the authors' and both of
    our test accuracies (%), both numbers of trivial runs and both verdicts (page-width column names)."""
    keys = ["objective", "P", "N"]
    m = before[keys + ["test_acc_paper", "test_acc_ours", "trivial_runs", "verdict"]].merge(
        after[keys + ["test_acc_ours", "trivial_runs", "verdict"]], on=keys, suffixes=("_a", "_b"))
    m = m[m["verdict_a"] != m["verdict_b"]]
    a, b = names
    return pd.DataFrame({
        "point": [f"{_row_label(o, P)} N={int(n)}" for o, P, n in zip(m["objective"], m["P"], m["N"], strict=True)],
        "test paper": m["test_acc_paper"].round(2), f"test {a}": m["test_acc_ours_a"].round(2),
        f"test {b}": m["test_acc_ours_b"].round(2), f"trivial {a}/{b}": [f"{x}/{y}" for x, y in zip(
            m["trivial_runs_a"], m["trivial_runs_b"], strict=True)],
        f"verdict {a}": m["verdict_a"].map(SHORT), f"verdict {b}": m["verdict_b"].map(SHORT)}).reset_index(drop=True)


def _stage(r) -> str:
    return final_stage(objective=r["objective"], start=r.get("start"), stop_reason=r.get("stop_reason"),
                       search_objective=r.get("search_objective"), final_objective=r.get("objective_value"),
                       search_reached_target=bool(r.get("search_reached_target")),
                       search_passes=int(0 if pd.isna(r.get("search_passes") or 0) else r.get("search_passes") or 0))


def credit(runs: pd.DataFrame) -> pd.DataFrame:
    """Per MIP run, which stage produced the final network (:data:`STAGES`) and how the time was spent.

    With ``start="search"`` the STE network and the local search come first (``start_time``), then HiGHS
    (``solve_time``): the search "met the target" when HiGHS only had to confirm it; "MIP improved the start"
    means HiGHS's final objective beats the search's (by ``mip_gain`` objective units); "kept" means it does not.
    """
    mip = runs[runs["objective"] != "gd_nn"].copy()
    if mip.empty:
        return pd.DataFrame(columns=["objective", "P", "N", "random_state", "stage", "mip_gain"])
    mip["stage"] = [_stage(r) for r in mip.to_dict("records")]
    sign = np.where(mip["objective"] == "min_hinge", -1.0, 1.0)
    found = mip["search_objective"] if "search_objective" in mip else np.nan
    mip["mip_gain"] = sign * (mip["objective_value"].astype(float) - pd.to_numeric(found, errors="coerce"))
    for c in ("start_time", "solve_time"):
        if c not in mip:
            mip[c] = np.nan
    return mip[["objective", "P", "N", "random_state", "stage", "mip_gain", "start_time", "solve_time", "runtime",
                "stop_reason"]].reset_index(drop=True)


def credit_table(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`credit` counted per (objective, P, N): runs per stage, and the share of the time spent before HiGHS."""
    c = credit(runs)
    counts = c.groupby(["objective", "P", "N", "stage"]).size().unstack("stage", fill_value=0)
    counts = counts[[s for s in STAGES if s in counts.columns]]
    share = c.groupby(["objective", "P", "N"]).apply(
        lambda g: float(g["start_time"].fillna(0).sum() / max(g["runtime"].sum(), 1e-12)), include_groups=False)
    counts["start_share_of_time"] = share.round(3)
    return counts.reset_index()


def runtime_by_P(ours: pd.DataFrame, reference: pd.DataFrame | None = None, *, objective: str = "sat_margin",
                 min_N: int = 150) -> pd.DataFrame:
    """Experiment 2's finding checked: mean runtime (s) per weight range P for ``N > min_N``, ours against the
    authors', with the share of our runs that met the authors' stopping rule (a run stopped by our limit has the
    limit as its runtime, so a low share means the mean understates the time that rule would take)."""
    ref = load_reference() if reference is None else reference
    rows = []
    for P, g in ours[(ours["objective"] == objective) & (ours["N"] > min_N)].groupby("P"):
        r = ref[(ref["objective"] == objective) & (ref["P"] == P) & (ref["N"] > min_N)]
        n_runs = int(g["n_seeds"].sum())
        rows.append({"P": int(P), "N": f"{int(g['N'].min())}-{int(g['N'].max())}",
                     "runtime_ours_s": float(g["runtime_s_mean"].mean()),
                     "runs_at_paper_rule": f"{n_runs - int(g['limit_runs'].sum())}/{n_runs}",
                     "runtime_paper_s": float(r["runtime_s_mean"].mean()) if len(r) else float("nan")})
    return pd.DataFrame(rows)


PAPER_NAME = "Thorbjarnarson & Y.-S."


def _counts_text(table: pd.DataFrame) -> str:
    counts = table["verdict"].value_counts()
    return ", ".join(f"{int(counts[c])} {c}" for c in CATEGORIES if c in counts)


def status_rows(default: pd.DataFrame, session: dict[str, pd.DataFrame], credit_runs: pd.DataFrame,
                by_P: pd.DataFrame) -> list[dict[str, str]]:
    """The README rows of notebook 02 (:mod:`mipnn.status`), from the default profile's reproduction table, the
    committed session sweeps' tables (``{"plain HiGHS": ..., "STE + local-search start": ...}``), the credit of the
    search runs (:func:`credit`) and :func:`runtime_by_P` of the search runs."""
    rows = []
    d40 = default[(default["N"] == 40) & (default["P"] == 1)]
    rows.append({"paper": PAPER_NAME,
                 "claim": "test accuracy N = 40, P = 1 (5 seeds): " + ", ".join(
                     f"{LABELS[o]} {v:.1f}" for o, v in zip(d40["objective"], d40["test_acc_paper"], strict=True)),
                 "ours": "default profile, 1 seed: " + ", ".join(
                     f"{LABELS[o]} {v:.1f}" for o, v in zip(d40["objective"], d40["test_acc_ours"], strict=True)),
                 "verdict": _counts_text(d40)})
    for name, table in session.items():
        mip = table[table["objective"] != "gd_nn"]
        n_rep = int((mip["verdict"] == "reproduced").sum())
        rows.append({"paper": PAPER_NAME,
                     "claim": "Figures 1–6: test accuracy over N = 40…280, P ∈ {1, 3, 7, 15} (Gurobi, 8 cores, 10 h, "
                              "stop at the 90 % cut-off)",
                     "ours": f"{name}, session runs (3 seeds, 60 s per solve, 2 cores), {len(mip)} MIP points: "
                             + _counts_text(mip),
                     "verdict": ("short" if n_rep < len(mip) / 2 else "partly") + f": {n_rep} of {len(mip)} points "
                                "reproduced" + (" — by the start, not the MIP (next rows)" if "start" in name else "")})
    gd = next(iter(session.values()))
    gd = gd[gd["objective"] == "gd_nn"]
    rows.append({"paper": PAPER_NAME, "claim": "GD (STE) baseline over N = 40…280",
                 "ours": "session runs, 3 seeds: " + _counts_text(gd),
                 "verdict": f"reproduced at {int((gd['verdict'] == 'reproduced').sum())} of {len(gd)} points"})
    c = credit(credit_runs)
    stages = c["stage"].value_counts()
    by_mip = int(sum(stages.get(s, 0) for s in ("MIP from scratch", "MIP took the start to the target",
                                                  "MIP improved the start")))
    rows.append({"paper": PAPER_NAME, "claim": "(beyond the paper) who trains the network when the MIP gets an STE + "
                                               "local-search start",
                 "ours": ", ".join(f"{int(stages[s])} {s}" for s in STAGES if s in stages) + f" (of {len(c)} runs)",
                 "verdict": (f"the MIP solver produced or improved {by_mip} of {len(c)} networks: the heuristic did "
                             "the training" if 2 * by_mip < len(c) else
                             f"the MIP solver produced or improved {by_mip} of {len(c)} networks")})
    fast = by_P.sort_values("runtime_ours_s")
    paper = by_P.set_index("P")["runtime_paper_s"]
    rows.append({"paper": PAPER_NAME, "claim": "Experiment 2: a larger P solves much faster above 150 samples "
                                               f"(mean {paper.iloc[0]:,.0f} s at P = {int(paper.index[0])} to "
                                               f"{paper.iloc[-1]:,.0f} s at P = {int(paper.index[-1])})",
                 "ours": "with the search start, mean time " + ", ".join(
                     f"P = {int(r.P)}: {r.runtime_ours_s:.0f} s ({r.runs_at_paper_rule} at the rule)"
                     for r in by_P.itertuples()),
                 "verdict": f"not confirmed (fastest P = {int(fast['P'].iloc[0])}, slowest P = "
                            f"{int(fast['P'].iloc[-1])})" if fast["P"].iloc[0] != by_P["P"].max() else
                            f"consistent: P = {int(fast['P'].iloc[0])} fastest"})
    return rows


def summary_points(ours: pd.DataFrame) -> dict[str, dict]:
    """The per-point numbers a summary keeps (from :func:`aggregate_runs`): enough to recompute every verdict."""
    cols = ["n_seeds", "train_acc_mean", "train_acc_std", "test_acc_mean", "test_acc_std", "runtime_s_mean",
            "stop_reasons", "limit_runs", "trivial_runs"]
    return {f"{r['objective']}/P={r['P']}/N={r['N']}": {c: r[c] for c in cols} | {"std_ddof": 1}
            for _, r in ours.iterrows()}


def points_frame(points: dict[str, dict]) -> pd.DataFrame:
    """The inverse of :func:`summary_points`, for a summary written by any version of notebook 02.

    Older summaries stored the population standard deviation (``std_ddof`` absent: ddof = 0) and no
    ``limit_runs``/``trivial_runs``: the standard deviations are rescaled to ddof = 1, ``limit_runs`` is counted
    from the stop reasons, and ``trivial_runs`` is left at 0 (unknown: only the mean is then tested against the
    majority class).
    """
    rows = []
    for key, v in points.items():
        objective, P, N = key.split("/")
        row = {"objective": objective, "P": int(P.removeprefix("P=")), "N": int(N.removeprefix("N=")), **v}
        n = int(v["n_seeds"])
        if v.get("std_ddof", 0) == 0:
            scale = math.sqrt(n / (n - 1)) if n > 1 else float("nan")
            for c in ("train_acc_std", "test_acc_std"):
                row[c] = v[c] * scale if v.get(c) is not None else float("nan")
        if "limit_runs" not in v:
            row["limit_runs"] = int(sum(c for r, c in v["stop_reasons"].items() if not _met_paper_rule(objective, r)))
        row.setdefault("trivial_runs", 0)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["trivial"] = majority_share()
    return out


def reproduction_from_summary(path) -> pd.DataFrame:
    """:func:`reproduction_table` of the points stored in a notebook-02 summary file (e.g. a committed larger run)."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return reproduction_table(points_frame(payload["points"]))


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many points fall in each verdict category, per objective (MIP objectives and the GD baseline)."""
    counts = table.groupby(["objective", "verdict"]).size().unstack("verdict", fill_value=0)
    order = [c for c in CATEGORIES if c in counts.columns]
    counts = counts[order]
    counts["points"] = counts.sum(axis=1)
    return counts


def deterministic_view(table: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """The reproduction table without wall-clock columns, rounded; numbers of limit-stopped points masked.

    Runs stopped by a wall-clock (or, racing it, a node) limit do not repeat exactly, so notebook cells compared on
    re-execution show this view; the full table (with runtimes) is shown in a cell whose output is not compared.
    """
    cols = ["objective", "P", "N", "train_acc_paper", "train_acc_ours", "test_acc_paper", "test_acc_ours",
            "verdict", "verdict_accuracy"]
    out = table[cols].copy()
    limited = [bool(n) for n in table["limit_runs"]]
    for c in ("train_acc_ours", "test_acc_ours"):
        out[c] = [("(limit)" if lim else f"{v:.{decimals}f}") for v, lim in zip(out[c], limited, strict=True)]
    out["verdict_accuracy"] = [("stopped by our limit before the cut-off: not repeatable" if lim else v)
                               for v, lim in zip(out["verdict_accuracy"], limited, strict=True)]
    for c in ("train_acc_paper", "test_acc_paper"):
        out[c] = out[c].round(decimals)
    return out


def plot_vs_reference(ax, ours: pd.DataFrame, reference: pd.DataFrame, metric: str, *, by: str,
                      select: dict[str, Any], values: Sequence[Any], log: bool = False, title: str = ""):
    """Draw ours (solid, markers, ± std band) and the authors' means ± std (dashed) of ``metric`` vs N.

    Our points where a run stopped at our limit before the 90 % cut-off get a hollow marker; accuracy plots get the
    majority-class share as a dotted line (the trivial predictor).

    ``by`` is the column that distinguishes the lines (``"objective"`` or ``"P"``), ``select`` fixes the other
    (e.g. ``{"P": 1}``), ``metric`` one of ``train_acc``, ``test_acc``, ``runtime_s``.
    """
    import matplotlib.pyplot as plt

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, v in enumerate(values):
        col = colors[i % len(colors)]
        label = LABELS.get(v, v) if by == "objective" else f"P = {v}"
        for df, style, who in ((reference, "--", "paper"), (ours, "-", "ours")):
            if df is None or df.empty:
                continue
            sub = df[(df[by] == v)]
            for k, val in select.items():
                sub = sub[sub[k] == val]
            sub = sub.sort_values("N")
            if sub.empty:
                continue
            y = sub[f"{metric}_mean"].to_numpy(dtype=float)
            std_col = f"{metric}_std"
            ax.plot(sub["N"], y, style, color=col, marker="o" if who == "ours" else None, ms=4,
                    alpha=1.0 if who == "ours" else 0.75, label=f"{label} ({who})")
            if who == "ours" and v != "gd_nn" and ("limit_runs" in sub or "stop_reasons" in sub):
                hit = (sub["limit_runs"].to_numpy() > 0 if "limit_runs" in sub else
                       np.array([isinstance(r, dict) and any(r.get(k) for k in LIMIT_REASONS)
                                 for r in sub["stop_reasons"]]))
                if hit.any():  # white centre: at least one run stopped by our limit before the cut-off
                    ax.plot(sub["N"][hit], y[hit], "o", ms=7, mfc="white", mec=col, zorder=5)
            if std_col in sub:
                s = sub[std_col].to_numpy(dtype=float)
                ax.fill_between(sub["N"], y - s, y + s, color=col, alpha=0.12 if who == "ours" else 0.06)
    if metric in ("train_acc", "test_acc"):  # the trivial predictor: always the majority class
        share = majority_share(split="test" if metric == "test_acc" else "train")
        ax.axhline(share, color="0.4", lw=1, ls=":", label=f"majority class ({share:.1f} %)")
    ax.set_xlabel("training samples N")
    ax.set_ylabel({"train_acc": "training accuracy (%)", "test_acc": "test accuracy (%)",
                   "runtime_s": "runtime (s)"}[metric])
    if log:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    return ax
