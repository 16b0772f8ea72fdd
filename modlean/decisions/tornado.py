"""One-at-a-time sensitivity: move each parameter by ±x % and read the KPIs (a tornado's numbers).

:func:`sensitivity` expands parameter groups (:data:`SENSITIVITY_GROUPS`) or dotted-path
patterns into the scenario's numeric fields, scales them down and up together, simulates
every variant on common random numbers with :func:`modlean.decisions.whatif.run_scenarios`
and reports each KPI's change and swing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.decisions.whatif import run_scenarios
from modlean.errors import ParameterError
from modlean.scenario import Scenario, apply_overrides

__all__ = ["SENSITIVITY_GROUPS", "sensitivity"]

#: Parameter groups :func:`sensitivity` understands by name; each expands to every
#: matching dotted path of the scenario (all item types, all pools).
SENSITIVITY_GROUPS = {
    "volumes": "item_types.*.volume_per_day",
    "handling": "pools.*.handling.*.mean_s",
    "headcount": "pools.*.headcount",
    "error_rates": "pools.*.accuracy.*",
    "prevalence": "item_types.*.prevalence",
}


def _expand(scenario: Scenario, pattern: str) -> list[str]:
    """Dotted paths of the scenario matching ``pattern`` (``*`` = any one key)."""
    data = scenario.model_dump(mode="python")
    paths = [""]
    nodes = [data]
    for part in pattern.split("."):
        new_paths, new_nodes = [], []
        for path, node in zip(paths, nodes, strict=True):
            if not isinstance(node, Mapping):
                continue
            keys = list(node) if part == "*" else [part] if part in node else []
            for key in keys:
                new_paths.append(f"{path}.{key}" if path else str(key))
                new_nodes.append(node[key])
        paths, nodes = new_paths, new_nodes
    return [p for p, n in zip(paths, nodes, strict=True) if isinstance(n, (int, float))
            and not isinstance(n, bool)]


def _value_at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _scaled(scenario: Scenario, paths: Sequence[str], factor: float,
            label: str) -> Scenario:
    data = scenario.model_dump(mode="python")
    overrides: dict[str, Any] = {}
    for path in paths:
        value = float(_value_at(data, path)) * factor
        if path.endswith(("prevalence", "false_approve", "false_reject", "_probability",
                          "_rate")):
            value = min(max(value, 0.0), 1.0)
        overrides[path] = value
    overrides["name"] = label
    return apply_overrides(scenario, overrides, source=f"sensitivity {label}")


def sensitivity(baseline: ScenarioSpec,
                parameters: Sequence[str] | Mapping[str, str | Sequence[str]]
                = ("volumes", "handling", "headcount", "error_rates", "prevalence"), *,
                kpis: Sequence[str] = ("turnaround_p95_h", "sla_attainment", "cost_total"),
                delta: float = 0.1, replications: int = 5, seed: int | None = None,
                workers: int | None = None, scheduler: str | None = None,
                item_type: str = "all", max_events: float | None = None) -> pd.DataFrame:
    """Change each parameter by ±``delta`` and measure the KPIs: the tornado's numbers.

    Every run uses the same seed, so each low/high run is paired with the
    baseline (common random numbers) and the change is mostly the parameter's.

    Parameters
    ----------
    baseline:
        A Scenario, YAML path or preset name.
    parameters:
        Group names of :data:`SENSITIVITY_GROUPS`, dotted paths (``*`` matches any
        key: ``pools.*.headcount``), or a mapping label -> path pattern(s). Every
        path of a group moves together.
    kpis:
        KPI names of :func:`modlean.simulate` (read for ``item_type``).
    delta:
        The relative change (0.1 = ±10 %). Probabilities are clipped to [0, 1].
    max_events:
        The size guard's limit for each run (:func:`modlean.simulate`).

    Returns
    -------
    pandas.DataFrame
        One row per parameter x KPI: ``parameter``, ``kpi``, ``baseline``, ``low``
        (KPI at -delta), ``high`` (at +delta), ``low_change``, ``high_change``
        (differences from the baseline) and ``swing`` (|high - low|), sorted by
        KPI then swing, largest first.
    """
    if not 0 < delta < 1:
        raise ParameterError(f"delta: found {delta!r}; expected a share between 0 and 1 "
                             "(0.1 for ±10 %)")
    base = resolve_scenario(baseline)
    if isinstance(parameters, Mapping):
        groups = {label: [pat] if isinstance(pat, str) else list(pat)
                  for label, pat in parameters.items()}
    else:
        groups = {p: [SENSITIVITY_GROUPS.get(p, p)] for p in parameters}
    scenarios, names = [base], ["baseline"]
    for label, patterns in groups.items():
        paths = [path for pat in patterns for path in _expand(base, pat)]
        if not paths:
            raise ParameterError(f"sensitivity parameter {label!r}: {patterns} matches no "
                                 "numeric field of the scenario; expected a group name "
                                 f"({', '.join(SENSITIVITY_GROUPS)}) or a dotted path")
        for sign, factor in (("low", 1 - delta), ("high", 1 + delta)):
            scenarios.append(_scaled(base, paths, factor, f"{label} {sign}"))
            names.append(f"{label}\t{sign}")
    values = run_scenarios(scenarios, replications=replications, seed=seed, workers=workers,
                           scheduler=scheduler, names=names, max_events=max_events)
    values = values[(values["item_type"] == item_type) & values["kpi"].isin(list(kpis))]
    means = values.groupby(["scenario", "kpi"], sort=False)["value"].mean().unstack("kpi")
    missing = [k for k in kpis if k not in means.columns]
    if missing:
        raise ParameterError(f"kpis {missing}: not produced by the simulation for item type "
                             f"{item_type!r}")
    rows = []
    for label in groups:
        for kpi in kpis:
            b = float(means.loc["baseline", kpi])
            lo = float(means.loc[f"{label}\tlow", kpi])
            hi = float(means.loc[f"{label}\thigh", kpi])
            rows.append({"parameter": label, "kpi": kpi, "baseline": b, "low": lo, "high": hi,
                         "low_change": lo - b, "high_change": hi - b, "swing": abs(hi - lo)})
    out = pd.DataFrame(rows)
    out = out.sort_values(["kpi", "swing"], ascending=[True, False], kind="stable",
                          ignore_index=True)
    out.attrs["delta"] = delta
    return out
