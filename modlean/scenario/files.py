"""Scenario files: YAML in and out, proposal files, and the presets shipped with modlean.

:func:`load_scenario` reads a scenario, or a *proposal* (overrides on top of a
baseline, :func:`load_proposal`); :func:`to_yaml` writes one; :func:`preset` and
:func:`market_scenario` find the market baselines and proposals in
templates/scenarios/ (:func:`list_presets`). Bad YAML raises
:class:`~modlean.errors.ScenarioError` with the file, line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from modlean._util import describe, kind_of, suggest, write_atomic
from modlean.errors import ScenarioError
from modlean.resources import template_names, template_path
from modlean.scenario.overrides import apply_overrides, flatten_overrides
from modlean.scenario.schema import Scenario
from modlean.scenario.validation import scenario_from_dict
from modlean.yamlread import DuplicateKeyError, load_yaml, yaml_problem

__all__ = ["list_presets", "load_proposal", "load_scenario", "market_scenario", "preset",
           "to_yaml"]

def _read_yaml(path: Path) -> Any:
    """The YAML content of a file; a ScenarioError naming the line and column when it is bad."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "" if path.suffix or len(path.parts) > 1 else \
            f"; expected a YAML path or a preset name ({', '.join(list_presets())})"
        raise ScenarioError(f"{path}: no such scenario file{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc})") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = yaml_problem(exc)[1]
        hint = "" if isinstance(exc, DuplicateKeyError) else \
            "; expected indented 'key: value' lines"
        raise ScenarioError(f"{where}: not valid YAML ({problem}){hint}") from None


def _is_proposal(data: Any) -> bool:
    """True for a proposal file's contents (overrides on a baseline), not a full scenario."""
    return isinstance(data, Mapping) and ("overrides" in data or "base" in data) \
        and "item_types" not in data


def load_proposal(path: str | Path, *, item_type: str | None = None) -> dict[str, Any]:
    """Read a proposal file: ``base`` (optional), ``name``, ``description``, ``overrides``.

    Returns ``{"base": Path | None, "overrides": {dotted path: value}}``, with
    ``name`` and ``description`` folded into the overrides. ``{item_type}`` in an override's
    path, the name or the description is filled with ``item_type`` (one proposal file
    then serves markets whose item types have other names); without one,
    :func:`apply_overrides` fills the paths with the scenario's model item type.
    """
    path = Path(path)
    data = _read_yaml(path)
    allowed = {"base", "name", "description", "overrides"}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{path}: found {kind_of(data)}; expected a proposal "
                            "mapping with 'overrides'")
    for key in data:
        if key not in allowed:
            raise ScenarioError(f"{path}: {key}: unknown key {key!r}"
                                f"{suggest(str(key), sorted(allowed))} (expected one of: "
                                f"{', '.join(sorted(allowed))})")
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise ScenarioError(f"{path}: overrides: found {describe(overrides, 60)}; expected a "
                            "mapping of dotted paths to values")
    flat = dict(flatten_overrides(overrides))
    for key in ("name", "description"):
        if key in data:
            flat[key] = data[key]
    flat = _filled(flat, item_type)
    base = data.get("base")
    return {"base": (path.parent / base) if base else None, "overrides": flat}


def _filled(flat: dict[str, Any], item_type: str | None) -> dict[str, Any]:
    """``{item_type}`` in paths, name and description replaced by ``item_type``."""
    if not item_type or not any("{item_type}" in k for k in flat):
        return flat  # apply_overrides fills what is left with the scenario's model item type
    return {k.replace("{item_type}", item_type):
            v.replace("{item_type}", item_type) if k in ("name", "description")
            and isinstance(v, str) else v for k, v in flat.items()}


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None,
                  base: str | Path | None = None) -> Scenario:
    """Read a scenario (or a proposal on top of its baseline) from YAML.

    Parameters
    ----------
    path:
        A scenario YAML file, or a proposal file (``overrides:`` and optionally
        ``base:``, a path relative to the proposal).
    overrides:
        Dotted-path overrides applied last (``{"pools.l1.headcount": 140}``).
    base:
        The baseline for a proposal file without ``base:``.

    Raises
    ------
    ScenarioError
        Bad YAML (file, line and column), invalid fields (file and field path).
    """
    path = Path(path)
    data = _read_yaml(path)
    source = str(path)
    if _is_proposal(data):
        proposal = load_proposal(path)
        base_path = proposal["base"] or (Path(base) if base else None)
        if base_path is None:
            raise ScenarioError(f"{path}: a proposal needs a baseline; expected 'base: "
                                "<scenario.yaml>' in the file or a base argument (--base)")
        scenario = load_scenario(base_path)
        scenario = apply_overrides(scenario, proposal["overrides"], source=source)
    else:
        scenario = scenario_from_dict(data if data is not None else {}, source=source)
    if overrides:
        scenario = apply_overrides(scenario, overrides, source="overrides")
    return scenario


def to_yaml(scenario: Scenario, path: str | Path | None = None) -> str:
    """The scenario as YAML text (every field, defaults included); written to ``path`` if given
    (atomically, creating its folder)."""
    data = scenario.model_dump(mode="json")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if path is not None:
        write_atomic(path, text)
    return text


def list_presets() -> list[str]:
    """Names of the scenarios and proposals in templates/scenarios/ (any layer)."""
    return template_names("scenarios", "*.yaml")


def preset(name: str, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A shipped scenario from templates/scenarios/ by name.

    Market baselines ``"US"``, ``"UK"``, ``"ID"``, ``"MY"``, ``"TH"``, the plain
    M/M/c ``"mmc"`` and proposals such as ``"US_sop_thresholds_qa"``
    (:func:`list_presets`).
    """
    names = list_presets()
    if name not in names:
        raise ScenarioError(f"preset {name!r}: unknown{suggest(name, names)} (expected one "
                            f"of: {', '.join(names)})")
    return load_scenario(template_path(f"scenarios/{name}.yaml"), overrides=overrides)


def market_scenario(market: str, path: str | Path | None = None, *,
                    overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario a notebook runs for ``market``: its preset, or a scenario file.

    ``path`` None (or empty) gives :func:`preset` ``(market)``; otherwise the YAML
    file (a calibrated baseline, say), which must be for that market when it names
    one. ``overrides`` are applied last either way.

    Raises
    ------
    ScenarioError
        Unknown preset, bad file, or a file written for another market.
    """
    if path is None or not str(path).strip():
        return preset(market, overrides=overrides)
    scenario = load_scenario(path, overrides=overrides)
    if scenario.market and scenario.market.upper() != market.upper():
        raise ScenarioError(f"{path}: a scenario for market {scenario.market!r}, but the run "
                            f"is for {market!r}; expected a file for {market!r} (use "
                            "{market} in the path to pick one per market)")
    return scenario
