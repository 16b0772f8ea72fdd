"""DSA peer benchmarks: the market's statement-of-reasons figures beside peer platforms'.

Draws the tidy table of :func:`modlean.dsa.market_beside_peers`: one panel per
figure, one bar per platform, the market's bar in the first colour and the peers
in grey, each panel labelled from the KPI catalogue; the data's attribution
(CC BY 4.0, (c) European Union) is printed under the figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from modlean.errors import ParameterError
from modlean.kpis import kpi, readable
from modlean.plots.style import figure

__all__ = ["PEER_CHART_FIGURES", "peers_chart"]

#: The figures :func:`peers_chart` draws unless told otherwise.
PEER_CHART_FIGURES = ("sor_automated_detection_share", "sor_automated_decision_share",
                      "sor_lag_median_days")


def peers_chart(tidy: pd.DataFrame, figures: Sequence[str] = PEER_CHART_FIGURES, *,
                category: str = "all", attribution: str = "",
                title: str = "Statements of reasons: the market beside its peers") -> Figure:
    """Horizontal bars per platform for each of ``figures`` (one panel each), for ``category``.

    ``tidy`` is :func:`modlean.dsa.market_beside_peers`'s table; ``attribution`` (the
    benchmark file's) is printed under the panels.
    """
    needed = {"platform", "side", "category", "figure", "value"}
    if not needed <= set(tidy.columns):
        raise ParameterError("peers_chart: expected the table of modlean.dsa.market_beside_peers"
                             f" (columns {', '.join(sorted(needed))})")
    rows = tidy[(tidy["category"] == category) & tidy["figure"].isin(list(figures))]
    if rows.empty:
        raise ParameterError(f"peers_chart: no figures for category {category!r}; the table "
                             f"holds {', '.join(map(repr, sorted(set(tidy['category']))))}")
    platforms = (rows[["platform", "side"]].drop_duplicates()
                 .sort_values(["side", "platform"], ascending=[True, True]))
    market_colour = sns.color_palette()[0]
    colours = {p: market_colour if side == "market" else "0.65"
               for p, side in zip(platforms["platform"], platforms["side"], strict=True)}
    fig, axes = figure(4.2 * len(figures), 0.5 * len(platforms) + 2, ncols=len(figures),
                       sharey=True, squeeze=False)
    for ax, name in zip(axes[0], figures, strict=True):
        values = rows[rows["figure"] == name].set_index("platform")["value"] \
            .reindex(platforms["platform"])
        share = kpi(name).unit == "share"
        shown = values * 100 if share else values
        ax.barh(np.arange(len(values)), shown.fillna(0).to_numpy(),
                color=[colours[p] for p in values.index])
        ax.set_yticks(np.arange(len(values)), labels=list(values.index))
        ax.set_title(readable(name), fontsize=10)
        ax.set_xlabel("%" if share else kpi(name).unit)
        for y, v in enumerate(shown):
            if pd.notna(v):
                ax.annotate(f"{v:,.1f}", (v, y), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8)
    fig.suptitle(title)
    if attribution:
        fig.text(0.01, -0.02, attribution, fontsize=7, wrap=True, va="top")
    return fig
