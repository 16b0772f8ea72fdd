"""Analytic staffing: the work reaching each pool and the headcount queueing formulas give.

The first step of :func:`modlean.decisions.staffing.staff`, from
:mod:`modlean.simulation.queueing`. A pool serving a short-SLA queue
(``real_time_sla_hours``, default 4 h) is a *real-time* queue: the fewest agents on
duty whose M/M/c turnaround (Erlang C wait plus the exponential service) meets the
SLA percentile at the busiest hour (:func:`agents_needed`), then the headcount giving
that many productive seats on the thinnest shift. Any other pool is *back-office*:
the workload FTE (volume x AHT over productive hours per head and an occupancy cap),
with the pool's own shift pattern as the paid hours per head.

:func:`pool_loads` (the average day's work per pool) and :func:`coverage` (who is on
duty in each hour of the week) are shared with the per-shift plan
(:mod:`modlean.decisions.shifts`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modlean.scenario import DAYS, staffing_units, workflow_flow
from modlean.simulation import erlang_c, workload_fte

if TYPE_CHECKING:
    from modlean.scenario import People, Scenario, Shift

__all__ = ["PoolLoad", "agents_needed", "analytic_staffing", "coverage", "handling_fits_sla",
           "pool_loads", "shift_hours", "turnaround_within", "unit_loads", "unit_people"]


@dataclass
class PoolLoad:
    """The work reaching one pool, per average day."""

    pool: str
    volume: dict[str, float] = field(default_factory=dict)
    """Visits per day by item type (L1, L2, QA, appeals)."""
    aht: dict[str, float] = field(default_factory=dict)
    """Mean handling seconds by item type in this pool."""
    sla_hours: float | None = None
    """The tightest SLA that depends on this pool (None: none does)."""
    sla_percentile: float = 95.0
    peak_factor: float = 1.0
    """Busiest hour's arrival rate over the day's average rate."""
    roles: list[str] = field(default_factory=list)
    fixed_hours: float = 0.0
    """Mean hours of the pool's handoff and pickup: turnaround that staff do not shorten."""

    @property
    def workload_hours(self) -> float:
        """Hours of handling per day."""
        return sum(v * self.aht[k] for k, v in self.volume.items()) / 3600.0

    @property
    def mean_aht(self) -> float:
        total = sum(self.volume.values())
        return self.workload_hours * 3600.0 / total if total else math.nan


def shift_hours(shift: Shift) -> np.ndarray:
    """True for each of the 168 hours of the week (Monday 0:00 first) the shift is on duty."""
    hours = np.arange(168)
    day, hour = hours // 24, (hours % 24) + 0.5
    on = np.isin(day, [DAYS.index(d) for d in shift.days])
    on_prev = np.isin((day - 1) % 7, [DAYS.index(d) for d in shift.days])
    if shift.end_hour > shift.start_hour:
        return on & (hour >= shift.start_hour) & (hour < shift.end_hour)
    return (on & (hour >= shift.start_hour)) | (on_prev & (hour < shift.end_hour))


def coverage(pool: People) -> np.ndarray:
    """Share of the headcount on duty in each of the 168 hours of the week (Monday 0:00 first);
    ``pool`` is a pool with people of its own or a team."""
    return sum((shift.share * shift_hours(shift) for shift in pool.shifts), np.zeros(168))


def pool_loads(scenario: Scenario) -> dict[str, PoolLoad]:
    """The average daily work reaching every pool (L1, escalations, workflow steps, QA,
    appeals).

    Human volumes use the model's routed shares (:meth:`ModelSpec.rates`), the
    mean of the weekly profile, escalation probabilities, a workflow's expected
    visits per step (:func:`~modlean.scenario.workflow_flow`), QA sampling rates
    and appeal rates of rejected items; surges are left out (the simulation has them).
    """
    s = scenario
    loads = {name: PoolLoad(name) for name in s.pools}

    def add(pool: str | None, item: str, volume: float, aht: float | None, role: str,
            sla: tuple[float, float] | None) -> None:
        if pool is None or volume <= 0 or aht is None:
            return
        load = loads[pool]
        load.volume[item] = load.volume.get(item, 0.0) + volume
        prev = load.aht.get(item)
        load.aht[item] = aht if prev is None else (prev + aht) / 2
        if role not in load.roles:
            load.roles.append(role)
        if sla is not None and (load.sla_hours is None or sla[0] < load.sla_hours):
            load.sla_hours, load.sla_percentile = sla

    for name, item in s.item_types.items():
        daily = item.volume_per_day * float(np.mean(item.weekly_profile))
        prof = np.asarray(item.hourly_profile, float)
        peak = float(prof.max() / prof.mean())
        rates = item.model.rates(item.prevalence) if item.model.enabled else None
        human = rates["human_share"] if rates else 1.0
        auto = 1.0 - human
        route = s.routing.get(name)
        sla = (item.sla.hours, item.sla.percentile)
        l1_aht = None
        flow = workflow_flow(s, name) if name in s.workflows else None
        if flow is not None:  # every review step's expected visits per item entering
            for step_name, visits in flow.visits.items():
                st = s.workflows[name].steps[step_name]
                if st.pool is None:
                    continue
                h = st.handling or s.pools[st.pool].handling_for(name)
                role = "L2" if l1_aht is not None else "L1"  # the first review step: L1
                l1_aht = l1_aht if l1_aht is not None else (h.mean if h else None)
                add(st.pool, name, daily * human * visits, h.mean if h else None, role, sla)
                loads[st.pool].peak_factor = max(loads[st.pool].peak_factor, peak)
        if route is not None:
            h = s.pools[route.pool].handling_for(name)
            l1_aht = h.mean if h else None
            add(route.pool, name, daily * human, l1_aht, "L1", sla)
            loads[route.pool].peak_factor = max(loads[route.pool].peak_factor, peak)
            if route.escalation_pool and route.escalation_probability > 0:
                h2 = s.pools[route.escalation_pool].handling_for(name)
                add(route.escalation_pool, name, daily * human * route.escalation_probability,
                    h2.mean if h2 else None, "L2", sla)
                loads[route.escalation_pool].peak_factor = max(
                    loads[route.escalation_pool].peak_factor, peak)
        if s.qa.enabled and s.qa.pool:
            hq = s.pools[s.qa.pool].handling_for(name)
            qa_aht = hq.mean if hq else (l1_aht * s.qa.handling_factor if l1_aht else None)
            add(s.qa.pool, name, daily * (human * s.qa.human_rate + auto * s.qa.auto_rate),
                qa_aht, "QA", sla if s.qa.timing == "before_send" else None)
        if s.appeals.enabled and s.appeals.pool:
            acc = s.pools[route.pool].accuracy if route else None
            fa, fr = (acc.false_approve, acc.false_reject) if acc else (0.0, 0.0)
            if flow is not None:
                reject = (rates["auto_reject_share"] if rates else 0.0) + human * flow.reject
            elif rates:
                v = rates["human_violating_share"] if human > 0 else 0.0
                reject = rates["auto_reject_share"] + human * (v * (1 - fa) + (1 - v) * fr)
            else:
                p = item.prevalence
                reject = p * (1 - fa) + (1 - p) * fr
            ha = s.pools[s.appeals.pool].handling_for(name) or s.appeals.handling
            add(s.appeals.pool, name, daily * reject * item.appeal_rate, ha.mean, "appeals",
                (s.appeals.sla.hours, s.appeals.sla.percentile))
    for name, pool in s.pools.items():
        loads[name].fixed_hours = sum(d.mean for d in (pool.handoff, pool.pickup) if d)
    return loads


def unit_loads(scenario: Scenario) -> dict[str, PoolLoad]:
    """The average daily work of every staffing unit (:func:`modlean.scenario.staffing_units`):
    a pool with people of its own as :func:`pool_loads` has it, and a team as one pooled
    queue over its pools (volumes and handling kept per pool and item type, so the mean
    handling time is the load-weighted one; the tightest SLA; the highest peak)."""
    loads = pool_loads(scenario)
    out: dict[str, PoolLoad] = {}
    for unit, pools in staffing_units(scenario).items():
        if pools == [unit]:
            out[unit] = loads[unit]
            continue
        team = PoolLoad(unit)
        for name in pools:
            part = loads[name]
            team.volume.update({f"{name}:{k}": v for k, v in part.volume.items()})
            team.aht.update({f"{name}:{k}": v for k, v in part.aht.items()})
            if part.sla_hours is not None and (team.sla_hours is None
                                               or part.sla_hours < team.sla_hours):
                team.sla_hours, team.sla_percentile = part.sla_hours, part.sla_percentile
            team.peak_factor = max(team.peak_factor, part.peak_factor)
            team.fixed_hours = max(team.fixed_hours, part.fixed_hours)
            team.roles += [r for r in part.roles if r not in team.roles]
        out[unit] = team
    return out


def unit_people(scenario: Scenario, unit: str) -> People:
    """The people of a staffing unit: the team of that name, else the pool."""
    return scenario.teams[unit] if unit in scenario.teams else scenario.pools[unit]


def _team_note(scenario: Scenario, unit: str, load: PoolLoad) -> str:
    """How a team was sized ("" for a pool with people of its own)."""
    if unit not in scenario.teams:
        return ""
    pools = sorted({k.split(":", 1)[0] for k in load.volume})
    note = f"; team of pools {'+'.join(pools)} sized as one pooled queue"
    if len({round(a, 6) for a in load.aht.values()}) > 1:
        note += (f" with the load-weighted handling time ({load.mean_aht:,.0f} s), an "
                 "approximation: its pools' handling times differ")
    return note


def turnaround_within(servers: int, arrival_rate: float, aht: float, hours: float) -> float:
    """P(wait + service <= t) in an M/M/c queue served first come, first served.

    The wait is 0 with probability 1 - C and exponential with rate cμ - λ with
    probability C (Erlang C, :func:`modlean.simulation.erlang_c`); the service is
    exponential with rate μ; the sum's tail is the two-exponential convolution.
    """
    mu = 1.0 / aht
    load = arrival_rate * aht
    if load >= servers:
        return 0.0
    c = erlang_c(servers, load)
    theta = servers * mu - arrival_rate
    t = hours * 3600.0
    tail_service = math.exp(-mu * t)
    if abs(theta - mu) < 1e-12 * mu:
        tail_both = (1 + mu * t) * math.exp(-mu * t)
    else:
        tail_both = (mu * math.exp(-theta * t) - theta * math.exp(-mu * t)) / (mu - theta)
    return 1.0 - ((1 - c) * tail_service + c * tail_both)


def handling_fits_sla(sla_hours: float, aht: float, goal: float) -> bool:
    """Whether exponential handling alone ends within ``sla_hours`` for a share ``goal`` of
    items; when it does not, no headcount can meet the SLA."""
    return not (1 - math.exp(-sla_hours * 3600.0 / aht) < goal - 1e-12)


def agents_needed(arrival_rate: float, aht: float, hours: float, goal: float) -> int:
    """The fewest agents on duty whose M/M/c turnaround is within ``hours`` for a share
    ``goal`` of items (:func:`turnaround_within`), counting up from the offered load."""
    n = max(1, math.floor(arrival_rate * aht) + 1)
    while turnaround_within(n, arrival_rate, aht, hours) < goal:
        n += 1
    return n


def _headcount_for_seats(seats: int, min_cover: float, shrinkage: float) -> int:
    """The smallest whole headcount whose thinnest shift has ``seats`` productive seats
    (the simulator rounds share x headcount x (1 - shrinkage) to the nearest seat)."""
    h = max(1, math.floor((seats - 0.5) / (min_cover * (1 - shrinkage))))
    while math.floor(h * min_cover * (1 - shrinkage) + 0.5) < seats:
        h += 1
    return h


def analytic_staffing(scenario: Scenario, *, real_time_sla_hours: float = 4.0,
                      occupancy: float = 0.85) -> pd.DataFrame:
    """The analytic headcount of every pool and team (see the module notes).

    A team (people shared by several pools) is one row, sized as one pooled queue over
    its pools' combined load: Erlang C on the pooled arrival rate with the
    load-weighted handling time (an approximation when its pools' handling times
    differ, said in ``method``); its pools have no row of their own.

    Returns
    -------
    pandas.DataFrame
        One row per pool with people of its own and per team: ``pool`` (its name),
        ``kind`` (``real-time``, ``back-office`` or ``idle``), ``current``, ``shrinkage``
        (the headcounts are paid heads at it), ``analytic``, ``workload_hours`` per day,
        ``mean_aht_s``, ``sla_hours``, ``sla_percentile``, ``method``.
    """
    s = scenario
    rows = []
    for name, load in unit_loads(s).items():
        pool = unit_people(s, name)
        cover = coverage(pool)
        paid_per_head = float(cover.sum() / 7.0)   # paid hours per head per day
        row: dict[str, Any] = {"pool": name, "current": pool.headcount,
                               "shrinkage": pool.shrinkage,
                               "workload_hours": load.workload_hours,
                               "mean_aht_s": load.mean_aht, "sla_hours": load.sla_hours,
                               "sla_percentile": load.sla_percentile if load.sla_hours
                               else None, "roles": "+".join(load.roles)}
        if load.workload_hours <= 0 or paid_per_head <= 0:
            rows.append({**row, "kind": "idle", "analytic": 0 if load.workload_hours <= 0
                         else math.nan, "method": "no work reaches this pool" if
                         load.workload_hours <= 0 else "the pool has no shift hours"})
            continue
        total = sum(load.volume.values())
        real_time = load.sla_hours is not None and load.sla_hours <= real_time_sla_hours
        if real_time and cover.min() > 0:
            lam = total / 86400.0 * load.peak_factor
            aht = load.mean_aht
            goal = load.sla_percentile / 100
            hours = load.sla_hours - load.fixed_hours  # what staff can still win or lose
            fixed = f"; the SLA's {load.sla_hours:g} h less {load.fixed_hours:.2g} h of " \
                "handoff and pickup, which staff do not shorten" if load.fixed_hours else ""
            if hours <= 0 or not handling_fits_sla(hours, aht, goal):
                why = f"handoff and pickup alone take {load.fixed_hours:.2g} h of the " \
                    f"{load.sla_hours:g} h SLA" if hours <= 0 else \
                    f"handling alone exceeds {hours:.3g} h for more than " \
                    f"{100 - load.sla_percentile:g} % of items (exponential handling){fixed}"
                rows.append({**row, "kind": "real-time", "analytic": math.nan,
                             "method": f"no headcount can meet it: {why}"})
                continue
            n = agents_needed(lam, aht, hours, goal)
            head = _headcount_for_seats(n, float(cover.min()), pool.shrinkage)
            rows.append({**row, "kind": "real-time", "analytic": head,
                         "method": f"Erlang C: {n} agents on duty at the busiest hour "
                         f"(λ x {load.peak_factor:.2f}), P(turnaround <= "
                         f"{hours:.3g} h) >= {load.sla_percentile:g} %{fixed}"
                         + _team_note(s, name, load)})
        else:
            fte = workload_fte(total, load.mean_aht, paid_hours=paid_per_head,
                               shrinkage=pool.shrinkage, occupancy=occupancy)
            rows.append({**row, "kind": "back-office", "analytic": math.ceil(fte - 1e-9),
                         "method": f"workload FTE: {load.workload_hours:,.1f} h/day over "
                         f"{paid_per_head:.1f} paid h/head/day x (1 - {pool.shrinkage:g} "
                         f"shrinkage) x {occupancy:g} occupancy" + _team_note(s, name, load)})
    return pd.DataFrame(rows)
