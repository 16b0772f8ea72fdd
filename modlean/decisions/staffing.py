"""Staffing: the smallest headcount per pool that meets every SLA, analytic then simulated.

Two steps, reported side by side:

1. **Analytic estimate** from :mod:`modlean.simulation.queueing`. A pool serving a short-SLA
   queue (``real_time_sla_hours``, default 4 h) is a *real-time* queue: the
   fewest agents on duty whose M/M/c turnaround (Erlang C wait plus the
   exponential service) meets the SLA percentile at the busiest hour, then the
   headcount giving that many productive seats on the thinnest shift. Any other
   pool is *back-office*: the workload FTE (volume x AHT over productive hours
   per head and an occupancy cap), with the pool's own shift pattern as the paid
   hours per head.
2. **Simulated answer**: a bracketing search on the headcount, each step a
   simulation with a bounded number of replications on common random numbers;
   a headcount *meets the SLA* when, in at least ``confidence`` of the
   replications, every SLA that depends on the pool is met (the P-th percentile
   of turnaround within the target, i.e. ``sla_target_met``). The search
   brackets from the analytic start (stepping by doubling) and bisects; every
   other pool keeps its headcount while one pool is searched.

The plain-words ``reason`` of each row says why the two answers differ
(diurnal peaks and shifts, surges, escalations and QA load, rounding of seats,
non-exponential handling).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.simulation import erlang_c, workload_fte

__all__ = ["PoolLoad", "ShiftPlan", "StaffingResult", "analytic_staffing", "meets_sla",
           "pool_loads", "shift_staffing", "staff", "turnaround_within", "weekly_work"]


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

    @property
    def workload_hours(self) -> float:
        """Hours of handling per day."""
        return sum(v * self.aht[k] for k, v in self.volume.items()) / 3600.0

    @property
    def mean_aht(self) -> float:
        total = sum(self.volume.values())
        return self.workload_hours * 3600.0 / total if total else math.nan


def _shift_hours(shift: Any) -> np.ndarray:
    """True for each of the 168 hours of the week (Monday 0:00 first) the shift is on duty."""
    from modlean.scenario import DAYS

    hours = np.arange(168)
    day, hour = hours // 24, (hours % 24) + 0.5
    on = np.isin(day, [DAYS.index(d) for d in shift.days])
    on_prev = np.isin((day - 1) % 7, [DAYS.index(d) for d in shift.days])
    if shift.end_hour > shift.start_hour:
        return on & (hour >= shift.start_hour) & (hour < shift.end_hour)
    return (on & (hour >= shift.start_hour)) | (on_prev & (hour < shift.end_hour))


def _coverage(pool: Any) -> np.ndarray:
    """Share of the headcount on duty in each of the 168 hours of the week (Monday 0:00 first)."""
    return sum((shift.share * _shift_hours(shift) for shift in pool.shifts), np.zeros(168))


def pool_loads(scenario: Any) -> dict[str, PoolLoad]:
    """The average daily work reaching every pool (L1, escalations, QA, appeals).

    Human volumes use the model's routed shares (:meth:`ModelSpec.rates`), the
    mean of the weekly profile, escalation probabilities, QA sampling rates and
    appeal rates of rejected items; surges are left out (the simulation has them).
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
            if rates:
                v = rates["human_violating_share"] if human > 0 else 0.0
                reject = rates["auto_reject_share"] + human * (v * (1 - fa) + (1 - v) * fr)
            else:
                p = item.prevalence
                reject = p * (1 - fa) + (1 - p) * fr
            ha = s.pools[s.appeals.pool].handling_for(name) or s.appeals.handling
            add(s.appeals.pool, name, daily * reject * item.appeal_rate, ha.mean, "appeals",
                (s.appeals.sla.hours, s.appeals.sla.percentile))
    return loads


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


def _headcount_for_seats(seats: int, min_cover: float, shrinkage: float) -> int:
    """The smallest whole headcount whose thinnest shift has ``seats`` productive seats
    (the simulator rounds share x headcount x (1 - shrinkage) to the nearest seat)."""
    h = max(1, math.floor((seats - 0.5) / (min_cover * (1 - shrinkage))))
    while math.floor(h * min_cover * (1 - shrinkage) + 0.5) < seats:
        h += 1
    return h


def analytic_staffing(scenario: Any, *, real_time_sla_hours: float = 4.0,
                      occupancy: float = 0.85) -> pd.DataFrame:
    """The analytic headcount of every pool (see the module notes).

    Returns
    -------
    pandas.DataFrame
        One row per pool: ``pool``, ``kind`` (``real-time``, ``back-office`` or
        ``idle``), ``current``, ``analytic``, ``workload_hours`` per day,
        ``mean_aht_s``, ``sla_hours``, ``sla_percentile``, ``method``.
    """
    s = scenario
    rows = []
    for name, load in pool_loads(s).items():
        pool = s.pools[name]
        cover = _coverage(pool)
        paid_per_head = float(cover.sum() / 7.0)   # paid hours per head per day
        row: dict[str, Any] = {"pool": name, "current": pool.headcount,
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
            if 1 - math.exp(-load.sla_hours * 3600.0 / aht) < goal - 1e-12:
                rows.append({**row, "kind": "real-time", "analytic": math.nan,
                             "method": f"no headcount can meet it: handling alone exceeds "
                             f"{load.sla_hours:g} h for more than {100 - load.sla_percentile:g}"
                             " % of items (exponential handling)"})
                continue
            n = max(1, math.floor(lam * aht) + 1)
            while turnaround_within(n, lam, aht, load.sla_hours) < goal:
                n += 1
            head = _headcount_for_seats(n, float(cover.min()), pool.shrinkage)
            rows.append({**row, "kind": "real-time", "analytic": head,
                         "method": f"Erlang C: {n} agents on duty at the busiest hour "
                         f"(λ x {load.peak_factor:.2f}), P(turnaround <= "
                         f"{load.sla_hours:g} h) >= {load.sla_percentile:g} %"})
        else:
            fte = workload_fte(total, load.mean_aht, paid_hours=paid_per_head,
                               shrinkage=pool.shrinkage, occupancy=occupancy)
            rows.append({**row, "kind": "back-office", "analytic": math.ceil(fte - 1e-9),
                         "method": f"workload FTE: {load.workload_hours:,.1f} h/day over "
                         f"{paid_per_head:.1f} paid h/head/day x (1 - {pool.shrinkage:g} "
                         f"shrinkage) x {occupancy:g} occupancy"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- per shift


def weekly_work(scenario: Any, pool: str) -> pd.DataFrame:
    """The visits and handling hours reaching ``pool`` in each hour of an average week.

    Each item type's daily visits to the pool (:func:`pool_loads`) are spread over
    the week by its hourly and weekly profiles (local time, Monday 0:00 first).
    Escalations, QA and appeals follow their item's submission profile: they
    arrive a little later in fact, which the simulation shows.

    Returns
    -------
    pandas.DataFrame
        168 rows: ``hour_of_week``, ``day``, ``hour``, ``visits``, ``work_hours``.
    """
    from modlean.scenario import DAYS

    load = pool_loads(scenario)[pool]
    hours = np.arange(168)
    visits = np.zeros(168)
    work = np.zeros(168)
    for item, daily in load.volume.items():
        spec = scenario.item_types[item]
        hourly = np.asarray(spec.hourly_profile, float)
        weekly = np.asarray(spec.weekly_profile, float)
        rate = daily / 24.0 * (hourly / hourly.mean())[hours % 24] \
            * (weekly / weekly.mean())[hours // 24]
        visits += rate
        work += rate * load.aht[item] / 3600.0
    return pd.DataFrame({"hour_of_week": hours, "day": np.array(DAYS)[hours // 24],
                         "hour": hours % 24, "visits": visits, "work_hours": work})


@dataclass
class ShiftPlan:
    """What :func:`shift_staffing` returns: the people each shift of a pool needs."""

    pool: str
    kind: str
    """``real-time`` (Erlang C hour by hour) or ``back-office`` (backlog cleared within the SLA)."""
    shifts: pd.DataFrame
    """One row per shift: ``shift`` (label), ``days``, ``start_hour``, ``end_hour``,
    ``paid_hours_per_week`` (per person), ``current`` and ``needed`` people, ``share``."""
    hours: pd.DataFrame
    """The week hour by hour: :func:`weekly_work` plus ``required_seats`` (real-time),
    ``seats_current`` and ``seats_needed`` (productive seats on duty)."""
    method: str

    @property
    def headcount(self) -> int:
        """The pool's daily roster: people over all shifts."""
        return int(self.shifts["needed"].sum())

    @property
    def overrides(self) -> dict[str, float]:
        """Dotted-path overrides that give the pool this plan (headcount and shift shares)."""
        out: dict[str, float] = {f"pools.{self.pool}.headcount": self.headcount}
        for i, share in enumerate(self.shifts["share"]):
            out[f"pools.{self.pool}.shifts.{i}.share"] = float(share)
        return out


def _shift_label(shift: Any) -> str:
    from modlean.scenario import DAYS

    days = [d for d in DAYS if d in shift.days]
    idx = [DAYS.index(d) for d in days]
    if len(days) == 7:
        when = "daily"
    elif idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
        when = f"{days[0]}-{days[-1]}"
    else:
        when = ",".join(days)
    return f"{when} {shift.start_hour:05.2f}-{shift.end_hour:05.2f}".replace(".", ":")


def _hour_name(h: int) -> str:
    from modlean.scenario import DAYS

    return f"{DAYS[h // 24]} {h % 24:02d}:00"


def shift_staffing(scenario: Any, pool: str, *, real_time_sla_hours: float = 4.0,
                   occupancy: float = 0.85) -> ShiftPlan:
    """The fewest paid hours of people, shift by shift, that meet the pool's SLA.

    The pool's shifts stay as they are; the answer is how many people each one
    needs (so the pool's headcount and each shift's ``share``). An integer
    programme (:func:`scipy.optimize.milp`) minimises the paid hours of the week
    under one constraint per hour or per window of hours:

    * **real-time** pools (tightest SLA ≤ ``real_time_sla_hours``): in every hour
      of the week the productive seats on duty, people x (1 - shrinkage), reach
      the Erlang C agents that hour's arrivals need for the SLA percentile
      (:func:`turnaround_within`), less the half seat the simulator rounds up;
    * **back-office** pools: work may wait for a later shift, but whatever
      arrives in any window of hours must be handled by the end of the window
      plus the SLA. With capacity people x (1 - shrinkage) x ``occupancy`` per
      hour, every window [s, t] of the week (cyclic) needs
      work(s..t) ≤ capacity(s..t + SLA), and the week's capacity covers its
      work. This is the exact delay bound of a first-come-first-served fluid
      queue, so it holds every item to the SLA, a little more than the SLA's
      percentile asks; the simulation confirms.

    Raises
    ------
    ParameterError
        Unknown pool, a pool with no work, or shifts that no headcount can make
        meet the SLA (work arriving in hours no shift reaches in time: the
        message names the first such hour).
    """
    from modlean.decisions.resolve import resolve_scenario

    s = resolve_scenario(scenario)
    if pool not in s.pools:
        raise ParameterError(f"pool {pool!r}: not in the scenario; expected one of "
                             f"{list(s.pools)}")
    if not 0 < occupancy <= 1:
        raise ParameterError(f"occupancy: found {occupancy!r}; expected a share in (0, 1]")
    load = pool_loads(s)[pool]
    spec = s.pools[pool]
    if load.workload_hours <= 0 or load.sla_hours is None:
        raise ParameterError(f"pool {pool!r}: no work with an SLA reaches it; expected an L1, "
                             "L2, QA or appeals pool")
    week = weekly_work(s, pool)
    cover = np.stack([_shift_hours(sh) for sh in spec.shifts], axis=1).astype(float)
    paid = cover.sum(axis=0)                       # paid hours per person per week
    productive = 1.0 - spec.shrinkage
    real_time = load.sla_hours <= real_time_sla_hours
    required = np.zeros(168)
    if real_time:
        aht = load.mean_aht
        goal = load.sla_percentile / 100
        if 1 - math.exp(-load.sla_hours * 3600.0 / aht) < goal - 1e-12:
            raise ParameterError(f"pool {pool!r}: no headcount can meet {load.sla_hours:g} h "
                                 f"at P{load.sla_percentile:g}: handling alone takes longer")
        for h, lam in enumerate(week["visits"].to_numpy() / 3600.0):
            if lam <= 0:
                continue
            n = max(1, math.floor(lam * aht) + 1)
            while turnaround_within(n, lam, aht, load.sla_hours) < goal:
                n += 1
            required[h] = n
        uncovered = np.flatnonzero((required > 0) & (cover.sum(axis=1) == 0))
        if len(uncovered):
            raise ParameterError(f"pool {pool!r}: work arrives at {_hour_name(uncovered[0])} "
                                 f"and {len(uncovered) - 1} other hours when no shift is on "
                                 f"duty, and its SLA is {load.sla_hours:g} h; expected shifts "
                                 "covering every hour with work")
        a_ub = -cover * productive
        b_ub = -(required - 0.5) * (required > 0)
        method = (f"Erlang C hour by hour: productive seats >= the agents each hour's "
                  f"arrivals need for P(turnaround <= {load.sla_hours:g} h) >= "
                  f"{load.sla_percentile:g} %")
    else:
        delay = math.floor(load.sla_hours)
        work = week["work_hours"].to_numpy()
        rate = productive * occupancy
        reps = 2 + (167 + delay) // 168 + 1
        cum_work = np.r_[0.0, np.cumsum(np.tile(work, reps))]
        cum_cover = np.vstack([np.zeros(cover.shape[1]), np.cumsum(np.tile(cover, (reps, 1)),
                                                                    axis=0)])
        start, length = np.meshgrid(np.arange(168), np.arange(1, 169), indexing="ij")
        start, length = start.ravel(), length.ravel()
        demand = cum_work[start + length] - cum_work[start]
        reach = cum_cover[start + length + delay] - cum_cover[start]
        keep = demand > 1e-12
        demand, reach = demand[keep], reach[keep]
        blocked = reach.sum(axis=1) == 0
        if blocked.any():
            first = int(start[keep][blocked][0] + length[keep][blocked][0] - 1) % 168
            raise ParameterError(f"pool {pool!r}: work arriving at {_hour_name(first)} waits "
                                 f"more than its SLA of {load.sla_hours:g} h for the next "
                                 "shift, whatever the headcount; expected shifts with no gap "
                                 "longer than the SLA (add a shift or weekend cover)")
        a_ub = np.vstack([-reach * rate, -cover.sum(axis=0, keepdims=True) * rate])
        b_ub = -np.r_[demand, work.sum()]
        method = (f"backlog cleared within {load.sla_hours:g} h: every window of the week's "
                  f"work handled by its end + SLA at (1 - {spec.shrinkage:g}) x {occupancy:g} "
                  "of each person's hour")
    needed = _fewest_paid_hours_then_least_backlog(
        paid, a_ub, b_ub, cover * productive * occupancy, week["work_hours"].to_numpy(), pool)
    current = np.array([sh.share * spec.headcount for sh in spec.shifts])
    total = needed.sum()
    shifts = pd.DataFrame({
        "shift": [_shift_label(sh) for sh in spec.shifts],
        "days": [",".join(sh.days) for sh in spec.shifts],
        "start_hour": [sh.start_hour for sh in spec.shifts],
        "end_hour": [sh.end_hour for sh in spec.shifts],
        "paid_hours_per_week": paid, "current": current, "needed": needed,
        "share": needed / total if total else np.zeros(len(needed)),
    })
    hours = week.assign(required_seats=required if real_time else np.nan,
                        seats_current=cover @ current * productive,
                        seats_needed=cover @ needed * productive)
    return ShiftPlan(pool=pool, kind="real-time" if real_time else "back-office",
                     shifts=shifts, hours=hours, method=method)


def _fewest_paid_hours_then_least_backlog(paid: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray,
                                          capacity: np.ndarray, work: np.ndarray, pool: str
                                          ) -> np.ndarray:
    """People per shift: the fewest paid hours meeting ``a_ub @ x <= b_ub``, then, among the
    plans with those paid hours, the least mean backlog (so the shortest mean wait).

    The second stage adds the hourly backlog q (cyclic over the week):
    q[h] >= q[h-1] + work[h] - capacity[h] @ x, q >= 0; the least such q is the fluid
    queue's backlog, and its sum is minimised.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(paid)

    def solve(c: np.ndarray, constraints: list[Any], integrality: np.ndarray) -> np.ndarray:
        result = milp(c=c, integrality=integrality, bounds=Bounds(0, np.inf),
                      constraints=constraints)
        if not result.success:
            raise ParameterError(f"pool {pool!r}: the shift plan could not be solved "
                                 f"({result.message}); expected shifts that can cover the work")
        return result.x

    first = solve(paid, [LinearConstraint(a_ub, -np.inf, b_ub)], np.ones(n))
    best = float(paid @ np.rint(first))
    hours = len(work)
    backlog = np.eye(hours) - np.roll(np.eye(hours), 1, axis=1)   # q[h] - q[h-1]
    constraints = [
        LinearConstraint(np.hstack([a_ub, np.zeros((len(a_ub), hours))]), -np.inf, b_ub),
        LinearConstraint(np.r_[paid, np.zeros(hours)][None, :], -np.inf, best + 1e-6),
        LinearConstraint(np.hstack([capacity, backlog]), work, np.inf),
    ]
    second = solve(np.r_[np.zeros(n), np.ones(hours)], constraints,
                   np.r_[np.ones(n), np.zeros(hours)])
    return np.rint(second[:n]).astype(int)

def _criteria(scenario: Any, pool: str) -> list[tuple[str, str, float]]:
    """(item_type, kpi, threshold) checks that depend on a pool."""
    s = scenario
    out: list[tuple[str, str, float]] = []
    for name, route in s.routing.items():
        if pool in (route.pool, route.escalation_pool if route.escalation_probability > 0
                    else None):
            out.append((name, "sla_target_met", 1.0))
    if s.qa.enabled and s.qa.pool == pool and s.qa.timing == "before_send":
        out += [(name, "sla_target_met", 1.0) for name in s.item_types
                if (name, "sla_target_met", 1.0) not in out]
    if s.appeals.enabled and s.appeals.pool == pool:
        out.append(("all", "appeal_sla_attainment", s.appeals.sla.percentile / 100))
    return out


def meets_sla(scenario: Any, pool: str, headcount: float, *, replications: int = 10,
              seed: int | None = None, confidence: float = 0.95, workers: int | None = None,
              scheduler: str | None = None, exclude: Sequence[str] = ()
              ) -> tuple[bool, float, pd.DataFrame]:
    """Simulate with ``pools.<pool>.headcount = headcount``; is every SLA met often enough?

    ``exclude`` leaves out the SLAs of these item types (e.g. ones whose L1 pool
    cannot meet them, so no headcount here could).

    Returns
    -------
    (bool, float, pandas.DataFrame)
        Whether the share of replications meeting every check is at least
        ``confidence``; that share; and the per-replication checks.
    """
    from modlean.scenario import apply_overrides
    from modlean.simulation import simulate

    checks = [c for c in _criteria(scenario, pool) if c[0] not in exclude]
    if not checks:
        raise ParameterError(f"pool {pool!r}: no SLA depends on it (it is not an L1/L2 "
                             "route, a before-send QA pool or the appeals pool)")
    s = apply_overrides(scenario, {f"pools.{pool}.headcount": headcount},
                        source="staffing search")
    res = simulate(s, seed=seed, replications=replications, workers=workers,
                   scheduler=scheduler, event_log=False, item_table=False)
    k = res.kpis
    per_rep = []
    for item, kpi, threshold in checks:
        sel = k[(k["item_type"] == item) & (k["kpi"] == kpi)][["replication", "value"]]
        sel = sel.assign(check=f"{item}:{kpi}",
                         ok=sel["value"].fillna(1.0 if kpi == "appeal_sla_attainment"
                                                else 0.0) >= threshold - 1e-12)
        per_rep.append(sel)
    table = pd.concat(per_rep, ignore_index=True)
    all_ok = table.groupby("replication")["ok"].all()
    share = float(all_ok.mean())
    return share >= confidence - 1e-12, share, table


@dataclass
class StaffingResult:
    """What :func:`staff` returns."""

    table: pd.DataFrame
    """One row per pool: analytic vs simulated headcount and why they differ."""
    evaluations: pd.DataFrame
    """Every simulated headcount tried: ``pool``, ``headcount``, ``share_met``, ``meets``."""
    seconds: float
    """Wall-clock time of the search."""


def _reason(row: dict[str, Any], load: PoolLoad, scenario: Any) -> str:
    a, sim = row["analytic"], row["simulated"]
    if sim is None or (isinstance(sim, float) and math.isnan(sim)):
        return row.get("note") or "not simulated"
    bits = []
    pool = scenario.pools[row["pool"]]
    cover = _coverage(pool)
    if sim > a:
        bits.append(f"the simulation needs {sim - a:g} more than the analytic estimate")
        if row["kind"] == "back-office":
            if load.peak_factor > 1.05:
                bits.append(f"arrivals peak at {load.peak_factor:.1f}x the day's average rate, "
                            "so work queues up beyond the average-day workload model")
            if cover.max() > 0 and cover.min() == 0:
                bits.append("the shifts leave hours uncovered, and work arriving then waits")
            bits.append("the SLA is a high percentile, which averages do not see")
        else:
            bits.append("Erlang C assumes exponential handling and a steady peak hour")
        if any(su for it in scenario.item_types.values() for su in it.surges):
            bits.append("surge days add work the average day leaves out")
    elif sim < a:
        bits.append(f"the simulation needs {a - sim:g} fewer than the analytic estimate")
        if row["kind"] == "back-office":
            bits.append(f"the SLA ({load.sla_hours:g} h) lets the backlog of peak hours and "
                        "off-shift hours clear later, so utilisation can run above the "
                        "planned occupancy")
        else:
            bits.append("Erlang C sizes for the busiest hour all day long, and handling "
                        "times less variable than exponential wait less")
    else:
        bits.append("the simulation confirms the analytic estimate")
    if row["kind"] == "real-time":
        bits.append("seats are whole people, rounded per shift")
    return "; ".join(bits)


def staff(scenario: Any, pools: Sequence[str] | None = None, *, confidence: float = 0.95,
          replications: int = 10, seed: int | None = None, workers: int | None = None,
          scheduler: str | None = None, simulate_check: bool = True,
          real_time_sla_hours: float = 4.0, occupancy: float = 0.85,
          max_evaluations: int = 12, sequential: bool = True) -> StaffingResult:
    """The smallest headcount per pool meeting every SLA with the required confidence.

    Parameters
    ----------
    scenario:
        A Scenario, YAML path or preset name (:func:`modlean.decisions.resolve_scenario`).
    pools:
        Pools to size (default: every pool with work).
    confidence:
        Required share of replications in which every SLA depending on the pool
        is met (0.95: with 10 replications, all 10 must meet it).
    replications:
        Replications per simulated headcount (bounded work per step).
    simulate_check:
        False returns the analytic answer only.
    max_evaluations:
        At most this many simulated headcounts per pool; the search stops and
        says so when it runs out.
    sequential:
        Pools are searched one at a time, L1 pools first, then L2, then QA and
        appeals; True gives each later search the headcounts found before it
        (an L2 pool is sized with its L1 pools at their answers), False keeps
        every other pool at the scenario's headcount.

    Returns
    -------
    StaffingResult
        ``table`` columns: ``pool``, ``kind``, ``current``, ``analytic``,
        ``simulated``, ``share_met`` (at the simulated headcount), ``evaluations``,
        ``method``, ``reason``.
    """
    from modlean.decisions.resolve import resolve_scenario

    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: found {confidence!r}; expected a share between 0 "
                             "and 1 (e.g. 0.95)")
    s = resolve_scenario(scenario)
    started = time.perf_counter()
    analytic = analytic_staffing(s, real_time_sla_hours=real_time_sla_hours,
                                 occupancy=occupancy)
    loads = pool_loads(s)
    if pools is None:
        rank = {"L1": 0, "L2": 1, "QA": 2, "appeals": 3}
        active = analytic[analytic["kind"] != "idle"]
        order = active["roles"].map(lambda r: min((rank.get(x, 4) for x in r.split("+")),
                                                  default=4))
        pools = list(active.assign(_rank=order).sort_values("_rank", kind="stable")["pool"])
    unknown = [p for p in pools if p not in s.pools]
    if unknown:
        raise ParameterError(f"pools {unknown}: not in the scenario; expected some of "
                             f"{list(s.pools)}")
    rows, evals = [], []
    unreachable: list[str] = []   # item types whose L1 pool cannot meet their SLA
    for name in pools:
        base = analytic[analytic["pool"] == name].iloc[0].to_dict()
        row = {**base, "simulated": math.nan, "share_met": math.nan, "evaluations": 0,
               "note": ""}
        criteria = _criteria(s, name)
        left_out = sorted({c[0] for c in criteria if c[0] in unreachable})
        if not simulate_check:
            row["note"] = "analytic only (simulate_check=False)"
        elif not criteria:
            row["note"] = "no SLA depends on this pool: analytic answer only"
        elif len(left_out) == len({c[0] for c in criteria}):
            row["note"] = (f"every SLA depending on this pool ({', '.join(left_out)}) is out "
                           "of reach of its L1 pool: analytic answer only")
        elif not np.isfinite(base["analytic"]):
            row["note"] = "no analytic start"
        else:
            tried: dict[int, tuple[Any, ...]] = {}

            def check(h: int, _name: str = name, _tried: dict = tried, _s: Any = s,
                      _skip: Sequence[str] = tuple(left_out)) -> bool:
                if h not in _tried:
                    ok, share, checks = meets_sla(_s, _name, h, replications=replications,
                                                  seed=seed, confidence=confidence,
                                                  workers=workers, scheduler=scheduler,
                                                  exclude=_skip)
                    failing = checks.loc[~checks["ok"], "check"].unique().tolist()
                    _tried[h] = (ok, share, failing)
                    evals.append({"pool": _name, "headcount": h, "share_met": share,
                                  "meets": ok})
                return _tried[h][0]

            found, note = _search(check, max(1, int(base["analytic"])), max_evaluations,
                                  tried)
            row["simulated"] = found if found is not None else math.nan
            row["share_met"] = tried[found][1] if found is not None else math.nan
            row["evaluations"] = len(tried)
            row["note"] = note
            if left_out:
                row["note"] = "; ".join(x for x in (note, f"left out the SLA of "
                                        f"{', '.join(left_out)}: its L1 pool cannot meet "
                                        "it") if x)
            if found is None:
                unreachable.extend(t for t, r in s.routing.items() if r.pool == name)
            if sequential and found is not None:
                from modlean.scenario import apply_overrides

                s = apply_overrides(s, {f"pools.{name}.headcount": found},
                                    source="staffing search")
        row["reason"] = _reason(row, loads[name], s) if row["note"] in ("", None) else \
            row["note"] if math.isnan(row["simulated"]) else \
            _reason(row, loads[name], s) + f" ({row['note']})"
        rows.append(row)
    table = pd.DataFrame(rows)[["pool", "kind", "roles", "current", "analytic", "simulated",
                                "share_met", "evaluations", "workload_hours", "sla_hours",
                                "sla_percentile", "method", "reason"]]
    return StaffingResult(table=table, evaluations=pd.DataFrame(
        evals, columns=["pool", "headcount", "share_met", "meets"]),
        seconds=time.perf_counter() - started)


def _search(check: Any, start: int, budget: int, tried: dict[int, Any]
            ) -> tuple[int | None, str]:
    """Smallest h >= 1 with check(h), assuming monotone; bracket from ``start``, bisect."""
    if check(start):
        hi, step, lo = start, 1, None
        while len(tried) < budget:
            cand = max(1, hi - step)
            if cand == hi:       # reached 1 and it passes
                return hi, ""
            if check(cand):
                hi, step = cand, step * 2
            else:
                lo = cand
                break
        if lo is None:
            return hi, "search budget spent before a failing headcount was found"
    else:
        # one run far above the start tells a staffing gap from a structural one (shifts
        # that leave items waiting past the SLA whatever the headcount, another pool)
        ceiling = start * 8 + 8
        if not check(ceiling):
            failing = tried[ceiling][2] if len(tried[ceiling]) > 2 else []
            return None, (f"no headcount meets the SLA: even {ceiling} fail(s) "
                          f"{', '.join(failing) or 'the checks'}; the pool's shift hours "
                          "leave items waiting past the SLA (nights, weekends) or another "
                          "pool on the item's path limits it: change shifts, not headcount")
        lo, hi, step = start, ceiling, 1
        while lo + step < hi and len(tried) < budget:   # most answers are near the start
            if check(lo + step):
                hi = lo + step
                break
            lo, step = lo + step, step * 2
    while hi - lo > 1:
        if len(tried) >= budget:
            return hi, "search budget spent; the answer may be a little high"
        mid = (lo + hi) // 2
        if check(mid):
            hi = mid
        else:
            lo = mid
    return hi, ""
