"""Teams: agents who work several queues, so one person is one seat.

Two pools with the same exponential handling sharing a team of c people are one
M/M/c queue over their combined arrivals (the team serves the longest-waiting head
first): held to tests/mmc_theory.py's closed forms with the tolerances of
tests/test_pool_kpis.py, and the same pools with c/2 people each wait longer (the
pooling effect). Validation, overrides, KPIs, the event log and staffing around them.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from mmc_theory import erlang_c, turnaround_cdf, wait_quantile

from modlean.decisions import analytic_staffing, staff
from modlean.errors import ScenarioError
from modlean.scenario import apply_overrides, preset, scenario_from_dict
from modlean.simulation import simulate

LAM, MU, C = 1 / 60, 1 / 240, 6  # combined: a job a minute, four minutes each, 6 people
HANDLING = {"*": {"dist": "exponential", "mean_s": 240}}


def _two_pools(team: bool, people: int = C, **extra: Any) -> dict[str, Any]:
    """The mmc preset split into two item types of half the volume, each with its pool;
    ``team``: both pools worked by one team of ``people``, else ``people`` / 2 each."""
    d = preset("mmc").model_dump(mode="json", exclude_none=True)
    job = {**d["item_types"]["job"], "volume_per_day": 720}
    d["item_types"] = {"a": job, "b": dict(job)}
    d["routing"] = {"a": {"pool": "pa"}, "b": {"pool": "pb"}}
    pool = {"handling": HANDLING, "accuracy": {"false_approve": 0, "false_reject": 0},
            "sla": {"hours": 0.25, "percentile": 90}}
    if team:
        d["teams"] = {"crew": {"headcount": people, "shrinkage": 0.0, "cost_per_hour": 20}}
        d["pools"] = {n: {**pool, "team": "crew"} for n in ("pa", "pb")}
    else:
        d["pools"] = {n: {**pool, "headcount": people // 2, "shrinkage": 0.0,
                          "cost_per_hour": 20} for n in ("pa", "pb")}
    d.update({"horizon_days": 30, "warmup_days": 1, "drain_days": 1}, **extra)
    return d


def _kpi(result, pool: str, kpi: str) -> float:
    t = result.pool_kpis
    return float(t.loc[(t["pool"] == pool) & (t["kpi"] == kpi), "value"].mean())


@pytest.fixture(scope="module")
def shared():
    s = scenario_from_dict(_two_pools(team=True))
    return simulate(s, seed=3, replications=3, workers=1, event_log=False, item_table=False)


@pytest.fixture(scope="module")
def separate():
    s = scenario_from_dict(_two_pools(team=False))
    return simulate(s, seed=3, replications=3, workers=1, event_log=False, item_table=False)


def test_a_shared_team_is_one_mmc_queue_over_the_combined_arrivals(shared):
    wq = erlang_c(C, LAM / MU) / (C * MU - LAM)  # 34.2 s
    for pool in ("pa", "pb"):
        assert _kpi(shared, pool, "wait_mean_h") * 3600 == pytest.approx(wq, rel=0.1)
        assert _kpi(shared, pool, "wait_p95_h") * 3600 == pytest.approx(
            wait_quantile(LAM, MU, C, 0.95), rel=0.08)
        assert _kpi(shared, pool, "sla_attainment") == pytest.approx(
            turnaround_cdf(LAM, MU, C, 900.0), abs=0.01)
    # one person counted once: the team's utilisation is the combined load over c
    assert _kpi(shared, "crew", "utilisation") == pytest.approx(LAM / (C * MU), abs=0.01)


def test_the_same_pools_with_separate_people_wait_longer(shared, separate):
    wq_each = erlang_c(C // 2, LAM / 2 / MU) / (C // 2 * MU - LAM / 2)  # 106.7 s
    for pool in ("pa", "pb"):
        assert _kpi(separate, pool, "wait_mean_h") * 3600 == pytest.approx(wq_each, rel=0.1)
        assert _kpi(separate, pool, "wait_mean_h") > 2 * _kpi(shared, pool, "wait_mean_h")
    # the same people and paid hours either way: pooling buys the shorter wait
    assert _kpi(shared, "crew", "cost") == pytest.approx(
        _kpi(separate, "pa", "cost") + _kpi(separate, "pb", "cost"))


def test_people_kpis_belong_to_the_team_and_cost_counts_each_person_once(shared):
    t = shared.pool_kpis
    in_team = set(t.loc[t["pool"] == "pa", "kpi"])
    assert {"wait_p95_h", "sla_attainment", "busy_hours", "reviews"} <= in_team
    assert not {"utilisation", "cost", "paid_hours"} & in_team
    # 6 people x 24 h x 30 days paid at 20 an hour
    assert _kpi(shared, "crew", "paid_hours") == pytest.approx(C * 24 * 29)
    k = shared.kpis
    total = k.loc[(k["item_type"] == "all") & (k["kpi"] == "cost_total"), "value"].mean()
    assert total == pytest.approx(_kpi(shared, "crew", "cost"))
    assert "utilisation.crew" in set(k["kpi"]) and "utilisation.pa" not in set(k["kpi"])
    assert _kpi(shared, "crew", "busy_hours") == pytest.approx(
        _kpi(shared, "pa", "busy_hours") + _kpi(shared, "pb", "busy_hours"))


def test_the_event_logs_resource_is_the_teams_person_across_pools():
    s = scenario_from_dict(_two_pools(team=True, horizon_days=2, warmup_days=0))
    log = simulate(s, seed=1, workers=1).log
    reviews = log[log["activity"] == "review_l1"]
    people = reviews["resource"].astype(str)
    assert people.str.fullmatch(r"crew_00[1-6]").all()
    # every person reviews items of both pools (item types a and b)
    assert (reviews.groupby(people, observed=True)["item_type"].nunique() == 2).all()
    # never more than one review at a time per person
    for _, r in reviews.sort_values("start_timestamp").groupby(people, observed=True):
        assert (r["start_timestamp"].iloc[1:].to_numpy()
                >= r["timestamp"].iloc[:-1].to_numpy()).all()


def test_the_longest_waiting_head_is_served_first_across_the_teams_pools():
    # one person, a shift starting at 08:00 with work queued since midnight in both
    # pools: the morning serves a and b in the order they arrived, not pool by pool
    d = _two_pools(team=True, people=1, horizon_days=1, warmup_days=0, drain_days=2)
    d["teams"]["crew"]["shifts"] = [{"start_hour": 8, "end_hour": 20}]
    log = simulate(scenario_from_dict(d), seed=2, workers=1).log
    queued = log[log["activity"] == "queued_l1"].set_index("case_id")["timestamp"]
    reviews = log[log["activity"] == "review_l1"].sort_values("start_timestamp")
    order = queued.loc[reviews["case_id"]].to_numpy()
    first_morning = reviews["start_timestamp"].dt.hour.to_numpy() == 8
    assert first_morning.sum() > 3 and (order[first_morning][1:] >= order[first_morning][:-1]).all()


def test_overrides_reach_the_team():
    s = scenario_from_dict(_two_pools(team=True))
    bigger = apply_overrides(s, {"teams.crew.headcount": 12})
    assert bigger.teams["crew"].headcount == 12
    with pytest.raises(ScenarioError, match=r"teams\.crew\.headcont: .*did you mean "
                                            r"'headcount'"):
        apply_overrides(s, {"teams.crew.headcont": 12})


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["pools"]["pa"].update(team="crews"),
     r"pools\.pa\.team: unknown team 'crews'.*did you mean 'crew'"),
    (lambda d: d["pools"]["pa"].update(headcount=4),
     r"pools\.pa\.headcount: found a value of its own, but team 'crew' gives the pool its "
     r"people; expected it on the team \(teams\.crew\.headcount\)"),
    (lambda d: d["pools"]["pa"].update(shrinkage=0.2), r"pools\.pa\.shrinkage: found a value"),
    (lambda d: d["teams"]["crew"].update(headcount=0),
     r"teams\.crew\.headcount: found 0; pool 'pa' \(its team\) receives work"),
    (lambda d: d["teams"]["crew"].update(shifts=[]),
     r"teams\.crew\.shifts: found an empty list \(no shifts\); pool 'pa' \(its team\)"),
    (lambda d: d["pools"]["pa"].pop("team"),
     r"pools\.pa: headcount missing; expected the pool's reviewers \(headcount: 12\) or the "
     r"team whose people work it \(team: <name>\)"),
    (lambda d: d["teams"].update(pa={"headcount": 1}), r"teams\.pa: a pool has the same name"),
])
def test_bad_teams_are_refused_by_field_path(change, message):
    d = _two_pools(team=True)
    change(d)
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(d, source="s.yaml")


def test_a_team_nobody_routes_to_is_fine_even_without_hours():
    d = _two_pools(team=True)
    d["teams"]["bench"] = {"headcount": 0, "shifts": []}
    s = scenario_from_dict(d)
    assert set(simulate(s, seed=1, workers=1, event_log=False).pool_kpis["pool"]) == \
        {"pa", "pb", "crew", "bench"}


def test_old_scenarios_load_unchanged():
    s = preset("mmc")
    assert s.teams == {} and s.pools["servers"].team is None
    assert s.pools["servers"].headcount == 5


def test_a_team_is_sized_as_one_pooled_queue():
    # Erlang C on the pooled load: with different handling per pool, the load-weighted
    # mean (360 visits at 240 s and 360 at 480 s a day, per 12 hours: 360 s) is stated
    d = _two_pools(team=True, horizon_days=2, warmup_days=0)
    d["pools"]["pb"]["handling"] = {"*": {"dist": "exponential", "mean_s": 480}}
    table = analytic_staffing(scenario_from_dict(d)).set_index("pool")
    assert "pa" not in table.index and "crew" in table.index
    row = table.loc["crew"]
    assert row["mean_aht_s"] == pytest.approx(360.0)
    assert row["workload_hours"] == pytest.approx(720 * 240 / 3600 + 720 * 480 / 3600)
    assert "approximation" in row["method"] and "pa+pb" in row["method"]
    # sla 1 h at 95 %: the fewest agents whose M/M/c turnaround meets it at rate 1/60
    lam, aht = LAM, 360.0
    n = next(n for n in range(1, 50) if n > lam * aht
             and _within(n, lam, aht, 3600.0) >= 0.95)
    assert row["analytic"] == n


def _within(n: int, lam: float, aht: float, t: float) -> float:
    return turnaround_cdf(lam, 1 / aht, n, t)


def test_staff_searches_the_teams_headcount():
    d = _two_pools(team=True, horizon_days=2, warmup_days=0, drain_days=0.5)
    res = staff(scenario_from_dict(d), replications=2, seed=1, workers=1, max_evaluations=6)
    row = res.table.set_index("pool").loc["crew"]
    assert not math.isnan(row["simulated"])
    assert set(res.evaluations["pool"]) == {"crew"}
    assert row["current"] == C
