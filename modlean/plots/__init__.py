"""Every figure modlean draws, in one look.

Each area has its own module (``plots.process`` for process maps and waits,
``plots.simulation``, ``plots.quality``, ``plots.risk``). They all start from
:func:`figure`, so colours, fonts and sizes agree across notebooks and reports.
Functions return the matplotlib ``Figure`` and never call ``plt.show()``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PALETTE", "figure", "save", "style"]

#: The categorical palette (seaborn "colorblind"), first colour for the baseline.
PALETTE = "colorblind"


def style() -> None:
    """Apply the modlean look (seaborn whitegrid, readable sizes) to matplotlib."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE,
                  rc={"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold",
                      "axes.titlesize": 12, "figure.autolayout": True})


def figure(width: float = 8.0, height: float = 4.5, **subplots: Any) -> tuple[Any, Any]:
    """A new ``(fig, ax)`` in the modlean look; extra keywords go to ``plt.subplots``."""
    import matplotlib.pyplot as plt

    style()
    return plt.subplots(figsize=(width, height), **subplots)


def save(fig: Any, path: Any, *, dpi: int = 150) -> Any:
    """Write ``fig`` as a PNG atomically (never a half-written file) and close it.

    Returns the path written.
    """
    import io

    import matplotlib.pyplot as plt

    from modlean._util import write_atomic

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())
