"""Figures of a simulation: backlog over time, turnaround distribution, utilisation.

Each function takes a :class:`~modlean.simulation.SimulationResult` and returns a
matplotlib ``Figure`` in the modlean look (never shown, never saved here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from modlean.errors import ParameterError
from modlean.plots.style import figure

if TYPE_CHECKING:
    from modlean.simulation import SimulationResult

__all__ = ["backlog_over_time", "turnaround_distribution", "utilisation"]


def backlog_over_time(result: SimulationResult, *, item_types: list[str] | None = None,
                      aged: bool = True, replication: int | None = None) -> Figure:
    """Open items (and aged items past SLA, dashed) per hour, one line per item type.

    With several replications the mean over replications is drawn (or one
    replication when ``replication`` is given).
    """

    data = result.backlog
    if replication is not None:
        data = data[data["replication"] == replication]
    types = item_types or [t for t in result.scenario.item_types]
    data = data[data["item_type"].isin(types)]
    if data.empty:
        raise ParameterError(f"item_types {types}: no backlog rows; expected some of "
                             f"{sorted(result.backlog['item_type'].unique())}")
    mean = data.groupby(["item_type", "time"], observed=True, sort=False)[
        ["backlog", "aged_backlog"]].mean().reset_index()
    fig, ax = figure(9, 4.5)
    sns.lineplot(data=mean, x="time", y="backlog", hue="item_type", ax=ax)
    if aged:
        sns.lineplot(data=mean, x="time", y="aged_backlog", hue="item_type", ax=ax,
                     linestyle="--", legend=False)
    s = result.scenario
    horizon = mean["time"].min() + np.timedelta64(int(s.horizon_days * 86400), "s")
    ax.axvline(horizon, color="grey", linewidth=1)
    ax.set(title=f"{s.name}: open items (dashed: past SLA)", xlabel="time (UTC)",
           ylabel="items waiting for a decision")
    fig.autofmt_xdate()
    return fig


def turnaround_distribution(result: SimulationResult, *, item_types: list[str] | None = None,
                            human_only: bool = True) -> Figure:
    """Turnaround (hours, log scale) per item type, with each type's SLA target marked."""

    items = result.items
    if items is None:
        raise ParameterError("result.items is None; expected a result simulated with "
                             "item_table=True")
    if human_only:
        items = items[~items["route"].isin(["auto_approve", "auto_reject"])]
    types = item_types or list(result.scenario.item_types)
    items = items[items["item_type"].isin(types) & items["turnaround_h"].notna()]
    fig, ax = figure(9, 4.5)
    if items.empty:
        ax.text(0.5, 0.5, "no decided items", ha="center", transform=ax.transAxes)
        return fig
    data = items.assign(turnaround_h=items["turnaround_h"].clip(lower=1 / 3600))
    sns.histplot(data=data, x="turnaround_h", hue="item_type", log_scale=True,
                 element="step", stat="density", common_norm=False, ax=ax)
    for i, t in enumerate(types):
        sla = result.scenario.item_types[t].sla.hours
        ax.axvline(sla, color=sns.color_palette()[i % 10], linestyle=":", linewidth=1.2)
    ax.set(title=f"{result.scenario.name}: turnaround of {'human-reviewed ' if human_only else ''}"
           "items (dotted: SLA)", xlabel="hours from submission to decision", ylabel="density")
    return fig


def utilisation(result: SimulationResult, *, by_hour: bool = False) -> Figure:
    """Utilisation per pool: mean with 95 % interval (bars), or busy vs capacity per hour."""

    if by_hour:
        load = result.pool_load
        mean = load.groupby(["pool", "time"], observed=True, sort=False)[
            ["busy", "capacity"]].mean().reset_index()
        pools = list(dict.fromkeys(mean["pool"]))
        fig, axes = figure(9, 2.0 * len(pools), nrows=len(pools), sharex=True, squeeze=False)
        for ax, pool in zip(axes[:, 0], pools, strict=True):
            part = mean[mean["pool"] == pool]
            ax.fill_between(part["time"], part["capacity"], step="post", alpha=0.25,
                            label="productive capacity")
            ax.plot(part["time"], part["busy"], linewidth=1, label="busy reviewers")
            ax.set(ylabel=pool)
        axes[0, 0].legend(loc="upper right")
        axes[0, 0].set_title(f"{result.scenario.name}: busy reviewers vs capacity per hour")
        fig.autofmt_xdate()
        return fig
    summary = result.pool_summary()
    util = summary[summary["kpi"] == "utilisation"].reset_index(drop=True)
    fig, ax = figure(8, 0.5 + 0.45 * len(util))
    sns.barplot(data=util, x="mean", y="pool", ax=ax, color=sns.color_palette()[0])
    err = np.vstack([util["mean"] - util["ci_low"], util["ci_high"] - util["mean"]])
    if np.isfinite(err).all():
        ax.errorbar(util["mean"], np.arange(len(util)), xerr=err, fmt="none", color="black")
    ax.axvline(0.85, color="grey", linestyle="--", linewidth=1)
    ax.set(title=f"{result.scenario.name}: utilisation per pool (dashed: 85 % cap)",
           xlabel="busy time / productive time", ylabel="", xlim=(0, 1.05))
    return fig
