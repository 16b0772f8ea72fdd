"""Queues as first-class: KPIs per pool, a pool's own SLA, the human-reviewed view.

The per-pool figures of an M/M/c pool are held to the closed forms (tests/mmc_theory.py);
the human-reviewed view is recomputed from the item table.
"""

from __future__ import annotations

import numpy as np
import pytest
from mmc_theory import turnaround_cdf, wait_quantile

from modlean.errors import ScenarioError
from modlean.scenario import load_scenario, preset
from modlean.simulation import simulate

LAM, MU, SERVERS = 1 / 60, 1 / 240, 5  # the mmc preset: a job a minute, four minutes each


@pytest.fixture(scope="module")
def mm5():
    s = preset("mmc", overrides={"horizon_days": 30, "warmup_days": 1, "drain_days": 1,
                                 "pools.servers.sla": {"hours": 0.25, "percentile": 90}})
    return simulate(s, seed=3, replications=3, workers=1, event_log=False, item_table=False)


def _pool(result, kpi: str) -> float:
    table = result.pool_kpis
    return float(table.loc[(table["pool"] == "servers") & (table["kpi"] == kpi), "value"]
                 .mean())


def test_pool_wait_and_turnaround_quantiles_are_erlang_cs(mm5):
    assert _pool(mm5, "wait_p95_h") * 3600 == pytest.approx(
        wait_quantile(LAM, MU, SERVERS, 0.95), rel=0.08)  # 577 s
    target = 900.0
    assert _pool(mm5, "sla_attainment") == pytest.approx(
        turnaround_cdf(LAM, MU, SERVERS, target), abs=0.01)  # 0.928
    assert _pool(mm5, "sla_target_met") == 1.0  # 0.93 >= 0.90
    # the turnaround's 95th percentile: where the closed-form CDF reaches 0.95
    grid = np.arange(0, 7200.0, 1.0)
    cdf = np.array([turnaround_cdf(LAM, MU, SERVERS, t) for t in grid])
    assert _pool(mm5, "turnaround_p95_h") * 3600 == pytest.approx(
        grid[np.searchsorted(cdf, 0.95)], rel=0.05)


def test_pool_backlog_is_littles_law(mm5):
    # L = lambda W: items waiting or in review = arrivals per second x mean turnaround
    wait_h = _pool(mm5, "wait_mean_h")
    assert _pool(mm5, "backlog_mean") == pytest.approx(LAM * (wait_h * 3600 + 1 / MU),
                                                       rel=0.05)


def test_a_pool_without_an_sla_has_no_sla_kpis(mm5):
    s = preset("mmc", overrides={"horizon_days": 1, "warmup_days": 0, "drain_days": 0.5})
    kpis = set(simulate(s, seed=1, workers=1, event_log=False, item_table=False)
               .pool_kpis["kpi"])
    assert {"wait_p95_h", "turnaround_p95_h", "backlog_mean", "backlog_end"} <= kpis
    assert not {"sla_attainment", "sla_target_met"} & kpis


def test_human_reviewed_view_leaves_the_models_decisions_out(root):
    s = load_scenario(root / "data" / "US" / "scenario.yaml") if (
        root / "data" / "US" / "scenario.yaml").exists() else preset("US")
    s = s.model_copy(update={"horizon_days": 2.0, "warmup_days": 0.0, "drain_days": 1.0})
    result = simulate(s, seed=2, workers=1, event_log=False)
    items = result.items
    kpis = result.kpis[result.kpis["item_type"] == "all"].set_index("kpi")["value"]
    human = items[items["route"].isin(["human", "backlog"])]
    decided = human[human["decided_at"].notna()]
    assert kpis["turnaround_p95_human_h"] == pytest.approx(
        np.percentile(decided["turnaround_h"], 95), rel=1e-9)
    assert kpis["sla_attainment_human"] == pytest.approx(1 - human["sla_breach"].mean(),
                                                         rel=1e-9)
    assert len(human) < len(items)  # the model decides some items: the two views differ
    assert kpis["sla_attainment_human"] <= kpis["sla_attainment"]


def test_a_pool_sla_is_validated_by_field_path():
    with pytest.raises(ScenarioError, match=r"pools\.servers\.sla\.hours"):
        preset("mmc", overrides={"pools.servers.sla": {"hours": -1}})
