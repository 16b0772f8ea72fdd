"""Per-shift staffing: the people each shift of a pool needs, from an integer programme.

:func:`weekly_work` spreads a pool's average day (:func:`~modlean.decisions.headcount.pool_loads`)
over the 168 hours of the week; :func:`shift_staffing` keeps the pool's shifts as they are and
finds, with :func:`scipy.optimize.milp`, the fewest paid hours of people per shift that meet
the SLA hour by hour (real-time pools, Erlang C) or window by window (back-office pools, a
fluid queue's delay bound), then the least backlog among those plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from modlean.decisions.headcount import (
    PoolLoad,
    agents_needed,
    handling_fits_sla,
    pool_loads,
    shift_hours,
)
from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.errors import ParameterError
from modlean.scenario import DAYS

if TYPE_CHECKING:
    from modlean.scenario import Pool, Scenario, Shift

__all__ = ["ShiftPlan", "shift_staffing", "weekly_work"]


def weekly_work(scenario: Scenario, pool: str) -> pd.DataFrame:
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


def _shift_label(shift: Shift) -> str:
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
    return f"{DAYS[h // 24]} {h % 24:02d}:00"


def shift_staffing(scenario: ScenarioSpec, pool: str, *, real_time_sla_hours: float = 4.0,
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
    s = resolve_scenario(scenario)
    team = s.pools[pool].team if pool in s.pools else pool if pool in s.teams else None
    if team is not None:
        raise ParameterError(f"pool {pool!r}: its people are team {team!r}'s (shared with "
                             "other pools); a per-shift plan sizes a pool with people of its "
                             f"own. Expected such a pool; size the team with `modlean staff` "
                             "(without --by-shift)")
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
    cover = np.stack([shift_hours(sh) for sh in spec.shifts], axis=1).astype(float)
    productive = 1.0 - spec.shrinkage
    required = None
    if load.sla_hours <= real_time_sla_hours:
        required, a_ub, b_ub, method = _real_time_constraints(pool, load, week, cover,
                                                              productive)
    else:
        a_ub, b_ub, method = _back_office_constraints(pool, load, week, cover, productive,
                                                      occupancy, spec.shrinkage)
    paid = cover.sum(axis=0)                       # paid hours per person per week
    needed = _fewest_paid_hours_then_least_backlog(
        paid, a_ub, b_ub, cover * productive * occupancy, week["work_hours"].to_numpy(), pool)
    return _plan(pool, spec, week, cover, paid, needed, required, method)


def _real_time_constraints(pool: str, load: PoolLoad, week: pd.DataFrame, cover: np.ndarray,
                           productive: float
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Agents each hour of the week needs (Erlang C) and the constraints ``a_ub @ x <= b_ub``
    that the productive seats on duty reach them, less the half seat the simulator rounds up.
    """
    required = np.zeros(168)
    aht = load.mean_aht
    goal = load.sla_percentile / 100
    if not handling_fits_sla(load.sla_hours, aht, goal):
        raise ParameterError(f"pool {pool!r}: no headcount can meet {load.sla_hours:g} h "
                             f"at P{load.sla_percentile:g}: handling alone takes longer")
    for h, lam in enumerate(week["visits"].to_numpy() / 3600.0):
        if lam <= 0:
            continue
        required[h] = agents_needed(lam, aht, load.sla_hours, goal)
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
    return required, a_ub, b_ub, method


def _back_office_constraints(pool: str, load: PoolLoad, week: pd.DataFrame, cover: np.ndarray,
                             productive: float, occupancy: float, shrinkage: float
                             ) -> tuple[np.ndarray, np.ndarray, str]:
    """Constraints ``a_ub @ x <= b_ub`` that every window of the week's work (cyclic) is
    handled by the window's end plus the SLA, and the week's capacity covers its work."""
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
              f"work handled by its end + SLA at (1 - {shrinkage:g}) x {occupancy:g} "
              "of each person's hour")
    return a_ub, b_ub, method


def _plan(pool: str, spec: Pool, week: pd.DataFrame, cover: np.ndarray, paid: np.ndarray,
          needed: np.ndarray, required: np.ndarray | None, method: str) -> ShiftPlan:
    """The :class:`ShiftPlan` of ``needed`` people per shift (``required`` seats per hour
    for a real-time pool, None for a back-office one)."""
    productive = 1.0 - spec.shrinkage
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
    hours = week.assign(required_seats=required if required is not None else np.nan,
                        seats_current=cover @ current * productive,
                        seats_needed=cover @ needed * productive)
    return ShiftPlan(pool=pool, kind="back-office" if required is None else "real-time",
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
