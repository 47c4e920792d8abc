"""Notebook 03 (Goebbels 2021) at the paper's scale, from its committed stores: the registered figures, the
results-at-a-glance table and the closing note.

Stores (under ``results/``; each figure reads whichever of them exist and says in the figure which command produces
a missing one — reading never solves):

* ``03_layerwise_relu_mnist/summary_session.json`` — the session-profile run of the notebook (the paper's data
  scale, ≤ 50 nodes per MILP) and the Adam baselines;
* ``benchmarks/bench_03_algorithm1.csv``, ``bench_03_init_screening_full.csv`` (Algorithm 1 from U[−1, 1], exact
  MILPs) and ``bench_03_init.jsonl`` (Algorithm 1 from small starts: Glorot-uniform, U[−0.1, 0.1]);
* ``benchmarks/bench_03_batches_*.json`` (batch learning, optionally the LP after batch 10), ``bench_03_conv_*.json``
  (the conv net), ``bench_03_committee_*.json`` (the committee), ``bench_03_postprocess_lp_*.json`` (the LP alone).

Registered figures (:mod:`mipnn.figures`, notebook ``03_layerwise_relu_mnist``): ``paper_fig2_algorithm1``,
``paper_fig3_batches``, ``paper_postprocess_lp``, ``paper_committee``, ``paper_conv``, ``paper_adam``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..figures import read_store, register, store_path
from ..report import glance_table, markdown
from . import benchmarks as br

__all__ = ["NB", "COMMANDS", "paper_fig2_algorithm1", "paper_fig3_batches", "paper_postprocess_lp",
           "paper_committee", "paper_conv", "paper_adam", "glance", "glance_markdown", "closing_note",
           "session_summary", "hypothesis_markdown", "show_benchmark_figure", "markdown_table"]

NB = "03_layerwise_relu_mnist"
_SESSION = f"{NB}/summary_session.json"
#: The command that fills each store (quoted where a store is missing).
COMMANDS = {
    "session": ("papermill -p profile session --cwd notebooks notebooks/03_layerwise_relu_mnist.ipynb "
                "results/03_layerwise_relu_mnist/executed_session.ipynb"),
    "algorithm1": "python benchmarks/bench_03_algorithm1.py; python benchmarks/bench_03_init_screening.py",
    "init": "python benchmarks/bench_03_init.py --inits glorot_uniform uniform:0.1 --states 1 0 2 3 4",
    "batches": "python benchmarks/bench_03_batches.py --n-batches 20 --random-state 13 --solver gurobi",
    "lp": "python benchmarks/bench_03_batches.py --n-batches 10 --lp-after 10 --random-state 40 --solver gurobi",
    "committee": ("python benchmarks/bench_03_committee.py --init glorot_uniform --screen 50 --n-batches 10 "
                  "--mip-nodes 0 --solver gurobi --n-jobs 2 --max-iterations 50"),
    "conv": "python benchmarks/bench_03_batches.py --net conv --input 7x7 --n-batches 10 --lp-after 10",
    "lp_alone": "python benchmarks/bench_03_postprocess_lp.py",
}
#: One colour per family of runs, the same in every figure.
_LITERAL = "uniform [−1, 1]"


def _folder():
    return store_path("benchmarks")


def session_summary() -> dict:
    """The committed session-profile summary of notebook 03."""
    return read_store(_SESSION, COMMANDS["session"])


def _colour(init: str) -> str:
    from ..plotting import PALETTE

    order = {"uniform": 0, "glorot_uniform": 2, "uniform:0.1": 3}
    return PALETTE[order.get(init, 1) % len(PALETTE)]


def _missing(ax, what: str, command: str, *, x: float = 0.02, y: float = 0.9, ha: str = "left") -> None:
    """A line inside the axes naming a run that is not committed yet and the script that produces it."""
    script = next((w for w in command.split() if w.startswith("benchmarks/")), command.split(";")[0])
    ax.text(x, y, f"{what}: not committed yet ({script})", transform=ax.transAxes, fontsize=8, color="0.35",
            ha=ha)


def _init_store_runs(folder) -> pd.DataFrame:
    """The exact-MILP runs of ``bench_03_init.jsonl``, one row per while-iteration, with the best training accuracy
    so far (the network Algorithm 1 keeps)."""
    from .store import ResultStore

    path = folder / "bench_03_init.jsonl"
    runs = ResultStore(path).to_frame() if path.exists() else pd.DataFrame()
    frames = []
    for _, r in runs.iterrows():
        if r.get("mip_nodes") is not None and r.get("mip_nodes") == r.get("mip_nodes"):
            continue  # node-capped: not the paper's method
        it = pd.DataFrame(r["iterations"])
        best = it["best_accuracy"] if "best_accuracy" in it else it["accuracy"].cummax()
        frames.append(pd.DataFrame({"init": r["init"], "run": str(r["random_state"]),
                                    "iteration": range(1, len(it) + 1), "accuracy": best.to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _accuracy_lists(folder) -> pd.DataFrame:
    """Training accuracy of the network Algorithm 1 keeps (the best so far) after each while-iteration of every
    exact-MILP run on the first 100 images at 28×28: ``init``, ``run`` (random state), ``iteration``, ``accuracy``;
    runs that recorded only their end (``bench_03_solver.csv``) have one row, ``final_only``."""
    cols = ["init", "run", "iteration", "accuracy"]
    frames = []
    alg1 = br.algorithm1_runs(folder)
    if not alg1.empty:
        frames.append(alg1.assign(init="uniform", run=alg1["random_state"].astype(str), accuracy=alg1["best_accuracy"])[
            cols])
    full = br.screening_full_runs(folder)
    if not full.empty:
        frames.append(full.assign(init="uniform", run=full["random_state"].astype(str) + " (screened)",
                                  accuracy=full["best_accuracy"])[cols])
    other = br.solver_runs(folder)
    if not other.empty:
        other = other[other["solver"] != "highs"]
        frames.append(pd.DataFrame({"init": "uniform", "run": other["random_state"].astype(str) + " (" + other["solver"]
                                    + ")", "iteration": other["iterations"], "accuracy": other["train_accuracy"],
                                    "final_only": True}))
    frames.append(_init_store_runs(folder))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*cols, "final_only"])
    out = pd.concat(frames, ignore_index=True)
    out["final_only"] = out.get("final_only", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    return out


@register(NB, "paper_fig2_algorithm1", stores=["benchmarks/bench_03_algorithm1.csv"], command=COMMANDS["algorithm1"],
          title="Figure 2 at 28×28: Algorithm 1 on 100 images, exact MILPs, per start")
def paper_fig2_algorithm1():
    """The paper's Figure 2 at its scale: training accuracy after each while-iteration of Algorithm 1 on the first
    100 images at 28×28, every weight MILP exact, one line per run, one colour per kind of random start (the
    literal reading U[−1, 1] and the small starts inside it); the paper reaches 1.0."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    data = _accuracy_lists(_folder())
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    handles = []
    for init, g in data.groupby("init", sort=False):
        finals = g.groupby("run", sort=False)["accuracy"].max()
        for _, r in g.groupby("run", sort=False):
            if r["final_only"].all():  # a run that recorded only its end
                ax.scatter(r["iteration"], r["accuracy"], color=_colour(init), marker="x", s=30, zorder=3)
            else:
                ax.plot(r["iteration"], r["accuracy"], color=_colour(init), lw=1.4, alpha=0.8, marker=".")
        reach = int((finals >= 0.95).sum())
        handles.append(Line2D([], [], color=_colour(init), marker=".",
                              label=f"{br.init_label(init)}: {len(finals)} runs, best {finals.max():.2f}, "
                                    f"{reach} reach ≥ 0.95"))
    if data["final_only"].any():
        handles.append(Line2D([], [], color="0.3", marker="x", ls="", label="a run that recorded only its end"))
    ax.axhline(1.0, color="k", ls="--", lw=1)
    handles.append(Line2D([], [], color="k", ls="--", label="paper: 1.0 (CPLEX)"))
    if not (data["init"] != "uniform").any():
        _missing(ax, "runs from small starts", COMMANDS["init"], y=0.88)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(xlabel="while-iteration of Algorithm 1", ylabel="training accuracy, best so far (100 images)",
           ylim=(0, 1.05),
           title="Figure 2 at the paper's scale: Algorithm 1, exact MILPs")
    ax.legend(handles=handles[:6], loc="lower right", fontsize=8)
    return fig, data


def _family(row) -> str:
    """A batch run's family in words: its start and how its MILPs were solved."""
    return f"{br.init_label(row['init'])}, {br._milps_text(row['mip_nodes'], row['solver'])}"


@register(NB, "paper_fig3_batches", stores=[], command=COMMANDS["batches"],
          title="Figure 3 at 28×28: 20 batches, test accuracy against wall time")
def paper_fig3_batches():
    """The paper's Figure 3 at its scale: test accuracy (10,000 images) after each of 20 batches of 100 images
    against the batches' cumulative wall time, the best run of each family (start × how the MILPs were solved) of
    the paper's method, and the paper's point (0.69 in 1,448 s)."""
    import matplotlib.pyplot as plt

    runs = br.batch_runs(_folder())
    runs = runs[~runs["lever"].astype(bool)]
    per = runs.groupby("run", sort=False).agg(batches=("batch", "max"), best=("test_accuracy", "max"))
    long = runs[runs["run"].isin(per.index[per["batches"] >= 20])].copy()
    long["family"] = [_family(r) for _, r in long.iterrows()]
    best = long.groupby("run", sort=False).agg(family=("family", "first"), best=("test_accuracy", "max"))
    keep = best.sort_values("best", ascending=False).drop_duplicates("family").head(5)
    data = long[long["run"].isin(keep.index)].drop(columns=["run"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, (family, g) in enumerate(data.groupby("family", sort=False)):
        init = g["init"].iloc[0]
        ls = "-" if pd.isna(g["mip_nodes"].iloc[0]) else ":"
        ax.plot(g["cumulative_wall_s"], g["test_accuracy"], marker=".", ls=ls, color=_colour(init) if ls == "-"
                else "0.5", label=f"{family} (best {g['test_accuracy'].max():.4f})", zorder=3 + i)
    ax.plot([1448], [0.69], marker="*", ms=15, ls="", color="k", label="paper: 0.69 in 1,448 s (CPLEX)")
    if data.empty:
        _missing(ax, "20 batches", COMMANDS["batches"], x=0.98, y=0.04, ha="right")
    elif not (data["init"] != "uniform").any():
        _missing(ax, "20 batches from a small start", COMMANDS["batches"], x=0.98, y=0.04, ha="right")
    ax.set(xlabel="wall time of the batches [s]", ylabel="test accuracy (10,000 images)", ylim=(0, 1),
           title="Figure 3 at the paper's scale: 20 batches × 100 images, bound (10)")
    ax.legend(loc="upper left", fontsize=8)
    return fig, data


def _lp_runs(folder) -> pd.DataFrame:
    runs = br.batch_runs(folder).drop_duplicates("run").set_index("run")
    rows = []
    for r in br.lp_after_10_runs(folder):
        if r["lever"] or r["run"] not in runs.index:
            continue
        a = runs.loc[r["run"]]
        tie = "" if a["tie_break"] == "none" else f", tie-break {a['tie_break']}"
        rows.append({"run": f"{_family(a)}, state {a['random_state']}{tie}", "before": r["before"],
                     "after": r["after"]})
    return pd.DataFrame(rows, columns=["run", "before", "after"])


@register(NB, "paper_postprocess_lp", stores=[_SESSION], command=COMMANDS["lp"],
          title="The post-processing LP over 60,000 images after 10 batches")
def paper_postprocess_lp():
    """Left: test accuracy before and after the post-processing LP over all 60,000 training images, after 10
    batches of the paper's method (each run, and the session run), against the paper's 0.7584. Right: the LP's
    solve time over 60,000 images (compact form) against the paper's ~1,000 s."""
    import matplotlib.pyplot as plt

    from ..plotting import PALETTE

    s = session_summary()["experiments"]
    acc = _lp_runs(_folder())
    acc.loc[len(acc)] = {"run": "uniform [−1, 1], ≤ 50 nodes per MILP (session)",
                         "before": np.nan, "after": s["postprocess_lp"]["test_accuracy"]}
    lp = br.postprocess_lp_runs(_folder())
    lp = lp[(lp["n_images"] == 60000) & (lp["status"] == "optimal")]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [2.2, 1]})
    y = np.arange(len(acc))
    ax.scatter(acc["before"], y, color="0.55", label="after 10 batches", zorder=3)
    ax.scatter(acc["after"], y, color=PALETTE[0], marker="D", label="after the LP", zorder=3)
    for yi, (b, a) in enumerate(zip(acc["before"], acc["after"], strict=True)):
        if b == b:
            ax.annotate("", (a, yi), (b, yi), arrowprops={"arrowstyle": "->", "color": "0.4"})
    ax.axvline(br.PAPER_NUMBERS["postprocess_lp"], color="k", ls="--", lw=1, label="paper: up to 0.7584")
    ax.set_yticks(y, acc["run"], fontsize=8)
    ax.set(xlim=(0, 1), xlabel="test accuracy (10,000 images)", title="LP after 10 batches")
    ax.legend(loc="lower right", fontsize=8)
    labels = [f"{br.HIDDEN_LABELS.get(h, h)}\nhidden layers" for h in lp["hidden"]]
    ax2.bar(labels, lp["solve_s"], color=PALETTE[2])
    ax2.axhline(1000, color="k", ls="--", lw=1, label="paper: ~1,000 s")
    if lp.empty:
        _missing(ax2, "LP alone", COMMANDS["lp_alone"], y=0.5)
    ax2.set(ylabel="solve time [s]", title="LP over 60,000 images", ylim=(0, 1150))
    ax2.tick_params(axis="x", labelsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    data = pd.concat([acc.assign(panel="accuracy"),
                      lp[["hidden", "solve_s", "peak_gb"]].assign(panel="solve_time")], ignore_index=True)
    return fig, data


@register(NB, "paper_committee", stores=[_SESSION], command=COMMANDS["committee"],
          title="Committee of three networks, majority vote")
def paper_committee():
    """Each committee run of the paper's method (3 nets, each on its own images): the members' and the majority
    vote's test accuracy, and the vote after the post-processing LP, against the paper's 0.7919."""
    import matplotlib.pyplot as plt

    from ..plotting import PALETTE

    s = session_summary()["experiments"]["committee"]
    rows = [{"committee": f"3 × {s['images_per_member']} images, ≤ 50 nodes per MILP (session)",
             "members": s["members"], "vote": s["test_accuracy"], "vote_after_lp": np.nan}]
    for c in br.committee_runs(_folder()):
        if c["lever"]:
            continue
        start = "" if c["init"] == "uniform" else f", {br.init_label(c['init'])}"
        rows.append({"committee": f"3 × {c['images_per_member']:,} images, {c['milps']}, tie-break {c['tie_break']}"
                                  f"{start}", "members": c["members"], "vote": c["vote"],
                     "vote_after_lp": np.nan if c["vote_after_lp"] is None else c["vote_after_lp"]})
    data = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    y = np.arange(len(data))
    ax.barh(y, data["vote"], color=PALETTE[0], height=0.5, label="majority vote")
    for yi, m in zip(y, data["members"], strict=True):
        ax.scatter(m, [yi] * len(m), color="0.3", s=18, zorder=3, label="members" if yi == 0 else None)
    ax.scatter(data["vote_after_lp"], y, color=PALETTE[3], marker="D", zorder=4, label="vote after the LP")
    ax.axvline(br.PAPER_NUMBERS["committee"], color="k", ls="--", lw=1, label="paper: 0.7919")
    ax.set_yticks(y, data["committee"], fontsize=8)
    ax.set(xlim=(0, 1), xlabel="test accuracy (10,000 images)", title="Committee of three networks")
    ax.legend(loc="lower right", fontsize=8)
    data = data.assign(members=data["members"].map(lambda m: " ".join(f"{v:.4f}" for v in m)))
    return fig, data


def _conv_histories(folder) -> pd.DataFrame:
    frames = []
    for f in sorted(folder.glob("bench_03_conv_*.json")):
        d = json.loads(f.read_text())
        a, lp = d["args"], d.get("postprocess_lp") or {}
        if not (d.get("finished") and lp.get("images") == 60000):
            continue
        label = f"{br._milps_text(a.get('mip_nodes'), a.get('solver', 'highs'))}, {a['time_limit']:g} s per MILP"
        h = pd.DataFrame(d["history"])
        frames.append(pd.DataFrame({"run": label, "step": h["batch"].astype(str),
                                    "wall_s": h["wall_time"].cumsum(), "test_accuracy": h["test_accuracy"]}))
        frames.append(pd.DataFrame({"run": [label], "step": ["LP"], "wall_s": [d["wall_time"] + lp["wall_time"]],
                                    "test_accuracy": [lp["test_accuracy"]]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["run", "step", "wall_s", "test_accuracy"])


@register(NB, "paper_conv", stores=[], command=COMMANDS["conv"],
          title="The convolutional 49-25-10 net on 7×7: 10 batches, then the LP")
def paper_conv():
    """The paper's convolutional experiment: test accuracy after each of 10 batches of 100 images at 7×7 and after
    the post-processing LP over 60,000 images, against cumulative wall time, beside the paper's 0.8711 in 3,933 s."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..plotting import PALETTE

    data = _conv_histories(_folder())
    fig, ax = plt.subplots(figsize=(7.5, 4.0))
    handles = []
    for i, (run, g) in enumerate(data.groupby("run", sort=False)):
        b, lp = g[g["step"] != "LP"], g[g["step"] == "LP"]
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(b["wall_s"], b["test_accuracy"], marker=".", color=colour)
        ax.plot([b["wall_s"].iloc[-1], lp["wall_s"].iloc[0]], [b["test_accuracy"].iloc[-1],
                                                                lp["test_accuracy"].iloc[0]], ls=":", color=colour)
        ax.scatter(lp["wall_s"], lp["test_accuracy"], marker="D", color=colour, zorder=4)
        handles.append(Line2D([], [], color=colour, marker=".",
                              label=f"{run}: {lp['test_accuracy'].iloc[0]:.4f} after the LP"))
    handles.append(Line2D([], [], color="0.3", marker="D", ls="", label="after the LP over 60,000 images"))
    ax.plot([3933], [0.8711], marker="*", ms=15, ls="", color="k")
    handles.append(Line2D([], [], color="k", marker="*", ms=12, ls="", label="paper: 0.8711 in 3,933 s (CPLEX)"))
    if data.empty:
        _missing(ax, "conv net", COMMANDS["conv"], y=0.5)
    ax.set(xlabel="wall time [s]", ylabel="test accuracy (10,000 images)", ylim=(0, 1),
           title="Conv 49-25-10 on 7×7: 10 batches × 100 images, then the LP")
    ax.legend(handles=handles[:6], loc="lower right", fontsize=8)
    return fig, data


#: Adam baselines of the session summary with the paper's number (``None``: the paper gives none).
_ADAM = [("MLP 784-8-8-8-10, 28x28, 3 epochs", "MLP 784-8-8-8-10\n28×28, 3 epochs", 0.733),
         ("MLP 49-8-8-8-10, 7x7, 3 epochs", "MLP 49-8-8-8-10\n7×7, 3 epochs", None),
         ("conv 784-676-10 softmax, 28x28, 40 epochs", "conv, softmax\n28×28, 40 epochs", 0.9351),
         ("conv 49-25-10 softmax, 7x7, 40 epochs", "conv, softmax\n7×7, 40 epochs", 0.8961),
         ("conv 49-25-10 ReLU output, 7x7, 40 epochs", "conv, ReLU output\n7×7, 40 epochs", 0.46)]


@register(NB, "paper_adam", stores=[_SESSION], command=COMMANDS["session"],
          title="The Adam baselines: paper against ours")
def paper_adam():
    """The gradient baselines (Adam, all 60,000 training images): the paper's Keras numbers against ours
    (scikit-learn's MLP, our numpy conv net), from the session run. For the ReLU output the paper gives an upper
    bound (≤ 46 %)."""
    import matplotlib.pyplot as plt

    from ..plotting import PALETTE

    adam = session_summary()["experiments"]["adam"]
    data = pd.DataFrame([{"baseline": label.replace("\n", ", "), "paper": paper,
                          "ours": adam[key]["test_accuracy"]} for key, label, paper in _ADAM if key in adam])
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    x = np.arange(len(data))
    ax.bar(x - 0.2, data["paper"].fillna(0), width=0.4, color="0.6", label="paper (Keras)")
    ax.bar(x + 0.2, data["ours"], width=0.4, color=PALETTE[0], label="ours (scikit-learn MLP, numpy conv net)")
    for xi, (p, o) in enumerate(zip(data["paper"], data["ours"], strict=True)):
        ax.text(xi + 0.2, o + 0.01, f"{o:.3f}", ha="center", fontsize=8)
        ax.text(xi - 0.2, (p if p == p else 0) + 0.01, "none given" if p != p else (f"≤ {p:.2f}" if xi == len(data) - 1
                                                                           else f"{p:.3f}"), ha="center", fontsize=8)
    ax.set_xticks(x, [label for key, label, _ in _ADAM if key in adam], fontsize=8)
    ax.set(ylim=(0, 1.08), ylabel="test accuracy (10,000 images)", title="Adam baselines")
    ax.legend(loc="upper left", fontsize=8)
    return fig, data


def glance(session: dict | None = None, folder=None) -> pd.DataFrame:
    """The results-at-a-glance table of notebook 03 (``claim · paper · ours · verdict``), one line per status row
    of :func:`mipnn.experiments.benchmarks.status_rows` with its verdict (:func:`~.benchmarks.glance_rows`)."""
    s = session_summary() if session is None else session
    return glance_table(br.glance_rows(s, _folder() if folder is None else folder))


def _text_markdown(text: str):
    """``IPython.display.Markdown`` whose plain-text form is the Markdown itself (not ``<…Markdown object>``), so
    that nbval compares the numbers in a stored output with a fresh run's."""
    from IPython.display import Markdown

    class MarkdownText(Markdown):
        def __repr__(self) -> str:
            return self.data

    return MarkdownText(text)


def markdown_table(df: pd.DataFrame):
    """Markdown of a small table (``|`` in cells escaped): wraps in the page where a wide DataFrame would not."""

    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in df.itertuples(index=False)]
    return _text_markdown("\n".join(lines))


def glance_markdown(session: dict | None = None, folder=None):
    """The results-at-a-glance table (:func:`glance`) as Markdown."""
    return markdown_table(glance(session, folder))


#: What produced each glance row (by the start of its claim).
_ROW_COMMANDS = {"Algorithm 1": "`bench_03_init.py`, `bench_03_algorithm1.py`, `bench_03_solver.py`",
                 "20 batches": "`bench_03_batches.py`",
                 "post-processing LP over 60,000 images after": "`bench_03_batches.py --lp-after 10`",
                 "majority vote": "`bench_03_committee.py`", "conv": "`bench_03_batches.py --net conv`",
                 "Adam, 784-8-8-8-10": "`bench_03_adam.py`", "Adam": "the session profile of this notebook",
                 "post-processing LP over 60,000 images:": "`bench_03_postprocess_lp.py`"}


def _row_command(claim: str) -> str:
    return next((c for k, c in _ROW_COMMANDS.items() if claim.startswith(k)), "the session profile")


def closing_note(session: dict | None = None, folder=None):
    """The closing note of notebook 03 as Markdown, every number and verdict from the stores: per glance row the
    verdict, the run it rests on and what produced it, then what holds and what remains."""
    folder = _folder() if folder is None else folder
    table = glance(session, folder)
    lines = [f"* **{r.claim}** — paper {r.paper}; ours {r.ours}, run by {_row_command(r.claim)}: *{r.verdict}*."
             for r in table.itertuples()]
    short = table["verdict"].str.startswith("short")
    held = table.loc[~short, "claim"].str.split(":").str[0]
    runs = _accuracy_lists(folder)
    literal = runs.loc[runs["init"] == "uniform", "accuracy"]
    small = runs[runs["init"] != "uniform"].groupby(["init", "run"])["accuracy"].max()
    start = ("no run from a smaller start is committed yet" if small.empty else
             f"from smaller starts inside that interval {int((small >= 0.95).sum())} of {len(small)} runs reach "
             f"≥ 0.95 (best {small.max():.2f})")
    return _text_markdown(markdown(
        "## Closing note\n\n{lines}\n\n{n_short} of {n_rows} claims are short of the paper; these hold: {held}. "
        "The paper leaves the scale of the start open (\"random values in [−1, 1]\"): from U[−1, 1] the best exact "
        "run of Algorithm 1 reaches {literal:.2f}; {start}. The companion notebook "
        "`03b_layerwise_relu_investigation` gives the {n_hyp} hypotheses we measured and what each found; the "
        "scripts are in `benchmarks/`.",
        lines="\n".join(lines), n_short=int(short.sum()), n_rows=len(table), held="; ".join(held),
        literal=float(literal.max()), start=start, n_hyp=len(br.hypothesis_rows(folder))).data)


def hypothesis_markdown(folder=None):
    """The hypothesis table of notebook 03b (:func:`~.benchmarks.hypothesis_rows`) as Markdown: hypothesis,
    measurement, result."""
    rows = br.hypothesis_rows(_folder() if folder is None else folder)
    return markdown_table(rows.rename(columns=str.capitalize))


def show_benchmark_figure(name: str) -> None:
    """Display ``figures/benchmarks/<name>.png`` (drawn by ``benchmarks/<name>.py``), or a line naming the script
    that draws it when it has not run."""
    from IPython.display import Image, Markdown, display

    from ..paths import figures_dir

    path = figures_dir("benchmarks") / f"{name}.png"
    script = name.removesuffix("_raw").removesuffix("_quick")
    if path.is_file():
        display(Image(filename=str(path)))
    else:
        display(Markdown(f"*Not run yet:* `python benchmarks/{script}.py` draws this figure."))
