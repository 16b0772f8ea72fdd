"""What-if: simulate a baseline and proposals on common random numbers and compare them.

:func:`run_scenarios` simulates scenarios with one seed (:func:`modlean.simulation.simulate`)
and stacks their KPIs; :func:`compare` resolves a baseline and proposals, runs them and
reads the paired differences into a decision table (:mod:`modlean.decisions.paired`).

The rest of the what-if toolbox lives next door: :mod:`modlean.decisions.tornado`
(one-at-a-time sensitivity) and :mod:`modlean.decisions.thresholds` (the ML
pre-filter's thresholds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from modlean.decisions.paired import HEADLINE_KPIS, decision_table
from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.errors import ParameterError
from modlean.simulation import simulate

if TYPE_CHECKING:
    from modlean.scenario import Scenario

__all__ = ["compare", "run_scenarios"]


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    names: list[str] = []
    for i, s in enumerate(scenarios):
        name = s.name or f"scenario {i}"
        while name in names:
            name = f"{name} ({i})"
        names.append(name)
    return names


def run_scenarios(scenarios: Sequence[Scenario], *, replications: int = 10,
                  seed: int | None = None, workers: int | None = None,
                  scheduler: str | None = None,
                  names: Sequence[str] | None = None,
                  max_events: float | None = None) -> pd.DataFrame:
    """Simulate scenarios with the same seed (common random numbers) and stack their KPIs.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``scenario``, ``replication``, ``item_type``, ``kpi``, ``value``; pool
        KPIs come with ``item_type`` ``"pool:<name>"``.

    ``max_events`` is the size guard's limit for each scenario's run
    (:func:`modlean.simulation.simulate`).
    """
    if not scenarios:
        raise ParameterError("run_scenarios: no scenarios given")
    seed = scenarios[0].seed if seed is None else seed
    names = list(names) if names is not None else _unique_names(scenarios)
    frames = []
    for name, scenario in zip(names, scenarios, strict=True):
        res = simulate(scenario, seed=seed, replications=replications, workers=workers,
                       scheduler=scheduler, event_log=False, item_table=False,
                       max_events=max_events)
        k = res.kpis.assign(scenario=name)
        pk = res.pool_kpis.rename(columns={"pool": "item_type"})
        pk["item_type"] = "pool:" + pk["item_type"].astype(str)
        frames += [k, pk.assign(scenario=name)]
    out = pd.concat(frames, ignore_index=True)
    out["item_type"] = out["item_type"].astype(str)
    out["kpi"] = out["kpi"].astype(str)
    return out[["scenario", "replication", "item_type", "kpi", "value"]]


def compare(baseline: ScenarioSpec, *proposals: ScenarioSpec | Mapping[str, Any],
            replications: int = 10, seed: int | None = None,
            workers: int | None = None, scheduler: str | None = None,
            confidence: float = 0.95, kpis: Sequence[str] | str | None = None,
            item_types: Sequence[str] | None = ("all",),
            directions: Mapping[str, str] | None = None,
            return_kpis: bool = False, max_events: float | None = None
            ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a baseline and proposals on common random numbers; the paired decision table.

    Parameters
    ----------
    baseline:
        A Scenario, a YAML path or a preset name.
    proposals:
        Each a Scenario, a YAML path (a proposal file of overrides goes on top of
        the baseline when it has no ``base:``) or a mapping of dotted-path
        overrides of the baseline.
    replications:
        Replications per scenario; replication *r* of every scenario uses the same
        random streams (the same arrivals, items and handling draws).
    seed:
        Random seed (default: the baseline's).
    workers, scheduler:
        Where replications run (:func:`modlean.simulation.simulate`).
    confidence:
        Level of the paired intervals.
    kpis:
        KPI names to keep, ``"headline"`` for :data:`HEADLINE_KPIS`, or None for all.
    item_types:
        Rows for these item types (``"all"`` is every item; ``"pool:<name>"`` a
        pool's KPIs); None keeps every item type and pool.
    directions:
        Good direction per KPI, overriding the KPI catalogue's (:mod:`modlean.kpis`).
    return_kpis:
        Also return the tidy per-replication KPI values.
    max_events:
        The simulation's size guard (:func:`modlean.simulation.simulate`).

    Returns
    -------
    pandas.DataFrame
        :func:`decision_table` with an ``item_type`` column: per proposal, item
        type and KPI the baseline and proposal means, the paired difference and
        its interval, the relative change and the verdict.

    Examples
    --------
    >>> compare("mmc", {"pools.servers.headcount": 6}, replications=5)  # doctest: +SKIP
    """
    if not proposals:
        raise ParameterError("compare: expected at least one proposal after the baseline")
    if int(replications) != replications or replications < 2:
        raise ParameterError(f"replications: found {replications!r}; expected a whole number "
                             ">= 2 (a paired interval needs at least two)")
    base = resolve_scenario(baseline)
    props = [resolve_scenario(p, base) for p in proposals]
    scenarios = [base, *props]
    names = _unique_names(scenarios)
    values = run_scenarios(scenarios, replications=replications, seed=seed, workers=workers,
                           scheduler=scheduler, names=names, max_events=max_events)
    sel = values
    if kpis is not None:
        wanted = list(HEADLINE_KPIS) if kpis == "headline" else [kpis] if isinstance(kpis, str) \
            else list(kpis)
        sel = sel[sel["kpi"].isin(wanted)]
    if item_types is not None:
        sel = sel[sel["item_type"].isin(list(item_types))]
    table = decision_table(sel, names[0], confidence=confidence, directions=directions,
                           by=("item_type",))
    if kpis is not None:  # proposals in the order given, KPIs in the order asked for
        order = {k: i for i, k in enumerate(wanted)}
        position = {n: i for i, n in enumerate(names)}
        table = table.assign(_p=table["proposal"].map(position), _k=table["kpi"].map(order)) \
            .sort_values(["_p", "item_type", "_k"], kind="stable").drop(columns=["_p", "_k"])
    table = table.reset_index(drop=True)
    # each reading says over how many simulated days its totals (cost, volumes) run
    table["horizon_days"] = float(base.horizon_days)
    table.attrs["baseline"] = names[0]
    table.attrs["seed"] = int(base.seed if seed is None else seed)
    table.attrs["replications"] = int(replications)
    return (table, values) if return_kpis else table
