"""QA figures: control charts with rule flags, Pareto charts, label metrics, scorecards.

None of them buckets times: a control chart's periods come from
:func:`modlean.quality.decision_periods` (``tz=`` for the market's local days),
and its axis labels show them as given.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modlean.errors import ParameterError
from modlean.kpis import readable
from modlean.plots.style import figure

__all__ = ["control_chart", "label_metrics_chart", "pareto_chart", "scorecard_chart"]


def control_chart(chart: pd.DataFrame, *, title: str = "p-chart", value: str | None = None,
                  ax: Any = None) -> Figure:
    """Draw a p / np / Laney p′ chart from :mod:`modlean.quality.spc`, with flagged points.

    Points beyond the limits are red; points flagged by a run rule (the
    ``flagged``/``rules`` columns of :func:`modlean.quality.rule_flags`) are orange
    and labelled with the rules.
    """
    value = value or ("p" if "p" in chart.columns else "np")
    for col in (value, "center", "ucl", "lcl"):
        if col not in chart.columns:
            raise ParameterError(f"control_chart: column {col!r} missing; expected a chart "
                                 "from modlean.quality.spc")
    if ax is None:
        fig, ax = figure(9, 4.5)
    else:
        fig = ax.figure
    x = np.arange(len(chart))
    ax.plot(x, chart[value], marker="o", ms=4, lw=1, color="#4c72b0", label=value)
    ax.step(x, chart["ucl"], where="mid", color="#c44e52", lw=1, ls="--", label="UCL / LCL")
    ax.step(x, chart["lcl"], where="mid", color="#c44e52", lw=1, ls="--")
    ax.plot(x, chart["center"], color="0.3", lw=1, label="centre")
    if "flagged" in chart.columns:
        flagged = chart["flagged"].to_numpy() & ~chart["beyond"].to_numpy()
    else:
        flagged = np.zeros(len(chart), dtype=bool)
    if flagged.any():
        ax.scatter(x[flagged], chart[value].to_numpy()[flagged], color="#dd8452", zorder=3,
                   s=40, label="run rule")
        for xi, yi, rules in zip(x[flagged], chart[value].to_numpy()[flagged],
                                 chart["rules"].to_numpy()[flagged], strict=True):
            ax.annotate(rules, (xi, yi), textcoords="offset points", xytext=(0, 6),
                        fontsize=7, ha="center", color="#dd8452")
    beyond = chart["beyond"].to_numpy()
    if beyond.any():
        ax.scatter(x[beyond], chart[value].to_numpy()[beyond], color="#c44e52", zorder=4, s=50,
                   label="beyond limits")
    labels = [str(i)[:10] for i in chart.index]
    step = max(1, len(labels) // 12)
    ax.set_xticks(x[::step], labels[::step], rotation=30, ha="right")
    ax.set_title(title)
    ax.set_ylabel("proportion" if value == "p" else "count")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8, ncols=5,
              frameon=False)
    return fig


def pareto_chart(table: pd.DataFrame, *, title: str = "Pareto", ax: Any = None) -> Figure:
    """Bars by category (vital few darker) and the cumulative share with an 80% line."""
    for col in ("value", "cum_share", "vital_few"):
        if col not in table.columns:
            raise ParameterError(f"pareto_chart: column {col!r} missing; expected "
                                 "modlean.quality.pareto output")
    if ax is None:
        fig, ax = figure(9, 4.5)
    else:
        fig = ax.figure
    x = np.arange(len(table))
    colours = np.where(table["vital_few"], "#4c72b0", "#a6bddb")
    ax.bar(x, table["value"], color=colours)
    ax.set_xticks(x, [str(i) for i in table.index], rotation=30, ha="right")
    ax.set_ylabel("count" if "weighted" not in table.columns else "weighted count")
    twin = ax.twinx()
    twin.plot(x, table["cum_share"] * 100, color="#c44e52", marker="o", ms=4)
    twin.axhline(80, color="0.4", ls="--", lw=1)
    twin.set_ylim(0, 105)
    twin.set_ylabel("cumulative %")
    twin.grid(False)
    ax.set_title(f"{title} (vital few: {int(table['vital_few'].sum())} of {len(table)})")
    return fig


def scorecard_chart(card: pd.DataFrame, measure: str = "accuracy", *,
                    title: str | None = None) -> Figure:
    """One measure of a vendor/site scorecard as points with CI whiskers."""
    for col in (measure, f"{measure}_low", f"{measure}_high"):
        if col not in card.columns:
            raise ParameterError(f"scorecard_chart: column {col!r} missing")
    fig, ax = figure(7, 0.6 * len(card) + 1.5)
    y = np.arange(len(card))
    v = card[measure].to_numpy(dtype=float)
    # an interval ending exactly at the estimate can come out as -1e-16; matplotlib refuses it
    lo = np.clip(v - card[f"{measure}_low"].to_numpy(dtype=float), 0, None)
    hi = np.clip(card[f"{measure}_high"].to_numpy(dtype=float) - v, 0, None)
    ax.errorbar(v, y, xerr=[lo, hi], fmt="o", color="#4c72b0", capsize=4)
    ax.set_yticks(y, [str(i) for i in card.index])
    ax.set_title(title or f"{readable(measure)} by {card.index.name or 'group'} (95% CI)")
    return fig


def label_metrics_chart(metrics: pd.DataFrame, *, title: str = "Rejection labels: precision and "
                        "recall against QA") -> Figure:
    """Precision and recall per rejection label (bars), with the QA count of each label.

    ``metrics`` is :func:`modlean.quality.label_metrics` output. Low precision: the
    label is used where QA would give another one (or approve); low recall: QA
    finds that reason where production used another (or approved). When the
    metrics were left out (pass/fail QA: no QA label), the figure shows the note
    instead of empty bars.
    """
    for col in ("precision", "recall", "actual"):
        if col not in metrics.columns:
            raise ParameterError(f"label_metrics_chart: column {col!r} missing; expected "
                                 "modlean.quality.label_metrics output")
    notes = metrics["note"].dropna().astype(str) if "note" in metrics.columns else pd.Series()
    if metrics["precision"].isna().all() and metrics["recall"].isna().all() and \
            (notes != "").any():
        fig, ax = figure(8, 2.0)
        ax.text(0.5, 0.5, textwrap.fill(notes[notes != ""].iloc[0], 80), ha="center",
                va="center", transform=ax.transAxes, fontsize=9)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    fig, ax = figure(8, 0.55 * len(metrics) + 1.6)
    y = np.arange(len(metrics))[::-1]
    h = 0.38
    ax.barh(y + h / 2, metrics["precision"].fillna(0), height=h, color="#4c72b0",
            label="precision")
    ax.barh(y - h / 2, metrics["recall"].fillna(0), height=h, color="#dd8452", label="recall")
    ax.set_yticks(y, [f"{i} (QA: {int(n)})" for i, n in zip(metrics.index, metrics["actual"],
                                                            strict=True)], fontsize=8)
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("share")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return fig
