"""The scenario: the SOP as numbers. Schema, YAML files and presets, dotted-path overrides.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.scenario.schema import (
    DAYS,
    QA,
    Appeals,
    Handling,
    ItemType,
    ModelSpec,
    Pool,
    Route,
    Scenario,
    ScoreDist,
    Shift,
    apply_overrides,
    list_presets,
    load_proposal,
    load_scenario,
    market_scenario,
    parse_override_value,
    preset,
    scenario_from_dict,
    scenario_reference,
    to_yaml,
)

__all__ = [
    "DAYS",
    "QA",
    "Appeals",
    "Handling",
    "ItemType",
    "ModelSpec",
    "Pool",
    "Route",
    "Scenario",
    "ScoreDist",
    "Shift",
    "apply_overrides",
    "list_presets",
    "load_proposal",
    "load_scenario",
    "market_scenario",
    "parse_override_value",
    "preset",
    "scenario_from_dict",
    "scenario_reference",
    "to_yaml",
]
