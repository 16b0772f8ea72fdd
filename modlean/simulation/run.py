"""Simulate a scenario: the simulated event log, per-item results and KPIs.

``simulate(scenario, seed=..., replications=...)`` draws a work plan per
replication (:mod:`modlean.simulation.plan`, vectorised numpy: arrivals, items, the
model's routing, every decision and handling time), runs the human visits
through SimPy (:mod:`modlean.simulation.engine`: pools, shifts, queues, priorities) and
turns the times into

* ``log``: the simulated event log in the canonical shape (``case_id``,
  ``activity``, ``timestamp``, ``start_timestamp``, ``resource``, then
  ``market``, ``item_type``, ``true_label``, ``decision``, ``label`` (the
  rejection reason), ``correct``, ``exposure_s``, ``sla_breach``), so
  :mod:`modlean.process.discovery` runs on it;
* ``items``: one row per item (route, decisions, times, turnaround, exposure);
* ``kpis``: tidy, one row per replication x item type (and ``all``) x KPI;
* ``pool_kpis``: one row per replication x pool x KPI (utilisation, cost ...);
* ``backlog`` and ``pool_load``: hourly series for the figures.

Replications run through :func:`modlean.executor.run_tasks` (a local process
pool, or Dask with ``scheduler=``). Replication *r* of seed *s* always uses
the same random streams, so results are identical for the same seed and two
scenarios run with the same seed see the same arrivals and items (common random
numbers).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError, ScenarioError
from modlean.executor import run_tasks
from modlean.scenario import Scenario, scenario_from_dict
from modlean.simulation.codes import UNLIMITED
from modlean.simulation.engine import run_engine
from modlean.simulation.outcome import Outcome
from modlean.simulation.plan import Plan, make_plan
from modlean.simulation.result import SimulationResult
from modlean.simulation.size import check_run_size
from modlean.simulation.tables import build_event_log, build_item_table

__all__ = ["run_replication", "simulate"]


def simulate(scenario: Scenario, *, seed: int | None = None, replications: int = 1,
             workers: int | None = None, scheduler: str | None = None,
             event_log: bool = True, item_table: bool = True,
             on_replication_done: Callable[[int], None] | None = None,
             max_events: float | None = None) -> SimulationResult:
    """Run a scenario ``replications`` times and collect the log, items and KPIs.

    Parameters
    ----------
    scenario:
        A validated :class:`~modlean.scenario.Scenario`.
    seed:
        Random seed (default ``scenario.seed``). Same seed, same results.
    replications:
        Independent runs; replication *r* uses streams spawned from (seed, r).
    workers:
        Local processes for replications (default: every core when there is more
        than one replication; ``1`` runs in this process).
    scheduler:
        A Dask scheduler address (``tcp://host:8786``) or ``"local"``.
    event_log, item_table:
        Build the event log / the per-item table (turn off for speed when only
        KPIs matter).
    on_replication_done:
        Called with the replication number as each finishes (progress bars).
    max_events:
        The size guard's limit on events held at once (default
        :data:`~modlean.simulation.size.DEFAULT_MAX_EVENTS`); a larger run is
        refused before anything is allocated (:func:`~modlean.simulation.size.check_run_size`).
    """
    if not isinstance(scenario, Scenario):
        raise ParameterError(f"scenario: found {type(scenario).__name__}; expected a "
                             "modlean.scenario.Scenario (see load_scenario / preset)")
    if int(replications) != replications or replications < 1:
        raise ParameterError(f"replications: found {replications!r}; expected a whole "
                             "number >= 1")
    seed = scenario.seed if seed is None else seed
    if int(seed) != seed or seed < 0:
        raise ParameterError(f"seed: found {seed!r}; expected a whole number >= 0")
    check_run_size(scenario, int(replications), event_log=event_log or item_table,
                   max_events=max_events)
    data = scenario.model_dump(mode="json")
    tasks = [(data, int(seed), r, int(replications), event_log, item_table)
             for r in range(int(replications))]
    if workers is None and scheduler is None:
        workers = 1 if replications == 1 else None
    done = (lambda o: on_replication_done(o.index)) if on_replication_done else None
    outcomes = run_tasks(_replicate, tasks, workers=workers, scheduler=scheduler,
                         on_done=done, raise_errors=False)
    failed = next((o for o in outcomes if not o.ok), None)
    if failed is not None:
        if failed.error_type == "ScenarioError":  # found while drawing (a workflow's loop)
            raise ScenarioError(failed.error)
        raise RuntimeError(f"task {failed.index} failed: {failed.error_type}: {failed.error}\n"
                           f"{failed.traceback}")
    parts = [o.value for o in outcomes]

    def cat(name: str) -> pd.DataFrame | None:
        return _concat([p[name] for p in parts])

    log = cat("log")
    if log is not None and replications > 1:
        for col in ("activity", "resource", "market", "item_type", "true_label", "decision"):
            if col in log and not isinstance(log[col].dtype, pd.CategoricalDtype):
                log[col] = log[col].astype("category")
    return SimulationResult(scenario=scenario, seed=int(seed), replications=int(replications),
                            kpis=cat("kpis"), pool_kpis=cat("pool_kpis"),  # type: ignore[arg-type]
                            backlog=cat("backlog"), pool_load=cat("pool_load"),  # type: ignore[arg-type]
                            items=cat("items"), log=log)


def _concat(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    """The replications' tables as one (None when no replication made it)."""
    kept = [f for f in frames if f is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else pd.concat(kept, ignore_index=True)


def _replicate(task: tuple[dict[str, Any], int, int, int, bool, bool]
               ) -> dict[str, pd.DataFrame | None]:
    """One replication in a worker: the scenario travels as its JSON dump."""
    data, seed, rep, reps, event_log, item_table = task
    return run_replication(scenario_from_dict(data), seed, rep, replications=reps,
                           event_log=event_log, item_table=item_table)


def _team_inputs(plan: Plan) -> dict[str, Any]:
    """The engine's team arguments: none when no team works a pool (the fast path)."""
    if all(t < 0 for t in plan.pool_team):
        return {}
    teams = [[p for p, t in enumerate(plan.pool_team) if t == k]
             for k in range(len(plan.team_names))]
    return {"teams": teams, "team_cap_times": plan.team_cap_times,
            "team_cap_values": plan.team_cap_values}


def run_replication(scenario: Scenario, seed: int, replication: int = 0, *,
                    replications: int = 1, event_log: bool = True, item_table: bool = True
                    ) -> dict[str, pd.DataFrame | None]:
    """One replication in this process: a dict of ``kpis``, ``pool_kpis``, ``backlog``,
    ``pool_load``, ``items`` and ``log`` DataFrames (the last two may be ``None``)."""
    plan = make_plan(scenario, seed, replication)
    has_first = plan.first_visit >= 0
    firsts = plan.first_visit[has_first]
    # the engine queues a visit after its delay (an appeal's filing) and its pool's pickup;
    # its wait counts from before the pickup (Outcome.enq)
    joins = plan.v_delay if plan.v_pickup is None else plan.v_delay + plan.v_pickup
    first_times = plan.ready[has_first] + joins[firsts]
    order = np.argsort(first_times, kind="stable")
    # workflow waits visit a pseudo-pool after the real ones: unlimited capacity, no queue
    waits = [np.zeros(1)], [np.array([UNLIMITED])], ["fifo"]
    extra = waits if len(plan.step_names) else ([], [], [])
    res = run_engine(first_visits=firsts[order], first_times=first_times[order],
                     pool=plan.v_pool, service=plan.v_service, delay=joins,
                     nxt=plan.v_next, key=plan.v_key, key_now=plan.v_key_now,
                     cap_times=plan.cap_times + extra[0],
                     cap_values=plan.cap_values + extra[1],
                     disciplines=plan.disciplines + extra[2], end_time=plan.end_s,
                     record_seats=event_log, **_team_inputs(plan))
    del firsts, first_times, order, joins
    gc.collect()  # the engine's callbacks form reference cycles holding its arrays
    out = Outcome(plan, res.start, res.end, res.seat)
    plan.v_service = plan.v_delay = plan.v_key = plan.v_key_now = None  # type: ignore[assignment]
    plan.v_pickup = None
    result: dict[str, pd.DataFrame | None] = {
        "kpis": out.kpis(replication),
        "pool_kpis": out.pool_kpis(replication),
        "backlog": out.backlog_series(replication),
        "pool_load": out.pool_series(replication),
        "items": build_item_table(out, replication, replications) if item_table else None,
    }
    if event_log:
        out.keep_only_what_the_log_needs()
        result["log"] = build_event_log(out, replication, replications, release=True)
    else:
        result["log"] = None
    return result
