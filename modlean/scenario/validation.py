"""Validation of a scenario mapping: pydantic errors as plain messages, cross-field checks.

:func:`scenario_from_dict` is the one way a plain mapping (read from YAML, or a
baseline with overrides applied) becomes a :class:`~modlean.scenario.schema.Scenario`.
Every problem raises :class:`~modlean.errors.ScenarioError` naming the source
(file), the field's dotted path, the value found and what was expected, with a
did-you-mean for unknown keys and names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from modlean._util import describe, suggest
from modlean.errors import ScenarioError
from modlean.scenario.paths import field_names_at
from modlean.scenario.schema import Pool, Scenario

__all__ = ["check_references", "scenario_from_dict", "source_prefix", "translate_errors"]

#: What a field expected, by pydantic error type (``ctx`` values fill the braces).
_EXPECTED = {
    "greater_than_equal": "a number >= {ge}",
    "greater_than": "a number > {gt}",
    "less_than_equal": "a number <= {le}",
    "less_than": "a number < {lt}",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "date_from_datetime_parsing": "a date such as 2026-03-02",
    "date_parsing": "a date such as 2026-03-02",
    "missing": "a value (the field is required)",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "string_type": "text",
}


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def source_prefix(source: str | None) -> str:
    """``"<source>: "`` to start a message, or ``""`` when there is no source."""
    return f"{source}: " if source else ""


def translate_errors(exc: ValidationError, source: str | None) -> ScenarioError:
    """pydantic's errors as one :class:`ScenarioError`, a line per bad field."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ":" in p))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            options = field_names_at(loc[:-1])
            lines.append(f"{_path(loc)}: unknown key {key!r}{suggest(key, options)} "
                         f"(expected one of: {', '.join(options)})")
            continue
        if kind in {"value_error", "assertion_error"}:
            expected = str(err["msg"]).removeprefix("Value error, ")
        elif kind == "literal_error":
            expected = f"expected one of {err.get('ctx', {}).get('expected', '')}"
        else:
            template = _EXPECTED.get(kind)
            ctx = {k: _number(v) for k, v in err.get("ctx", {}).items()}
            expected = "expected " + (template.format(**ctx) if template else str(err["msg"]))
        found = "missing; " if kind == "missing" else f"found {describe(err.get('input'), 60)}; "
        if kind in {"value_error"} and isinstance(err.get("input"), dict):
            found = ""  # a whole section: its path says enough
        lines.append(f"{_path(loc)}: {found}{expected}")
    head = f"{source_prefix(source)}invalid scenario" + (":" if len(lines) > 1 else "")
    if len(lines) == 1:
        return ScenarioError(f"{source_prefix(source)}{lines[0]}")
    return ScenarioError(head + "\n  " + "\n  ".join(lines))


def check_references(s: Scenario, source: str | None) -> None:
    """Cross-field checks: routing names real item types and pools, pools can do the work."""
    where = source_prefix(source)
    pools = list(s.pools)

    def pool_ref(path: str, name: str | None) -> Pool:
        if name not in s.pools:
            raise ScenarioError(f"{where}{path}: unknown pool {name!r}{suggest(str(name), pools)}"
                                f" (expected one of: {', '.join(pools) or 'no pools defined'})")
        return s.pools[name]

    for name, route in s.routing.items():
        if name not in s.item_types:
            raise ScenarioError(
                f"{where}routing.{name}: unknown item type {name!r}"
                f"{suggest(name, list(s.item_types))} (expected one of: "
                f"{', '.join(s.item_types)})")
        item = s.item_types[name]
        for path, pool_name in ((f"routing.{name}.pool", route.pool),
                                (f"routing.{name}.escalation_pool", route.escalation_pool)):
            if pool_name is None:
                continue
            pool = pool_ref(path, pool_name)
            missing = sorted(set(item.required_skills) - set(pool.skills))
            if missing:
                raise ScenarioError(f"{where}{path}: pool {pool_name!r} lacks skills {missing} "
                                    f"that item type {name!r} requires; found skills "
                                    f"{pool.skills}")
            if pool.handling_for(name) is None:
                raise ScenarioError(f"{where}pools.{pool_name}.handling: no handling time for "
                                    f"item type {name!r}; expected a key {name!r} or '*'")
        if route.escalation_probability > 0 and route.escalation_pool is None:
            raise ScenarioError(f"{where}routing.{name}.escalation_pool: found None; expected "
                                "a pool when escalation_probability > 0")
    for name, item in s.item_types.items():
        reaches_humans = (not item.model.enabled or item.model.t_low < item.model.t_high
                          or item.initial_backlog.count > 0)
        if reaches_humans and item.volume_per_day + item.initial_backlog.count > 0 \
                and name not in s.routing:
            raise ScenarioError(f"{where}routing.{name}: missing; item type {name!r} sends "
                                "items to human review, expected a route (routing."
                                f"{name}.pool)")
    for section, cfg in (("qa", s.qa), ("appeals", s.appeals)):
        if cfg.enabled:
            pool_ref(f"{section}.pool", cfg.pool)


def scenario_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Scenario:
    """Validate a plain mapping (as read from YAML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming ``source``, each bad field's dotted path, the value and what was
        expected (with a did-you-mean for unknown keys).
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source_prefix(source)}found {type(data).__name__}; expected a "
                            "mapping of scenario fields (name, item_types, pools, ...)")
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise translate_errors(exc, source) from None
    check_references(scenario, source)
    return scenario
