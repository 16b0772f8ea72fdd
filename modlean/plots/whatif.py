"""What-if figures: the decision table as a forest plot, the tornado, the threshold frontier,
the shift plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modlean.kpis import readable
from modlean.plots.style import figure

if TYPE_CHECKING:
    from modlean.decisions import ShiftPlan, Thresholds

__all__ = ["forest", "shift_plan_chart", "threshold_frontier", "tornado"]

_VERDICT_COLOURS = {"better": "#009E73", "worse": "#D55E00",
                    "no significant difference": "#7f7f7f", "changed": "#0072B2"}


def forest(table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Relative change of each KPI with its paired 95 % interval, coloured by verdict.

    ``table`` is :func:`modlean.decisions.compare`'s decision table; intervals are
    shown relative to the baseline mean (KPIs with a zero baseline are left out).
    """
    t = table[table["baseline_mean"].abs() > 0].copy()
    base = t["baseline_mean"].abs()
    t["rel"] = t["difference"] / base
    t["lo"] = t["ci_low"] / base
    t["hi"] = t["ci_high"] / base
    many = t["proposal"].nunique() > 1 or t.get("item_type", pd.Series(["all"])).nunique() > 1
    names = t["kpi"].astype(str).map(readable)  # the catalogue's labels, not code names
    labels = (names + (" · " + t["proposal"].astype(str) +
                       (" · " + t["item_type"].astype(str).map(readable)
                        if "item_type" in t else ""))
              if many else "")
    t["label"] = labels if many else names
    fig, ax = figure(8, max(2.5, 0.35 * len(t) + 1))
    y = np.arange(len(t))[::-1]
    for yi, row in zip(y, t.itertuples(), strict=True):
        colour = _VERDICT_COLOURS.get(row.verdict, "#333333")
        ax.errorbar(row.rel * 100, yi, xerr=[[max(row.rel - row.lo, 0) * 100],
                                            [max(row.hi - row.rel, 0) * 100]],
                    fmt="o", color=colour, capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, t["label"])
    ax.set_xlabel("change vs baseline (%), paired 95 % interval")
    handles = [ax.scatter([], [], color=c, label=v) for v, c in _VERDICT_COLOURS.items()
               if v in set(t["verdict"])]
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=8)
    ax.set_title(title or f"Decision table vs {table.attrs.get('baseline', 'baseline')}")
    return fig


def tornado(table: pd.DataFrame, kpi: str | None = None, *, title: str | None = None) -> Figure:
    """Bars of a KPI's change at -x % and +x % of each parameter, widest swing on top.

    ``table`` is :func:`modlean.decisions.sensitivity`'s output.
    """
    kpi = kpi or str(table["kpi"].iloc[0])
    t = table[table["kpi"] == kpi].sort_values("swing", ascending=True)
    delta = table.attrs.get("delta")
    fig, ax = figure(7, max(2.5, 0.5 * len(t) + 1))
    y = np.arange(len(t))
    pct = f"{delta:.0%}" if delta else "x %"
    ax.barh(y, t["low_change"], color="#0072B2", label=f"parameter -{pct}")
    ax.barh(y, t["high_change"], color="#D55E00", label=f"parameter +{pct}")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, t["parameter"])
    base = t["baseline"].iloc[0] if len(t) else float("nan")
    ax.set_xlabel(f"change of {readable(kpi)} (baseline {base:.4g})")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"Sensitivity of {readable(kpi)}")
    return fig


def threshold_frontier(sweep: pd.DataFrame, best: Thresholds | None = None, *,
                       title: str | None = None) -> Figure:
    """Human reviews per day vs error cost for every threshold pair; frontier and choice marked.

    ``sweep`` is :func:`modlean.decisions.threshold_sweep`'s table; ``best`` a
    :class:`~modlean.decisions.Thresholds` (or a row with ``n_review`` and ``error_cost``).
    """
    fig, ax = figure(7, 4.5)
    feas = sweep[sweep["feasible"]]
    ax.scatter(sweep.loc[~sweep["feasible"], "n_review"],
               sweep.loc[~sweep["feasible"], "error_cost"], s=4, color="#cccccc",
               label="below a floor")
    ax.scatter(feas["n_review"], feas["error_cost"], s=4, color="#56B4E9", label="feasible")
    front = sweep[sweep["pareto"]].sort_values("n_review")
    ax.plot(front["n_review"], front["error_cost"], color="#0072B2", lw=2,
            label="Pareto frontier")
    current = sweep.attrs.get("current")
    if current is not None:
        m = np.isclose(sweep["t_low"], current[0]) & np.isclose(sweep["t_high"], current[1])
        if m.any():
            r = sweep[m].iloc[0]
            ax.scatter([r["n_review"]], [r["error_cost"]], marker="s", s=60, color="black",
                       label=f"current {current[0]:.2f} / {current[1]:.2f}", zorder=3)
    if best is not None:
        row = getattr(best, "best", best)
        ax.scatter([row["n_review"]], [row["error_cost"]], marker="*", s=160, color="#D55E00",
                   label=f"lowest cost {row['t_low']:.2f} / {row['t_high']:.2f}", zorder=4)
    ax.set_xlabel("human reviews per day")
    ax.set_ylabel("error cost per day (C_FP·FP + C_FN·FN)")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"Model thresholds: {sweep.attrs.get('item_type', '')}")
    return fig


def shift_plan_chart(plan: ShiftPlan, *, title: str | None = None) -> Figure:
    """The week hour by hour: work arriving against productive seats today and as planned.

    ``plan`` is :func:`modlean.decisions.shift_staffing`'s answer. Work is in
    hours of handling per hour (the seats it would keep busy); for a real-time
    pool the Erlang C seats each hour needs are drawn too.
    """
    h = plan.hours
    fig, ax = figure(10, 4)
    x = h["hour_of_week"]
    ax.fill_between(x, h["work_hours"], step="post", color="#cccccc",
                    label="work arriving (hours of handling per hour)")
    if h["required_seats"].notna().any():
        ax.step(x, h["required_seats"], where="post", color="#D55E00", lw=1,
                label="seats needed (Erlang C)")
    ax.step(x, h["seats_current"], where="post", color="#7f7f7f", lw=1.5, ls="--",
            label="productive seats today")
    ax.step(x, h["seats_needed"], where="post", color="#0072B2", lw=2,
            label="productive seats planned")
    ax.set_xticks(range(0, 168, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    ax.set_xlim(0, 168)
    ax.set_ylabel("seats")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8,
              frameon=False)
    ax.set_title(title or f"People per shift: {plan.pool} ({plan.headcount} a day)")
    return fig
