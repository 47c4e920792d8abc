"""One figure style for every notebook, and :func:`save_figure` that writes PNG, PDF and the plotted data."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .paths import check_name, figures_dir

__all__ = ["set_style", "save_figure", "PALETTE"]

#: Colour-blind safe palette shared by all figures (seaborn's "colorblind").
PALETTE = sns.color_palette("colorblind")


def set_style(context: str = "notebook") -> None:
    """Apply the project's seaborn style (white grid, colour-blind palette, readable fonts)."""
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    matplotlib.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 160,
        "savefig.bbox": "tight",
        "axes.titleweight": "bold",
        "legend.frameon": False,
        "pdf.fonttype": 42,
        "svg.hashsalt": "mipnn",
    })


def save_figure(fig: plt.Figure, notebook: str, name: str, data: pd.DataFrame | None = None,
                dpi: int = 160, show: bool = False) -> dict[str, Path]:
    """Write ``figures/<notebook>/<name>.png`` (``dpi`` ≥ 150) and ``.pdf``, and ``data`` as ``<name>.csv``.

    Returns the paths written. The PDF carries no creation date, so re-running a notebook with the same numbers
    gives the same file. ``show=True`` closes the figure and displays the saved PNG (in a notebook: the stored
    output then shows exactly the file that was written, whatever matplotlib backend runs the kernel).
    """
    check_name("name", name)
    if dpi < 150:
        raise ValueError(f"dpi={dpi} is too low; figures are saved at dpi >= 150")
    if data is not None and not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame holding the plotted values (or None)")
    folder = figures_dir(notebook)
    paths = {"png": folder / f"{name}.png", "pdf": folder / f"{name}.pdf"}
    fig.savefig(paths["png"], dpi=dpi, metadata={"Software": None})
    fig.savefig(paths["pdf"], metadata={"CreationDate": None, "Creator": None, "Producer": None})
    if data is not None:
        paths["csv"] = folder / f"{name}.csv"
        data.to_csv(paths["csv"], index=False, float_format="%.10g")
    if show:
        plt.close(fig)
        from IPython.display import Image, display

        display(Image(filename=str(paths["png"])))
    return paths
