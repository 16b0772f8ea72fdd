"""The simulated log's event names and a scenario's renaming of them (``log_names``).

The simulator writes its events under modlean's names (:data:`SIMULATED_EVENTS`, then a
workflow's step events). A scenario's ``log_names`` (and an item type's, for its cases)
maps a name onto the word a real log uses for the same event, or onto ``null`` to leave
the event out, so a simulated log can be compared with a real one event for event.
:func:`check_log_names` refuses a key the simulator never writes, with a did-you-mean;
:func:`log_name_table` is the renaming per item type, as the simulator applies it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from modlean._util import suggest
from modlean.errors import ScenarioError

if TYPE_CHECKING:
    from modlean.scenario.schema import Scenario

__all__ = ["SIMULATED_EVENTS", "check_log_names", "log_name_table", "simulated_events"]

#: The events of the simulated log, in process order (workflow steps' events follow).
SIMULATED_EVENTS = ("submitted", "auto_screen", "auto_approved", "auto_rejected", "queued_l1",
                    "review_l1", "escalated_l2", "review_l2", "qa_sample", "qa_overturn",
                    "decision_sent", "appeal_filed", "appeal_queued", "appeal_review",
                    "appeal_decided")


def simulated_events(s: Scenario) -> list[str]:
    """Every event name the simulator can write for ``s``: :data:`SIMULATED_EVENTS`, then its
    workflows' step events (``queued_<step>``, ``review_<step>``, ``wait_<step>`` or the
    names the steps give)."""
    names = list(SIMULATED_EVENTS)
    for flow in s.workflows.values():
        for step_name, step in flow.steps.items():
            names += [e for e in step.event_names(step_name) if e is not None and e not in names]
    return names


def check_log_names(s: Scenario, where: str) -> None:
    """Refuse a ``log_names`` key (the scenario's or an item type's) that names no event the
    simulator writes, or an empty new name, with the field path and a did-you-mean."""
    known = simulated_events(s)
    sections = [("log_names", s.log_names)] + [(f"item_types.{t}.log_names", it.log_names)
                                               for t, it in s.item_types.items()]
    for path, names in sections:
        for key, new in names.items():
            if key not in known:
                raise ScenarioError(f"{where}{path}.{key}: unknown event {key!r}"
                                    f"{suggest(key, known)}; expected one of the simulated "
                                    f"log's events ({', '.join(known)})")
            if new is not None and not new.strip():
                raise ScenarioError(f"{where}{path}.{key}: found an empty name; expected the "
                                    "real log's name for the event, or null to leave it out")


def log_name_table(s: Scenario, events: Sequence[str], item_types: Sequence[str]
                   ) -> tuple[list[list[int]], list[str]] | None:
    """The renaming as codes: per item type (in ``item_types`` order), the new code of each
    of ``events`` (-1: left out), and the new names; None when nothing is renamed.

    An item type's ``log_names`` wins over the scenario's; a name neither gives is kept.
    """
    if not s.log_names and not any(s.item_types[t].log_names for t in item_types):
        return None
    names: list[str] = []
    table = []
    for t in item_types:
        given: Mapping[str, str | None] = {**s.log_names, **s.item_types[t].log_names}
        row = []
        for event in events:
            new = given.get(event, event)
            if new is None:
                row.append(-1)
                continue
            if new not in names:
                names.append(new)
            row.append(names.index(new))
        table.append(row)
    return table, names
