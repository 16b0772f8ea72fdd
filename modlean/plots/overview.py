"""Figures that describe a canonical event log at a glance (notebook 01, appendices)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from modlean.plots import figure

__all__ = ["activity_counts", "daily_arrivals"]


def activity_counts(log: pd.DataFrame, top: int = 15) -> Any:
    """Horizontal bars of the events per activity, the ``top`` most frequent first.

    Parameters
    ----------
    log:
        A canonical event log (``modlean.read_log``).
    top:
        How many activities to show; the rest are summed into "other".

    Returns
    -------
    matplotlib.figure.Figure
    """
    counts = log["activity"].value_counts(sort=False).sort_index()
    counts = counts.sort_values(ascending=False, kind="stable")
    shown = counts.iloc[:top]
    if len(counts) > top:
        shown = pd.concat([shown, pd.Series({"other": counts.iloc[top:].sum()})])
    fig, ax = figure(8.0, 0.35 * len(shown) + 1.2)
    ax.barh(shown.index.astype(str)[::-1], shown.to_numpy()[::-1])
    ax.set_xlabel("events")
    ax.set_title("Events per activity")
    return fig


def daily_arrivals(log: pd.DataFrame) -> Any:
    """Cases started per day (UTC): the day of each case's first event.

    Returns
    -------
    matplotlib.figure.Figure
    """
    first = log.groupby("case_id", sort=False)["timestamp"].min()
    per_day = first.dt.floor("D").value_counts().sort_index()
    if len(per_day):
        days = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
        per_day = per_day.reindex(days, fill_value=0)
    fig, ax = figure(8.0, 3.5)
    ax.plot(per_day.index, per_day.to_numpy(), marker="o", markersize=3)
    ax.set_ylabel("cases started")
    ax.set_title("Cases started per day (UTC)")
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    return fig
