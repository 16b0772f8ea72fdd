"""Risk figures: heat maps side by side with ids in cells and inherent → residual arrows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.patches as mpatches
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from modlean.errors import ParameterError
from modlean.plots.style import figure
from modlean.risk import BANDS, DEFAULT_MATRIX, RiskMatrix

__all__ = ["BAND_COLOURS", "fmea_chart", "loss_distribution", "risk_heatmaps"]

#: Band colours (colour-blind safe order: green, yellow, orange, red).
BAND_COLOURS = {"Low": "#7fbf7b", "Medium": "#fee08b", "High": "#fc8d59", "Critical": "#d73027"}
_AP_COLOURS = {"H": "#d73027", "M": "#fc8d59", "L": "#91bfdb"}
_STAGES = {"inherent": ("inherent_l", "inherent_i", "Inherent"),
           "residual": ("residual_l", "residual_i", "Current residual"),
           "target": ("target_l", "target_i", "Target residual")}


def risk_heatmaps(assessed: pd.DataFrame, *, matrix: RiskMatrix | None = None,
                  stages: Sequence[str] = ("inherent", "residual", "target"),
                  arrows: bool = True) -> Any:
    """5×5 heat maps side by side (one per rating stage) with risk ids in their cells.

    The current-residual panel carries arrows from each risk's inherent cell to
    its residual cell, so the effect of existing controls shows at a glance.
    """
    matrix = matrix or DEFAULT_MATRIX
    unknown = [s for s in stages if s not in _STAGES]
    if unknown:
        raise ParameterError(f"stages {unknown}: expected some of {list(_STAGES)}")
    fig, axes = figure(5.2 * len(stages), 5.6, ncols=len(stages), squeeze=False)
    axes = axes[0]
    levels = np.arange(1, 6)
    band_idx = matrix.band_index(*np.meshgrid(levels, levels, indexing="ij"))
    for ax, stage in zip(axes, stages, strict=True):
        lc, ic, name = _STAGES[stage]
        for li in levels:
            for ii in levels:
                band = BANDS[band_idx[li - 1, ii - 1]]
                ax.add_patch(mpatches.Rectangle((ii - 0.5, li - 0.5), 1, 1,
                                                facecolor=BAND_COLOURS[band],
                                                edgecolor="white", lw=2))
        rated = assessed.dropna(subset=[lc, ic])
        for (li, ii), ids in rated.groupby([rated[lc].astype(int), rated[ic].astype(int)])[
                "risk_id"]:
            ids = list(ids)
            text = "\n".join(", ".join(ids[k:k + 2]) for k in range(0, len(ids), 2))
            ax.text(ii, li, text, ha="center", va="center", fontsize=6.5, fontweight="bold",
                    zorder=3)
        if arrows and stage == "residual":
            moved = rated[(rated["inherent_l"] != rated[lc]) | (rated["inherent_i"] != rated[ic])]
            for k, (_, r) in enumerate(moved.iterrows()):  # one arrow per risk
                jitter = (k % 5 - 2) * 0.06
                ax.annotate("", xy=(r[ic] + jitter, r[lc] + jitter),
                            xytext=(r["inherent_i"] + jitter, r["inherent_l"] + jitter),
                            arrowprops={"arrowstyle": "->", "color": "0.25", "alpha": 0.5,
                                        "lw": 0.8, "shrinkA": 10, "shrinkB": 12})
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0.5, 5.5)
        ax.set_xticks(levels, [f"{i}\n{d}" for i, d in zip(levels, matrix.impact, strict=True)],
                      fontsize=7)
        ax.set_yticks(levels, [f"{d} {i}" for i, d in zip(levels, matrix.likelihood,
                                                          strict=True)], fontsize=7)
        ax.set_xlabel("impact")
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(f"{name} ({len(rated)} risks)")
    axes[0].set_ylabel("likelihood")
    handles = [mpatches.Patch(color=c, label=b) for b, c in BAND_COLOURS.items()]
    fig.legend(handles=handles, loc="lower center", ncols=4, fontsize=8, frameon=False)
    return fig


def fmea_chart(fmea: pd.DataFrame, *, title: str = "FMEA by action priority") -> Figure:
    """Horizontal bars of RPN per failure mode, coloured by AP, in AP-then-RPN order."""
    for col in ("fmea_id", "ap", "rpn", "severity", "occurrence", "detection"):
        if col not in fmea.columns:
            raise ParameterError(f"fmea_chart: column {col!r} missing; expected "
                                 "modlean.risk.assess_fmea output")
    fig, ax = figure(8, 0.45 * len(fmea) + 1.5)
    y = np.arange(len(fmea))[::-1]
    ax.barh(y, fmea["rpn"], color=[_AP_COLOURS[a] for a in fmea["ap"]])
    labels = [f"{i}  {str(m)[:35]}" if "failure_mode" in fmea.columns else str(i)
              for i, m in zip(fmea["fmea_id"], fmea.get("failure_mode", fmea["fmea_id"]),
                              strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    for yi, (_, r) in zip(y, fmea.iterrows(), strict=True):
        ax.text(r["rpn"], yi, f"  AP {r['ap']}  S{r['severity']} O{r['occurrence']} "
                f"D{r['detection']}", va="center", fontsize=7)
    ax.set_xlabel("RPN (secondary sort only)")
    ax.set_xlim(0, max(float(fmea["rpn"].max()) * 1.45, 10))
    ax.set_title(title)
    return fig


def loss_distribution(totals: Any, summary: Any = None, *, currency: str = "EUR",
                      title: str = "Simulated annual loss of the register") -> Figure:
    """Histogram of Monte-Carlo yearly totals with the expected loss and P90 marked.

    ``totals`` and ``summary`` are what :func:`modlean.risk.simulate_losses` returns.
    """
    x = np.asarray(totals, dtype="float64")
    if x.size == 0:
        raise ParameterError("loss_distribution: no simulated totals")
    fig, ax = figure(8, 4)
    top = float(np.quantile(x, 0.995))
    ax.hist(np.minimum(x, top), bins=60, color="#91bfdb", edgecolor="white")
    marks = {"expected": float(x.mean()), "P90": float(np.quantile(x, 0.9))}
    if summary is not None:
        marks = {"expected": float(summary["expected"]), "P90": float(summary["p90"])}
    for (name, value), colour in zip(marks.items(), ("0.2", "#d73027"), strict=True):
        ax.axvline(value, color=colour, ls="--", lw=1.2,
                   label=f"{name}: {value / 1e6:,.1f}M {currency}")

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}M"))
    ax.set_xlabel(f"annual loss ({currency}; the top 0.5% drawn at the right edge)")
    ax.set_ylabel("simulated years")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
