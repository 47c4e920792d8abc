"""Notebook 02 (Thorbjarnarson & Yorke-Smith) at the paper's scale, from its committed stores: the registered
figures (Figures 1–6 of both session sweeps, the credit of the search start, the time to the cut-off) and the
browser of the committed runs by objective, P and N.

Stores (under ``results/``; reading never solves):

* ``02_mip_training_adult/runs_session.jsonl`` — every run of the session profile (the full N grid, 3 seeds, 60 s
  per solve): the plain MIP (the paper's method) and the MIP with the STE + local-search start;
* ``benchmarks/bench_02_search_scaling.csv`` — the time to the 90 % cut-off with the search start
  (``benchmarks/bench_02_time_to_cutoff.py``).

Registered figures (:mod:`mipnn.figures`, notebook ``02_mip_training_adult``): ``fig1_train_accuracy_session`` …
``fig6_runtime_P_session`` (plain MIP), the same six with ``_session_search`` (search start),
``credit_session_search`` and ``fig7_time_to_cutoff_search``.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..figures import register, store_path
from . import adult as ae

__all__ = ["NB", "COMMANDS", "SWEEPS", "SUFFIX", "session_runs", "sweep_runs", "draw_vs_reference",
           "experiment1", "experiment2", "browse_options", "browse_point"]

NB = "02_mip_training_adult"
_RUNS = f"{NB}/runs_session.jsonl"
_SEARCH_CSV = "benchmarks/bench_02_search_scaling.csv"
#: The command that fills each store (quoted where a store is missing).
COMMANDS = {
    "session": ("python benchmarks/run_02_session.py sweep  (or: papermill -p profile session -p n_jobs 2 --cwd "
                "notebooks notebooks/02_mip_training_adult.ipynb results/02_mip_training_adult/executed_session.ipynb"
                "; again with -p start search)"),
    "search_scaling": "python benchmarks/bench_02_time_to_cutoff.py",
}
#: The two session sweeps: the plain MIP (the paper's method) and the MIP started by STE + local search.
SWEEPS = {"plain": "plain HiGHS, session runs: 3 seeds, 60 s, 2 cores",
          "search": "HiGHS + STE/local-search start, session runs: 3 seeds, 60 s"}
#: The file-name suffix of each sweep's figures.
SUFFIX = {"plain": "_session", "search": "_session_search"}
_METHODS = ["max_correct", "min_hinge", "sat_margin", "gd_nn"]
_P_VALUES = [1, 3, 7, 15]
_UNITS = {"train_acc": "%", "test_acc": "%", "runtime_s": "s"}


@lru_cache(maxsize=4)
def _session(path: str, mtime: float) -> pd.DataFrame:
    from .store import ResultStore

    return ae.prefer_scaling(ResultStore(path).to_frame())


def session_runs() -> pd.DataFrame:
    """The committed session store, one scaling per point (:func:`mipnn.experiments.adult.prefer_scaling`)."""
    from ..figures import StoreMissingError

    path = store_path(_RUNS)
    if not path.is_file():
        raise StoreMissingError(f"store results/{_RUNS} is missing; produce it with: {COMMANDS['session']}")
    return _session(str(path), path.stat().st_mtime).copy()


def sweep_runs(kind: str, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The runs of one session sweep: ``"plain"`` (no MIP start) or ``"search"`` (the search start; the GD baseline
    is shared with the plain sweep)."""
    if kind not in SWEEPS:
        raise ValueError(f"kind={kind!r}; allowed: {sorted(SWEEPS)}")
    runs = session_runs() if runs is None else runs
    if kind == "plain":
        return runs[runs["start"].isna()]
    return runs[(runs["start"] == "search") | (runs["objective"] == "gd_nn")]


def _compact_legend(ax) -> None:
    """One legend entry per line colour (our line's label without "(ours)") and the majority-class line: the
    title says which style is ours and which the authors' (≤ 6 entries)."""
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab.removesuffix(" (ours)")) for h, lab in zip(handles, labels, strict=True)
            if lab.endswith("(ours)") or lab.startswith("majority")]
    if keep:
        ax.legend(*zip(*keep, strict=True), ncol=2, fontsize=8, loc="best")


def draw_vs_reference(ours: pd.DataFrame, reference: pd.DataFrame, metric: str, by: str, values, select: dict,
                      title: str, who: str, *, log: bool = False):
    """``(figure, plotted data)``: our aggregated points (:func:`mipnn.experiments.adult.aggregate_runs`) of
    ``metric`` against N beside the authors' (``reference``), one colour per value of ``by``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ae.plot_vs_reference(ax, ours, reference, metric, by=by, select=select, values=values, log=log,
                         title=f"{title}\nsolid: ours ({who})\nhollow: stopped by our limit; dashed: authors (5 seeds)")
    ax.title.set_fontsize(10)
    _compact_legend(ax)
    data = pd.concat([ours.assign(source="ours"), reference.assign(source="paper")], ignore_index=True)
    data = data[data[by].isin(values)]
    for k, v in select.items():
        data = data[data[k] == v]
    keep = ["source", "objective", "P", "N", f"{metric}_mean"] + ([f"{metric}_std"] if f"{metric}_std" in data else [])
    return fig, data[keep].reset_index(drop=True)


def experiment1(kind: str, metric: str, title: str, *, log: bool = False):
    """Experiment 1 (P = 1, every objective and GD) of one session sweep: ``(figure, data)``."""
    a = ae.aggregate_runs(sweep_runs(kind))
    ref = ae.load_reference()
    return draw_vs_reference(a[a["P"] == 1], ref[ref["P"] == 1], metric, "objective", _METHODS, {"P": 1}, title,
                             SWEEPS[kind], log=log)


def experiment2(kind: str, metric: str, title: str, *, log: bool = False):
    """Experiment 2 (sat-margin, P ∈ {1, 3, 7, 15}) of one session sweep: ``(figure, data)``."""
    a = ae.aggregate_runs(sweep_runs(kind))
    ref = ae.load_reference()
    return draw_vs_reference(a[a["objective"] == "sat_margin"], ref[ref["objective"] == "sat_margin"], metric, "P",
                             _P_VALUES, {"objective": "sat_margin"}, title, SWEEPS[kind], log=log)


_FIGURES = [  # name, experiment, metric, title, log scale
    ("fig1_train_accuracy", experiment1, "train_acc", "Fig. 1 — training accuracy, P = 1", False),
    ("fig2_test_accuracy", experiment1, "test_acc", "Fig. 2 — test accuracy, P = 1", False),
    ("fig3_runtime", experiment1, "runtime_s", "Fig. 3 — runtime, P = 1 (log scale)", True),
    ("fig4_train_accuracy_P", experiment2, "train_acc", "Fig. 4 — sat-margin training accuracy by P", False),
    ("fig5_test_accuracy_P", experiment2, "test_acc", "Fig. 5 — sat-margin test accuracy by P", False),
    ("fig6_runtime_P", experiment2, "runtime_s", "Fig. 6 — sat-margin runtime by P (log scale)", True),
]


def _register_session_figures() -> None:
    for kind in SWEEPS:
        for name, experiment, metric, title, log in _FIGURES:
            if kind == "search":
                title = title.replace(" (log scale)", "") + (" (search start, log scale)" if log else
                                                             " (search start)")

            def renderer(*, _e=experiment, _k=kind, _m=metric, _t=title, _log=log):
                return _e(_k, _m, _t, log=_log)

            renderer.__doc__ = f"{title}: the {kind} session sweep against the authors' numbers."
            register(NB, name + SUFFIX[kind], stores=[_RUNS], command=COMMANDS["session"], title=title)(renderer)


_register_session_figures()


@register(NB, "credit_session_search", stores=[_RUNS], command=COMMANDS["session"],
          title="Which stage produced the final network (search start)")
def credit_session_search():
    """Per objective, how many session runs with the search start ended on a network that the STE start, the local
    search or the MIP produced (:func:`mipnn.experiments.adult.credit`)."""
    import matplotlib.pyplot as plt

    runs = sweep_runs("search")
    credit = ae.credit(runs[runs["start"] == "search"])
    stages = credit.groupby(["objective", "stage"]).size().unstack("stage", fill_value=0)
    stages = stages[[s for s in ae.STAGES if s in stages.columns]]
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    stages.plot.barh(stacked=True, ax=ax)
    ax.set(xlabel="session runs (3 seeds × N × P)", ylabel="", title="Which stage produced the final network")
    ax.legend(fontsize=8, loc="lower right")
    return fig, credit


@register(NB, "fig7_time_to_cutoff_search", stores=[_SEARCH_CSV], command=COMMANDS["search_scaling"],
          title="Time to the 90 % cut-off with the STE + local-search start")
def fig7_time_to_cutoff_search():
    """Time to the authors' 90 % cut-off with the search start (STE, local search and the confirming solve) over the
    N grid, 3 seeds, against the authors' mean runtime (hollow: a seed missed the cut-off within 60 s)."""
    import matplotlib.pyplot as plt

    from ..figures import read_store

    sc = read_store(_SEARCH_CSV, COMMANDS["search_scaling"])
    ours = sc.assign(P=1, runtime_s_mean=sc["time_to_cutoff_mean_s"],
                     stop_reasons=[{"time_limit": int(s - r)} for s, r in zip(sc["seeds"], sc["reached"], strict=True)])
    ref = ae.load_reference()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ae.plot_vs_reference(ax, ours, ref[ref["P"] == 1], "runtime_s", by="objective", select={"P": 1},
                         values=["min_hinge", "sat_margin"], log=True,
                         title="Time to the 90 % cut-off: HiGHS + STE start + local search (solid, 2 cores, "
                               "3 seeds)\nvs the authors' Gurobi runs (dashed, 8 cores, 5 seeds)")
    ax.set_ylabel("time to cut-off (s)")
    ax.legend(fontsize=8)
    return fig, sc


def browse_options(runs: pd.DataFrame | None = None) -> dict[str, list]:
    """The objectives, P values and sample sizes N held by the session store (the widgets' choices)."""
    runs = session_runs() if runs is None else runs
    return {"objective": [o for o in _METHODS if o in set(runs["objective"])],
            "P": sorted(int(p) for p in runs["P"].unique()), "N": sorted(int(n) for n in runs["N"].unique())}


def browse_point(objective: str = "sat_margin", P: int = 1, N: int = 120, *,
                 runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every committed session run of one point (objective, P, N) — both sweeps, one row per seed: training and test
    accuracy (%), runtime (s), stop reason, scaling — then our mean per sweep with the verdict of the project's rule,
    and the authors' mean ± std (5 seeds). Reads the store only."""
    runs = session_runs() if runs is None else runs
    opts = browse_options(runs)
    for name, value in (("objective", objective), ("P", P), ("N", N)):
        if value not in opts[name]:
            raise ValueError(f"{name}={value!r}; the committed runs hold {opts[name]}")
    rows = []
    for kind in SWEEPS:
        sub = sweep_runs(kind, runs)
        sub = sub[(sub["objective"] == objective) & (sub["P"] == P) & (sub["N"] == N)]
        if sub.empty or (kind == "search" and objective == "gd_nn"):
            continue
        for r in sub.sort_values("random_state").itertuples():
            rows.append({"who": f"ours, {kind}", "seed": str(int(r.random_state)), "train acc": r.train_acc,
                         "test acc": r.test_acc, "time (s)": r.runtime, "stop": r.stop_reason,
                         "scaling": r.scaling})
        table = ae.reproduction_table(ae.aggregate_runs(sub))
        t = table.iloc[0]
        rows.append({"who": f"ours, {kind}", "seed": "mean", "train acc": t["train_acc_ours"],
                     "test acc": t["test_acc_ours"], "time (s)": t["runtime_ours"],
                     "stop": f"verdict: {ae.SHORT.get(t['verdict'], t['verdict'])}", "scaling": ""})
    ref = ae.load_reference()
    p = ref[(ref["objective"] == objective) & (ref["P"] == P) & (ref["N"] == N)]
    for r in p.itertuples():
        rows.append({"who": "authors (Gurobi, 8 cores, 10 h)", "seed": f"mean of {int(r.n_seeds)}",
                     "train acc": r.train_acc_mean, "test acc": r.test_acc_mean, "time (s)": r.runtime_s_mean,
                     "stop": f"test ± {r.test_acc_std:.1f}", "scaling": "authors"})
    out = pd.DataFrame(rows)
    out.attrs["title"] = f"{ae.LABELS.get(objective, objective)}, P = {P}, N = {N}"
    return out
