"""A status history (one row per status change) made into events: the profile's ``statuses:``.

A review tool's audit log writes a row each time a ticket's status changes
(created, assigned, work started, accepted, rejected, escalated, appealed).
:func:`map_statuses` reads the status column through the profile's
``statuses:`` map: each status becomes an event of its activity, the ``start``
or ``complete`` of a piece of work (paired downstream by
:func:`~modlean.eventlog.lifecycle.pair_lifecycle` into one event with a
``start_timestamp``), or is dropped. :func:`declared_rank` gives every row the
place of its status in the order the profile declares (``statuses:``, else
``decision.values``), which breaks ties between events at the same time in a
case. :func:`describe_statuses` writes what became of each status, and how many
starts and completes were paired, into the mapping report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modlean.eventlog.profile import DROP
from modlean.eventlog.vocabulary import map_values

if TYPE_CHECKING:
    from modlean.eventlog.profile import Profile
    from modlean.eventlog.report import MappingReport

__all__ = ["UNPAIRED_SHARE", "StatusEvents", "declared_rank", "describe_statuses",
           "map_statuses"]

#: Share of starts left without a complete (or of completes without a start) above which
#: the report warns that the start and complete statuses may be wrong.
UNPAIRED_SHARE = 0.10
_START, _COMPLETE, _EVENT = "start", "complete", "event"


@dataclass
class StatusEvents:
    """The status column read through ``statuses:``: per row its activity, its lifecycle
    (``start`` or ``complete``; an event on its own is a ``complete`` with no start), and
    whether it is kept; with the status and kind of each row for the report."""

    activity: pd.Series
    lifecycle: pd.Series
    keep: np.ndarray
    status: pd.Series
    kind: pd.Series
    #: activities that have a start status: their events are paired
    paired_activities: frozenset[str]


def map_statuses(values: pd.Series, prof: Profile, *, source: str,
                 column: str) -> StatusEvents:
    """The status column ``values`` mapped through ``prof.statuses`` (case-insensitive).

    A status of an activity that has a start status completes it, even when its
    entry names no lifecycle (a second verdict status, say).

    Raises
    ------
    LogError
        ``[unmapped_status]``: statuses the map does not name, with their counts.
    """
    specs = prof.statuses
    paired = frozenset(s.activity for s in specs.values()
                       if s is not None and s.lifecycle == _START)
    kinds = {k: (DROP if s is None else s.lifecycle or (
        _COMPLETE if s.activity in paired else _EVENT)) for k, s in specs.items()}
    kind = map_values(values, kinds, source=source, column=column, key_path="statuses",
                      code="unmapped_status")
    activity = map_values(values, {k: None if s is None else s.activity
                                   for k, s in specs.items()},
                          source=source, column=column, key_path="statuses",
                          code="unmapped_status")
    lifecycle = kind.astype(object).where(kind.astype(object) != _EVENT, _COMPLETE)
    status = values.astype("string").str.strip()
    return StatusEvents(activity=activity, lifecycle=lifecycle,
                        keep=(kind.astype(object) != DROP).to_numpy(bool) & kind.notna()
                        .to_numpy(bool), status=status, kind=kind.astype(object),
                        paired_activities=paired)


def declared_rank(frame: pd.DataFrame, prof: Profile, *, activity: str | None,
                  source: str) -> np.ndarray | None:
    """Each row's place in the order the profile declares its statuses: the activity
    column's ``statuses:``, else the ``decision`` column's ``values:`` (None when it
    declares neither). Blank values come last.

    Raises
    ------
    LogError
        For a value the declared map does not name (as the map's own reading does).
    """
    if prof.statuses and activity is not None:
        column, order, key_path, code = activity, list(prof.statuses), "statuses", \
            "unmapped_status"
    elif prof.decision is not None and prof.decision.values:
        column, order, key_path, code = prof.decision.column, list(prof.decision.values), \
            "decision.values", "unknown_verdict"
    else:
        return None
    ranks = map_values(frame[column], {k: str(i) for i, k in enumerate(order)},
                       source=source, column=column, key_path=key_path, code=code)
    return pd.to_numeric(ranks.astype(object), errors="coerce").fillna(len(order)) \
        .to_numpy(np.int64)


def describe_statuses(report: MappingReport, events: StatusEvents, rows: np.ndarray,
                      log: pd.DataFrame) -> None:
    """The ``statuses`` section: rows per status and what they became; starts and
    completes paired, starts without a complete, completes without a start (the
    ``unpaired_status`` warning when either share is over :data:`UNPAIRED_SHARE`)."""
    status, kind = events.status[rows], events.kind[rows]
    target = events.activity[rows].astype(object)
    seen = pd.DataFrame({"status": status, "kind": kind, "activity": target}).groupby(
        ["status", "kind"], dropna=False, sort=False)["activity"].agg(
        [lambda a: ", ".join(map(str, pd.unique(a.dropna()))), "size"])
    for (name, what), (activity, n) in seen.sort_values("size", ascending=False).iterrows():
        note = ("dropped" if what == DROP else f"-> {activity}" if what == _EVENT
                else f"-> {activity} ({what})")
        report.add("statuses", str(name), int(n), note)
    starts = int((kind == _START).sum())
    completes = int((kind == _COMPLETE).sum())
    if not events.paired_activities:
        return
    in_pairs = log["activity"].astype(object).isin(events.paired_activities).to_numpy(bool)
    paired = int((in_pairs & log["start_timestamp"].notna().to_numpy(bool)).sum())
    open_starts, bare = starts - paired, completes - paired
    report.add("statuses", "paired", paired, "a start and the next complete of the same "
               "case and resource: one event with start_timestamp")
    report.add("statuses", "starts without a complete", open_starts,
               "left out: work still open when the export was taken, or ended by a status "
               "that is no complete")
    report.add("statuses", "completes without a start", bare,
               "kept without start_timestamp: no handling time (a decision taken at once, "
               "by a model or without a start status)")
    for what, n, of in (("starts have no complete", open_starts, starts),
                        ("completes have no start", bare, completes)):
        if of and n / of > UNPAIRED_SHARE:
            report.warn("unpaired_status", f"{n:,} of {of:,} {what}: check which statuses "
                        "statuses: marks start and complete; handling is measured on the "
                        f"{paired:,} pairs only", n / of)
