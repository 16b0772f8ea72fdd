"""Staffing: the smallest headcount per pool that meets every SLA, analytic then simulated.

Two steps, reported side by side:

1. **Analytic estimate** (:mod:`modlean.decisions.headcount`): Erlang C for a
   real-time pool, the workload FTE for a back-office one.
2. **Simulated answer** (this module): a bracketing search on the headcount, each step a
   simulation with a bounded number of replications on common random numbers;
   a headcount *meets the SLA* when, in at least ``confidence`` of the
   replications, every SLA that depends on the pool is met (the P-th percentile
   of turnaround within the target, i.e. ``sla_target_met``). The search
   brackets from the analytic start (stepping by doubling) and bisects; every
   other pool keeps its headcount while one pool is searched.

The plain-words ``reason`` of each row says why the two answers differ
(diurnal peaks and shifts, surges, escalations and QA load, rounding of seats,
non-exponential handling). The per-shift plan is :mod:`modlean.decisions.shifts`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modlean.decisions.headcount import (
    PoolLoad,
    analytic_staffing,
    coverage,
    unit_loads,
    unit_people,
)
from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.errors import ParameterError
from modlean.scenario import apply_overrides, staffing_units
from modlean.simulation import simulate

if TYPE_CHECKING:
    from modlean.scenario import Scenario

__all__ = ["ROLE_ORDER", "StaffingResult", "meets_sla", "staff"]

#: The order in which :func:`staff` sizes pools by the role of the work they do:
#: L1 pools first, then L2, QA and appeals (a pool with several roles goes by its first).
ROLE_ORDER = ("L1", "L2", "QA", "appeals")


@dataclass(frozen=True)
class _SearchSettings:
    """How each simulated headcount of :func:`staff` is run and how many may be tried."""

    replications: int
    seed: int | None
    confidence: float
    workers: int | None
    scheduler: str | None
    max_evaluations: int
    max_events: float | None = None


def _headcount_path(scenario: Scenario, unit: str) -> str:
    """The field a staffing search varies: a team's headcount or a pool's."""
    return f"teams.{unit}.headcount" if unit in scenario.teams else f"pools.{unit}.headcount"


def _criteria(scenario: Scenario, unit: str) -> list[tuple[str, str, float]]:
    """(item_type, kpi, threshold) checks that depend on a pool, or on any pool of a team."""
    out: list[tuple[str, str, float]] = []
    for pool in staffing_units(scenario).get(unit, [unit]):
        out += [c for c in _pool_criteria(scenario, pool) if c not in out]
    return out


def _pool_criteria(scenario: Scenario, pool: str) -> list[tuple[str, str, float]]:
    """(item_type, kpi, threshold) checks that depend on one pool."""
    s = scenario
    out: list[tuple[str, str, float]] = []
    for name, route in s.routing.items():
        if pool in (route.pool, route.escalation_pool if route.escalation_probability > 0
                    else None):
            out.append((name, "sla_target_met", 1.0))
    out += [(name, "sla_target_met", 1.0) for name, wf in s.workflows.items()
            if any(st.pool == pool for st in wf.steps.values())]
    if s.qa.enabled and s.qa.pool == pool and s.qa.timing == "before_send":
        out += [(name, "sla_target_met", 1.0) for name in s.item_types
                if (name, "sla_target_met", 1.0) not in out]
    if s.appeals.enabled and s.appeals.pool == pool:
        out.append(("all", "appeal_sla_attainment", s.appeals.sla.percentile / 100))
    return out


def meets_sla(scenario: Scenario, pool: str, headcount: float, *, replications: int = 10,
              seed: int | None = None, confidence: float = 0.95, workers: int | None = None,
              scheduler: str | None = None, exclude: Sequence[str] = (),
              max_events: float | None = None) -> tuple[bool, float, pd.DataFrame]:
    """Simulate with ``pools.<pool>.headcount = headcount`` (``teams.<team>.headcount``
    when ``pool`` names a team); is every SLA met often enough?

    ``exclude`` leaves out the SLAs of these item types (e.g. ones whose L1 pool
    cannot meet them, so no headcount here could). ``max_events`` is the size guard's
    limit of each run (:func:`modlean.simulate`).

    Returns
    -------
    (bool, float, pandas.DataFrame)
        Whether the share of replications meeting every check is at least
        ``confidence``; that share; and the per-replication checks.
    """
    checks = [c for c in _criteria(scenario, pool) if c[0] not in exclude]
    if not checks:
        raise ParameterError(f"pool {pool!r}: no SLA depends on it (it is not an L1/L2 "
                             "route, a before-send QA pool or the appeals pool)")
    s = apply_overrides(scenario, {_headcount_path(scenario, pool): headcount},
                        source="staffing search")
    res = simulate(s, seed=seed, replications=replications, workers=workers,
                   scheduler=scheduler, event_log=False, item_table=False,
                   max_events=max_events)
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


def _reason(row: dict[str, Any], load: PoolLoad, scenario: Scenario) -> str:
    a, sim = row["analytic"], row["simulated"]
    if sim is None or (isinstance(sim, float) and math.isnan(sim)):
        return row.get("note") or "not simulated"
    bits = []
    cover = coverage(unit_people(scenario, row["pool"]))
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

def staff(scenario: ScenarioSpec, pools: Sequence[str] | None = None, *,
          confidence: float = 0.95, replications: int = 10, seed: int | None = None,
          workers: int | None = None, scheduler: str | None = None, simulate_check: bool = True,
          real_time_sla_hours: float = 4.0, occupancy: float = 0.85,
          max_evaluations: int = 12, sequential: bool = True,
          max_events: float | None = None) -> StaffingResult:
    """The smallest headcount per pool meeting every SLA with the required confidence.

    Parameters
    ----------
    scenario:
        A Scenario, YAML path or preset name (:func:`modlean.decisions.resolve_scenario`).
    pools:
        Pools to size (default: every pool with work); a team (people shared by
        several pools) is sized as one, by its name, its headcount varied.
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
    max_events:
        The size guard's limit for each simulated headcount (default
        :data:`modlean.simulation.DEFAULT_MAX_EVENTS`).

    Returns
    -------
    StaffingResult
        ``table`` columns: ``pool``, ``kind``, ``current``, ``analytic``,
        ``simulated``, ``share_met`` (at the simulated headcount), ``evaluations``,
        ``method``, ``reason``.
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: found {confidence!r}; expected a share between 0 "
                             "and 1 (e.g. 0.95)")
    s = resolve_scenario(scenario)
    started = time.perf_counter()
    analytic = analytic_staffing(s, real_time_sla_hours=real_time_sla_hours,
                                 occupancy=occupancy)
    loads = unit_loads(s)
    units = staffing_units(s)
    if pools is None:
        pools = _pools_in_order(analytic)
    unknown = [p for p in pools if p not in units]
    if unknown:
        in_team = {p: s.pools[p].team for p in unknown if p in s.pools}
        raise ParameterError(f"pools {unknown}: not in the scenario; expected some of "
                             f"{list(units)}" + "".join(
                                 f" (pool {p!r} is staffed by team {t!r}: size the team)"
                                 for p, t in in_team.items()))
    settings = _SearchSettings(replications, seed, confidence, workers, scheduler,
                               max_evaluations, max_events)
    rows, evals = [], []
    unreachable: list[str] = []   # item types whose L1 pool cannot meet their SLA
    for name in pools:
        base = analytic[analytic["pool"] == name].iloc[0].to_dict()
        row = {**base, "simulated": math.nan, "share_met": math.nan, "evaluations": 0,
               "note": ""}
        criteria = _criteria(s, name)
        left_out = sorted({c[0] for c in criteria if c[0] in unreachable})
        row["note"] = _not_simulated(simulate_check, criteria, left_out, base["analytic"])
        if not row["note"]:
            found = _size_pool(s, name, int(base["analytic"]), left_out, settings, row, evals)
            if found is None:
                unreachable.extend(t for t, r in s.routing.items() if r.pool in units[name])
            if sequential and found is not None:
                s = apply_overrides(s, {_headcount_path(s, name): found},
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


def _pools_in_order(analytic: pd.DataFrame) -> list[str]:
    """Every pool with work, in :data:`ROLE_ORDER` of its first role (stable otherwise)."""
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    last = len(ROLE_ORDER)
    active = analytic[analytic["kind"] != "idle"]
    order = active["roles"].map(lambda r: min((rank.get(x, last) for x in r.split("+")),
                                              default=last))
    return list(active.assign(_rank=order).sort_values("_rank", kind="stable")["pool"])


def _not_simulated(simulate_check: bool, criteria: list[tuple[str, str, float]],
                   left_out: list[str], analytic: float) -> str:
    """Why a pool gets the analytic answer only ("" when its headcount is searched)."""
    if not simulate_check:
        return "analytic only (simulate_check=False)"
    if not criteria:
        return "no SLA depends on this pool: analytic answer only"
    if len(left_out) == len({c[0] for c in criteria}):
        return (f"every SLA depending on this pool ({', '.join(left_out)}) is out "
                "of reach of its L1 pool: analytic answer only")
    if not np.isfinite(analytic):
        return "no analytic start"
    return ""


def _size_pool(s: Scenario, name: str, analytic: int, left_out: list[str],
               settings: _SearchSettings, row: dict[str, Any], evals: list[dict[str, Any]]
               ) -> int | None:
    """Search the smallest headcount of pool ``name`` meeting its SLAs by simulation.

    Fills ``row`` (``simulated``, ``share_met``, ``evaluations``, ``note``), appends each
    simulated headcount to ``evals`` and returns the answer (None: none found).
    """
    tried: dict[int, tuple[Any, ...]] = {}

    def check(h: int) -> bool:
        if h not in tried:
            ok, share, checks = meets_sla(s, name, h, replications=settings.replications,
                                          seed=settings.seed, confidence=settings.confidence,
                                          workers=settings.workers,
                                          scheduler=settings.scheduler,
                                          exclude=tuple(left_out),
                                          max_events=settings.max_events)
            failing = checks.loc[~checks["ok"], "check"].unique().tolist()
            tried[h] = (ok, share, failing)
            evals.append({"pool": name, "headcount": h, "share_met": share, "meets": ok})
        return tried[h][0]

    found, note = _search(check, max(1, analytic), settings.max_evaluations, tried)
    row["simulated"] = found if found is not None else math.nan
    row["share_met"] = tried[found][1] if found is not None else math.nan
    row["evaluations"] = len(tried)
    row["note"] = note
    if left_out:
        row["note"] = "; ".join(x for x in (note, f"left out the SLA of "
                                f"{', '.join(left_out)}: its L1 pool cannot meet "
                                "it") if x)
    return found


def _search(check: Callable[[int], bool], start: int, budget: int, tried: dict[int, Any]
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
