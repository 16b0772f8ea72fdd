"""The size guard: a run's items, events and memory estimated before anything is allocated.

A plausible typo (``volume_per_day: 1.0e9`` for 1.0e5) would otherwise make
:func:`~modlean.simulation.run.simulate` try to allocate tens of GiB and end
in ``MemoryError`` or a swapping machine. :func:`check_run_size` estimates the
run from volume x horizon x replications and refuses it past ``max_events``
(default :data:`DEFAULT_MAX_EVENTS`), naming the estimate and the knob that
raises the limit. The figures per event were measured on the US preset
(docs/scenario.md, "Size guard"); a workflow adds the events of its expected
visits beyond the one review every item is counted with
(:func:`~modlean.scenario.workflow_flow`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from modlean.errors import ParameterError
from modlean.scenario import ItemType, Scenario, workflow_flow

__all__ = ["DEFAULT_MAX_EVENTS", "EVENTS_PER_ITEM", "RunSize", "check_run_size",
           "estimate_run_size"]

#: Events held in memory at once past which a run is refused unless the limit is raised:
#: about 10 GB with the event log kept, a third of a 32 GB laptop's memory or less.
DEFAULT_MAX_EVENTS = 100_000_000
#: Events per item in a simulated log (arrival, screening, review start/end, decision,
#: QA and appeals for some): 4.3 measured on the US preset, rounded up.
EVENTS_PER_ITEM = 4.5
#: Peak bytes per event with the event log and item table kept (86 measured), and
#: without them (KPIs only; 43 measured), rounded up.
BYTES_PER_EVENT_LOG = 100
BYTES_PER_EVENT_KPIS = 50


@dataclass(frozen=True)
class RunSize:
    """A run's estimated size: items per replication, events held at once, bytes."""

    items: float
    events: float
    bytes: float

    def describe(self) -> str:
        """``about 3,273,200 items a replication, 14,729,400 events held at once, 1.4 GiB ...``."""
        memory = (f"{self.bytes / 2**30:,.1f} GiB" if self.bytes >= 2**30
                  else f"{self.bytes / 2**20:,.0f} MiB")
        return (f"about {self.items:,.0f} items a replication, {self.events:,.0f} events "
                f"held at once, {memory} of memory")


def _items_of(s: Scenario, item: ItemType) -> float:
    """Expected arrivals of one type over the horizon (weekly profile and surges included)
    + its backlog."""
    horizon_end = s.start + dt.timedelta(days=s.horizon_days)
    per_day = item.volume_per_day * sum(item.weekly_profile) / 7.0
    extra_days = 0.0
    for surge in item.surges:
        first, last = max(surge.start, s.start), min(surge.end, horizon_end)
        days = (last - first).days + 1
        if days > 0:
            extra_days += (surge.multiplier - 1.0) * days
    return per_day * (s.horizon_days + extra_days) + item.initial_backlog.count


def _items_per_replication(s: Scenario) -> float:
    """Expected arrivals over the horizon, every item type, + backlog."""
    return sum(_items_of(s, item) for item in s.item_types.values())


def _workflow_events(s: Scenario) -> float:
    """Events a replication's workflows add beyond :data:`EVENTS_PER_ITEM` (which counts
    one queued and one review event per item): two per expected review look, one per
    wait, for the items sent to people."""
    extra = 0.0
    for name, wf in s.workflows.items():
        item = s.item_types[name]
        visits = workflow_flow(s, name).visits
        per_item = sum(v * (1 if wf.steps[step].kind == "wait" else 2)
                       for step, v in visits.items())
        human = item.model.rates(item.prevalence)["human_share"] if item.model.enabled \
            else 1.0
        extra += max(0.0, per_item - 2.0) * human * _items_of(s, item)
    return extra


def estimate_run_size(s: Scenario, replications: int = 1, *, event_log: bool = True
                      ) -> RunSize:
    """The items, events and memory a run of ``s`` holds at once.

    With the event log (or item table) kept, every replication's events stay in
    memory; without them (KPIs only) one replication's do.
    """
    items = _items_per_replication(s)
    per_replication = items * EVENTS_PER_ITEM + _workflow_events(s)
    events = per_replication * (replications if event_log else 1)
    per_event = BYTES_PER_EVENT_LOG if event_log else BYTES_PER_EVENT_KPIS
    return RunSize(items=items, events=events, bytes=events * per_event)


def check_run_size(s: Scenario, replications: int = 1, *, event_log: bool = True,
                   max_events: float | None = None) -> RunSize:
    """The run's :class:`RunSize`; a :class:`~modlean.errors.ParameterError` past the limit.

    Parameters
    ----------
    max_events:
        The limit on events held at once (default :data:`DEFAULT_MAX_EVENTS`).
    """
    limit = DEFAULT_MAX_EVENTS if max_events is None else max_events
    size = estimate_run_size(s, replications, event_log=event_log)
    if size.events > limit:
        raise ParameterError(
            f"scenario {s.name!r}: the run is too large: {size.describe()} (volume_per_day x "
            f"horizon_days {s.horizon_days:g} x {EVENTS_PER_ITEM} events per item"
            + (f" x {replications} replications" if event_log and replications > 1 else "")
            + f"); the limit is {limit:,.0f} events. Check volume_per_day and horizon_days "
            "for a typo; if the size is meant, raise the limit with --max-events "
            f"{_round_up(size.events)} (simulate(..., max_events=...))"
            + (", or run fewer replications or without the event log (--no-log)"
               if event_log else ""))
    return size


def _round_up(events: float) -> str:
    """A limit just above ``events``, in a form a user types: ``2e8``."""
    exponent = len(f"{int(events):d}") - 1
    lead = int(events // 10**exponent) + 1
    return f"{lead}e{exponent}" if lead < 10 else f"1e{exponent + 1}"
