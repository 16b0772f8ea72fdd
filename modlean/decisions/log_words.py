"""The fixed template's simulated log in the real log's words: calibrate's ``log_names``.

The simulator writes modlean's event names (``queued_l1``, ``review_l1`` ...); a log
imported from a vendor export (docs/intake.md) names a task ``queued:<stage>`` when it is
created and ``<stage>`` when it is closed, and a QA check ``qa_review``. So that a
simulated log can be compared with the real one event for event, :func:`template_log_names`
reads from the log which of its events plays each simulated event's part. The rule:

* ``review_l1`` -> the event of the cases' first review by a person, ``review_l2`` -> of
  their second review before any QA or appeal, ``appeal_review`` -> of the appeal's review
  by a person, ``qa_sample`` -> of the QA check, ``auto_screen`` -> the model's event (the
  events whose resource is ``model``); each the most frequent
  (:func:`~modlean.decisions.review_roles.review_roles` says who did what per case);
* ``queued_l1``, ``escalated_l2``, ``appeal_queued`` and ``submitted`` -> ``queued:`` and
  the name found for the review, the escalation's review, the appeal's review and the
  model, when the log holds that event;
* every other simulated event keeps its name when the log has an event of that name, and
  is left out (null) when it has none (``decision_sent``, ``appeal_filed``, the model's
  ``auto_approved`` / ``auto_rejected`` when the log writes ``auto_screen`` only ...).

An item type whose cases use other events (an IPR queue's own review stage) gets its own
entries. A log without the convention (no ``<x>`` beside ``queued:<x>``) gets no renaming.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from modlean.decisions.calibrate_qa import mode_of
from modlean.scenario import SIMULATED_EVENTS

__all__ = ["QUEUED_PREFIX", "describe_log_names", "follows_import_convention",
           "template_log_names"]

#: An import's event for a task created, before its stage's name.
QUEUED_PREFIX = "queued:"
#: Simulated events read from the log per role (the :func:`review_roles` column or
#: ``model``), and the simulated event for the same step's queued event.
_ROLES = {"review_l1": ("first_activity", "queued_l1"),
          "review_l2": ("second_activity", "escalated_l2"),
          "appeal_review": ("appeal_activity", "appeal_queued"),
          "qa_sample": ("qa_activity", None),
          "auto_screen": ("model", "submitted")}

LogNames = dict[str, str | None]


def follows_import_convention(activities: set[str]) -> bool:
    """True when the log names tasks as an import does: some ``<x>`` beside ``queued:<x>``."""
    return any(a.startswith(QUEUED_PREFIX) and a[len(QUEUED_PREFIX):] in activities
               for a in activities)


def _names(found: Mapping[str, str | None], activities: set[str]) -> LogNames:
    """Every simulated event's log name, from the events found per role."""
    out: LogNames = {e: e if e in activities else None for e in SIMULATED_EVENTS}
    for event, (_, queued) in _ROLES.items():
        name = found.get(event)
        if name is None:
            continue
        out[event] = name
        if queued is not None:
            q = QUEUED_PREFIX + name
            out[queued] = q if q in activities else None
    return out


def _found(roles: pd.DataFrame, model: str | None) -> dict[str, str | None]:
    """The log's event per role among ``roles``' cases (None: the role is not seen)."""
    return {event: model if column == "model" else mode_of(roles[column])
            for event, (column, _) in _ROLES.items()}


def template_log_names(events: pd.DataFrame, roles: pd.DataFrame, case_type: pd.Series
                       ) -> tuple[LogNames, dict[str, LogNames]]:
    """The scenario's ``log_names`` and the item types' own (only where they differ), by the
    module's rule; two empty mappings when the log does not follow the import convention.

    ``events`` has ``activity`` and ``resource`` per event, ``roles`` is
    :func:`~modlean.decisions.review_roles.review_roles`, ``case_type`` the item type per
    case. Names equal to modlean's are left out of the mappings (they change nothing).
    """
    activities = set(events["activity"].astype(str).unique())
    if not follows_import_convention(activities):
        return {}, {}
    model = mode_of(events.loc[events["resource"].astype(str).eq("model"), "activity"])
    overall = _names(_found(roles, model), activities)
    by_type: dict[str, LogNames] = {}
    types = case_type.reindex(roles.index).astype(str)
    for t, r in roles.groupby(types, sort=True):
        found = {k: v for k, v in _found(r, model).items() if v is not None}
        own = _names(found, activities)
        keys = {*found, *(_ROLES[e][1] for e in found if _ROLES[e][1] is not None)}
        diff = {k: own[k] for k in SIMULATED_EVENTS if k in keys and own[k] != overall[k]}
        if diff:
            by_type[str(t)] = diff
    return {k: v for k, v in overall.items() if v != k}, by_type


def describe_log_names(overall: Mapping[str, str | None],
                       by_type: Mapping[str, Mapping[str, str | None]]) -> str:
    """The renaming in words: what each event becomes, what is left out, per item type."""
    def words(names: Mapping[str, str | None]) -> str:
        renamed = [f"{k} -> {v}" for k, v in names.items() if v is not None]
        dropped = [k for k, v in names.items() if v is None]
        parts = ([", ".join(renamed)] if renamed else []) + (
            [f"left out (no such event in the log): {', '.join(dropped)}"] if dropped else [])
        return "; ".join(parts)
    text = words(overall)
    for t, names in by_type.items():
        text += f"; for {t}: {words(names)}"
    return text
