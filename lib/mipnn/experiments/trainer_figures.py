"""Notebook 05 (which MIP trainer when) from its committed store: registered figures and the tables, every number
and every recommendation computed from the stored runs. Everything here only reads.

Store: ``results/05_which_trainer/runs_session.jsonl`` (:mod:`mipnn.experiments.trainer_runs`, filled by
``benchmarks/run_05_trainers.py``), one line per (dataset, trainer, seed, budget). It may hold only part of the
grid: :func:`coverage` says which cells are stored, and every figure and table says which are missing instead of
failing.

Registered figures (:mod:`mipnn.figures`, notebook ``05_which_trainer``): ``accuracy_vs_time`` (one Pareto panel
per dataset), ``which_trainer`` (the recommendations at one budget, drawn as a table; its CSV holds every
budget) and ``accuracy_vs_size`` (test accuracy against training-set size, from the size study's store
``results/05_which_trainer/sizes_session.jsonl`` and the grid's own runs). Tables: :func:`method_table`,
:func:`which_trainer_table`, :func:`bemi_table`, :func:`coverage`, :func:`size_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..figures import register, store_path
from ..verdict import Side, tolerance, verdict
from .store import ResultStore, run_key
from .trainer_data import SPECS, majority_share
from .trainer_runs import NB, PROFILES, SIZE_BUDGET, SIZE_DATASETS, SIZES, profile_grid, size_grid
from .trainers import TRAINERS

__all__ = ["STORE", "COMMAND", "FAMILIES", "ATTACK_EPSILON", "BEMI", "BEMI_SOURCE", "stored_runs", "family",
           "coverage", "coverage_note", "method_table", "pareto_front", "which_trainer_table", "bemi_table",
           "budget_gain", "accuracy_vs_time", "which_trainer", "SIZE_STORE", "SIZE_COMMAND", "stored_size_runs",
           "size_table", "size_coverage_note", "accuracy_vs_size"]

STORE = f"{NB}/runs_session.jsonl"
COMMAND = "nice -n 5 python benchmarks/run_05_trainers.py --budgets 60 (then --budgets 600; see its docstring)"
SIZE_STORE = f"{NB}/sizes_session.jsonl"
SIZE_COMMAND = "nice -n 5 python benchmarks/run_05_trainers.py --sizes (the size study; see its docstring)"
#: The MNIST few-shot pair is a size pair of its own: one panel of the size figure, 100 and 400 training images.
_MNIST_PAIR = ("mnist_10", "mnist_40")
#: The legend's groups: the paper each trainer comes from (five groups, so a panel's legend has at most six entries).
FAMILIES = {"Aspman": "Aspman et al.: BNN", "Thorbjarnarson": "Thorbjarnarson & Y.-S.: sign nets",
            "Goebbels": "Goebbels: layer-wise ReLU", "Kurtz": "Kurtz & Bah: BDNN", "gradient": "gradient baselines"}
#: The attack strength of the tables: every feature moved by half its training range (ε ≥ 1 moves it by all of it,
#: which no classifier of these datasets survives).
ATTACK_EPSILON = 0.5
#: BeMi ensembles (:data:`BEMI_SOURCE`): MNIST test accuracy (%) of MIP-trained BNN ensembles with 10 and 40
#: training images per class — the reference rows of :func:`bemi_table`.
BEMI = {"mnist_10": 68.4, "mnist_40": 81.8}
BEMI_SOURCE = ("Bernardelli et al., BeMi ensembles of MIP-trained BNNs, INFORMS Journal on Computing (2025): "
               "test accuracy on MNIST with 10 and 40 training images per class (the conference version, LION 2023, "
               "reported 61.7 % and 76.4 %)")
_MIP_KINDS = ("mip", "mip_targets")


def family(trainer_name: str) -> str:
    """The legend group of a trainer (:data:`FAMILIES`)."""
    t = TRAINERS[trainer_name]
    if t.kind == "gradient":  # the STE too: Thorbjarnarson & Yorke-Smith's baseline, trained by gradients
        return FAMILIES["gradient"]
    return next(v for k, v in FAMILIES.items() if t.paper.startswith(k))


def stored_runs(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The committed runs (one row per run; ``frame``: use these instead, e.g. in tests), with ``family`` and the
    accuracy under attack at :data:`ATTACK_EPSILON` (``attack_accuracy``) as columns."""
    runs = ResultStore(store_path(STORE)).to_frame() if frame is None else frame.copy()
    if runs.empty:
        return runs
    runs["family"] = [family(t) for t in runs.trainer_name]
    runs["attack_accuracy"] = [
        next((a["accuracy"] for a in att if np.isclose(a["epsilon"], ATTACK_EPSILON)), np.nan)
        if isinstance(att, list) else np.nan for att in runs.get("attack", pd.Series([None] * len(runs)))]
    return runs


def coverage(runs: pd.DataFrame, profile: str = "session") -> pd.DataFrame:
    """Per dataset and budget of ``profile``'s grid: runs expected, stored, and what is missing (``missing``: the
    trainers with a missing run, or "every trainer" with the seeds that no trainer has yet, and then the trainers
    that lack other seeds as well)."""
    stored = set(runs["key"]) if "key" in runs else set()
    rows, gaps = {}, {}
    for p in profile_grid(profile):
        cell = (p["dataset"], p["budget"])
        r = rows.setdefault(cell, {"dataset": p["dataset"], "budget": p["budget"], "expected": 0, "stored": 0})
        r["expected"] += 1
        if run_key(p) in stored:
            r["stored"] += 1
        else:
            gaps.setdefault(cell, {}).setdefault(p["trainer_name"], set()).add(p["seed"])
    for cell, r in rows.items():
        missing = gaps.get(cell, {})
        if len(missing) < len(TRAINERS):
            r["missing"] = ", ".join(missing)
        else:
            common = set.intersection(*missing.values())
            seeds = sorted(common)
            more = {t: sorted(s - common) for t, s in missing.items() if s - common}
            r["missing"] = "every trainer" + (f", seeds {', '.join(map(str, seeds))}" if seeds else "") + (
                "; also " + ", ".join(f"{t} (seed {', '.join(map(str, s))})" for t, s in more.items())
                if more else "")
    return pd.DataFrame(list(rows.values()))


def coverage_note(runs: pd.DataFrame, profile: str = "session") -> str:
    """One sentence: how much of the grid is stored, which (dataset, budget) cells are complete or empty."""
    cov = coverage(runs, profile)
    done = cov[cov.stored == cov.expected]
    empty = cov[cov.stored == 0]
    part = cov[(cov.stored > 0) & (cov.stored < cov.expected)]

    def cells(df):
        return ", ".join(f"{SPECS[r.dataset].label} at {r.budget:g} s" for r in df.itertuples()) or "none"

    return (f"{int(cov.stored.sum())} of {int(cov.expected.sum())} runs of the {profile} grid stored; complete: "
            f"{cells(done)}; partial: {cells(part)}; not run yet: {len(empty)} of {len(cov)} (dataset, budget) cells")


def method_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, trainer and budget (stored runs only): runs, supported, the reason when not, test / train
    accuracy (%, mean and std over seeds), mean fit time (s), runs stopped at a limit, mean nonzero and total
    parameters, the accuracy under the attack at :data:`ATTACK_EPSILON` (%), the trivial predictor's test
    accuracy on the same splits (``majority``, %) with ``trivial``: the fit scored no more than it, and the
    machine's mean load while the runs went (``load``: the budget is wall-clock, a loaded machine buys less CPU)."""
    cols = ["dataset", "trainer_name", "budget", "label", "kind", "family", "runs", "supported", "reason",
            "test_mean", "test_std", "train_mean", "fit_time", "at_limit", "nonzero", "parameters", "attack_mean",
            "attack_std", "majority", "trivial", "load"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (ds, tr, b), g in runs.groupby(["dataset", "trainer_name", "budget"], sort=False):
        ok = g[g.supported.astype(bool)]
        row = {"dataset": ds, "trainer_name": tr, "budget": float(b), "label": TRAINERS[tr].label,
               "kind": TRAINERS[tr].kind, "family": family(tr), "runs": len(g), "supported": not ok.empty,
               "reason": "" if not ok.empty else str(g.reason.iloc[0]),
               "load": float(g.load_1min.mean()) if "load_1min" in g else np.nan}
        if not ok.empty:
            row.update(test_mean=100 * ok.test_accuracy.mean(),
                       test_std=100 * ok.test_accuracy.std() if len(ok) > 1 else np.nan,
                       train_mean=100 * ok.train_accuracy.mean(), fit_time=ok.fit_time.mean(),
                       at_limit=int(ok.stopped_at_limit.astype(bool).sum()), nonzero=ok.nonzero_parameters.mean(),
                       parameters=ok.parameters.mean(), attack_mean=100 * ok.attack_accuracy.mean(),
                       attack_std=100 * ok.attack_accuracy.std() if len(ok) > 1 else np.nan)
            # the trivial predictor on the same splits: a fit at or below it has learnt nothing
            row["majority"] = 100 * float(np.mean([majority_share(ds, int(sd)) for sd in ok.seed]))
            row["trivial"] = bool(row["test_mean"] <= row["majority"] + 1e-9)
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def pareto_front(points: pd.DataFrame, x: str = "fit_time", y: str = "test_mean") -> pd.DataFrame:
    """The rows of ``points`` no other row beats on both axes (less ``x``, more ``y``), sorted by ``x``."""
    pts = points.dropna(subset=[x, y]).sort_values([x, y], ascending=[True, False])
    keep, best = [], -np.inf
    for i, r in pts.iterrows():
        if r[y] > best:
            keep.append(i)
            best = r[y]
    return pts.loc[keep]


def _evidence(r) -> str:
    spread = f" ± {r.test_std:.1f}" if np.isfinite(r.test_std) else ""
    return f"{r.test_mean:.1f}{spread} % test ({int(r.runs)} run(s), {int(r.at_limit)} at limit)"


def _pick(cands: pd.DataFrame, need: str, column: str, note, value: str | None = None,
          std: str | None = None) -> dict | None:
    """The row of ``cands`` with the largest ``column``, as a recommendation; ``value``: the column it reports.
    With ``std`` (an accuracy and its spread over seeds), the other rows within the verdict rule's tolerance of the
    best (:func:`mipnn.verdict.tolerance`; its floor when a row has one run) are named as ties: a lead inside the
    tolerance is no evidence for one trainer over another."""
    if cands.empty or cands[column].isna().all():
        return None
    r = cands.loc[cands[column].idxmax()]
    tied = []
    if std is not None:
        top = Side(r[column], r.get(std), int(r.runs))
        for _, o in cands.drop(index=r.name).iterrows():
            if pd.notna(o[column]) and r[column] - o[column] <= tolerance(top, Side(o[column], o.get(std),
                                                                                     int(o.runs))):
                tied.append(o.label)
    evidence = note(r) + (f"; within the tolerance: {' / '.join(tied)} (a tie)" if tied else "")
    return {"need": need, "use": r.label + (f" (tie with {len(tied)})" if tied else ""), "evidence": evidence,
            "dataset": r.dataset, "trainer_name": r.trainer_name, "budget": r.budget,
            "value": float(r[value or column])}


def _attack_need(ok: pd.DataFrame) -> dict | None:
    """The most accurate trainer under the random-sign attack, among those that keep more than the majority class
    does: a constant answer is untouched by any attack, so it is the trivial predictor here too. When no trainer
    beats it, the row says so and names the best of them (its row of the method table)."""
    need = f"accuracy under the random-sign attack (ε = {ATTACK_EPSILON:g})"
    beats = ok[ok.attack_mean > ok.majority + 1e-9]
    row = _pick(beats, need, "attack_mean", lambda r: f"{r.attack_mean:.1f} % under attack, {r.test_mean:.1f} % clean "
                f"({int(r.runs)} run(s))", std="attack_std")
    if row is not None or ok.empty or ok.attack_mean.isna().all():
        return row
    r = ok.loc[ok.attack_mean.idxmax()]
    return {"need": need, "use": "none beats the majority class",
            "evidence": f"a constant answer keeps {r.majority:.1f} % under any attack; the best trainer, {r.label}, "
                        f"keeps {r.attack_mean:.1f} % ({r.test_mean:.1f} % clean)",
            "dataset": r.dataset, "trainer_name": r.trainer_name, "budget": r.budget, "value": float(r.attack_mean)}


def _waiting(g: pd.DataFrame, absent: list[str]) -> dict | None:
    """"MIP against gradients" when a trainer of either side has no stored run at this dataset and budget: no
    verdict yet (the missing one could reverse it); the row names what it waits for."""
    waiting = [TRAINERS[t].label for t in absent if TRAINERS[t].kind in (*_MIP_KINDS, "gradient")]
    if not waiting:
        return None
    r = g.iloc[0]
    return {"need": "MIP against gradients", "use": "not decided yet",
            "evidence": f"waiting for {' / '.join(waiting)} (not run yet at this budget)",
            "dataset": r.dataset, "trainer_name": "", "budget": r.budget, "value": np.nan}


def _needs(g: pd.DataFrame, absent: list[str] = ()) -> list[dict]:
    ok = g[g.supported & ~g.trivial.astype(bool)]  # a fit no better than the majority class is no recommendation
    mip = ok[ok.kind.isin(_MIP_KINDS)]
    grad = ok[ok.kind == "gradient"]
    integer = ok[[TRAINERS[t].weights.startswith("integers") for t in ok.trainer_name]]
    rows = [_pick(ok, "the best test accuracy, any trainer", "test_mean", _evidence, std="test_std"),
            _pick(mip, "a network trained by MIP", "test_mean", _evidence, std="test_std"),
            _pick(integer, "integer weights", "test_mean", _evidence, std="test_std"),
            _attack_need(ok)]
    if not ok.empty:
        best = ok.test_mean.max()
        near = ok[ok.test_mean >= best - 2.0].assign(density=lambda d: -d.nonzero)
        rows.append(_pick(near, "the fewest nonzero parameters within 2 points of the best", "density",
                          lambda r: f"{r.nonzero:.0f} of {r.parameters:.0f} nonzero, {r.test_mean:.1f} % test "
                                    f"({int(r.runs)} run(s))",
                          value="nonzero"))
    wait = _waiting(g, list(absent))
    if wait is not None:
        rows.append(wait)
    elif not mip.empty and not grad.empty:
        m, gr = mip.loc[mip.test_mean.idxmax()], grad.loc[grad.test_mean.idxmax()]
        tol = tolerance(Side(m.test_mean, m.test_std, int(m.runs)), Side(gr.test_mean, gr.test_std, int(gr.runs)))
        d = m.test_mean - gr.test_mean
        reading = "ties" if abs(d) <= tol else "beats" if d > 0 else "is behind"
        win = m if reading == "beats" else gr  # a tie goes to the gradient trainer: the cheaper fit
        rows.append({"need": "MIP against gradients", "use": win.label + (" (tie)" if reading == "ties" else ""),
                     "evidence": f"best MIP ({m.label}) {reading} the best gradient trainer ({gr.label}): "
                                 f"{d:+.1f} pt, tolerance {tol:.1f} ({int(m.runs)} and {int(gr.runs)} run(s))"
                                 + (f"; {int(m.at_limit)} of its {int(m.runs)} run(s) stopped at the budget, so not "
                                    "the MIP run to its own stopping rule" if m.at_limit else ""),
                     "dataset": win.dataset, "trainer_name": win.trainer_name, "budget": win.budget,
                     "value": float(win.test_mean)})
    return [r for r in rows if r is not None]


def which_trainer_table(runs: pd.DataFrame) -> pd.DataFrame:
    """"Which trainer when": per dataset and budget with stored runs, one row per need (best accuracy, trained by
    MIP, integer weights, under attack, sparsest near the best, MIP against gradients). Every row names the method
    table's row it comes from (``dataset``, ``trainer_name``, ``budget``) and its ``value`` there, and the trainers
    with no stored run at that dataset and budget (``not run yet``: the recommendation may change once they are;
    "MIP against gradients" waits for them, see :func:`_waiting`); a dataset or budget without runs has no row
    (see :func:`coverage`)."""
    cols = ["dataset", "budget", "when", "need", "use", "evidence", "trainer_name", "value", "not run yet"]
    table = method_table(runs)
    rows = []
    for (ds, b), g in table.groupby(["dataset", "budget"], sort=False):
        spec = SPECS[ds]
        when = f"{SPECS[ds].label}: {spec.n_train}{' per class' if spec.per_class else ''} train, " \
               f"{spec.n_classes} classes, {b:g} s"
        absent = [t for t in TRAINERS if t not in set(g.trainer_name)]
        rows += [{**r, "when": when, "not run yet": ", ".join(absent)} for r in _needs(g, absent)]
    return pd.DataFrame(rows, columns=cols)


def _spread(values: pd.Series) -> float | None:
    return float(values.std()) if len(values) > 1 else None


def budget_gain(runs: pd.DataFrame, low: float = 60.0, high: float = 600.0) -> pd.DataFrame:
    """What ``high`` seconds buy over ``low``, paired: per dataset and trainer, the seeds stored at both budgets
    (``pairs``), the mean test accuracy at each (%), the mean change and the verdict rule's tolerance for it
    (:func:`mipnn.verdict.tolerance` of the two budgets' sides), ``reading`` (gains / loses / same: a change inside
    the tolerance is none), how many of the ``low`` runs the clock stopped (``clock at …``: only those can gain;
    the others had ended by their own rule or an epoch or iteration cap, so ``high`` repeats them) and how many of
    the ``high`` runs stopped at a limit (the clock or a cap). Unsupported pairs and trainers without a seed at both
    budgets have no row."""
    cols = ["dataset", "trainer_name", "label", "pairs", f"test at {low:g} s (%)", f"test at {high:g} s (%)",
            "change (pt)", "tolerance (pt)", "reading", f"clock at {low:g} s", f"at limit at {high:g} s"]
    ok = runs[runs.supported.astype(bool)] if not runs.empty else runs
    rows = []
    for (ds, tr), g in ok.groupby(["dataset", "trainer_name"], sort=False) if not ok.empty else []:
        a = g[np.isclose(g.budget.astype(float), low)].set_index("seed")
        b = g[np.isclose(g.budget.astype(float), high)].set_index("seed")
        seeds = sorted(set(a.index) & set(b.index))
        if not seeds:
            continue
        ta, tb = 100 * a.loc[seeds, "test_accuracy"], 100 * b.loc[seeds, "test_accuracy"]
        n = len(seeds)
        tol = tolerance(Side(tb.mean(), _spread(tb), n), Side(ta.mean(), _spread(ta), n))
        d = float(tb.mean() - ta.mean())
        rows.append({"dataset": ds, "trainer_name": tr, "label": TRAINERS[tr].label, "pairs": n,
                     cols[4]: round(float(ta.mean()), 1), cols[5]: round(float(tb.mean()), 1),
                     "change (pt)": round(d, 1), "tolerance (pt)": round(tol, 1),
                     "reading": "same" if abs(d) <= tol else "gains" if d > 0 else "loses",
                     cols[9]: int((a.loc[seeds, "stop_reason"] == "time_limit").sum()),
                     cols[10]: int(b.loc[seeds, "stopped_at_limit"].astype(bool).sum())})
    return pd.DataFrame(rows, columns=cols)


def bemi_table(runs: pd.DataFrame) -> pd.DataFrame:
    """MNIST few-shot: BeMi's reference accuracy beside our best MIP trainer per budget (chosen by its mean test
    accuracy: an optimistic choice), with the verdict of :func:`mipnn.verdict.verdict` (the trivial predictor: the
    MNIST test set's majority class, the method table's ``majority``)."""
    table = method_table(runs)
    rows = []
    for ds, ref in BEMI.items():
        mine = table[(table.dataset == ds) & table.supported & table.kind.isin(_MIP_KINDS)] if not table.empty \
            else table
        budgets = sorted(mine.budget.unique()) if not mine.empty else [None]
        for b in budgets:
            base = {"dataset": SPECS[ds].label, "BeMi (%)": ref, "budget (s)": b}
            if b is None:
                v = verdict(Side(ref), Side(None))
                rows.append({**base, "our best MIP trainer": "not run yet", "ours (%)": np.nan, "runs": 0,
                             "at limit": 0, "verdict": v.category})
                continue
            g = mine[mine.budget == b]
            r = g.loc[g.test_mean.idxmax()]
            v = verdict(Side(ref), Side(r.test_mean, r.test_std, int(r.runs)), limit_runs=int(r.at_limit),
                        trivial=float(r.majority))
            rows.append({**base, "our best MIP trainer": r.label, "ours (%)": round(r.test_mean, 1),
                         "runs": int(r.runs), "at limit": int(r.at_limit), "verdict": v.text})
    return pd.DataFrame(rows)


def _colours() -> dict:
    from ..plotting import PALETTE

    return {f: PALETTE[i] for i, f in enumerate(FAMILIES.values())}


_MARKERS = dict(zip(FAMILIES.values(), "osD^v", strict=True))


def _panel(ax, t: pd.DataFrame, label: str, colours: dict) -> None:
    ok = t[t.supported & t.test_mean.notna()] if not t.empty else t
    if ok.empty:
        ax.text(0.5, 0.5, "no runs stored yet", ha="center", va="center", transform=ax.transAxes, color="0.4")
        ax.set(title=label, xscale="log", xlim=(1, 1000), ylim=(0, 100))
        return
    for fam, g in ok.groupby("family", sort=False):
        for _, m in g.groupby("trainer_name", sort=False):
            m = m.sort_values("budget")
            hollow = bool((m.at_limit > 0).any())
            if m.runs.nunique() == 1:  # a line between a 5-seed mean and one seed would read as a change
                ax.plot(m.fit_time, m.test_mean, "-", color=colours[fam], lw=1, alpha=0.7)
            ax.scatter(m.fit_time, m.test_mean, s=36, marker=_MARKERS[fam], color=colours[fam], zorder=3,
                       facecolors="white" if hollow else colours[fam], linewidths=1.4)
    front = pareto_front(ok)
    ax.step(front.fit_time, front.test_mean, where="post", color="0.3", ls="--", lw=1, zorder=2)
    ax.set(title=label, xscale="log")


@register(NB, "accuracy_vs_time", stores=[STORE], command=COMMAND,
          title="Test accuracy against fit time: one Pareto panel per dataset")
def accuracy_vs_time():
    """Per dataset of the grid: every trainer's mean test accuracy against its mean fit time, one marker per
    (trainer, budget), a trainer's budgets joined by a line; colour and marker shape by family, hollow where some
    run stopped at its limit; dashed: the Pareto front. A dataset without stored runs says so."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    runs = stored_runs()
    table = method_table(runs)
    colours = _colours()
    datasets = PROFILES["session"]["datasets"]
    counts = coverage(runs).groupby("dataset")[["stored", "expected"]].sum()
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    for ax, ds in zip(axes.ravel(), datasets, strict=True):
        title = f"{SPECS[ds].label} ({counts.stored[ds]} of {counts.expected[ds]} runs)"
        _panel(ax, table[table.dataset == ds] if not table.empty else table, title, colours)
    for ax in axes[:, 0]:
        ax.set_ylabel("test accuracy (%)")
    for ax in axes[1]:
        ax.set_xlabel("mean fit time (s, log)")
    handles = [Line2D([], [], marker=_MARKERS[f], color=colours[f], ls="-", label=f) for f in FAMILIES.values()]
    handles.append(Line2D([], [], color="0.3", ls="--", label="Pareto front"))
    fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.07))
    fig.suptitle("Test accuracy vs fit time (hollow: a run stopped at its limit)\n" + coverage_note(runs),
                 fontsize=9)
    fig.tight_layout()
    return fig, table


@register(NB, "which_trainer", stores=[STORE], command=COMMAND,
          title="Which trainer when: the recommendations derived from the stored runs")
def which_trainer(*, budget: float = 60.0):
    """The "which trainer when" table at ``budget`` seconds, drawn: one row per need, one column per dataset, each
    cell the trainer the stored runs recommend (empty: no runs stored). The CSV holds every budget's rows."""
    import matplotlib.pyplot as plt

    runs = stored_runs()
    table = which_trainer_table(runs)
    at = table[np.isclose(table.budget.astype(float), budget)] if not table.empty else table
    needs = list(dict.fromkeys(at.need)) if not at.empty else ["(no runs stored at this budget)"]
    datasets = PROFILES["session"]["datasets"]
    recs = at.to_dict("records")

    def cell(r) -> str:
        value = "" if pd.isna(r["value"]) else f"{r['value']:.0f} nonzero" if r["need"].startswith("the fewest") \
            else f"{r['value']:.1f} %"
        value = f"best of them: {value}" if r["use"].startswith("none beats") else value
        return r["use"].replace(" (tie", "\n(tie") + "\n" + value + (" *" if r["not run yet"] else "")

    cells = [[next((cell(r) for r in recs if r["need"] == n and r["dataset"] == ds), "—") for ds in datasets]
             for n in needs]
    fig, ax = plt.subplots(figsize=(14, 0.75 * len(needs) + 1.4))
    ax.axis("off")
    tab = ax.table(cellText=cells, rowLabels=[n.replace(" within", "\nwithin").replace(" under", "\nunder")
                                              for n in needs],
                   colLabels=[SPECS[d].label for d in datasets], loc="center", cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(7)
    tab.scale(1, 3.4)
    ax.set_title(f"Which trainer when, {budget:g} s per fit\n(cell: the trainer and its test accuracy, accuracy "
                 f"under attack or number of nonzero parameters; *: some trainers not run yet on that dataset;\n"
                 f"tie with k: k others within the verdict rule's tolerance)\n{coverage_note(runs)}", fontsize=8)
    return fig, table


# ---- accuracy against training-set size --------------------------------------------------------------------------

def stored_size_runs(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The size study's committed runs (:func:`mipnn.experiments.trainer_runs.size_grid`), as :func:`stored_runs`
    gives them; an absent store is no runs yet (the figure says which command fills it)."""
    if frame is None:
        path = store_path(SIZE_STORE)
        frame = ResultStore(path).to_frame() if path.is_file() else pd.DataFrame()
    return stored_runs(frame)


def size_table(runs: pd.DataFrame, size_runs: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy against training-set size, per panel (a dataset of the size study, or ``"mnist"``: the few-shot
    pair), trainer and number of training points: the size study's runs (``size_runs``) with the grid's own runs at
    :data:`~mipnn.experiments.trainer_runs.SIZE_BUDGET` (``runs``: their full 200 training points; MNIST's 100 and
    400 images), as :func:`method_table` rows (mean and std over seeds, runs at the limit, the ``trivial`` flag) plus
    ``panel`` and ``n_train``. Unsupported pairs are left out."""
    parts = []
    if not runs.empty:
        at = runs[np.isclose(runs.budget.astype(float), SIZE_BUDGET)]
        grid = at[at.dataset.isin(SIZE_DATASETS)].assign(panel=lambda d: d.dataset)
        mnist = at[at.dataset.isin(_MNIST_PAIR)].assign(panel="mnist")
        parts += [grid, mnist]
    if not size_runs.empty:
        parts.append(size_runs.assign(panel=size_runs.dataset))
    parts = [p for p in parts if not p.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    cols = ["panel", "n_train"] + list(method_table(pd.DataFrame()).columns)
    if frame.empty or "n_train" not in frame:
        return pd.DataFrame(columns=cols)
    frame = frame[frame.supported.astype(bool)]
    rows = []
    for (panel, n), g in frame.groupby(["panel", "n_train"], sort=True):
        # one row per (dataset, trainer): method_table groups by budget too, all SIZE_BUDGET here
        rows.append(method_table(g.drop(columns=["panel"])).assign(panel=panel, n_train=int(n)))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return out[cols].sort_values(["panel", "trainer_name", "n_train"], kind="stable").reset_index(drop=True)


def size_coverage_note(size_runs: pd.DataFrame) -> str:
    """How many runs of the size study are stored (of :func:`~mipnn.experiments.trainer_runs.size_grid`)."""
    expected = len(size_grid())
    stored = len(set(size_runs["key"]) & {run_key(p) for p in size_grid()}) if "key" in size_runs else 0
    return f"{stored} of {expected} runs of the size study stored"


@register(NB, "accuracy_vs_size", stores=[STORE], command=SIZE_COMMAND,
          title="Test accuracy against training-set size")
def accuracy_vs_size():
    """Per dataset of the size study (and MNIST's few-shot pair): for each family, its best trainer's mean test
    accuracy at each training-set size (mean over seeds; hollow where some run stopped at the 60 s budget), and the
    majority class of the test part (dotted). The CSV holds every trainer's row."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    runs, size_runs = stored_runs(), stored_size_runs()
    table = size_table(runs, size_runs)
    colours = _colours()
    panels = [*SIZE_DATASETS, "mnist"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        label = "MNIST few-shot (7×7)" if panel == "mnist" else SPECS[panel].label
        t = table[table.panel == panel] if not table.empty else table
        ok = t[t.test_mean.notna() & ~t.trivial.astype(bool)] if not t.empty else t
        if ok.empty:
            ax.text(0.5, 0.5, "no runs stored yet", ha="center", va="center", transform=ax.transAxes, color="0.4")
        for fam, g in ok.groupby("family", sort=False):
            best = g.loc[g.groupby("n_train").test_mean.idxmax()].sort_values("n_train")
            hollow = best.at_limit > 0
            ax.plot(best.n_train, best.test_mean, "-", color=colours[fam], lw=1.2)
            ax.scatter(best.n_train, best.test_mean, s=36, marker=_MARKERS[fam], color=colours[fam], zorder=3,
                       facecolors=["white" if h else colours[fam] for h in hollow], linewidths=1.4)
        datasets = _MNIST_PAIR if panel == "mnist" else (panel,)
        trivial = 100 * np.mean([majority_share(d, 0) for d in datasets])
        ax.axhline(trivial, color="0.5", ls=":", lw=1)
        ax.set(title=label, xscale="log", ylim=(0, 100), xlim=(18, 560))
        ticks = [100, 400] if panel == "mnist" else [*SIZES, 200]
        ax.set_xticks(ticks, [str(v) for v in ticks])
        ax.minorticks_off()
    axes.ravel()[-1].axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("test accuracy (%)")
    for ax in axes[1, :2]:
        ax.set_xlabel("training points (log)")
    axes[0, 2].set_xlabel("training points (log)")
    handles = [Line2D([], [], marker=_MARKERS[f], color=colours[f], ls="-", label=f) for f in FAMILIES.values()]
    handles.append(Line2D([], [], color="0.5", ls=":", label="majority class (test part)"))
    axes.ravel()[-1].legend(handles=handles, loc="center", fontsize=9, title="best trainer of each family")
    fig.suptitle(f"Test accuracy vs training-set size, {SIZE_BUDGET:g} s per fit (hollow: a run stopped at its "
                 f"limit; fits at or below the majority class left out)\n{size_coverage_note(size_runs)}; the "
                 "200-point and MNIST points are the grid's own runs", fontsize=9)
    fig.tight_layout()
    return fig, table
