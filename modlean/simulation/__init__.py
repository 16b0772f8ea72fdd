"""Simulation of a scenario: random plan, SimPy engine, simulated log and KPIs; queueing formulas.

Modules, in the order a run goes through them: ``codes`` (stage, route and
discipline codes), ``grid`` (15-minute time grid and pool capacity), ``draws``
(one random stream per purpose), ``walk`` (a workflow walked, vectorised), ``plan``
(every item and visit, drawn with numpy), ``engine`` (the SimPy run), ``outcome``
(per-item results, KPIs, series), ``tables`` (item table and event log),
``result`` (SimulationResult), ``size`` (the size guard) and ``run`` (simulate);
``queueing`` holds the analytic formulas.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.simulation.codes import (
    APPEAL,
    L1,
    L2,
    QA_REVIEW,
    REWORK,
    ROUTES,
    STAGES,
    STEP,
    Discipline,
    ItemRoute,
    Stage,
)
from modlean.simulation.engine import (
    EngineResult,
    run_engine,
)
from modlean.simulation.grid import time_grid
from modlean.simulation.outcome import Outcome
from modlean.simulation.plan import Plan, make_plan
from modlean.simulation.queueing import (
    Staffing,
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    jackson_network,
    kingman_wait,
    littles_law,
    mean_wait,
    mmc,
    offered_load,
    required_agents,
    service_level,
    sqrt_staffing,
    workload_fte,
)
from modlean.simulation.result import SimulationResult, summarize_kpis
from modlean.simulation.run import run_replication, simulate
from modlean.simulation.size import DEFAULT_MAX_EVENTS, RunSize, check_run_size, estimate_run_size
from modlean.simulation.tables import ACTIVITIES

__all__ = [
    "ACTIVITIES",
    "APPEAL",
    "DEFAULT_MAX_EVENTS",
    "L1",
    "L2",
    "QA_REVIEW",
    "REWORK",
    "ROUTES",
    "STAGES",
    "STEP",
    "Discipline",
    "EngineResult",
    "ItemRoute",
    "Outcome",
    "Plan",
    "RunSize",
    "SimulationResult",
    "Staffing",
    "Stage",
    "check_run_size",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "estimate_run_size",
    "halfin_whitt_beta",
    "jackson_network",
    "kingman_wait",
    "littles_law",
    "make_plan",
    "mean_wait",
    "mmc",
    "offered_load",
    "required_agents",
    "run_engine",
    "run_replication",
    "service_level",
    "simulate",
    "sqrt_staffing",
    "summarize_kpis",
    "time_grid",
    "workload_fte",
]
