"""Filters of the canonical log: by time window, attribute, variant coverage and case size.

Each returns the kept rows of the source frame (in mining order), never a
modified copy of the caller's DataFrame.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Literal

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import EventArrays, TimeLike, as_micros, completion_span, encode
from modlean.process.discovery import variant_table

__all__ = ["filter_attribute", "filter_case_size", "filter_time", "filter_variants"]


def filter_time(log: pd.DataFrame | EventArrays, start: TimeLike | None = None,
                end: TimeLike | None = None, *,
                how: Literal["contained", "intersecting", "started", "completed",
                             "events"] = "contained") -> pd.DataFrame:
    """Keep the part of the log inside the window ``[start, end)``.

    ``how``: ``"contained"`` whole cases that start and end in the window;
    ``"intersecting"`` whole cases with any time in it; ``"started"`` /
    ``"completed"`` whole cases whose first / last event falls in it;
    ``"events"`` only the events in the window (cases are cut).
    Times need a zone (``"2026-03-02T00:00Z"``); a missing bound is open.
    """
    ev = encode(log)
    lo = as_micros(start, "start") if start is not None else np.iinfo(np.int64).min
    hi = as_micros(end, "end") if end is not None else np.iinfo(np.int64).max
    if how == "events":
        return ev.subset((ev.time >= lo) & (ev.time < hi))
    first_t, last_t = completion_span(ev)
    rules = {
        "contained": (first_t >= lo) & (last_t < hi),
        "intersecting": (first_t < hi) & (last_t >= lo),
        "started": (first_t >= lo) & (first_t < hi),
        "completed": (last_t >= lo) & (last_t < hi),
    }
    if how not in rules:
        raise ParameterError(f"how={how!r}: expected one of events, {', '.join(rules)}")
    return ev.subset(rules[how][ev.case])


def filter_attribute(log: pd.DataFrame | EventArrays, column: str,
                     values: Iterable[Hashable] | Hashable, *,
                     level: Literal["case", "event"] = "case", keep: bool = True) -> pd.DataFrame:
    """Keep (or with ``keep=False`` drop) cases or events by the values of a column.

    With ``level="case"`` a whole case is kept when any of its events has one of
    the values (e.g. ``filter_attribute(log, "market", ["US", "UK"])``); with
    ``level="event"`` only the matching events.
    """
    ev = encode(log)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = [values]
    hit = ev.column(column).isin(list(values)).to_numpy(dtype=bool)
    if level == "case":
        hit = (np.bincount(ev.case, weights=hit, minlength=ev.n_cases) > 0)[ev.case]
    elif level != "event":
        raise ParameterError(f"level={level!r}: expected 'case' or 'event'")
    return ev.subset(hit if keep else ~hit)


def filter_variants(log: pd.DataFrame | EventArrays, coverage: float = 0.8) -> pd.DataFrame:
    """Keep the cases of the most frequent variants that together cover ``coverage`` of cases.

    The smallest top-ranked set of variants whose cumulative share reaches
    ``coverage`` (0 < coverage <= 1) is kept.
    """
    if not 0 < coverage <= 1:
        raise ParameterError(f"coverage={coverage}: expected a share in (0, 1]")
    ev = encode(log)
    table, ids = variant_table(ev)
    reach = table["cumulative_share"].to_numpy() >= coverage - 1e-12
    k = int(np.argmax(reach)) + 1 if reach.any() else len(table)
    return ev.subset((ids <= k)[ev.case])


def filter_case_size(log: pd.DataFrame | EventArrays, min_events: int = 1,
                     max_events: int | None = None) -> pd.DataFrame:
    """Keep cases with between ``min_events`` and ``max_events`` events (inclusive)."""
    ev = encode(log)
    size = ev.last - ev.first + 1
    ok = size >= min_events
    if max_events is not None:
        ok &= size <= max_events
    return ev.subset(ok[ev.case])
