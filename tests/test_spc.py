"""modlean.quality.spc: control limits checked by hand, one trigger and one near miss per rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.quality import (
    laney_p_chart,
    nelson,
    np_chart,
    p_chart,
    pareto,
    rule_flags,
    western_electric,
)


def test_p_chart_limits_by_hand():
    chart = p_chart([5, 8, 3, 10, 4], [100, 120, 80, 150, 90])
    # p̄ = 30/540 = 1/18; UCL_1 = 1/18 + 3 sqrt((1/18)(17/18)/100) = 0.055556 + 0.068719
    assert chart["center"].iloc[0] == pytest.approx(1 / 18)
    assert chart["ucl"].iloc[0] == pytest.approx(0.124274, abs=1e-6)
    assert chart["ucl"].iloc[3] == pytest.approx(0.111664, abs=1e-6)  # n = 150
    assert (chart["lcl"] == 0).all()  # 1/18 − 3σ < 0 is floored
    assert not chart["beyond"].any()


def test_laney_limits_by_hand():
    chart = laney_p_chart([4, 6, 5, 7, 3], 100)
    # p̄ = 0.05, σ_p = sqrt(.05·.95/100) = 0.0217945; z = (−.01, .01, 0, .02, −.02)/σ_p
    # MR(z) = 0.91766, 0.45883, 0.91766, 1.83533 -> mean 1.03237; σ_z = 1.03237/1.128
    assert chart.attrs["sigma_z"] == pytest.approx(0.915225, abs=1e-5)
    assert chart["ucl"].iloc[0] == pytest.approx(0.05 + 3 * 0.0217945 * 0.915225, abs=1e-6)
    assert chart["ucl"].iloc[0] == pytest.approx(0.10984, abs=1e-5)
    assert chart["lcl"].iloc[0] == 0.0


def test_laney_widens_limits_under_overdispersion():
    rng = np.random.default_rng(3)
    n = np.full(30, 5000)
    p = np.clip(rng.normal(0.05, 0.01, 30), 0.01, None)  # day-to-day variation
    d = rng.binomial(n, p)
    assert laney_p_chart(d, n).attrs["sigma_z"] > 2
    assert p_chart(d, n)["beyond"].sum() > laney_p_chart(d, n)["beyond"].sum()


def test_np_chart_by_hand():
    chart = np_chart([2, 3, 1, 4, 0], 50)
    # n p̄ = 50 · 0.04 = 2; UCL = 2 + 3 sqrt(50 · .04 · .96) = 2 + 4.15692
    assert chart["center"].iloc[0] == pytest.approx(2.0)
    assert chart["ucl"].iloc[0] == pytest.approx(6.15692, abs=1e-5)
    assert chart["lcl"].iloc[0] == 0.0
    with pytest.raises(ParameterError, match="one subgroup size"):
        np_chart([1, 2], [50, 60])


def test_bad_subgroup_is_named():
    with pytest.raises(ParameterError, match="subgroup 2: defects=9, n=5"):
        p_chart([1, 9, 2], [10, 5, 10])


# (rule column, series that triggers it at its last point, near miss that does not)
RULE_CASES = [
    ("we1", [0, 0, 3.5], [0, 2.9, -2.9, 0]),
    ("we2", [0, 2.5, 0.5, 2.5], [2.5, 0.5, -2.5, 0.5, 2.5]),
    ("we3", [1.5, 1.5, 0, 1.5, 1.5], [1.5, 1.5, 0, 0, 1.5, 1.5]),
    ("we4", [0.1] * 8, [0.1] * 7 + [-0.1]),
    ("nelson1", [0, -3.2], [0, -3.0]),
    ("nelson2", [-0.1] * 9, [-0.1] * 8),
    ("nelson3", [0, 0.1, 0.2, 0.3, 0.4, 0.5], [0, 0.1, 0.2, 0.3, 0.4, 0.4]),
    ("nelson4", [0.5, -0.5] * 7, [0.5, -0.5] * 6 + [0.5]),
    ("nelson5", [0, -2.5, -0.5, -2.5], [-2.5, 0.5, 2.5, 0.5, -2.5]),
    ("nelson6", [-1.5, -1.5, 0, -1.5, -1.5], [-1.5, -1.5, 0, 0, -1.5, -1.5]),
    ("nelson7", [0.5, -0.5] * 7 + [0.5], [0.5, -0.5] * 7),
    ("nelson8", [1.5, -1.5] * 4, [1.5] * 8),
]


@pytest.mark.parametrize(("rule", "hit", "miss"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_each_rule_triggers_and_does_not(rule, hit, miss):
    engine = western_electric if rule.startswith("we") else nelson
    flags_hit = engine(pd.Series(hit, dtype=float))[rule]
    flags_miss = engine(pd.Series(miss, dtype=float))[rule]
    assert flags_hit.iloc[-1], f"{rule} should flag the last point of {hit}"
    assert not flags_miss.any(), f"{rule} should not flag {miss}"


def test_nelson8_needs_both_sides():
    z = [1.5, -1.5, 1.5, -1.5, 0, 1.5, -1.5, 1.5, -1.5]
    assert not nelson(z)["nelson8"].any()


def test_rule_flags_on_a_chart():
    d = [5] * 10 + [30]
    chart = rule_flags(p_chart(d, 100))
    assert chart["flagged"].iloc[-1] and "we1" in chart["rules"].iloc[-1]
    assert chart["beyond"].iloc[-1]
    assert not chart["flagged"].iloc[:3].any()
    with pytest.raises(ParameterError, match="'we', 'nelson' or 'both'"):
        rule_flags(p_chart(d, 100), rules="other")


def test_pareto_vital_few():
    table = pareto(pd.Series({"a": 5, "b": 30, "c": 50, "d": 10, "e": 5}))
    assert list(table.index) == ["c", "b", "d", "a", "e"]
    assert table["cum_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 0.95, 1.0])
    assert table.index[table["vital_few"]].tolist() == ["c", "b"]  # reaches 80% exactly
    raw = pareto(["x", "y", "x", "z", "x", "y"])
    assert raw["count"].tolist() == [3, 2, 1]
    assert raw.index[raw["vital_few"]].tolist() == ["x", "y"]  # 50% then 83%


def test_pareto_cost_weighted_reorders():
    table = pareto(pd.Series({"cheap": 100, "costly": 10}), weights={"cheap": 1, "costly": 50})
    assert table.index[0] == "costly" and table["vital_few"].tolist() == [True, False]
