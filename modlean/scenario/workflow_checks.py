"""Cross-field checks of the workflows: names, pools, labels, probabilities, the graph.

:func:`check_workflows` refuses, with the field path, the value and a
did-you-mean, what the simulator could not walk: a route to an unknown step, a
step without a known pool (or one that cannot do the item type), a label the
item type does not have, a route group whose probabilities do not sum to 1, a
group that hides the groups after it, items that could match no route, a step
the start never reaches, a step from which ``done`` cannot be reached (a cycle
with no way out) and a path to ``done`` that never decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from modlean._util import suggest
from modlean.errors import ScenarioError
from modlean.scenario.schema import Scenario
from modlean.scenario.workflow import DONE, Step, When, Workflow

__all__ = ["check_workflows", "reachable", "workflow_pools"]

#: How far a route group's probabilities may be from 1 (rounding in a YAML file).
P_TOLERANCE = 1e-6


def workflow_pools(wf: Workflow) -> list[str]:
    """The pools a workflow's steps send work to, in step order."""
    return list(dict.fromkeys(st.pool for st in wf.steps.values() if st.pool))


def reachable(starts: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    """Every node reachable from ``starts`` along ``edges`` (the starts included)."""
    seen = set(starts)
    todo = list(seen)
    while todo:
        for nxt in edges.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def check_workflows(s: Scenario, where: str) -> None:
    """Refuse a workflow the simulator could not walk (:class:`ScenarioError`, first problem)."""
    for name, wf in s.workflows.items():
        path = f"workflows.{name}"
        if name not in s.item_types:
            raise ScenarioError(f"{where}{path}: unknown item type {name!r}"
                                f"{suggest(name, list(s.item_types))} (expected one of: "
                                f"{', '.join(s.item_types)})")
        if name in s.routing:
            raise ScenarioError(f"{where}{path}: item type {name!r} has both a workflow and "
                                f"routing.{name}; expected one of them (remove routing.{name})")
        _check_names(s, name, wf, where)
        _check_graph(name, wf, where)


def _unknown(where: str, path: str, what: str, value: str, options: list[str]) -> ScenarioError:
    return ScenarioError(f"{where}{path}: unknown {what} {value!r}{suggest(value, options)} "
                         f"(expected one of: {', '.join(options) or 'none defined'})")


def _check_names(s: Scenario, name: str, wf: Workflow, where: str) -> None:
    """Steps, pools and labels named in the workflow exist; pools can do the item type."""
    steps = list(wf.steps)
    path = f"workflows.{name}"
    if wf.start not in wf.steps:
        raise _unknown(where, f"{path}.start", "step", wf.start, steps)
    item = s.item_types[name]
    for step_name, step in wf.steps.items():
        here = f"{path}.steps.{step_name}"
        if step.tie_break is not None and step.tie_break not in wf.steps:
            raise _unknown(where, f"{here}.tie_break", "step", step.tie_break, steps)
        for i, route in enumerate(step.routes):
            if route.to != DONE and route.to not in wf.steps:
                raise _unknown(where, f"{here}.routes.{i}.to", "step", route.to,
                               [*steps, DONE])
            for label in route.when.labels() if route.when else []:
                if label not in item.labels:
                    raise _unknown(where, f"{here}.routes.{i}.when.label", "label", label,
                                   list(item.labels))
            if route.when and route.when.timed_out is not None and step.timeout_hours is None:
                raise ScenarioError(f"{where}{here}.routes.{i}.when.timed_out: only a wait "
                                    "step with timeout_hours times out; expected no timed_out "
                                    "here, or timeout_hours on the step")
        if step.pool is not None:
            if step.pool not in s.pools:
                raise _unknown(where, f"{here}.pool", "pool", step.pool, list(s.pools))
            pool = s.pools[step.pool]
            missing = sorted(set(item.required_skills) - set(pool.skills))
            if missing:
                raise ScenarioError(f"{where}{here}.pool: pool {step.pool!r} lacks skills "
                                    f"{missing} that item type {name!r} requires; found skills "
                                    f"{pool.skills}")
            if step.handling is None and pool.handling_for(name) is None:
                raise ScenarioError(f"{where}{here}.handling: missing, and pool {step.pool!r} "
                                    f"has no handling time for item type {name!r}; expected "
                                    f"handling on the step, or pools.{step.pool}.handling."
                                    f"{name}")


def _check_graph(name: str, wf: Workflow, where: str) -> None:
    """Probabilities, groups, reachability, a way out and a decision on every path."""
    path = f"workflows.{name}.steps"
    edges = {n: st.targets() for n, st in wf.steps.items()}
    # steps an item can stand at before any decision (the start included)
    undecided = reachable([wf.start], {n: [] if st.decides else edges[n]
                                       for n, st in wf.steps.items()})
    for step_name, step in wf.steps.items():
        _check_groups(f"{path}.{step_name}", step, step.decides or step_name not in undecided,
                      where)
    seen = reachable([wf.start], edges)
    for step_name in wf.steps:
        if step_name not in seen:
            raise ScenarioError(f"{where}{path}.{step_name}: unreachable; no route from the "
                                f"start ({wf.start!r}) leads to it. Expected a route to it "
                                "(to: " + step_name + ") or no such step")
    back: dict[str, list[str]] = {}
    for src, targets in edges.items():
        for dst in targets:
            back.setdefault(dst, []).append(src)
    out = reachable([DONE], back)
    for step_name in wf.steps:
        if step_name not in out:
            raise ScenarioError(f"{where}{path}.{step_name}: a cycle with no way out; no "
                                f"route from it leads to '{DONE}' (its routes go to "
                                f"{', '.join(edges[step_name]) or 'nowhere'}). Expected a "
                                f"route that ends in '{DONE}'")
    for step_name in sorted(undecided & set(wf.steps)):
        step = wf.steps[step_name]
        if not step.decides and DONE in edges[step_name]:
            raise ScenarioError(f"{where}{path}.{step_name}.routes: an item can reach "
                                f"'{DONE}' here without a decision (no review or system "
                                "decision before it); expected a review on every path, or "
                                f"decision: approve|reject on a system step")


def _check_groups(here: str, step: Step, decision_known: bool, where: str) -> None:
    """Each group sums to 1; only the last may have no condition; every item has a route."""
    groups = step.groups()
    for g, (when, idx) in enumerate(groups):
        total = sum(step.routes[i].p for i in idx)
        span = f"routes {idx[0]}-{idx[-1]}" if len(idx) > 1 else f"route {idx[0]}"
        if not math.isclose(total, 1.0, abs_tol=P_TOLERANCE):
            raise ScenarioError(f"{where}{here}.routes: the p of {span} (one group: the same "
                                f"when) sum to {total:g}; expected 1")
        if when is not None and when in [w for w, _ in groups[:g]]:
            raise ScenarioError(f"{where}{here}.routes.{idx[0]}: repeats the when of an "
                                "earlier group (not next to it), which takes every item it "
                                "matches, so this group is never taken; expected the routes "
                                "of one condition next to each other")
        if when is None and g < len(groups) - 1:
            raise ScenarioError(f"{where}{here}.routes.{idx[-1] + 1}: follows a group without "
                                "when, which every item matches, so it is never taken; "
                                "expected a when on every group but the last")
    if groups[-1][0] is not None and not _covers([w for w, _ in groups], step, decision_known):
        raise ScenarioError(f"{where}{here}.routes: some items match no group (the last group "
                            "has a when); expected a last group without when, or groups on "
                            "decision (approve and reject) after a review, or on timed_out "
                            "(true and false) at a wait with a timeout")


def _covers(whens: list[When | None], step: Step, decision_known: bool) -> bool:
    """True when conditions on one field alone (decision or timed_out) cover every item."""
    for field, values, known in (("decision", {"approve", "reject"}, decision_known),
                                 ("timed_out", {True, False}, step.timeout_hours is not None)):
        single = [w for w in whens if w is not None
                  and w.model_dump(exclude_none=True).keys() == {field}]
        if known and {getattr(w, field) for w in single} == values:
            return True
    return False
