"""Validation of a scenario mapping: pydantic errors as plain messages, cross-field checks.

:func:`scenario_from_dict` is the one way a plain mapping (read from YAML, or a
baseline with overrides applied) becomes a :class:`~modlean.scenario.schema.Scenario`.
Every problem raises :class:`~modlean.errors.ScenarioError` naming the source
(file), the field's dotted path, the value found and what was expected, with a
did-you-mean for unknown keys and names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from modlean._util import kind_of, suggest
from modlean.errors import ScenarioError
from modlean.messages import error_lines
from modlean.scenario.log_names import check_log_names
from modlean.scenario.paths import field_names_at
from modlean.scenario.schema import DAYS, Pool, Scenario
from modlean.scenario.teams import check_teams, people_of, people_path
from modlean.scenario.workflow_checks import check_workflows, workflow_pools

__all__ = ["check_references", "no_working_hours", "routed_pools", "scenario_from_dict",
           "source_prefix", "translate_errors"]

def source_prefix(source: str | None) -> str:
    """``"<source>: "`` to start a message, or ``""`` when there is no source."""
    return f"{source}: " if source else ""


def translate_errors(exc: ValidationError, source: str | None) -> ScenarioError:
    """pydantic's errors as one :class:`ScenarioError`, a line per bad field
    (:func:`modlean.messages.error_lines`)."""
    lines = error_lines(exc, Scenario, field_names_at)
    if len(lines) == 1:
        return ScenarioError(f"{source_prefix(source)}{lines[0]}")
    return ScenarioError(f"{source_prefix(source)}invalid scenario:\n  " + "\n  ".join(lines))


def check_references(s: Scenario, source: str | None) -> None:
    """Cross-field checks: routing names real item types and pools, pools can do the work."""
    where = source_prefix(source)
    pools = list(s.pools)

    def pool_ref(path: str, name: str | None) -> Pool:
        if name is None:
            raise ScenarioError(f"{where}{path}: missing; expected one of the pools "
                                f"({', '.join(pools) or 'no pools defined'})")
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
            raise ScenarioError(f"{where}routing.{name}.escalation_pool: missing; expected "
                                "a pool when escalation_probability > 0")
    check_workflows(s, where)
    check_log_names(s, where)
    for name, item in s.item_types.items():
        reaches_humans = (not item.model.enabled or item.model.t_low < item.model.t_high
                          or item.initial_backlog.count > 0)
        if reaches_humans and item.volume_per_day + item.initial_backlog.count > 0 \
                and name not in s.routing and name not in s.workflows:
            raise ScenarioError(f"{where}routing.{name}: missing; item type {name!r} sends "
                                "items to human review, expected a route (routing."
                                f"{name}.pool) or a workflow (workflows.{name})")
    for section, cfg in (("qa", s.qa), ("appeals", s.appeals)):
        if cfg.enabled:
            pool_ref(f"{section}.pool", cfg.pool)
    check_teams(s, where)
    for name in routed_pools(s):
        people, path = people_of(s, name), people_path(s, name)
        whose = "the pool" if path.startswith("pools.") else f"pool {name!r} (its team)"
        if people.headcount <= 0:  # type: ignore[operator]  # a pool without a team has one
            raise ScenarioError(f"{where}{path}.headcount: found {people.headcount:g}; "
                                f"{whose} receives work, so with nobody in it nothing would "
                                "be decided. Expected at least 1 person (or route the work "
                                "elsewhere)")
        problem = no_working_hours(s, name)
        if problem:
            raise ScenarioError(f"{where}{path}.shifts: {problem}; {whose} receives "
                                "work, so it would decide nothing. Expected at least one shift "
                                "with share > 0 on a day of the simulated period (e.g. "
                                "{start_hour: 8, end_hour: 16, share: 1})")


def routed_pools(s: Scenario) -> list[str]:
    """The pools that receive work: routes (L1 and escalation), workflow steps, enabled QA
    and appeals."""
    names = [p for r in s.routing.values() for p in (r.pool, r.escalation_pool) if p]
    names += [p for wf in s.workflows.values() for p in workflow_pools(wf)]
    names += [cfg.pool for cfg in (s.qa, s.appeals) if cfg.enabled and cfg.pool]
    return [n for n in dict.fromkeys(names) if n in s.pools]


def no_working_hours(s: Scenario, pool: str) -> str | None:
    """Why pool ``pool`` (its people: its team's, if any) never works in the simulated
    period, or None when it does.

    The period runs from local midnight of ``start`` for ``horizon_days +
    drain_days``; a shift works when its share is above 0 and it starts on one
    of the period's weekdays.
    """
    shifts = people_of(s, pool).shifts
    if not shifts:
        return "found an empty list (no shifts)"
    if all(shift.share == 0 for shift in shifts):
        return "every shift has share 0"
    days = {DAYS[(s.start.weekday() + d) % 7]
            for d in range(min(7, math.ceil(s.horizon_days + s.drain_days)))}
    if not any(shift.share > 0 and days & set(shift.days) for shift in shifts):
        return (f"no shift with share > 0 starts on a day of the simulated period "
                f"({', '.join(d for d in DAYS if d in days)})")
    return None


def scenario_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Scenario:
    """Validate a plain mapping (as read from YAML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming ``source``, each bad field's dotted path, the value and what was
        expected (with a did-you-mean for unknown keys).
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source_prefix(source)}found {kind_of(data)}; expected a "
                            "mapping of scenario fields (name, item_types, pools, ...)")
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise translate_errors(exc, source) from None
    check_references(scenario, source)
    return scenario
