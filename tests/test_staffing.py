"""staffing: analytic headcount (Erlang C, workload) confirmed by a simulation search."""

from __future__ import annotations

import math

import numpy as np
import pytest

from modlean import ParameterError
from modlean.decisions import (
    analytic_staffing,
    meets_sla,
    pool_loads,
    shift_staffing,
    staff,
    turnaround_within,
    weekly_work,
)
from modlean.scenario import apply_overrides, preset
from modlean.simulation import workload_fte

MMC = {"horizon_days": 4, "warmup_days": 0.5, "drain_days": 0.5,
       "item_types.job.sla.hours": 0.25, "item_types.job.sla.percentile": 95}


def test_turnaround_of_mm1_is_exponential():
    # M/M/1: the sojourn time is exponential with rate mu - lambda
    lam, aht, t = 1 / 100, 60.0, 0.05
    expected = 1 - math.exp(-(1 / aht - lam) * t * 3600)
    assert turnaround_within(1, lam, aht, t) == pytest.approx(expected, rel=1e-9)


def test_turnaround_of_mmc_matches_a_monte_carlo():
    rng = np.random.default_rng(1)
    lam, aht, c, n = 1 / 60, 240.0, 5, 200_000
    # FIFO M/M/c by the Kiefer-Wolfowitz workload vector
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(aht, n)
    free = np.zeros(c)
    tat = np.empty(n)
    for i in range(n):          # the reference, deliberately simple
        k = free.argmin()
        start = max(free[k], arrivals[i])
        free[k] = start + service[i]
        tat[i] = free[k] - arrivals[i]
    t = 0.1
    assert turnaround_within(c, lam, aht, t) == pytest.approx((tat[1000:] <= t * 3600).mean(),
                                                              abs=0.01)


def test_mmc_staffing_matches_erlang_c_and_the_simulation_confirms_it():
    s = preset("mmc", overrides=MMC)
    analytic = analytic_staffing(s).set_index("pool").loc["servers"]
    # the smallest c with P(turnaround <= 15 min) >= 95 % by Erlang C (6: 0.970; 5: 0.928)
    erlang = next(c for c in range(5, 20) if turnaround_within(c, 1 / 60, 240, 0.25) >= 0.95)
    assert analytic["kind"] == "real-time"
    assert analytic["analytic"] == erlang
    res = staff(s, confidence=0.8, replications=5, workers=1, seed=2)
    row = res.table.set_index("pool").loc["servers"]
    assert row["simulated"] == erlang
    assert "confirms" in row["reason"]
    tried = res.evaluations.set_index("headcount")["meets"]
    assert tried[erlang] and not tried[erlang - 1]


def test_back_office_is_the_workload_model():
    s = preset("US")
    loads = pool_loads(s)
    kyb = loads["kyb"]
    item = s.item_types["seller_onboarding"]
    assert kyb.volume["seller_onboarding"] == pytest.approx(item.volume_per_day
                                                            * np.mean(item.weekly_profile))
    table = analytic_staffing(s).set_index("pool")
    # kyb shifts: 8 h x 0.6 + 8 h x 0.4 on 6 of 7 days = 6.86 paid hours per head per day
    paid = (8 * 0.6 + 8 * 0.4) * 6 / 7
    fte = workload_fte(kyb.volume["seller_onboarding"], 360, paid_hours=paid, shrinkage=0.35,
                       occupancy=0.85)
    assert table.loc["kyb", "kind"] == "back-office"
    assert table.loc["kyb", "analytic"] == math.ceil(fte)


def _small_us(scale: float = 25.0):
    s = preset("US")
    ov = {f"item_types.{t}.volume_per_day": it.volume_per_day / scale
          for t, it in s.item_types.items()}
    ov.update({f"pools.{p}.headcount": max(1, round(pl.headcount / scale))
               for p, pl in s.pools.items()})
    ov.update({"horizon_days": 7, "drain_days": 3})
    return preset("US", overrides=ov)


def test_shift_based_preset_headcount_is_confirmed_by_a_fresh_simulation():
    s = _small_us()
    res = staff(s, ["l1_listing"], confidence=0.75, replications=4, workers=1, seed=5,
                max_evaluations=8)
    row = res.table.iloc[0]
    h = int(row["simulated"])
    assert row["evaluations"] <= 8
    assert row["reason"]
    # a verifying run on other seeds meets the SLA; one reviewer fewer fails on the search seed
    ok, share, _ = meets_sla(s, "l1_listing", h, replications=4, seed=99, confidence=0.75,
                             workers=1)
    assert ok, share
    if h > 1:
        assert not meets_sla(s, "l1_listing", h - 1, replications=4, seed=5, confidence=0.75,
                             workers=1)[0]


def test_staff_refuses_bad_input():
    s = preset("mmc", overrides=MMC)
    with pytest.raises(ParameterError, match="confidence"):
        staff(s, confidence=1.5)
    with pytest.raises(ParameterError, match="not in the scenario"):
        staff(s, ["nope"])
    table = staff(preset("US"), ["qa"], simulate_check=False).table
    assert table["note" if "note" in table else "reason"].iloc[0]


def test_a_shift_gap_longer_than_the_sla_is_reported_not_staffed():
    # servers on duty 8-16 only, SLA 1 h: night arrivals wait past it whatever the headcount
    s = preset("mmc", overrides={**MMC, "item_types.job.sla.hours": 1,
                                 "pools.servers.shifts": [{"start_hour": 8, "end_hour": 16}]})
    res = staff(s, confidence=0.5, replications=2, workers=1)
    row = res.table.iloc[0]
    assert np.isnan(row["simulated"])
    assert "change shifts" in row["reason"] and row["evaluations"] == 2



def test_an_l2_pool_is_sized_without_the_sla_its_l1_pool_cannot_meet():
    # US IPR reviewers work Mon-Fri 9-17 against a 48 h SLA: no IPR headcount meets it, so
    # the L2 pool (which also takes IPR escalations) is sized on the other item types' SLAs,
    # after the content L1 pool (one reviewer in this scaled-down market) is sized first
    s = _small_us()
    res = staff(s, ["ipr", "l1_content", "l2_policy"], confidence=0.5, replications=1,
                workers=1, seed=4, max_evaluations=6)
    rows = res.table.set_index("pool")
    assert np.isnan(rows.loc["ipr", "simulated"])
    assert rows.loc["l2_policy", "simulated"] >= 1
    assert "left out the SLA of ipr_complaint" in rows.loc["l2_policy", "reason"]
    sized = apply_overrides(s, {"pools.l1_content.headcount": rows.loc["l1_content",
                                                                       "simulated"]})
    ok, _, checks = meets_sla(sized, "l2_policy", rows.loc["l2_policy", "simulated"],
                              replications=1, seed=4, confidence=0.5, workers=1,
                              exclude=["ipr_complaint"])
    assert ok and not checks["check"].str.startswith("ipr_complaint").any()

# ------------------------------------------------------------------ people per shift


def test_shift_plan_of_a_flat_24_7_queue_is_the_erlang_c_answer():
    s = preset("mmc", overrides=MMC)
    plan = shift_staffing(s, "servers")
    assert plan.kind == "real-time"
    assert plan.headcount == analytic_staffing(s).set_index("pool").loc["servers", "analytic"]
    assert plan.overrides == {"pools.servers.headcount": plan.headcount,
                              "pools.servers.shifts.0.share": 1.0}


def test_real_time_shifts_are_sized_hour_by_hour_with_erlang_c():
    # nights (0-12 h) get a third of the day's (12-24 h) arrivals; 20 % shrinkage
    s = preset("mmc", overrides={**MMC, "item_types.job.hourly_profile": [1] * 12 + [3] * 12,
                                 "pools.servers.shrinkage": 0.2,
                                 "pools.servers.shifts": [
                                     {"start_hour": 0, "end_hour": 12, "share": 0.5},
                                     {"start_hour": 12, "end_hour": 24, "share": 0.5}]})
    plan = shift_staffing(s, "servers")

    def people(lam: float) -> int:
        agents = next(c for c in range(1, 50) if turnaround_within(c, lam, 240, 0.25) >= 0.95)
        # the simulator rounds productive seats to the nearest whole seat
        return next(x for x in range(1, 80) if math.floor(x * 0.8 + 0.5) >= agents)

    assert list(plan.shifts["needed"]) == [people(1 / 120), people(1 / 40)]
    assert (plan.hours["seats_needed"] >= plan.hours["required_seats"] - 0.5).all()


def _on_duty(start: float, end: float, days: list[str]) -> np.ndarray:
    """1.0 for the hours of the week (Monday 0:00 first) a shift starting on ``days`` covers."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    out = np.zeros(168)
    for d in days:
        first = names.index(d) * 24 + int(start)
        length = int((end - start) % 24 or 24)
        out[np.arange(first, first + length) % 168] = 1.0
    return out


def _worst_delay_hours(work: np.ndarray, capacity: np.ndarray, weeks: int = 4) -> np.ndarray:
    """Hour-step FIFO fluid queue from empty, ``capacity`` (plans x 168) per hour: for each
    plan the longest time (h) from the end of an arrival hour until its work is done, over
    the last two weeks (a cyclic steady state)."""
    n = 168 * weeks
    arrived = np.cumsum(np.tile(work, weeks))
    done = np.zeros((len(capacity), n))
    prev = np.zeros(len(capacity))
    for t in range(n):
        prev = np.minimum(arrived[t], prev + capacity[:, t % 168])
        done[:, t] = prev
    worst = np.zeros(len(capacity))
    for t in range(n - 2 * 168, n - 168):
        late = done[:, t:] < arrived[t] - 1e-9          # hours after t still short
        waited = np.where(late.all(axis=1), np.inf, late.argmin(axis=1))
        worst = np.maximum(worst, waited)
    return worst


@pytest.mark.parametrize(("pool", "item", "sla"), [
    ("l1_content", "content", None),           # the week's workload binds
    ("l1_content", "content", 6.0),            # the evening peak must clear within 6 h
    ("kyb", "seller_onboarding", None),
])
def test_back_office_shift_plan_meets_the_sla_and_no_cheaper_plan_does(pool, item, sla):
    s = preset("US", overrides={f"item_types.{item}.sla.hours": sla} if sla else None)
    plan = shift_staffing(s, pool)
    assert plan.kind == "back-office"
    spec = s.pools[pool]
    work = weekly_work(s, pool)["work_hours"].to_numpy()
    cover = np.stack([_on_duty(sh.start_hour, sh.end_hour, sh.days) for sh in spec.shifts],
                     axis=1)
    rate = (1 - spec.shrinkage) * 0.85
    sla = s.item_types[item].sla.hours

    def misses(plans: np.ndarray) -> np.ndarray:
        capacity = plans @ cover.T * rate
        return (capacity.sum(axis=1) < work.sum()) | (_worst_delay_hours(work, capacity) > sla)

    needed = plan.shifts["needed"].to_numpy()
    assert not misses(needed[None, :])[0]
    # every plan with one paid shift fewer (all shifts here are equally long) misses it
    total = needed.sum() - 1
    grid = np.array([x for x in np.ndindex(*(total + 1,) * len(needed)) if sum(x) == total])
    assert misses(grid).all()
    assert plan.headcount == needed.sum()
    assert plan.shifts["share"].sum() == pytest.approx(1.0)


def test_a_shift_plan_is_confirmed_by_simulation():
    s = _small_us()
    plan = shift_staffing(s, "l1_listing")
    planned = apply_overrides(s, plan.overrides)
    assert [sh.share for sh in planned.pools["l1_listing"].shifts] == list(plan.shifts["share"])
    ok, share, _ = meets_sla(planned, "l1_listing", plan.headcount, replications=2, seed=3,
                             confidence=1.0, workers=1)
    assert ok, share


def test_shift_plan_refuses_gaps_and_pools_without_sla_work():
    with pytest.raises(ParameterError, match=r"fri 17:00 .* whatever the headcount"):
        shift_staffing("US", "ipr")
    with pytest.raises(ParameterError, match="no work with an SLA"):
        shift_staffing("US", "qa")
    with pytest.raises(ParameterError, match="not in the scenario"):
        shift_staffing("US", "nope")
    night_gap = preset("mmc", overrides={**MMC, "pools.servers.shifts": [
        {"start_hour": 8, "end_hour": 16}]})
    with pytest.raises(ParameterError, match="mon 00:00 and 111 other hours"):
        shift_staffing(night_gap, "servers")
