"""Overrides: fields of a scenario changed by dotted path (``pools.l1_listing.headcount=140``).

From code (:func:`apply_overrides`), from a proposal file's ``overrides:`` (nested
mappings are flattened to dotted paths by :func:`flatten_overrides`) and from
``modlean simulate --set`` (values read as YAML by :func:`parse_override_value`).
The result is validated again, so an override can never leave an invalid scenario.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from modlean._util import describe, suggest
from modlean.errors import ScenarioError
from modlean.scenario.paths import (
    child_type,
    field_names_of,
    is_dict_annotation,
    is_leaf_mapping,
    unwrap,
)
from modlean.scenario.schema import Scenario
from modlean.scenario.validation import scenario_from_dict, source_prefix
from modlean.yamlread import DuplicateKeyError, load_yaml, yaml_problem

__all__ = ["apply_overrides", "flatten_overrides", "parse_override_value"]


#: Overrides whose values are free text, never read as YAML (``NL: L1 7 -> 6`` is a sentence).
_TEXT_PATHS = frozenset({"name", "description"})


def parse_override_value(text: str) -> Any:
    """A CLI value as YAML: ``140`` -> 140, ``0.3`` -> 0.3, ``[mon, tue]`` -> a list."""
    try:
        return load_yaml(text)
    except DuplicateKeyError as exc:
        raise ScenarioError(f"value {describe(text, 60)}: {yaml_problem(exc)[1]}") from None
    except yaml.YAMLError:
        return text


def flatten_overrides(mapping: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested override mappings become dotted paths; a dotted key is kept as it is."""
    out: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not is_leaf_mapping(path):
            out.extend(flatten_overrides(value, path + "."))
        else:
            out.append((path, value))
    return out


def model_item_type(scenario: Scenario) -> str:
    """The item type a proposal for any market means by ``{item_type}``: the first with an
    ML model, else the first."""
    with_model = [n for n, it in scenario.item_types.items() if it.model.enabled]
    return (with_model or list(scenario.item_types))[0]


def apply_overrides(scenario: Scenario, overrides: Mapping[str, Any], *,
                    source: str | None = None) -> Scenario:
    """A new scenario with fields changed by dotted path.

    Parameters
    ----------
    scenario:
        The baseline (not modified).
    overrides:
        ``{"pools.l1_listing.headcount": 140, "item_types.listing.model.t_low": 0.25}``.
        Path steps are field names, mapping keys (a new key adds an entry, e.g. a
        new pool) or list positions (``pools.l1.shifts.0.start_hour``); null on a
        mapping key or a list position removes that entry
        (``workflows.ipr.steps.legal: null``, ``...routes.1: null``). String
        values are read as YAML (``"140"`` is the number 140).
    source:
        Named in error messages (a proposal file, ``--set``).

    ``{item_type}`` in a path (a proposal written for any market) is the scenario's
    :func:`model_item_type`, unless the proposal was read with one
    (:func:`modlean.scenario.load_proposal`).

    Raises
    ------
    ScenarioError
        An unknown step (with a did-you-mean) or an invalid resulting value.
    """
    data = scenario.model_dump(mode="python")
    where = source_prefix(source)
    main = model_item_type(scenario) if any("{item_type}" in str(k) for k in overrides) else ""
    for dotted, value in overrides.items():
        dotted = str(dotted).replace("{item_type}", main)
        if isinstance(value, str) and dotted not in _TEXT_PATHS:
            value = parse_override_value(value)
        _set_path(data, str(dotted), value, where)
    return scenario_from_dict(data, source=source)


def _set_path(data: dict[str, Any], dotted: str, value: Any, where: str) -> None:
    """Set one dotted path in a scenario dump (a new mapping key adds an entry)."""
    parts = [p for p in dotted.split(".")]
    if not all(parts):
        raise ScenarioError(f"{where}{dotted}: not a dotted path; expected names joined by "
                            "dots, e.g. pools.l1_listing.headcount")
    node: Any = data
    annotation: Any = Scenario
    for i, part in enumerate(parts):
        here = ".".join(parts[:i]) or "(top level)"
        child = child_type(annotation, part)
        last = i == len(parts) - 1
        if isinstance(node, list):
            if child is None or not -len(node) <= int(part) < len(node):
                raise ScenarioError(f"{where}{dotted}: {here} has {len(node)} entries; "
                                    f"found position {part!r}, expected 0..{len(node) - 1}")
            key: Any = int(part)
        elif isinstance(node, dict):
            if child is None:
                options = sorted(field_names_of(annotation) or node)
                raise ScenarioError(f"{where}{dotted}: unknown key {part!r} in {here}"
                                    f"{suggest(part, options)} (expected one of: "
                                    f"{', '.join(options)})")
            key = part
            if not last and key not in node:
                node[key] = {}
        else:
            raise ScenarioError(f"{where}{dotted}: {here} is a value "
                                f"({describe(node, 60)}), not a section with {part!r}")
        if last and value is None and (isinstance(node, list) or is_dict_annotation(
                unwrap(annotation))):  # null removes a named entry or a list position
            if isinstance(node, list) or key in node:  # an absent key stays absent
                node.pop(key)
        elif last:
            node[key] = copy.deepcopy(value)
        else:
            node = node[key]
            annotation = child
