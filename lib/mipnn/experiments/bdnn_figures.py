"""Notebook 04 (Kurtz & Bah 2021) from its committed stores: the registered paper-scale figures, the robustness
explorer, the results-at-a-glance table and the closing note. Everything here only reads.

Stores (under ``results/``; :data:`COMMANDS` names what produces each):

* ``04_data_splitting_heuristic/runs_medium.jsonl`` and ``runs_medium_robust.jsonl`` — the ``medium`` profile of
  the notebook: the authors' protocol and data, their network (100 hidden units, weights in {−1, 0, 1}) trained by
  data splitting, Adam beside it, and the robust runs (2 × 50 units) under the random-sign attack;
* ``04_data_splitting_heuristic/summary_medium.json`` — that run's summary (the README reads its rows);
* ``04_data_splitting_heuristic/summary.json`` — the default profile's summary (the live demo of part 2);
* ``benchmarks/bench_04_data_splitting.csv`` — exact MIP against data splitting where the exact MIP finishes.

Registered figures (:mod:`mipnn.figures`, notebook ``04_data_splitting_heuristic``): ``paper_accuracy_vs_time``,
``paper_splits``, ``paper_robustness`` (parameters ``rho`` and ``epsilon``: the notebook's widgets) and
``paper_speedup``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..figures import read_store, register, store_path
from ..report import glance_row, glance_table, markdown
from .bdnn import (
    _compare,
    _is_trivial,
    _side,
    constant_predictors,
    label_methods,
    majority_share,
    method_table,
    robust_effect,
)

__all__ = ["NB", "COMMANDS", "medium_runs", "robust_runs", "robust_options", "attack_table",
           "paper_accuracy_vs_time", "paper_splits", "paper_robustness", "paper_speedup", "medium_table",
           "medium_settings", "glance", "glance_markdown", "closing_note", "text_markdown"]

NB = "04_data_splitting_heuristic"
#: The command that fills each store (quoted where one is missing).
COMMANDS = {
    "medium": ("papermill -p profile medium --cwd notebooks notebooks/04_data_splitting_heuristic.ipynb "
               "results/04_data_splitting_heuristic/executed_medium.ipynb"),
    "default": ("papermill --cwd notebooks notebooks/04_data_splitting_heuristic.ipynb "
                "notebooks/04_data_splitting_heuristic.partial.ipynb"),
    "bench": "python benchmarks/bench_04_data_splitting.py",
}
_RUNS = f"{NB}/runs_medium.jsonl"
_ROBUST = f"{NB}/runs_medium_robust.jsonl"
_MEDIUM = f"{NB}/summary_medium.json"
_DEFAULT = f"{NB}/summary.json"
_BENCH = "benchmarks/bench_04_data_splitting.csv"
#: Human labels of the methods, in the order of the tables.
LABELS = {"exact": "exact MIP", "local_search": "local search", "data_splitting": "data splitting (BDNN)",
          "adam": "Adam, to convergence", "adam_30ep": "Adam, 30 epochs"}


def _frame(relative: str, command: str) -> pd.DataFrame:
    from .store import ResultStore

    read_store(relative, command)  # a missing store raises, naming the command
    return ResultStore(store_path(relative)).to_frame()


def medium_runs() -> pd.DataFrame:
    """The committed medium-profile comparison runs, one row per run, with their table ``label``."""
    runs = _frame(_RUNS, COMMANDS["medium"])
    return runs.assign(label=label_methods(runs))


def robust_runs() -> pd.DataFrame:
    """The committed medium-profile robust runs: one row per (radius ρ, seed)."""
    return _frame(_ROBUST, COMMANDS["medium"])


def attack_table(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per robust run and attack strength: ``rho``, ``seed``, ``epsilon``, ``accuracy`` (test, mean over
    the attack's trials) and ``capped`` (some MIP of the run stopped at the per-MIP time limit)."""
    runs = robust_runs() if runs is None else runs
    rows = [{"rho": float(r.robust_radius), "seed": int(r.random_state), "epsilon": float(a["epsilon"]),
             "accuracy": float(a["accuracy"]), "capped": bool(r.capped)}
            for r in runs.itertuples() for a in r.attack]
    return pd.DataFrame(rows)


def robust_options() -> dict:
    """The values the notebook's widgets offer, read from the robust store: ``{"rho": [...], "epsilon": [...]}``."""
    att = attack_table()
    return {"rho": sorted(att.rho.unique().tolist()), "epsilon": sorted(att.epsilon.unique().tolist())}


def medium_table() -> pd.DataFrame:
    """Per dataset and method of the medium runs (one row each, flat columns): train / validation / test accuracy
    (%, mean ± std), mean fit time (s, models built included) and capped runs — from the committed store."""
    runs = medium_runs()
    t = method_table(runs)
    out = pd.DataFrame(index=t.index)
    for part in ("train", "val", "test"):
        out[f"{part} (%)"] = [f"{100 * m:.1f} ± {100 * s:.1f}" if np.isfinite(s) else f"{100 * m:.1f}"
                              for m, s in zip(t[f"{part}_mean"], t[f"{part}_std"], strict=True)]
    out["fit time (s)"] = t["fit_time"].round(1)
    out["capped"] = [f"{c}/{n}" for c, n in zip(t["capped"], t["runs"], strict=True)]
    out = out.rename(index=LABELS, level="label").reset_index().rename(columns={"label": "method"})
    out["dataset"] = out["dataset"].str.replace("_", " ")
    return out


def _colours() -> dict:
    from ..plotting import PALETTE

    return {m: PALETTE[i] for i, m in enumerate(LABELS)}


@register(NB, "paper_accuracy_vs_time", stores=[_RUNS], command=COMMANDS["medium"],
          title="Test accuracy against fit time on the authors' protocol (medium profile)")
def paper_accuracy_vs_time():
    """Per dataset: test accuracy (mean ± std over repetitions) against mean fit time (models built included) of
    data splitting with the authors' network and of Adam; hollow markers: some run stopped at the per-MIP limit."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    runs = medium_runs()
    agg = method_table(runs).reset_index()
    datasets = list(dict.fromkeys(runs.dataset))
    colours = _colours()
    fig, axes = plt.subplots(1, len(datasets), figsize=(3.4 * len(datasets), 3.8), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, ds in zip(axes, datasets, strict=True):
        ax.axhline(100 * majority_share(ds), color="0.5", ls=":", lw=1, label="majority class")
        for label in LABELS:
            r = agg[(agg.dataset == ds) & (agg.label == label)]
            if r.empty:
                continue
            hollow = bool((r.capped > 0).any())
            ax.errorbar(r.fit_time, 100 * r.test_mean, yerr=100 * r.test_std.fillna(0.0), fmt="o",
                        color=colours[label], mfc="white" if hollow else colours[label], capsize=3,
                        label=LABELS[label])
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set(title=ds.replace("_", " "), xlabel="mean fit time (s, log)")
    axes[0].set_ylabel("test accuracy (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, -0.1))
    limit = runs.loc[runs.method != "adam", "time_limit"].max()
    fig.suptitle(f"Authors' protocol (medium profile): test accuracy vs fit time; hollow: stopped at the {limit:g} s "
                 "per-MIP limit")
    fig.tight_layout()
    cols = ["dataset", "label", "runs", "train_mean", "val_mean", "test_mean", "test_std", "fit_time", "solve_time",
            "capped"]
    return fig, agg[cols]


@register(NB, "paper_splits", stores=[_RUNS], command=COMMANDS["medium"],
          title="Data splitting with the authors' network: accuracy and model size against the number of sets")
def paper_splits():
    """Training and validation accuracy and the MIP's binaries against the number of sets of the partition, mean
    over the medium profile's data-splitting runs per dataset."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..plotting import PALETTE

    runs = medium_runs()
    rows = [{"dataset": r.dataset, "seed": int(r.random_state), **h}
            for r in runs[runs.method == "data_splitting"].itertuples() for h in r.history]
    hist = pd.DataFrame(rows)
    curve = hist.groupby(["dataset", "n_clusters"], sort=False)[
        ["train_accuracy", "val_accuracy", "n_binaries"]].mean().reset_index()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (ds, c) in enumerate(curve.groupby("dataset", sort=False)):
        axes[0].plot(c.n_clusters, 100 * c.val_accuracy, "o-", ms=3, color=PALETTE[i], label=ds.replace("_", " "))
        axes[1].plot(c.n_clusters, c.n_binaries, "o-", ms=3, color=PALETTE[i], label=ds.replace("_", " "))
    axes[0].set(xlabel="sets of the partition", ylabel="validation accuracy (%)", title="Accuracy vs splits")
    axes[1].set(xlabel="sets of the partition", ylabel="binary variables of the MIP", yscale="log",
                title="Model size vs splits")
    axes[0].legend(fontsize=8)
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle("Data splitting, 100 hidden units, batches of 64 (medium profile)")
    fig.tight_layout()
    return fig, curve


@register(NB, "paper_robustness", stores=[_ROBUST], command=COMMANDS["medium"],
          title="Robust training (radius ρ) against the random-sign attack (strength ε), medium profile")
def paper_robustness(*, rho: float | None = None, epsilon: float = 1.0):
    """Left: test accuracy under the attack against ε, mean ± std over seeds, one line per radius ρ (``rho``: the one
    drawn bold; ``None``: all alike), the chosen ``epsilon`` marked. Right: every seed's accuracy at ``epsilon`` per
    radius, hollow where the run stopped at the per-MIP limit, against the majority class."""
    import matplotlib.pyplot as plt

    from ..plotting import PALETTE

    runs = robust_runs()
    att = attack_table(runs)
    rhos, epsilons = sorted(att.rho.unique()), sorted(att.epsilon.unique())
    if rho is not None and not any(np.isclose(rho, r) for r in rhos):
        raise ValueError(f"rho={rho!r} is not in results/{_ROBUST}; it holds {rhos}")
    if not any(np.isclose(epsilon, e) for e in epsilons):
        raise ValueError(f"epsilon={epsilon!r} is not in results/{_ROBUST}; it holds {epsilons}")
    curves = att.groupby(["rho", "epsilon"])["accuracy"].agg(["mean", "std"]).reset_index()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    for i, r in enumerate(rhos):
        c = curves[curves.rho == r]
        bold = rho is None or np.isclose(rho, r)
        axes[0].errorbar(c.epsilon, 100 * c["mean"], yerr=100 * c["std"].fillna(0.0), fmt="o-", capsize=3,
                         color=PALETTE[i], alpha=1.0 if bold else 0.35, lw=2 if rho is not None and bold else 1.5,
                         label=f"ρ = {r:g}")
    axes[0].axvline(epsilon, color="0.3", ls="--", lw=1)
    axes[0].set(xlabel="attack strength ε (L∞, random signs; features in [0, 1])", ylabel="test accuracy (%)",
                title="Accuracy under attack, mean ± std over seeds")
    axes[0].legend()
    at = att[np.isclose(att.epsilon, epsilon)]
    dataset = str(runs.dataset.iloc[0])
    axes[1].axhline(100 * majority_share(dataset), color="0.5", ls=":", lw=1, label="majority class")
    for i, r in enumerate(rhos):
        s = at[np.isclose(at.rho, r)].sort_values("seed")
        x = i + np.linspace(-0.12, 0.12, len(s)) if len(s) > 1 else np.full(len(s), float(i))
        axes[1].scatter(x, 100 * s.accuracy, s=40, color=PALETTE[i], facecolors=[
            "white" if c else PALETTE[i] for c in s.capped], linewidths=1.5)
    axes[1].set(xticks=range(len(rhos)), xticklabels=[f"ρ = {r:g}" for r in rhos], xlim=(-0.6, len(rhos) - 0.4),
                ylabel="test accuracy (%)", title=f"Each seed at ε = {epsilon:g} (hollow: capped)")
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Robust data splitting on {dataset.replace('_', ' ')} (medium profile)")
    fig.tight_layout()
    return fig, at.reset_index(drop=True)


@register(NB, "paper_speedup", stores=[_BENCH], command=COMMANDS["bench"],
          title="Where the exact MIP finishes: speed-up of data splitting against its accuracy loss")
def paper_speedup():
    """Per benchmark case (dataset × number of splits): the exact MIP's solve time over data splitting's against
    the test-accuracy difference (points); the shaded corner is the claim "≥ 10× faster, ≤ 1 point lost"."""
    import matplotlib.pyplot as plt

    from ..plotting import PALETTE

    bench = read_store(_BENCH, COMMANDS["bench"])
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    lo = min(bench.acc_diff_pp.min(), -1.0) - 2
    hi = max(bench.acc_diff_pp.max(), 1.0) + 2
    ax.axvspan(10, max(bench.speedup.max() * 3, 100), ymin=(-1 - lo) / (hi - lo), color=PALETTE[2], alpha=0.12,
               lw=0, label="claim: ≥ 10× faster, ≤ 1 pt lost")
    for i, (ds, d) in enumerate(bench.groupby("dataset", sort=False)):
        ax.scatter(d.speedup, d.acc_diff_pp, s=45, color=PALETTE[i], label=f"{ds.replace('_', ' ')}")
        for r in d.itertuples():
            ax.annotate(f"{r.max_splits} splits", (r.speedup, r.acc_diff_pp), textcoords="offset points",
                        xytext=(5, 3), fontsize=8)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(xscale="log", xlabel="exact solve time / data-splitting solve time (log)",
           ylabel="test accuracy: data splitting − exact (pt)", ylim=(lo, hi),
           title="Speed-up where the exact MIP finishes")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig, bench


def _summary(relative: str, command: str, given: dict | None) -> dict:
    return read_store(relative, command) if given is None else given


def _real(methods: dict) -> list[str]:
    return [d for d in methods if not d.startswith("random_")]


def _speed_row(bench: pd.DataFrame) -> dict:
    holds = int(bench.claim_holds.sum())
    finding = "holds" if holds == len(bench) else "holds in part" if holds else "does not hold"
    return glance_row("The heuristics cut the computation substantially", "claimed; no number (abstract only)",
                      f"where the exact MIP finishes: ≥ 10× faster at ≤ 1 pt lost in {holds} of {len(bench)} cases "
                      f"(speed-up {bench.speedup.min():.1f}–{bench.speedup.max():.0f}×)", finding=finding)


def _beat_counts(med: dict) -> dict:
    m, best = med["methods"], med["best_bdnn"]
    out = {"beats": 0, "tie": 0, "behind": 0, "trivial": 0, "capped": 0}
    for d in _real(m):
        entry, adam = m[d][best[d]], m[d]["adam"]
        trivial = _is_trivial(entry["test_accuracy_mean"], majority_share(d))
        out["trivial" if trivial else _compare(_side(entry), _side(adam))["reading"]] += 1
        out["capped"] += int(entry.get("capped_runs", 0) > 0)
    out["n"] = len(_real(m))
    return out


def _beat_row(med: dict) -> dict:
    c = _beat_counts(med)
    limit = med["parameters"]["time_limit"]
    return glance_row("BDNNs often beat classical DNNs on small architectures", "claimed; no number (abstract only)",
                      f"authors' data: BDNN chosen on validation vs Adam to convergence: beats on {c['beats']}, ties "
                      f"{c['tie']}, behind {c['behind']}" + (f", trivial {c['trivial']}" if c["trivial"] else "")
                      + f" of {c['n']}",
                      finding=f"not seen; the BDNN's MIPs stopped at our {limit:g} s limit on {c['capped']} of "
                              f"{c['n']} datasets")


def _robust_row(att: pd.DataFrame, share: float, epsilon: float = 1.0) -> dict:
    means = att.groupby(["rho", "epsilon"])["accuracy"].mean()
    rhos = sorted(att.rho.unique())
    nominal, robust = rhos[0], rhos[-1]
    a, b = 100 * means[(robust, epsilon)], 100 * means[(nominal, epsilon)]
    capped = att.drop_duplicates(["rho", "seed"]).groupby("rho")["capped"].agg(["sum", "size"])
    flat = constant_predictors(att)
    by_eps = {rho: {f"eps={e:g}": float(means[(rho, e)]) for e in sorted(att.epsilon.unique())} for rho in rhos}
    finding = f"ρ = {robust:g} " + robust_effect(by_eps[robust], by_eps[nominal], share,
                                                 constant=flat[f"rho={robust:g}"],
                                                 nominal_constant=flat[f"rho={nominal:g}"])
    cap = {r: f"{int(v['sum'])}/{int(v['size'])}" for r, v in capped.iterrows()}
    return glance_row("Robust training helps against attacks", "claimed; no number (abstract only)",
                      f"original Wisconsin, ε = {epsilon:g}: ρ = {robust:g} {a:.1f} % vs ρ = {nominal:g} {b:.1f} % "
                      f"(at limit {cap[robust]} vs {cap[nominal]}; one class {flat[f'rho={robust:g}']} vs "
                      f"{flat[f'rho={nominal:g}']})", finding=finding)


def _constant_runs(att: pd.DataFrame) -> int:
    """Robust runs that are constant predictors (:func:`~mipnn.experiments.bdnn.constant_predictors`), all radii."""
    return sum(int(v.split("/")[0]) for v in constant_predictors(att).values())


def _yardstick_row(demo: dict) -> dict | None:
    yard = demo.get("exact_yardstick") or []
    real = [r for r in yard if not r["dataset"].startswith("random_")]
    if not real:
        return None
    below = [r["dataset"] for r in real if r["test acc (%)"] < r["majority (%)"]]
    train = np.mean([r["train acc (%)"] for r in real])
    test = np.mean([r["test acc (%)"] for r in real])
    points = real[0]["training points"]
    m = demo["methods"]
    readings = [_compare(_side(m[r["dataset"]]["exact"]), _side(m[r["dataset"]]["data_splitting"]))["reading"]
                for r in real]
    return glance_row("(beyond the paper) The exact MIP as a yardstick", "—",
                      f"demo, {points} training points: exact MIP train {train:.1f} % vs test {test:.1f} % (mean of "
                      f"{len(real)} real datasets)",
                      finding=f"on test it beats data splitting on {readings.count('beats')} of {len(real)}"
                      + (f"; below the majority class on {', '.join(below)}" if below else ""))


def glance(medium: dict | None = None, demo: dict | None = None, bench: pd.DataFrame | None = None,
           attacks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The results-at-a-glance table of notebook 04 (``claim · paper · ours · verdict``). The paper is available as
    its abstract only, so no claim has a number: the verdict is the rule's ``"no reference"`` followed by what the
    committed runs show (method comparisons within :func:`mipnn.verdict.tolerance` are ties)."""
    med = _summary(_MEDIUM, COMMANDS["medium"], medium)
    demo = _summary(_DEFAULT, COMMANDS["default"], demo)
    bench = read_store(_BENCH, COMMANDS["bench"]) if bench is None else bench
    att = attack_table() if attacks is None else attacks
    rows = [_speed_row(bench), _beat_row(med), _robust_row(att, majority_share(med["robustness"]["dataset"]))]
    yard = _yardstick_row(demo)
    return glance_table(rows + ([yard] if yard else []))


def text_markdown(text: str):
    """``IPython.display.Markdown`` whose plain-text form is the Markdown itself, so that nbval compares the numbers
    of a stored output with a fresh run's (a plain ``Markdown`` object's text is only its class name)."""
    from IPython.display import Markdown

    class MarkdownText(Markdown):
        def __repr__(self) -> str:
            return self.data

    return MarkdownText(text)


def glance_markdown(**kwargs):
    """:func:`glance` as a Markdown table (cells wrap on the page)."""
    t = glance(**kwargs)

    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return text_markdown("\n".join(lines))


def closing_note(medium: dict | None = None, demo: dict | None = None, bench: pd.DataFrame | None = None,
                 attacks: pd.DataFrame | None = None):
    """The closing note of notebook 04 as Markdown, every number from the stores (≤ 400 words)."""
    med = _summary(_MEDIUM, COMMANDS["medium"], medium)
    bench = read_store(_BENCH, COMMANDS["bench"]) if bench is None else bench
    att = attack_table() if attacks is None else attacks
    table = glance(med, demo, bench, att)
    c = _beat_counts(med)
    p = med["parameters"]
    holds = bench[bench.claim_holds]
    faster = bench[bench.speedup > 1]
    text = markdown(
        "## Closing note\n\n"
        "{verdicts}\n\n"
        "**Speed.** Where the exact MIP proves its optimum, data splitting is faster in {n_faster} of {n_cases} "
        "cases, and within a point of its test accuracy at ≥ 10× in {n_holds} ({holds_cases}): few splits are fast "
        "and lose accuracy, many are accurate and the speed-up shrinks.\n\n"
        "**BDNN against Adam.** With the authors' network ({hidden} hidden units, weights in {{−1, 0, 1}}, {splits} "
        "splits, batches of {batch}) but {limit:g} s per MIP instead of 7,200 s, the BDNN chosen on validation ties "
        "Adam trained to convergence on {ties} of {n} datasets and is behind on {behind}; its MIPs stopped at our "
        "limit on {capped}. A run whose every MIP stops there keeps the all-zero start of the authors' code, which "
        "predicts one class: such rows measure our limit, not the method.\n\n"
        "**Robustness.** {constant} of the {n_robust} robust runs are constant predictors, so the robustness row "
        "says nothing about the method at this limit.\n\n"
        "**What remains.** The authors' 7,200 s per MIP and 10 repetitions (`profile=\"paper\"`, days of solver "
        "time); the stores resume, and part 1 redraws from whatever they hold.",
        verdicts="\n".join(f"* **{r.claim}**: *{r.verdict}*." for r in table.itertuples()),
        n_faster=len(faster), n_holds=len(holds), n_cases=len(bench),
        holds_cases=", ".join(f"{r.dataset} with {r.max_splits} splits" for r in holds.itertuples()) or "none",
        hidden=p["hidden"][0], splits=p["max_splits"], batch=p["batch_size"], limit=p["time_limit"],
        ties=c["tie"], behind=c["behind"], n=c["n"], capped=c["capped"], constant=_constant_runs(att),
        n_robust=att.groupby(["rho", "seed"]).ngroups)
    return text_markdown(text.data)


def medium_settings():
    """The committed medium profile's settings as a short Markdown list (from ``summary_medium.json``)."""
    med = read_store(_MEDIUM, COMMANDS["medium"])
    p = med["parameters"]
    reps = {d: p.get("repetitions_by_dataset", {}).get(d, p["repetitions"]) for d in p["datasets"]}
    text = markdown(
        "* datasets (repetitions): {datasets}; the original Wisconsin set and the credit-card defaults are the "
        "authors', the others extra rows;\n"
        "* BDNN: {hidden} hidden units, weights in {domain}, data splitting with {splits} splits and batches of "
        "{batch}; {limit:g} s per MIP (the authors: 7,200 s);\n"
        "* Adam: until the training loss converges (at most {epochs:,} epochs), and the authors' literal 30 epochs;\n"
        "* robust runs: {robust_hidden} hidden units, {robust_splits} splits, radii ρ ∈ {{{radii}}}, "
        "{robust_reps} seeds, {trials} attack trials per strength.",
        datasets=", ".join(f"{d.replace('_', ' ')} ({n})" for d, n in reps.items()),
        hidden=" × ".join(map(str, p["hidden"])),
        domain="{−1, 0, 1}" if p["weight_domain"] == "integer" else "[−1, 1]", splits=p["max_splits"],
        batch=p["batch_size"], limit=p["time_limit"], epochs=p["adam_max_epochs"],
        robust_hidden=" × ".join(map(str, p["robust_hidden"])), robust_splits=p["robust_max_splits"],
        radii=", ".join(f"{r:g}" for r in p["robust_radii"]), robust_reps=p.get("robust_repetitions",
                                                                                 p["repetitions"]),
        trials=p["attack_trials"])
    return text_markdown(text.data)
