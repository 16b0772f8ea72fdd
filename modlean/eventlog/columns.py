"""The canonical columns and how a source's columns are mapped onto them.

Canonical names, the names other tools (pm4py/XES, exports) give them, and the
mapping of a header to canonical names, with a "did you mean" hint when a
required column is missing; :func:`select_columns` picks the columns a caller
of ``read_log(columns=...)`` wants.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from modlean._util import suggest
from modlean.errors import LogError

__all__ = [
    "ALIASES",
    "CANONICAL_COLUMNS",
    "DESCRIPTIONS",
    "NOT_PEOPLE",
    "REQUIRED_COLUMNS",
    "norm_name",
    "resolve_columns",
    "select_columns",
]

REQUIRED_COLUMNS = ("case_id", "activity", "timestamp")
CANONICAL_COLUMNS = ("case_id", "activity", "timestamp", "start_timestamp", "resource")
#: Resources that are no reviewer: the seller, the model and the system (modlean's names,
#: in the simulator's code order; an import logs an automated queue's login as ``model``).
NOT_PEOPLE = ("seller", "model", "system")


#: Names other tools give the canonical columns, most specific first. Names are
#: compared after lower-casing and turning spaces, dots and hyphens into "_".
ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": (
        "case_id", "case:concept:name", "case", "caseid", "case_key", "case_number",
        "ticket_id", "item_id", "trace_id",
    ),
    "activity": (
        "activity", "concept:name", "activity_name", "event", "event_name", "action",
        "step", "task",
    ),
    "timestamp": (
        "timestamp", "time:timestamp", "complete_timestamp", "end_timestamp", "completed_at",
        "end_time", "event_time", "datetime", "time",
    ),
    "start_timestamp": ("start_timestamp", "start_time", "started_at", "start"),
    "resource": ("resource", "org:resource", "user", "agent", "reviewer", "operator", "performer"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "lifecycle_transition", "transition"),
}
#: How each required column is named in messages.
DESCRIPTIONS: dict[str, str] = {
    "case_id": "the case id (the item: listing, seller, ticket)",
    "activity": "the activity name",
    "timestamp": "the event time",
}


def norm_name(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", str(name).strip().lower())


def resolve_columns(header: list[str], mapping: Mapping[str, str] | None, name: str
                     ) -> dict[str, str]:
    """Map canonical names (and ``lifecycle``) to source column names."""
    targets = {*CANONICAL_COLUMNS, "lifecycle"}
    chosen: dict[str, str] = {}
    for key, value in (mapping or {}).items():
        if key in targets and value in header:
            chosen[key] = value
        elif value in targets and key in header:
            chosen[value] = key
        else:
            bad = value if key in targets else key
            raise LogError(
                "mapping names a column that is not in the log", source=name,
                found=f"{key!r}: {value!r}",
                expected=f"{{canonical name: column}} with a canonical name among "
                f"{', '.join(sorted(targets))} and a column among {', '.join(header)}",
                hint=_close_hint(bad, header),
            )
    by_norm: dict[str, list[str]] = {}
    for col in header:
        by_norm.setdefault(norm_name(col), []).append(col)
    taken = set(chosen.values())
    for canon, aliases in ALIASES.items():
        if canon in chosen:
            continue
        # the canonical name and pm4py/XES names win; other aliases must be unique
        exact = [a for a in aliases if a == canon or ":" in a]
        loose = [a for a in aliases if a not in exact]
        for group in [[a] for a in exact] + [loose]:
            hits = [c for a in group for c in by_norm.get(norm_name(a), []) if c not in taken]
            if len(hits) > 1:
                raise LogError(
                    f"several columns could be {canon}", source=name, found=", ".join(hits),
                    hint=f"Say which with mapping={{{canon!r}: '<column>'}}",
                )
            if hits:
                chosen[canon] = hits[0]
                taken.add(hits[0])
                break
    missing = [c for c in REQUIRED_COLUMNS if c not in chosen]
    if missing:
        canon = missing[0]
        raise LogError(
            f"no column for {DESCRIPTIONS[canon]}", source=name, column=canon,
            found="columns " + ", ".join(map(repr, header)),
            expected=f"a column named {canon!r} or one of "
            + ", ".join(repr(a) for a in ALIASES[canon][1:5]),
            hint=_close_hint(canon, [h for h in header if h not in taken], canon),
        )
    return chosen


def select_columns(header: list[str], found: Mapping[str, str], wanted: Iterable[str],
                   name: str) -> list[str]:
    """The source columns to read when the caller wants only ``wanted`` besides the keys.

    The case id, activity and time columns (and a lifecycle column, which decides
    which rows are events) are always read. ``wanted`` names the others, by
    canonical name (``resource``, ``start_timestamp``) or by column name (an
    attribute's ``case:`` prefix may be left out). A name that is neither is a
    LogError with the closest column.
    """
    if isinstance(wanted, str):
        raise LogError("columns= must be a list of names, not one string", source=name,
                       found=repr(wanted), expected=f"a list such as [{wanted!r}]")
    keys = [found[c] for c in (*REQUIRED_COLUMNS, "lifecycle") if c in found]
    chosen = list(keys)
    for want in wanted:
        want = str(want)
        hit = found.get(want) or next((h for h in (want, f"case:{want}") if h in header), None)
        if hit is None:
            options = [*header, *(c for c in CANONICAL_COLUMNS if c in found)]
            close = suggest(want, options)
            raise LogError(
                "columns= names a column that is not in the log", source=name, found=want,
                expected="a canonical name (resource, start_timestamp) or a column among "
                + ", ".join(header), hint="D" + close[3:] if close else None)
        if hit not in chosen:
            chosen.append(hit)
    return [h for h in header if h in chosen]


def _close_hint(wanted: str, header: list[str], canon: str | None = None) -> str:
    pool = {norm_name(h): h for h in header}
    names = [wanted, *(ALIASES.get(canon, ()) if canon else ())]
    close: list[str] = []
    for n in names:
        for hit in difflib.get_close_matches(norm_name(n), list(pool), n=3, cutoff=0.6):
            if pool[hit] not in close:
                close.append(pool[hit])
    target = canon or "<canonical name>"
    if close:
        return f"Did you mean {close[0]!r}? If so, pass mapping={{{target!r}: {close[0]!r}}}"
    return f"Name it with mapping={{{target!r}: '<column>'}}"
