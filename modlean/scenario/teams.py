"""Teams: people shared by several pools, so an agent with several skills is one seat.

A pool names its team (``pools.<p>.team: <name>``) and keeps its handling, SLA,
accuracy and queue order; the team (``teams.<name>``) gives the people: headcount,
shifts, shrinkage and cost. :func:`people_of` answers "whose people work this pool"
for everything that sizes, simulates or costs people; :func:`check_teams` is the
cross-field check :func:`~modlean.scenario.validation.scenario_from_dict` runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modlean._util import suggest
from modlean.errors import ScenarioError
from modlean.scenario.schema import People, Pool

if TYPE_CHECKING:
    from modlean.scenario.schema import Scenario

__all__ = ["OWN_PEOPLE_FIELDS", "people_of", "people_path", "staffing_units", "team_pools"]

#: The fields of a pool's own people: a pool in a team leaves them to the team.
OWN_PEOPLE_FIELDS = tuple(People.model_fields)


def people_of(s: Scenario, pool: str) -> People:
    """The people who work pool ``pool``: its team, or the pool itself."""
    p = s.pools[pool]
    return s.teams[p.team] if p.team is not None else p


def people_path(s: Scenario, pool: str) -> str:
    """The dotted path of the people working ``pool`` (``teams.<t>`` or ``pools.<p>``)."""
    team = s.pools[pool].team
    return f"teams.{team}" if team is not None else f"pools.{pool}"


def team_pools(s: Scenario) -> dict[str, list[str]]:
    """Per team, its pools in scenario order (a team nobody routes to has none)."""
    out: dict[str, list[str]] = {t: [] for t in s.teams}
    for name, pool in s.pools.items():
        if pool.team is not None:
            out[pool.team].append(name)
    return out


def staffing_units(s: Scenario) -> dict[str, list[str]]:
    """Who is sized as one: each pool with its own people (``{pool: [pool]}``), then each
    team with pools (``{team: [its pools]}``)."""
    units = {name: [name] for name, pool in s.pools.items() if pool.team is None}
    units.update({t: pools for t, pools in team_pools(s).items() if pools})
    return units


def check_teams(s: Scenario, where: str) -> None:
    """Refuse an unknown team, a pool giving people as well as a team, and a team named
    like a pool (their KPIs share a table)."""
    teams = list(s.teams)
    for name in s.teams:
        if name in s.pools:
            raise ScenarioError(f"{where}teams.{name}: a pool has the same name; expected "
                                "distinct names (a team's KPIs are listed beside its pools')")
    for name, pool in s.pools.items():
        if pool.team is None:
            continue
        if pool.team not in s.teams:
            raise ScenarioError(f"{where}pools.{name}.team: unknown team {pool.team!r}"
                                f"{suggest(pool.team, teams)} (expected one of: "
                                f"{', '.join(teams) or 'no teams defined'})")
        for field in OWN_PEOPLE_FIELDS:
            value = getattr(pool, field)
            default = Pool.model_fields[field].get_default(call_default_factory=True)
            if value != default:
                raise ScenarioError(
                    f"{where}pools.{name}.{field}: found a value of its own, but team "
                    f"{pool.team!r} gives the pool its people; expected it on the team "
                    f"(teams.{pool.team}.{field}) or no team on the pool")
