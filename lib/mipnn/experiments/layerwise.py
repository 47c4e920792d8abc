"""Goebbels' layer-wise training on MNIST (notebook 03): runs that :func:`mipnn.experiments.run_sweep` can resume.

:func:`run_screening` screens one random initialisation of the dense network on the first ``images`` training
images (:func:`mipnn.relu.screen_initialisation`); :func:`run_algorithm1` runs Algorithm 1 in full from one
random initialisation. Both return flat, JSON-ready dicts; MNIST is loaded once per process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..data import load_mnist, pool_mnist, scale_pixels
from ..relu import (
    INPUT_BOX,
    MAX_ITERATIONS,
    algorithm1,
    check_input_box,
    check_tie_break,
    dense_structures,
    diagnostics_columns,
    init_network,
    screen_initialisation,
)
from ..validation import check_choice, check_number, check_positive_int

__all__ = ["SIDES", "PIXELS", "mnist_batch", "run_screening", "run_algorithm1"]

#: Image resolutions of the paper: full 28×28 or 7×7 means of 4×4 blocks.
SIDES = (28, 7)


#: Pixel scales: ``"unit"`` divides by 255 (the paper's [0, 1]), ``"raw"`` keeps 0..255 (notebook 03b, hypothesis 5).
PIXELS = ("unit", "raw")


@lru_cache(maxsize=4)
def _images(split: str, side: int, pixels: str = "unit"):
    tr = load_mnist(split)
    X = tr.images.reshape(len(tr), -1) if side == 28 else pool_mnist(tr.images).reshape(len(tr), -1)
    X = scale_pixels(X) if pixels == "unit" else np.asarray(X, dtype=np.float64)
    return X, tr.labels.astype(np.int64)


def mnist_batch(images: int, side: int = 28, start: int = 0, pixels: str = "unit"):
    """Training images ``start .. start + images − 1`` and their labels; ``pixels="unit"`` scales them to [0, 1],
    ``"raw"`` keeps 0..255."""
    check_positive_int("images", images)
    check_choice("side", side, SIDES)
    check_choice("pixels", pixels, PIXELS)
    check_number("start", start, low=0, integer=True)
    X, y = _images("train", side, pixels)
    if start + images > len(y):
        raise ValueError(f"start + images = {start + images} exceeds the {len(y)} MNIST training images")
    return X[start:start + images], y[start:start + images]


def _options(mip_nodes):
    return None if mip_nodes is None else {"mip_max_nodes": int(mip_nodes)}


def run_screening(random_state: int, *, images: int = 100, side: int = 28, hidden=(8, 8, 8), iterations: int = 0,
                  mip_nodes: int | None = None, time_limit: float = 60.0, pixels: str = "unit",
                  init: str = "uniform") -> dict:
    """One start ``(init, random_state)`` of the initialisation screen on the first ``images`` training images
    (``pixels`` as in :func:`mnist_batch`; ``init`` as in :func:`mipnn.relu.init_network`)."""
    check_number("mip_nodes", mip_nodes, low=0, integer=True, allow_none=True)
    X, y = mnist_batch(images, side, pixels=pixels)
    structures = dense_structures((X.shape[1], *hidden, 10))
    row = screen_initialisation(structures, X, y, random_state, init=init, iterations=iterations,
                                time_limit=time_limit, options=_options(mip_nodes))
    del row["random_state"], row["init"]  # parameters of the run: the store keeps them with the parameters
    return row


def run_algorithm1(random_state: int, *, images: int = 100, side: int = 28, hidden=(8, 8, 8),
                   max_iterations: int = MAX_ITERATIONS, mip_nodes: int | None = None, time_limit: float = 60.0,
                   tie_break: str = "none", evaluate: bool = False, pixels: str = "unit",
                   input_box=INPUT_BOX, patience: int = 0, solver: str = "highs", init: str = "uniform") -> dict:
    """Algorithm 1 from ``init_network(init=init, random_state=random_state)`` on the first ``images`` training
    images: final training accuracy, the per-iteration history (accuracy, dead units, patterns), solver statuses
    and times (``statuses``: how many solves ended how, e.g. ``time_limit``).

    ``tie_break`` as in :func:`mipnn.relu.algorithm1`. ``evaluate=True`` adds the final network's accuracy on
    the 10,000 MNIST test images and its diagnostics there (``test_dead_h*``, ``test_patterns``); reported,
    never used to choose anything. ``pixels`` as in :func:`mnist_batch`; ``input_box`` as in
    :func:`mipnn.relu.algorithm1` (the paper's box (9) by default), and so is ``patience`` (the printed stop rule
    by default), and so is ``solver`` (the backend of the weight MILPs)."""
    check_number("mip_nodes", mip_nodes, low=0, integer=True, allow_none=True)
    check_tie_break(tie_break)
    input_box = check_input_box(input_box)
    X, y = mnist_batch(images, side, pixels=pixels)
    net = init_network(dense_structures((X.shape[1], *hidden, 10)), init=init, random_state=random_state)
    res = algorithm1(net, X, y, max_iterations=max_iterations, time_limit=time_limit, options=_options(mip_nodes),
                     tie_break=tie_break, input_box=input_box, patience=patience, solver=solver)
    out = {"train_accuracy": res.accuracy, "iterations": res.iterations.to_dict("records"),
           "updates": res.updates.to_dict("records"), "statuses": res.statuses, "solve_time": res.solve_time,
           "run_wall_s": res.wall_time}
    if evaluate:
        X_test, y_test = _images("test", side, pixels)
        out["test_accuracy"] = res.network.accuracy(X_test, y_test)
        out.update(diagnostics_columns(res.network, X_test, prefix="test_"))
    return out
