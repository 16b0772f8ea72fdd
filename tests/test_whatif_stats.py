"""modlean.decisions.paired: the paired statistics behind the decision table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from modlean import ParameterError
from modlean.decisions import (
    decision_table,
    kpi_direction,
    paired_difference,
    unpaired_difference,
)


def test_paired_interval_matches_a_hand_computation():
    base = [10.0, 12.0, 9.0, 11.0]
    prop = [9.0, 10.5, 8.5, 9.0]
    d = paired_difference(base, prop)
    diffs = np.array([-1.0, -1.5, -0.5, -2.0])
    half = stats.t.ppf(0.975, 3) * diffs.std(ddof=1) / 2
    assert d.difference == pytest.approx(-1.25)
    assert (d.low, d.high) == pytest.approx((-1.25 - half, -1.25 + half))
    assert d.relative == pytest.approx(-1.25 / 10.5)
    assert d.significant


def test_pairing_narrows_the_interval_when_runs_share_noise():
    rng = np.random.default_rng(7)
    shared = rng.normal(100, 10, size=20)
    base = shared + rng.normal(0, 1, 20)
    prop = shared - 3 + rng.normal(0, 1, 20)
    paired = paired_difference(base, prop)
    unpaired = unpaired_difference(base, prop)
    assert paired.high - paired.low < (unpaired.high - unpaired.low) / 4
    assert paired.significant and not unpaired.significant


def test_unpaired_matches_scipy_welch():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 15), rng.normal(0.5, 2, 25)
    d = unpaired_difference(a, b)
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert (d.low, d.high) == pytest.approx((ci.low, ci.high))


def test_directions():
    assert kpi_direction("turnaround_p95_h") == "lower"
    assert kpi_direction("sla_attainment") == "higher"
    assert kpi_direction("utilisation_l1") == "none"
    assert kpi_direction("cost_per_decision") == "lower"
    assert kpi_direction("mystery") == "none"
    assert kpi_direction("mystery", {"mystery": "higher"}) == "higher"
    with pytest.raises(ParameterError, match="'up' is not one of"):
        kpi_direction("x", {"x": "up"})


def _kpis() -> pd.DataFrame:
    rows = []
    for r in range(5):
        rows += [
            ("base", r, "turnaround_p95_h", 20 + r), ("prop", r, "turnaround_p95_h", 18 + r),
            ("base", r, "sla_attainment", 0.90), ("prop", r, "sla_attainment", 0.90),
            ("base", r, "utilisation", 0.80 + r / 100), ("prop", r, "utilisation", 0.85 + r / 100),
        ]
    return pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value"])


def test_decision_table_verdicts():
    table = decision_table(_kpis(), "base").set_index("kpi")
    assert table.loc["turnaround_p95_h", "verdict"] == "better"
    assert table.loc["turnaround_p95_h", "difference"] == pytest.approx(-2)
    assert table.loc["sla_attainment", "verdict"] == "no significant difference"
    assert table.loc["utilisation", "verdict"] == "changed"
    assert (table["replications"] == 5).all()
    assert set(table["proposal"]) == {"prop"}


def test_decision_table_refuses_bad_input():
    with pytest.raises(ParameterError, match="baseline 'nope'"):
        decision_table(_kpis(), "nope")
    with pytest.raises(ParameterError, match="missing columns"):
        decision_table(_kpis().drop(columns="replication"), "base")
    with pytest.raises(ParameterError, match="same replications"):
        paired_difference([1, 2], [1])
