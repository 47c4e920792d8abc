"""Read the committed results of the Goebbels (2021) benchmarks (``benchmarks/bench_03_*.py``) as tidy tables.

The benchmarks run at the paper's scale and take minutes to hours, so notebooks never rerun them: they plot what
the scripts wrote to ``results/benchmarks/`` (:func:`mipnn.paths.benchmarks_dir`). Each function returns an empty
frame (with its columns) when no result file exists yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..paths import benchmarks_dir

__all__ = ["batch_runs", "postprocess_lp_runs", "weight_milp_runs", "algorithm1_runs", "run_table"]

BATCH_COLUMNS = ["run", "batch", "cumulative_wall_s", "test_accuracy", "batch_accuracy", "iterations",
                 "mip_nodes", "lp_start", "max_iterations", "finished"]
LP_COLUMNS = ["run", "n_images", "solver", "formulation", "rows", "status", "solve_s", "build_handoff_share",
              "peak_gb", "hidden"]


def _folder(folder) -> Path:
    return benchmarks_dir() if folder is None else Path(folder)


def batch_runs(folder=None) -> pd.DataFrame:
    """One row per finished batch of every ``bench_03_batches_*.json``: cumulative wall time (batches only, the
    post-processing LP excluded) and accuracies, with the run's settings."""
    rows = []
    for f in sorted(_folder(folder).glob("bench_03_batches_*.json")):
        d = json.loads(f.read_text())
        a = d["args"]
        wall = 0.0
        for h in d["history"]:
            wall += h["wall_time"]
            rows.append({"run": f.stem.removeprefix("bench_03_batches_"), "batch": h["batch"],
                         "cumulative_wall_s": wall, "test_accuracy": h["test_accuracy"],
                         "batch_accuracy": h["batch_accuracy"], "iterations": h["iterations"],
                         "mip_nodes": a.get("mip_nodes"), "lp_start": a.get("lp_start", False),
                         "max_iterations": a["max_iterations"], "finished": d.get("finished", True)})
    return pd.DataFrame(rows, columns=BATCH_COLUMNS)


def postprocess_lp_runs(folder=None) -> pd.DataFrame:
    """One row per ``bench_03_postprocess_lp_*.json`` (the §2.3 LP on many training images)."""
    rows = []
    for f in sorted(_folder(folder).glob("bench_03_postprocess_lp_*.json")):
        d = json.loads(f.read_text())
        rows.append({"run": f.stem.removeprefix("bench_03_postprocess_lp_"), "n_images": d["n_images"],
                     "solver": d["solver"], "formulation": d.get("formulation", "paper"), "rows": d["rows"],
                     "status": d["status"], "solve_s": d["solve_time"],
                     "build_handoff_share": d["build_plus_handoff_over_solve"],
                     "peak_gb": d["peak_rss_mb"] / 1024, "hidden": d.get("hidden", "random")})
    return pd.DataFrame(rows, columns=LP_COLUMNS)


def _csv(name: str, folder) -> pd.DataFrame:
    path = _folder(folder) / name
    return pd.read_csv(path) if path.exists() else pd.DataFrame()


def weight_milp_runs(folder=None) -> pd.DataFrame:
    """``bench_03_weight_milps.csv``: wall time and objective per layer and MILP variant."""
    return _csv("bench_03_weight_milps.csv", folder)


def algorithm1_runs(folder=None) -> pd.DataFrame:
    """``bench_03_algorithm1.csv``: accuracy per while-iteration of Algorithm 1 on 100 images, per random state."""
    return _csv("bench_03_algorithm1.csv", folder)


def run_table(folder=None) -> pd.DataFrame:
    """One line of text per batch-learning and post-processing-LP run: what ran, its wall time, its result and the
    paper's number (the table at the end of notebook 03)."""
    rows = []
    for f in sorted(_folder(folder).glob("bench_03_*.json")):
        d = json.loads(f.read_text())
        if "history" in d:  # batch learning
            a = d["args"]
            milps = "exact MILPs" if a["mip_nodes"] is None else f"≤{a['mip_nodes']} nodes per MILP"
            start = "LP start" if a.get("lp_start", False) else "plain warm start"
            result = f"best test accuracy {d['best_test_accuracy']:.4f}"
            lp = d.get("postprocess_lp")
            if lp:
                result += (f"; LP over {lp['images']:,} images after batch {lp['after_batch']}: "
                           f"{lp['test_accuracy']:.4f} ({lp['solve_time']:.0f} s)")
            rows.append({"benchmark": f.stem, "what": f"{a['n_batches']} batches × {a['batch_size']}, {a['input']}, "
                         f"{milps}, {start}, ≤{a['max_iterations']} iterations per batch",
                         "wall_s": round(d["wall_time"]), "result": result,
                         "paper": "1,448 s, test accuracy 0.69" + ("; LP: 75.84 %, ~1,000 s" if lp else "")})
        else:  # post-processing LP
            result = (f"{d['status']}; build + hand-off {100 * d['build_plus_handoff_over_solve']:.1f} % of solve; "
                      f"peak {d['peak_rss_mb'] / 1024:.2f} GB; hidden layers {d.get('hidden', 'random')}: "
                      f"optimum / constant-0.49 optimum {d['objective'] / (0.02 * d['n_images']):.3f}")
            if d.get("test_accuracy_after") is not None:
                result += f"; test accuracy {d['test_accuracy_before']:.4f} → {d['test_accuracy_after']:.4f}"
            rows.append({"benchmark": f.stem, "what": f"{d['n_images']} images, {d.get('formulation', 'paper')} "
                         f"form, {d['rows']:,} rows, HiGHS {d['solver']}", "wall_s": round(d["solve_time"]),
                         "result": result, "paper": "~1,000 s (60,000 images)"})
    return pd.DataFrame(rows, columns=["benchmark", "what", "wall_s", "result", "paper"])
