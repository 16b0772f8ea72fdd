"""Every figure modlean draws, in one look.

Each area has its own module: ``plots.overview`` (activity counts, arrivals, run
status), ``plots.process`` (process maps, variants, waits, WIP),
``plots.simulation``, ``plots.whatif``, ``plots.quality``, ``plots.risk`` and
``plots.peers`` (DSA peer benchmarks).
They all start from :func:`figure` (``plots.style``), so colours, fonts and
sizes agree across notebooks and reports. Functions return the matplotlib
``Figure`` and never call ``plt.show()``; :func:`save` writes one atomically.
"""

from __future__ import annotations

from modlean.plots.style import PALETTE, figure, save, style

__all__ = ["PALETTE", "figure", "save", "style"]
