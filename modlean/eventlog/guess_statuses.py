"""Draft the ``statuses:`` of a status history (one row per status change) from a sample.

:func:`draft_statuses` looks at the values of the activity column: when some of
them are verdict words, the export is a status history, and each status gets
its event (the verdicts complete a ``review`` that a work-started status starts;
created, assigned and appealed statuses are events of their own; an unknown
status is left for the user), written in the order that breaks ties at equal
times, with the ``decision.values`` of the same column (null: no verdict).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modlean.eventlog.guess_rules import appeal_outcome_of, fold, status_of, verdict_of

if TYPE_CHECKING:
    import pandas as pd

    from modlean.eventlog.facts import ColumnFacts

__all__ = ["StatusDraft", "draft_statuses"]

#: The drafted order of statuses (ties at equal times follow it): by the activity or
#: lifecycle a status suggests; an unknown status sits before the verdicts.
_PLACE = {"created": 0, "queued": 1, "assigned": 1, "start": 2, None: 3, "resumed": 3,
          "complete": 4, "appeal_opened": 5, "appeal_outcome": 6}


@dataclass
class StatusDraft:
    """A drafted ``statuses:`` section, its ``decision.values`` and the notes for the user."""

    statuses: dict[str, object]
    verdicts: dict[str, str | None]
    comments: dict[str, str] = field(default_factory=dict)
    pending: dict[str, list[str]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)


def draft_statuses(frame: pd.DataFrame, facts: ColumnFacts, *, case: str,
                   time: str) -> StatusDraft | None:
    """The statuses of the activity column ``facts`` describes, or None when none of its
    values is a verdict word (no status history). ``case`` and ``time`` are the columns
    whose equal pairs are counted as ties."""
    top = facts.top
    verdicts = {v: d for v in top if (d := verdict_of(v)) is not None}
    if not verdicts:
        return None
    drafted: list[tuple[int, str, object, str]] = []
    for value, n in top.items():
        if (outcome := appeal_outcome_of(value)) is not None:
            verdicts[value] = outcome
            drafted.append((_PLACE["appeal_outcome"], value,
                            {"activity": "appeal_review", "lifecycle": "complete"},
                            f"{n:,} rows; CONFIRM: an appeal's outcome ({outcome}: "
                            + ("granted, the rejection overturned)" if outcome == "approve"
                               else "denied, the rejection stands)")))
            continue
        if value in verdicts and fold(value).startswith("auto"):  # the model's verdict
            drafted.append((_PLACE["complete"], value,
                            {"activity": "auto_screen", "lifecycle": "complete"},
                            f"{n:,} rows; CONFIRM: the model's verdict ({verdicts[value]})"))
            continue
        if value in verdicts:
            drafted.append((_PLACE["complete"], value,
                            {"activity": "review", "lifecycle": "complete"},
                            f"{n:,} rows; a verdict ({verdicts[value]}): completes the review"))
            continue
        activity, lifecycle = status_of(value)
        spec: object
        if lifecycle is not None:
            spec = {"activity": activity, "lifecycle": lifecycle}
            why = "CONFIRM: work starts (the next verdict of the case and user ends it)" \
                if lifecycle == "start" else "CONFIRM: work stops without a verdict (a " \
                "pause): the time until work starts again is no handling"
        elif activity is not None:
            spec, why = activity, "CONFIRM: an event of its own, or drop"
        else:
            spec = re.sub(r"\W+", "_", fold(value)).strip("_") or "status"
            why = "TODO: name its activity, or drop"
        drafted.append((_PLACE.get(lifecycle or activity, 3), value, spec, f"{n:,} rows; {why}"))
    drafted.sort(key=lambda d: d[0])
    draft = StatusDraft({value: spec for _, value, spec, _ in drafted},
                        {value: verdicts.get(value) for _, value, _, _ in drafted})
    draft.comments = {f"statuses.{value}": note for _, value, _, note in drafted}
    draft.comments["statuses"] = ("CONFIRM: each status's event; a status's place here breaks "
                                  "ties at equal times")
    draft.comments["decision.values"] = "CONFIRM: the verdict statuses; null: no verdict"
    todo = draft.pending.setdefault("statuses", [])
    if not any(isinstance(s, dict) and s["lifecycle"] == "start"
               for s in draft.statuses.values()):
        todo.append("# TODO: no status says work started: mark it {activity: review, "
                    "lifecycle: start}, or reviews have no handling time")
    if facts.distinct > len(top):
        todo.append(f"# ... {facts.distinct - len(top)} more values: modlean import lists "
                    "the unmapped ones")
    draft.findings.append(f"status history: {facts.name!r} holds {facts.distinct} statuses, "
                          f"{len(verdicts)} of them verdicts ({', '.join(verdicts)})")
    ties = frame.loc[frame.duplicated([case, time], keep=False), case].nunique()
    if ties:
        draft.findings.append(f"{ties:,} cases have statuses at the same time: ordered by "
                              "their place under statuses:, not by the file's rows")
    return draft
