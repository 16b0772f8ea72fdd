"""The scenario: the SOP as numbers. Schema, YAML files and presets, dotted-path overrides.

Modules: ``fields`` (shared field types and bounds), ``schema`` (the pydantic
sections), ``workflow`` (an item type's steps and routes), ``workflow_checks``
(their cross-field checks), ``workflow_flow`` (their expected work), ``teams``
(people shared by several pools), ``log_names`` (the simulated log's event names),
``paths``
(dotted paths through the schema), ``validation`` (``scenario_from_dict`` and its
messages), ``overrides``, ``files`` (YAML, proposals, presets) and ``reference``
(the generated field reference).

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.scenario.changes import describe_changes, setting_words, shown_value
from modlean.scenario.fields import MAX_HOURS, safe_names
from modlean.scenario.files import (
    list_presets,
    load_proposal,
    load_scenario,
    market_scenario,
    preset,
    to_yaml,
)
from modlean.scenario.log_names import SIMULATED_EVENTS, log_name_table, simulated_events
from modlean.scenario.overrides import apply_overrides, parse_override_value
from modlean.scenario.paths import value_at
from modlean.scenario.reference import scenario_reference
from modlean.scenario.schema import (
    DAYS,
    QA,
    Appeals,
    Handling,
    ItemType,
    ModelSpec,
    People,
    Pool,
    Route,
    Scenario,
    ScoreDist,
    Shift,
    Team,
)
from modlean.scenario.targets import kpi_targets
from modlean.scenario.teams import (
    OWN_PEOPLE_FIELDS,
    people_of,
    people_path,
    staffing_units,
    team_pools,
)
from modlean.scenario.validation import scenario_from_dict
from modlean.scenario.workflow import DONE, MAX_PASSES, Delay, Step, StepRoute, When, Workflow
from modlean.scenario.workflow_flow import Flow, workflow_flow

__all__ = [
    "DAYS",
    "DONE",
    "MAX_HOURS",
    "MAX_PASSES",
    "OWN_PEOPLE_FIELDS",
    "QA",
    "SIMULATED_EVENTS",
    "Appeals",
    "Delay",
    "Flow",
    "Handling",
    "ItemType",
    "ModelSpec",
    "People",
    "Pool",
    "Route",
    "Scenario",
    "ScoreDist",
    "Shift",
    "Step",
    "StepRoute",
    "Team",
    "When",
    "Workflow",
    "apply_overrides",
    "describe_changes",
    "kpi_targets",
    "list_presets",
    "load_proposal",
    "load_scenario",
    "log_name_table",
    "market_scenario",
    "parse_override_value",
    "people_of",
    "people_path",
    "preset",
    "safe_names",
    "scenario_from_dict",
    "scenario_reference",
    "setting_words",
    "shown_value",
    "simulated_events",
    "staffing_units",
    "team_pools",
    "to_yaml",
    "value_at",
    "workflow_flow",
]
