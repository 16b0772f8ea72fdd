"""The rules a profile guess applies: column-name patterns, verdict words, stages
suggested from vendor queue names, and the two time checks (order, overlap).

Kept apart from :mod:`~modlean.eventlog.guess` so the vocabulary can grow
without touching the guessing logic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from modlean.eventlog.columns import CANONICAL_COLUMNS, norm_name

__all__ = [
    "NAME_PATTERNS",
    "STAGE_RULES",
    "VERDICT_WORDS",
    "attribute_name",
    "matches",
    "order_share",
    "overlap_share",
    "stage_of",
    "value_map",
]

#: Column-name patterns by role, matched on the normalised name (lower case, "_").
NAME_PATTERNS: dict[str, str] = {
    "id": r"(^|_)(id|key|no|nr|number|ref)$|ticket|task|case",
    "activity": r"activit|step|event|status|action|stage",
    "created": r"creat|open|receiv|submit|arriv|enqueu|queued|ingest",
    "started": r"pick|assign|start|claim|accept|begin",
    "closed": r"clos|resolv|done|complet|finish|(^|_)end|decid|decision_(time|at)",
    "queue": r"queue|stage|skill|team|workflow|line|bucket|lane|step",
    "resource": r"agent|reviewer|user|resource|operator|assignee|handled_by|moderator|worker"
                r"|analyst|owner|performer",
    "verdict": r"verdict|decision|outcome|result|action|resolution|disposition",
    "label": r"reason|label|violation|policy",
    "score": r"score|prob|confidence|likelihood",
    "qa": r"^(qa|qc|audit)(_|$)|_(qa|qc|audit)(_|$)",
    "qa_reason": r"reason|cause|error|comment|categor",
    "qa_reviewer": r"agent|reviewer|auditor|checker|user|(^|_)by$|analyst",
}

#: Canonical values and the words that mean them (lower case), per kind of verdict.
VERDICT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "decision": {
        "approve": ("approve", "approved", "accept", "accepted", "allow", "allowed", "keep",
                    "publish", "published"),
        "reject": ("reject", "rejected", "deny", "denied", "decline", "declined", "remove",
                   "removed", "block", "blocked", "takedown"),
        "escalate": ("escalate", "escalated", "escalation", "refer", "referred"),
    },
    "qa": {
        "pass": ("pass", "passed", "ok", "correct", "agree", "agreed"),
        "fail": ("fail", "failed", "nok", "not_ok", "incorrect", "disagree", "error"),
    },
}


def _token(words: str) -> str:
    return rf"(?<![A-Z0-9])(?:{words})(?![A-Z0-9])"


#: (pattern on the upper-case queue value, stage, pool), first match wins.
STAGE_RULES: tuple[tuple[str, str, str], ...] = (
    (_token(r"AUTO|MODEL|ML|BOT|MACHINE|CLASSIFIER"), "auto_screen", "model"),
    (r"APPEAL", "appeal_review", "appeals"),
    (_token(r"IPR?|LEGAL|COPYRIGHT|TRADEMARK|BRAND"), "review_ipr", "ipr"),
    (_token(r"KYB|KYC|ONBOARDING"), "review_kyb", "kyb"),
    (_token(r"[TL]2|TIER[-_ ]?2|SPECIALISTS?|ESCALATIONS?|EXPERTS?"), "review_l2", "l2_policy"),
    (_token(r"[TL]1|TIER[-_ ]?1|FRONTLINE"), "review_l1", "l1"),
)
_L1_AREAS = ("LISTING", "CONTENT", "SELLER")


def matches(column: str, role: str) -> bool:
    """Whether a column's name fits ``role`` (a key of :data:`NAME_PATTERNS`)."""
    return re.search(NAME_PATTERNS[role], norm_name(column)) is not None


def stage_of(queue: str) -> tuple[str | None, str | None]:
    """The stage and pool a vendor queue name suggests, or ``(None, None)``."""
    upper = queue.upper()
    for pattern, stage, pool in STAGE_RULES:
        if re.search(pattern, upper):
            if pool == "l1":
                area = next((a for a in _L1_AREAS if a in upper), None)
                pool = f"l1_{area.lower()}" if area else pool
            return stage, pool
    return None, None


def value_map(top: Mapping[str, int], kind: str) -> tuple[dict[str, str], int]:
    """Each value -> its canonical verdict (``kind`` "decision" or "qa"), and how many
    values are no known word (those map to their own name in snake case)."""
    words = {w: canon for canon, ws in VERDICT_WORDS[kind].items() for w in ws}
    out: dict[str, str] = {}
    unknown = 0
    for value in top:
        key = norm_name(value)
        if key in words:
            out[value] = words[key]
        else:
            out[value] = key
            unknown += 1
    return out, unknown


#: Column names read as a known attribute.
_ATTRIBUTES = {
    "item_type": r"^(item_)?(category|type)$|^content_type$|^item_kind$",
    "market": r"^(market|country|site|marketplace)(_code)?$",
}
_RESERVED = {*CANONICAL_COLUMNS, "decision", "label", "model_score", "task_id", "queue", "pool",
             "lifecycle", "qa_result", "qa_decision", "qa_reason"}


def attribute_name(column: str, taken: Mapping[str, object]) -> str:
    """The canonical attribute name for a kept column (``category`` -> ``item_type``)."""
    key = norm_name(column)
    for name, pattern in _ATTRIBUTES.items():
        if re.search(pattern, key) and name not in taken:
            return name
    key = re.sub(r"\W+", "_", key).strip("_") or "column"
    return f"source_{key}" if key in _RESERVED or key in taken else key


def order_share(times: pd.DataFrame) -> float:
    """Share of the rows with every time filled where each column is at or before the next."""
    full = times.dropna()
    if full.empty:
        return 1.0
    values = full.to_numpy(dtype="datetime64[us]")
    return float((np.diff(values, axis=1) >= np.timedelta64(0, "us")).all(axis=1).mean())


def overlap_share(resource: pd.Series, started: pd.Series, closed: pd.Series) -> float:
    """Share of tasks started before the same resource closed its previous task.

    An agent who works one task at a time never does that; a large share means
    the "started" column records the assignment, not the start of work.
    """
    frame = pd.DataFrame({"who": resource, "start": started, "end": closed}).dropna()
    if frame.empty:
        return 0.0
    frame = frame.sort_values(["who", "start"], kind="stable")
    previous_end = frame.groupby("who", sort=False)["end"].shift()
    has_previous = previous_end.notna()
    if not has_previous.any():
        return 0.0
    return float((frame["start"][has_previous] < previous_end[has_previous]).mean())
