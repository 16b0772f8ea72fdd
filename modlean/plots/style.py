"""The one look of every figure: the palette, the theme, a new figure, saving it atomically."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from modlean._util import write_atomic

__all__ = ["PALETTE", "Axes", "Figure", "figure", "save", "style"]

#: The categorical palette (seaborn "colorblind"), first colour for the baseline.
PALETTE = "colorblind"


def style() -> None:
    """Apply the modlean look (seaborn whitegrid, readable sizes) to matplotlib."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE,
                  rc={"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold",
                      "axes.titlesize": 12, "figure.autolayout": True})


def figure(width: float = 8.0, height: float = 4.5, **subplots: Any) -> tuple[Figure, Any]:
    """A new ``(fig, ax)`` in the modlean look; extra keywords go to ``plt.subplots``.

    ``ax`` is one :class:`~matplotlib.axes.Axes`, or an array of them when
    ``nrows``/``ncols`` ask for several.
    """
    style()
    return plt.subplots(figsize=(width, height), **subplots)


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write ``fig`` as a PNG atomically (never a half-written file) and close it.

    Returns the path written.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())
