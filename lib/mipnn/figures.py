"""The figure registry: every paper-scale figure is drawn from the committed run stores, never by solving.

A notebook-family module registers *renderers*: functions that read committed stores under ``results/`` and return
``(matplotlib figure, plotted DataFrame)``. A notebook's part 1 ("the paper at full scale, from the committed runs")
shows them with :func:`render`; ``make figures`` (``python -m mipnn.figures``) re-renders every one of them into
``figures/<notebook>/<name>.{png,pdf,csv}`` through :func:`mipnn.plotting.save_figure`, with ``MIPNN_NO_SOLVE=1``
so that any attempt to solve raises (:func:`mipnn.solve.check_solves_allowed`). Outputs are byte-stable: rendering
twice with the same stores writes the same bytes.

Plugging a notebook in (three steps)::

    # 1. lib/mipnn/<family>/figures.py (or lib/mipnn/experiments/<driver>_figures.py)
    from mipnn.figures import register, read_store

    @register("02_mip_training_adult", "fig1_accuracy", stores=["02_mip_training_adult/runs_session.jsonl"],
              command="papermill ... -p profile session notebooks/02_mip_training_adult.ipynb ...",
              title="Figure 1: training accuracy against N")
    def fig1_accuracy(*, objective="min-hinge"):            # keyword parameters with defaults: the default view
        runs = read_store("02_mip_training_adult/runs_session.jsonl")   # raises StoreMissingError naming `command`
        fig, ax = plt.subplots()
        ...
        return fig, plotted_dataframe

    # 2. add the module to FIGURE_MODULES below:  "02_mip_training_adult": ("mipnn.experiments.adult_figures",)

    # 3. in the notebook's part 1:
    from mipnn.figures import render
    render("02_mip_training_adult", "fig1_accuracy")        # saves PNG/PDF/CSV and displays the saved PNG

:func:`draw` returns the figure without saving (for ipywidgets callbacks: a slider calls ``draw(nb, name, K=8)``,
which only reads). The renderer's own parameters must be keyword-only with defaults; :func:`render` always saves
the default view, so the tracked files never depend on a widget's position.

Command line::

    python -m mipnn.figures                    # every registered figure
    python -m mipnn.figures --notebook 01_tame_bnn_dual
    python -m mipnn.figures --list
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .paths import REPO_ROOT, check_name

__all__ = ["FIGURE_MODULES", "PaperFigure", "StoreMissingError", "register", "unregister", "registered", "store_path",
           "read_store", "draw", "render", "render_all", "main"]

#: Where each notebook's renderers live: the registry imports these modules on first use. A new notebook adds
#: one line here (and nothing else in this file).
FIGURE_MODULES: dict[str, tuple[str, ...]] = {
    "01_tame_bnn_dual": ("mipnn.experiments.tame_figures",),
    "02_mip_training_adult": ("mipnn.experiments.adult_figures",),
    "03_layerwise_relu_mnist": ("mipnn.experiments.layerwise_figures",),
    "04_data_splitting_heuristic": ("mipnn.experiments.bdnn_figures",),
    "05_which_trainer": ("mipnn.experiments.trainer_figures",),
}


class StoreMissingError(FileNotFoundError):
    """A renderer's store is not there: the message names the command that produces it (reading never solves)."""


@dataclass(frozen=True)
class PaperFigure:
    """One registered figure: ``draw(**params) -> (figure, DataFrame)`` reading ``stores`` (paths under
    ``results/``), which ``command`` produces."""

    notebook: str
    name: str
    draw: Callable
    stores: tuple[str, ...]
    command: str
    title: str = ""
    defaults: dict = field(default_factory=dict)


_REGISTRY: dict[tuple[str, str], PaperFigure] = {}


def register(notebook: str, name: str, *, stores: Sequence[str], command: str, title: str = ""):
    """Decorator: register ``func`` as the renderer of ``figures/<notebook>/<name>``.

    ``stores``: the files under ``results/`` it reads (checked before drawing); ``command``: the shell command that
    produces them (quoted in the error when one is missing)."""
    check_name("notebook", notebook)
    check_name("name", name)
    if not command:
        raise ValueError("command must name how the stores are produced (e.g. the papermill or benchmark command)")

    def deco(func):
        import inspect

        sig = inspect.signature(func)
        bad = [p.name for p in sig.parameters.values()
               if p.kind is not inspect.Parameter.KEYWORD_ONLY or p.default is inspect.Parameter.empty]
        if bad:
            raise TypeError(f"renderer {func.__name__} of {notebook}/{name}: parameters {bad} must be keyword-only "
                            f"with defaults (the default view is what render() saves)")
        defaults = {p.name: p.default for p in sig.parameters.values()}
        _REGISTRY[(notebook, name)] = PaperFigure(notebook, name, func, tuple(stores), command, title, defaults)
        return func

    return deco


def unregister(notebook: str, name: str) -> None:
    """Remove a registered figure (tests register throw-away ones)."""
    _REGISTRY.pop((notebook, name), None)


def _load(notebook: str | None = None) -> None:
    for nb, modules in FIGURE_MODULES.items():
        if notebook is None or nb == notebook:
            for mod in modules:
                importlib.import_module(mod)


def registered(notebook: str | None = None) -> list[PaperFigure]:
    """The registered figures (of one notebook, or all), in notebook then registration order."""
    if notebook is not None and notebook not in FIGURE_MODULES:
        raise ValueError(f"notebook={notebook!r} has no figures; registered notebooks: {sorted(FIGURE_MODULES)}")
    _load(notebook)
    figs = [f for (nb, _), f in _REGISTRY.items() if notebook is None or nb == notebook]
    return sorted(figs, key=lambda f: list(FIGURE_MODULES).index(f.notebook) if f.notebook in FIGURE_MODULES else 99)


def _get(notebook: str, name: str) -> PaperFigure:
    _load(notebook)
    try:
        return _REGISTRY[(notebook, name)]
    except KeyError:
        names = sorted(n for nb, n in _REGISTRY if nb == notebook)
        raise ValueError(f"no figure {name!r} registered for notebook {notebook!r}; registered: {names}") from None


def store_path(relative: str) -> Path:
    """``results/<relative>`` (``$MIPNN_STORES_DIR`` replaces ``results/`` for reading; tests use it)."""
    base = Path(os.environ.get("MIPNN_STORES_DIR") or REPO_ROOT / "results")
    return base / relative


def read_store(relative: str, command: str | None = None):
    """Read a committed store under ``results/``: ``.json`` → object, ``.jsonl`` → DataFrame (one row per line),
    ``.csv`` → DataFrame. A missing file, or a ``.jsonl`` store without a run, raises :class:`StoreMissingError`
    naming ``command`` (or, inside a registered renderer, the command it was registered with)."""
    path = store_path(relative)
    cmd = command or next((f.command for f in _REGISTRY.values() if relative in f.stores), None)
    if not path.is_file():
        raise StoreMissingError(f"store results/{relative} is missing; produce it with: {cmd or '(unknown command)'}")
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".jsonl":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:  # a sweep that has not finished a run yet: as good as missing
            raise StoreMissingError(f"store results/{relative} holds no runs yet; produce them with: "
                                    f"{cmd or '(unknown command)'}")
        return pd.DataFrame(lines)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    raise ValueError(f"read_store reads .json, .jsonl and .csv stores, not {path.name}")


def _check_stores(fig: PaperFigure) -> None:
    for rel in fig.stores:
        if not store_path(rel).is_file():
            raise StoreMissingError(f"{fig.notebook}/{fig.name} reads results/{rel}, which is missing; produce it "
                                    f"with: {fig.command}")


def draw(notebook: str, name: str, **params):
    """``(figure, DataFrame)`` of a registered figure, without saving (widgets call this; it only reads)."""
    fig = _get(notebook, name)
    unknown = set(params) - set(fig.defaults)
    if unknown:
        raise ValueError(f"{notebook}/{name} takes {sorted(fig.defaults)}, not {sorted(unknown)}")
    _check_stores(fig)
    from .plotting import set_style

    set_style()
    return fig.draw(**params)


def render(notebook: str, name: str, *, show: bool = True) -> dict[str, Path]:
    """Draw the default view of a registered figure, save it (``figures/<notebook>/<name>.{png,pdf,csv}``) and, with
    ``show``, display the saved PNG. Returns the paths written."""
    import matplotlib.pyplot as plt

    from .plotting import save_figure

    figure, data = draw(notebook, name)
    paths = save_figure(figure, notebook, name, data=data, show=show)
    plt.close(figure)
    return paths


def render_all(notebook: str | None = None, *, progress: bool = False) -> list[dict[str, Path]]:
    """Re-render every registered figure (of one notebook, or all) without displaying; returns the paths."""
    figs = registered(notebook)
    if progress:
        from tqdm.auto import tqdm

        figs = tqdm(figs, desc="figures", unit="fig")
    return [render(f.notebook, f.name, show=False) for f in figs]


def _render_quietly(notebook: str, name: str) -> tuple[list[Path], str | None]:
    """:func:`render` in a worker of :func:`main`: the paths written, or the missing store's message."""
    import matplotlib

    matplotlib.use("Agg")
    try:
        return list(render(notebook, name, show=False).values()), None
    except StoreMissingError as err:
        return [], str(err)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mipnn.figures",
                                 description="re-render the registered paper-scale figures from the committed stores")
    ap.add_argument("--notebook", help="only this notebook's figures (default: all)")
    ap.add_argument("--list", action="store_true", help="list the registered figures and the stores they read")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="figures rendered at once, each in its own process (default: up to 2; 1: in this process)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error(f"--jobs must be a whole number >= 1, not {args.jobs}")
    import matplotlib

    matplotlib.use("Agg")
    if args.list:
        for f in registered(args.notebook):
            print(f"{f.notebook}/{f.name}: {', '.join(f.stores)}")
        return 0
    import contextlib
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from tqdm.auto import tqdm

    root = Path(os.environ.get("MIPNN_FIGURES_DIR") or REPO_ROOT / "figures")
    figs = [(f.notebook, f.name) for f in registered(args.notebook)]
    missing = []
    with contextlib.ExitStack() as stack:  # --jobs 1: here, one after another; else worker processes
        run = map if args.jobs == 1 else stack.enter_context(
            ProcessPoolExecutor(max_workers=args.jobs, mp_context=mp.get_context("spawn"))).map
        # results in registration order, whichever worker finished first
        results = run(_render_quietly, [nb for nb, _ in figs], [name for _, name in figs])
        for paths, err in tqdm(results, total=len(figs), desc="figures", unit="fig"):
            if err:  # a missing store skips its figure (and is reported), the others are still rendered
                missing.append(err)
                continue
            print(", ".join(str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths))
    for msg in missing:
        print(msg, file=sys.stderr)
    if missing:
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    # run the imported module's main: the renderers register into ``mipnn.figures``, not into ``__main__``
    from mipnn.figures import main as _main

    sys.exit(_main())
