"""Figures that describe a canonical event log, or a batch run, at a glance (notebooks 01, 06)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from modlean.plots.style import figure
from modlean.quality import local_periods

__all__ = ["activity_counts", "daily_arrivals", "run_status"]


def activity_counts(log: pd.DataFrame, top: int = 15) -> Figure:
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


def daily_arrivals(log: pd.DataFrame, *, tz: str = "UTC") -> Figure:
    """Cases started per day: the local day (in ``tz``) of each case's first event.

    Parameters
    ----------
    log:
        A canonical event log (``modlean.read_log``).
    tz:
        The market's IANA time zone (``"Europe/Berlin"``); days are counted on its
        clock. The default UTC counts UTC days.

    Returns
    -------
    matplotlib.figure.Figure
    """
    first = log.groupby("case_id", sort=False)["timestamp"].min()
    per_day = local_periods(first, "D", tz).value_counts().sort_index()
    if len(per_day):
        days = pd.date_range(per_day.index.min().date(), per_day.index.max().date(), freq="D")
        per_day = pd.Series(per_day.to_numpy(), index=per_day.index.date).reindex(
            days.date, fill_value=0)
        per_day.index = days
    fig, ax = figure(8.0, 3.5)
    ax.plot(per_day.index, per_day.to_numpy(), marker="o", markersize=3)
    ax.set_ylabel("cases started")
    ax.set_title(f"Cases started per day ({tz})")
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    return fig


def run_status(runs: pd.DataFrame, *, title: str = "Notebooks run for this market") -> Figure:
    """Bars of each notebook run's time, green when it succeeded and red when it failed.

    ``runs`` is :func:`modlean.evidence.market_runs` output; failed runs are labelled
    with their error. With no runs, the figure says so.
    """
    fig, ax = figure(8.0, 0.45 * max(len(runs), 1) + 1.4)
    if runs.empty:
        ax.text(0.5, 0.5, "no notebook ran for this market", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    labels = runs["notebook"].astype(str).to_numpy()[::-1]
    seconds = runs["seconds"].fillna(0).to_numpy(dtype=float)[::-1]
    ok = (runs["status"] == "ok").to_numpy()[::-1]
    ax.barh(labels, seconds, color=["#7fbf7b" if o else "#d73027" for o in ok])
    errors = runs["error"].fillna("").astype(str).to_numpy()[::-1]
    for y, (s, e) in enumerate(zip(seconds, errors, strict=True)):
        ax.text(s, y, f"  {e[:60]}" if e else f"  {s:.0f} s", va="center", fontsize=8)
    ax.set_xlabel("seconds")
    ax.set_xlim(0, max(float(seconds.max()) * 1.5, 1.0))
    ax.set_title(f"{title}: {int(ok.sum())} ok, {int((~ok).sum())} failed")
    return fig
