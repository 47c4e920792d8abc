"""The parameters of each notebook, declared once: names, allowed values and cross-constraints.

Every notebook's cell right after its ``parameters`` cell makes one call::

    globals().update(check_notebook_parameters(NB, globals()))

which checks every parameter the cell declares (type, range, the constraints between them) before any work, with
an error that names the parameter and the allowed values, and writes back the normalised values (a scalar where a
list is expected becomes a one-element list: ``-p sample_sizes 40`` means ``[40]``). :func:`parameter_table`
shows a schema as a table; ``python -m mipnn.experiments.parameters [notebook]`` prints them all.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..backends import BACKENDS
from ..validation import Param, check_parameters

__all__ = ["NotebookSchema", "SCHEMAS", "check_notebook_parameters", "injected_parameters", "parameter_table", "main"]

INF = float("inf")
#: Notebook 02's training methods (``mipnn.experiments.adult.METHODS``, written out so that this module stays light;
#: a test keeps the two equal).
ADULT_METHODS = ("max_correct", "min_hinge", "sat_margin", "gd_nn")
#: Where a notebook's sweep runs (mipnn.executors); the results and their files do not depend on it.
EXECUTOR_HELP = "where the sweep's runs go: 'local' processes, 'dask' (a LocalCluster) or a scheduler address"
#: The largest training set of notebook 02: Adult's 32,561 training records less the 20 % validation hold-out
#: (:func:`mipnn.data.adult_split`, written out so that this module stays light; a test keeps the two equal).
ADULT_MAX_N = 26_049
#: The largest seed numpy and HiGHS's ``random_seed`` accept (:func:`mipnn.validation.check_random_state`).
MAX_SEED = 2**31 - 1
#: The most grid points notebook 01's value-function sweep may have (one small MILP per point).
MAX_B_GRID = 20_000


@dataclass(frozen=True)
class NotebookSchema:
    """A notebook's declared parameters and the rules that relate them."""

    params: Mapping[str, Param]
    rules: tuple[Callable[[dict], None], ...] = field(default=())


def _example_size(p: dict) -> None:
    if p["m"] > p["n"] - 1:
        raise ValueError(f"m={p['m']} must be at most n − 1 = {p['n'] - 1} (example (10) needs 1 < m < n)")


def _b_grid(p: dict) -> None:
    if p["b_max"] <= p["b_min"]:
        raise ValueError(f"b_max={p['b_max']} must be greater than b_min={p['b_min']}")
    points = (p["b_max"] - p["b_min"]) / p["b_step"] + 1
    if points > MAX_B_GRID:
        raise ValueError(f"b_step={p['b_step']} gives {points:.0f} grid points on [b_min, b_max] "
                         f"(one MILP each); at most {MAX_B_GRID}: raise b_step or narrow [b_min, b_max]")


SCHEMAS: dict[str, NotebookSchema] = {
    "01_tame_bnn_dual": NotebookSchema(
        params={
            "profile": Param("choice", ("default", "paper"), help="default: CI scale; paper: larger data and grids"),
            "n": Param("integer", low=3, help="example (10): number of binary output units"),
            "m": Param("integer", low=2, help="example (10): X1 sums the first m units (2 ≤ m ≤ n − 1)"),
            "b_min": Param("number", low=-1e6, high=1e6, help="left end of the right-hand-side grid"),
            "b_max": Param("number", low=-1e6, high=1e6, help="right end of the grid (> b_min)"),
            "b_step": Param("number", low=0.0, high=INF, low_open=True, high_open=True,
                            help=f"grid step (> 0, ≤ {MAX_B_GRID} points)"),
            "K_values": Param("integers", low=1, help="segments of the trained dual functions"),
            "random_state": Param("seed", help="seed of every random draw"),
        },
        rules=(_example_size, _b_grid)),
    "02_mip_training_adult": NotebookSchema(
        params={
            "profile": Param("choice", ("default", "session", "paper"), help="run size (see the PROFILES cell)"),
            "sample_sizes": Param("integers", low=2, high=ADULT_MAX_N, allow_none=True, help="training set sizes N"),
            "objectives": Param("choices", ADULT_METHODS, allow_none=True, help="training methods"),
            "P_values": Param("integers", low=1, allow_none=True, help="weight ranges {−P..P}"),
            "random_states": Param("integers", low=0, high=MAX_SEED, allow_none=True, help="seeds, one run each"),
            "time_limit": Param("number", low=0.0, high=INF, low_open=True, high_open=True, allow_none=True,
                                help="seconds per fit"),
            "hidden": Param("integers", low=1, allow_none=True, help="hidden layer widths"),
            "start": Param("choice", (None, "ste", "search"), help="MIP start of the sweep (None: the paper's)"),
            "stop_rule": Param("choice", ("authors", "accuracy"), help="min-hinge's early-stop threshold"),
            "solver": Param("choice", BACKENDS, help="MIP backend (gurobi: pip's license, ≤ 2,000 rows/columns)"),
            "n_jobs": Param("integer", low=1, allow_none=True, help="worker processes (None: min(2, CPUs))"),
            "executor": Param("executor", help=EXECUTOR_HELP),
        }),
    "03_layerwise_relu_mnist": NotebookSchema(
        params={"profile": Param("choice", ("default", "session", "paper"), help="run size (see PROFILES)"),
                "executor": Param("executor", help="where one layer's per-neuron MILPs run"),
                "n_jobs": Param("integer", low=1, help="local worker processes / LocalCluster workers"),
                "inits": Param("choices", ("uniform", "glorot_uniform", "uniform:0.1"), allow_none=True,
                               help="kinds of random start the screening compares (None: the profile's)")}),
    "03b_layerwise_relu_investigation": NotebookSchema(
        params={"profile": Param("choice", ("default", "session", "paper"),
                                 help="accepted for `make reproduce`; every profile reads the same committed stores")}),
    "04_data_splitting_heuristic": NotebookSchema(
        params={"profile": Param("choice", ("default", "medium", "paper"), help="run size (see PROFILES)"),
                "solver": Param("choice", BACKENDS, help="MIP backend (gurobi: pip's license, small models)"),
                "executor": Param("executor", help=EXECUTOR_HELP),
                "n_jobs": Param("integer", low=1, help="local worker processes / LocalCluster workers")}),
    "05_which_trainer": NotebookSchema(
        params={"profile": Param("choice", ("default", "session", "paper"),
                                 help="default: the live demo beside the committed runs; session / paper: the grid"),
                "solver": Param("choice", BACKENDS, help="MIP backend of the trainers that solve MIPs"),
                "executor": Param("executor", help=EXECUTOR_HELP),
                "n_jobs": Param("integer", low=1, help="local worker processes / LocalCluster workers")}),
}


def _schema(notebook: str) -> NotebookSchema:
    if notebook not in SCHEMAS:
        raise ValueError(f"notebook={notebook!r} is not one of {', '.join(map(repr, SCHEMAS))}")
    return SCHEMAS[notebook]


#: The first line of the cell papermill injects (its ``injected-parameters`` cell; papermill's Python translator).
PAPERMILL_COMMENT = "# Parameters"


def injected_parameters(values: Mapping[str, Any]) -> list[str]:
    """The names papermill injected into this kernel (``papermill -p NAME VALUE``), in order.

    Papermill runs its injected cell — the comment ``# Parameters`` then one assignment per ``-p`` — right after
    the notebook's ``parameters`` cell; IPython keeps the source of every cell it ran in ``In``, which ``values``
    (the notebook's ``globals()``) holds. Outside IPython (no ``In``), or in a run without papermill's cell (nbval,
    Jupyter), there is nothing injected.
    """
    history = values.get("In")
    if not isinstance(history, list):
        return []
    names: list[str] = []
    for source in history:
        if not (isinstance(source, str) and source.lstrip().startswith(PAPERMILL_COMMENT)):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            names.extend(t.id for t in targets if isinstance(t, ast.Name) and t.id not in names)
    return names


def check_notebook_parameters(notebook: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check the parameters of ``notebook`` found in ``values`` (its ``globals()``); return them normalised.

    Raises ``ValueError`` naming the first parameter that is wrong and what it may be, or the parameters papermill
    was given that the notebook does not declare (:func:`injected_parameters`: ``-p nn 5`` for ``n`` would
    otherwise run the default profile and rewrite its tracked outputs).
    """
    schema = _schema(notebook)
    unknown = [name for name in injected_parameters(values) if name not in schema.params]
    if unknown:
        hints = [f"{u!r} (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(u, schema.params, 1))
                 else repr(u) for u in unknown]
        raise ValueError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(hints)} for notebook "
                         f"{notebook}: it declares {', '.join(schema.params)} (papermill -p NAME VALUE; "
                         "python -m mipnn.experiments.parameters lists them)")
    return check_parameters(values, schema.params, schema.rules)


def parameter_table(notebook: str):
    """The declared parameters of ``notebook`` as a DataFrame: name, allowed values, meaning."""
    import pandas as pd

    return pd.DataFrame([{"parameter": name, "allowed": p.describe(), "meaning": p.help}
                         for name, p in _schema(notebook).params.items()])


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="the parameters each notebook accepts (papermill -p NAME VALUE)")
    ap.add_argument("notebook", nargs="?", choices=sorted(SCHEMAS), help="one notebook (default: all)")
    args = ap.parse_args(argv)
    for nb in [args.notebook] if args.notebook else sorted(SCHEMAS):
        print(f"## {nb}\n")
        table = parameter_table(nb)
        print("| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns))
        for row in table.itertuples(index=False):
            print("| " + " | ".join(f"`{row[0]}`" if i == 0 else str(v).replace("|", "\\|")
                                     for i, v in enumerate(row)) + " |")
        print()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
