"""Simulation of a scenario: random plan, SimPy engine, simulated log and KPIs; queueing formulas.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.simulation.engine import (
    EngineResult,
    run_engine,
)
from modlean.simulation.plan import (
    APPEAL,
    L1,
    L2,
    QA_REVIEW,
    REWORK,
    STAGES,
    Plan,
    make_plan,
    time_grid,
)
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
from modlean.simulation.run import (
    ACTIVITIES,
    SimulationResult,
    run_replication,
    simulate,
    summarize_kpis,
)

__all__ = [
    "ACTIVITIES",
    "APPEAL",
    "L1",
    "L2",
    "QA_REVIEW",
    "REWORK",
    "STAGES",
    "EngineResult",
    "Plan",
    "SimulationResult",
    "Staffing",
    "erlang_a",
    "erlang_b",
    "erlang_c",
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
