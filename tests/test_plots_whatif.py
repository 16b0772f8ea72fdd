"""What-if figures: forest plot, tornado, threshold frontier, shift plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.decisions import decision_table, shift_staffing, tune_thresholds
from modlean.plots.whatif import forest, shift_plan_chart, threshold_frontier, tornado


def _table() -> pd.DataFrame:
    rows = []
    for r in range(4):
        rows += [("base", r, "turnaround_p95_h", 20 + r), ("prop", r, "turnaround_p95_h", 18 + r),
                 ("base", r, "cost_total", 100.0), ("prop", r, "cost_total", 110.0 + r % 2)]
    kpis = pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value"])
    return decision_table(kpis, "base")


def test_forest_has_one_point_per_kpi():
    fig = forest(_table())
    ax = fig.axes[0]
    # ticks run bottom to top: the table's first row is drawn on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Reviewer cost", "P95 turnaround"]
    assert "change vs baseline" in ax.get_xlabel()


def test_tornado_orders_by_swing():
    t = pd.DataFrame({"parameter": ["volumes", "handling"], "kpi": ["x", "x"],
                      "baseline": [1.0, 1.0], "low": [0.8, 0.95], "high": [1.3, 1.05],
                      "low_change": [-0.2, -0.05], "high_change": [0.3, 0.05],
                      "swing": [0.5, 0.1]})
    t.attrs["delta"] = 0.1
    ax = tornado(t).axes[0]
    assert [x.get_text() for x in ax.get_yticklabels()] == ["handling", "volumes"]
    assert len(ax.patches) == 4


def test_threshold_frontier_marks_choice():
    best = tune_thresholds("US", "listing", step=0.05, min_precision=0.9)
    ax = threshold_frontier(best.sweep, best).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("lowest cost") for label in labels)
    assert "Pareto frontier" in labels


def test_shift_plan_chart_draws_the_planned_seats():
    plan = shift_staffing("US", "l1_content")
    ax = shift_plan_chart(plan).axes[0]
    planned = next(ln for ln in ax.get_lines() if ln.get_label() == "productive seats planned")
    assert np.allclose(planned.get_ydata(), plan.hours["seats_needed"])
    assert "20 a day" in ax.get_title()
