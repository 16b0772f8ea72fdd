"""Resolve what a user passes as a scenario (object, YAML path, preset name, overrides).

One job: turn a scenario *spec* into a :class:`~modlean.scenario.Scenario`. Every
decision verb (compare, sensitivity, thresholds, staffing, calibration) starts here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modlean.errors import ParameterError, ScenarioError
from modlean.scenario import (
    Scenario,
    apply_overrides,
    list_presets,
    load_proposal,
    load_scenario,
    preset,
)

__all__ = ["ScenarioSpec", "resolve_scenario"]

#: What a decision verb accepts as a scenario: a Scenario, a YAML path or a preset name.
ScenarioSpec = Scenario | str | Path


def resolve_scenario(spec: ScenarioSpec | Mapping[str, Any],
                     baseline: ScenarioSpec | None = None) -> Scenario:
    """A :class:`~modlean.scenario.Scenario` from what a user may pass.

    ``spec`` may be a Scenario, a path to a scenario or proposal YAML (a proposal
    without ``base:`` goes on top of ``baseline``), a preset name (``"US"``,
    ``"mmc"``), or a mapping of dotted-path overrides applied to ``baseline``
    (``{"pools.servers.headcount": 6}``; its ``name`` key, if any, names it).
    """
    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, Mapping):
        if baseline is None:
            raise ParameterError("a proposal given as overrides needs a baseline scenario")
        base = resolve_scenario(baseline)
        overrides = dict(spec)
        if "name" not in overrides:
            overrides["name"] = ", ".join(f"{k}={v}" for k, v in spec.items())
        return apply_overrides(base, overrides, source="proposal overrides")
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        if not path.exists() and str(spec) in list_presets():
            return preset(str(spec))
        if isinstance(baseline, Scenario):
            return _proposal_on(path, baseline)
        return load_scenario(path, base=baseline)
    raise ParameterError(f"scenario: found {type(spec).__name__}; expected a Scenario, a YAML "
                         "path, a preset name or a mapping of overrides")


def _proposal_on(path: Path, baseline: Scenario) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        if "needs a baseline" not in str(exc):
            raise
    proposal = load_proposal(path)
    return apply_overrides(baseline, proposal["overrides"], source=str(path))
