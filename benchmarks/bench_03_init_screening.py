"""Benchmark: screening random initialisations for Goebbels' Algorithm 1 (notebook 03b, hypothesis 1).

The 784-8-8-8-10 network on the first 100 MNIST training images at 28×28, weights uniform in [−1, 1]. Three stages,
each a resumable sweep (results/benchmarks/bench_03_init_screening_<stage>.jsonl):

1. ``probe``: random states 0 .. --probe-states − 1; per state the output-layer LP (7)–(8) on the random hidden
   features (training accuracy = "probe accuracy"), dead units, activation patterns. Milliseconds per state.
2. ``iteration``: random states 0 .. --iteration-states − 1; one while-iteration of Algorithm 1 with node-capped
   MILPs (--mip-nodes) and its training accuracy.
3. ``full``: the --top best states of stage 2 (training accuracy; ties to the smaller state), Algorithm 1 in full
   (while the accuracy improves, at most --max-iterations) with every MILP exact up to --time-limit seconds.

Only training data decide. Writes bench_03_init_screening.csv (one row per screened state), _full.csv (one row per
while-iteration of the full runs), _updates.csv (one row per layer update of the full runs: where units die),
.json (the summary) and figures/benchmarks/bench_03_init_screening.png/.pdf/.csv.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_init_screening.py [--n-jobs 2] [--quick] [--pixels raw]
"""

import argparse
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from mipnn.experiments import param_grid, provenance, run_sweep
from mipnn.experiments.layerwise import PIXELS, run_algorithm1, run_screening
from mipnn.paths import benchmarks_dir
from mipnn.plotting import save_figure, set_style
from mipnn.relu import pick_initialisations


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--probe-states", type=int, default=500)
    ap.add_argument("--iteration-states", type=int, default=50)
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--mip-nodes", type=int, default=50, help="node cap per MILP in the iteration stage")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per MILP")
    ap.add_argument("--max-iterations", type=int, default=10)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="7x7 images, 20 images, few states (about a minute)")
    ap.add_argument("--pixels", choices=PIXELS, default="unit",
                    help="'raw' keeps pixel values 0..255 instead of [0, 1] (hypothesis 5); files get the suffix _raw")
    args = ap.parse_args(argv)
    side, tag = 28, ""
    if args.quick:
        side, tag = 7, "_quick"
        args.probe_states, args.iteration_states, args.top, args.images = 40, 6, 2, 20
    common = dict(images=[args.images], side=[side], time_limit=[args.time_limit])
    if args.pixels != "unit":
        tag += f"_{args.pixels}"
        common["pixels"] = [args.pixels]
    out = benchmarks_dir()
    probe = run_sweep(run_screening, param_grid(random_state=list(range(args.probe_states)), iterations=[0],
                                                **common),
                      out / f"bench_03_init_screening{tag}_probe.jsonl", n_jobs=args.n_jobs, desc="probe")
    it = run_sweep(run_screening, param_grid(random_state=list(range(args.iteration_states)), iterations=[1],
                                             mip_nodes=[args.mip_nodes], **common),
                   out / f"bench_03_init_screening{tag}_iteration.jsonl", n_jobs=args.n_jobs, desc="iteration")
    chosen = pick_initialisations(it, args.top, by="iteration_accuracy")
    full = run_sweep(run_algorithm1, param_grid(random_state=chosen, max_iterations=[args.max_iterations], **common),
                     out / f"bench_03_init_screening{tag}_full.jsonl", n_jobs=args.n_jobs, desc="full")
    keep = ["random_state", "initial_accuracy", "probe_accuracy", "dead_h1", "dead_h2", "dead_h3", "patterns"]
    screen = probe[keep].merge(
        it[["random_state", "iteration_accuracy", "iteration_dead_h1", "iteration_dead_h2", "iteration_dead_h3",
            "iteration_patterns", "iteration_seconds"]], on="random_state", how="left")
    screen.to_csv(out / f"bench_03_init_screening{tag}.csv", index=False, float_format="%.6g")
    hist = pd.concat([pd.DataFrame(r.iterations).assign(random_state=r.random_state, final=r.train_accuracy,
                                                         run_wall_s=r.run_wall_s)
                      for r in full.itertuples()], ignore_index=True)
    hist.to_csv(out / f"bench_03_init_screening{tag}_full.csv", index=False, float_format="%.6g")
    updates = pd.concat([pd.DataFrame(r.updates).assign(random_state=r.random_state) for r in full.itertuples()],
                        ignore_index=True)
    updates.to_csv(out / f"bench_03_init_screening{tag}_updates.csv", index=False, float_format="%.6g")
    dying = dead_unit_changes(updates, screen)
    both = screen.dropna(subset=["iteration_accuracy"])
    rho = float(both[["probe_accuracy", "iteration_accuracy"]].corr(method="spearman").iloc[0, 1])
    summary = {
        "setting": {"images": args.images, "side": side, "pixels": args.pixels, "probe_states": args.probe_states,
                    "iteration_states": args.iteration_states, "mip_nodes_iteration_stage": args.mip_nodes,
                    "time_limit_per_milp": args.time_limit, "max_iterations": args.max_iterations},
        "probe_accuracy": screen["probe_accuracy"].describe().to_dict(),
        "iteration_accuracy": both["iteration_accuracy"].describe().to_dict(),
        "spearman_probe_vs_iteration": rho,
        "dead_units_at_init_share_of_states_with_any": float((screen[["dead_h1", "dead_h2", "dead_h3"]].sum(axis=1)
                                                               > 0).mean()),
        "chosen": chosen,
        "dead_units_by_update": dying.to_dict("records"),
        "full_runs": [{"random_state": int(r.random_state), "train_accuracy": r.train_accuracy,
                       "iterations": len(r.iterations), "run_wall_s": r.run_wall_s,
                       "statuses": {c.split(".", 1)[1]: int(full[c].iloc[i]) for c in full.columns
                                    if c.startswith("statuses.") and pd.notna(full[c].iloc[i])}}
                      for i, r in enumerate(full.itertuples())],
        "provenance": provenance(),
    }
    (out / f"bench_03_init_screening{tag}.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    figure(screen, both, hist, chosen, tag)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(both.sort_values("iteration_accuracy", ascending=False).head(10).round(3).to_string(index=False))
        print(hist.round(3).to_string(index=False))
        print("dead units by layer update (sum over the full runs):")
        print(dying.to_string(index=False))
    print(f"spearman(probe, iteration) = {rho:.2f} over {len(both)} states; chosen {chosen}; full-run training "
          f"accuracy {[round(r['train_accuracy'], 3) for r in summary['full_runs']]}")
    return summary


def dead_unit_changes(updates, screen):
    """Hypothesis 4, where units die: per full run and layer update, the change of dead units in each hidden
    layer against the state before that update (at initialisation for the first), summed by which layer's
    weights were updated; ``zero_target_units`` counts the units the input fit gave all-zero targets."""
    dead = [c for c in updates.columns if c.startswith("dead_h")]
    rows = []
    for rs, d in updates.groupby("random_state", sort=False):
        before = screen.loc[screen["random_state"] == rs, dead].iloc[0].to_numpy(dtype=float)
        for u in d.itertuples():
            now = pd.Series(u._asdict())[dead].to_numpy(dtype=float)
            rows.append({"random_state": rs, "layer_updated": u.layer,
                         **{f"died_{c[5:]}": max(v, 0.0) for c, v in zip(dead, now - before, strict=True)},
                         **{f"revived_{c[5:]}": max(-v, 0.0) for c, v in zip(dead, now - before, strict=True)},
                         "zero_target_units": getattr(u, "zero_target_units", float("nan"))})
            before = now
    tab = pd.DataFrame(rows)
    return tab.groupby("layer_updated").sum(numeric_only=True, min_count=1).drop(columns="random_state").reset_index()


def figure(screen, both, hist, chosen, tag):
    set_style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    sns.histplot(screen["probe_accuracy"], bins=np.arange(0, 1.02, 0.02), ax=axes[0])
    axes[0].set(xlabel="probe accuracy (output LP on random features)", ylabel="random states",
                title=f"{len(screen)} initialisations")
    sns.scatterplot(data=both, x="probe_accuracy", y="iteration_accuracy", ax=axes[1])
    axes[1].set(xlabel="probe accuracy", ylabel="training accuracy after 1 while-iteration",
                title=f"{len(both)} initialisations, node-capped MILPs")
    for rs, d in hist.groupby("random_state"):
        axes[2].plot(d["iteration"], d["best_accuracy"], marker="o", label=f"state {rs}")
    axes[2].axhline(1.0, ls="--", color="k", lw=1, label="paper (Fig. 2)")
    axes[2].set(xlabel="while-iteration", ylabel="best training accuracy", ylim=(0, 1.02),
                title=f"full runs of the {len(chosen)} best (exact MILPs)")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    data = screen.assign(chosen=screen["random_state"].isin(chosen))
    save_figure(fig, "benchmarks", f"bench_03_init_screening{tag}", data=data)
    plt.close(fig)


if __name__ == "__main__":
    main()
