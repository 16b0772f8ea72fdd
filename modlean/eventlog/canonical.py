"""The raw table of a source, its columns mapped, made into the canonical event log.

:func:`canonicalise` is the last step of :func:`~modlean.eventlog.read.read_log`
and of an events-shaped import: ids as text, times to UTC, lifecycle pairs
joined, starts checked against ends, rows ordered by case and time, and text
columns in the canonical dtypes (:func:`finish_log`).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.categorical import (
    TEXT,
    as_category,
    is_categorical,
    is_text,
    plain_text,
    text_codes,
)
from modlean.eventlog.columns import CANONICAL_COLUMNS
from modlean.eventlog.lifecycle import pair_lifecycle
from modlean.eventlog.readers import RawLog
from modlean.eventlog.sorting import in_order, lex_order, sorted_rank
from modlean.eventlog.timestamps import UTC_DTYPE, micros_of
from modlean.eventlog.values import as_text, first_rows, parse_times, strings

__all__ = ["IDS", "canonicalise", "finish_log", "with_market"]

#: The log's id columns: plain text (mostly distinct values), never categoricals.
IDS = ("case_id", "task_id")


def canonicalise(raw: RawLog, columns: dict[str, str], *, tz: str | tzinfo, tz_stated: bool,
                 dayfirst: bool | None, tie_rank: np.ndarray | None = None,
                 pair_by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The canonical log of ``raw`` whose columns ``columns`` maps (canonical name -> column).

    Events of a case at the same time keep the file's order, or the order of
    ``tie_rank`` (one integer per row: a status's place in the order a profile
    declares). Lifecycle starts and completes are paired per case and activity,
    and per the columns ``pair_by`` (``resource``).
    """
    src = raw.frame
    notes = raw.notes
    data: dict[str, Any] = {}
    ids = src[columns["case_id"]]
    cases = text_codes(ids) if is_text(ids) else ids
    data["case_id"] = as_text(cases, raw, columns["case_id"], "case_id", codes=True)
    # plain text ids that stripping left as they were: the source column is the result
    same_ids = data["case_id"] is cases and not is_categorical(ids)
    data["activity"] = as_text(src[columns["activity"]], raw, columns["activity"], "activity",
                               codes=True)
    data["timestamp"] = parse_times(src[columns["timestamp"]], raw, columns["timestamp"],
                                     tz=tz, tz_stated=tz_stated, dayfirst=dayfirst,
                                     allow_empty=False, notes=notes)
    if "start_timestamp" in columns:
        data["start_timestamp"] = parse_times(
            src[columns["start_timestamp"]], raw, columns["start_timestamp"], tz=tz,
            tz_stated=tz_stated, dayfirst=dayfirst, allow_empty=True, notes=notes)
    if "resource" in columns:
        data["resource"] = strings(_codes(src[columns["resource"]]))
    if "lifecycle" in columns:
        data["lifecycle"] = src[columns["lifecycle"]]
    used = set(columns.values())
    for col in src.columns:
        if col in used:
            continue
        name = str(col)
        if name.startswith("case:") and name[5:] and name[5:] not in src.columns \
                and name[5:] not in data:
            name = name[5:]
        if name in data:
            raise LogError("an attribute column has the name of a canonical column",
                           source=raw.name, column=str(col),
                           hint=f"Rename it, or map it with mapping={{{name!r}: {str(col)!r}}}")
        data[name] = _codes(src[col])
    if "lifecycle" in data:  # pairing drops rows: each keeps its source row for messages
        data["_row"] = np.arange(len(src), dtype=np.int64)
    if tie_rank is not None:
        data["_tie"] = tie_rank
    frame = pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
                          for k, v in data.items()}, copy=False)
    for col in ("timestamp", "start_timestamp"):
        if col in frame and frame[col].dtype != UTC_DTYPE:
            frame[col] = frame[col].astype(UTC_DTYPE)

    if "lifecycle" in frame:
        kinds = frame["lifecycle"].astype("string").str.strip().str.lower()
        if kinds.isin(["complete"]).all():
            frame = frame.drop(columns="lifecycle")
        else:
            frame = pair_lifecycle(frame, raw, columns["lifecycle"], notes,
                                   by=tuple(k for k in pair_by if k in frame))
            same_ids = False
            if frame.empty:
                raise LogError("the log has no completed events", source=raw.name,
                               column=columns["lifecycle"],
                               expected="events with lifecycle 'complete'")

    if "start_timestamp" in frame:
        late = (frame["start_timestamp"] > frame["timestamp"]).to_numpy()
        if late.any():
            positions = (frame["_row"].to_numpy()[late] if "_row" in frame
                         else np.flatnonzero(late))
            row, line = raw.locate(int(positions[0]))
            first = frame.loc[late].iloc[0]
            raise LogError(
                f"the start is after the end in rows {first_rows(raw, positions)}",
                source=raw.name, row=row, line=line,
                column=columns.get("start_timestamp", columns["timestamp"]),
                found=f"start {first['start_timestamp']} > end {first['timestamp']}",
                expected="start_timestamp at or before timestamp",
            )

    # by case, then time, (then the declared rank,) then row: integer keys (a stable sort
    # keeps the row order); rows already in that order are neither sorted nor copied
    keys = sorted_rank(frame["case_id"]), micros_of(frame["timestamp"])
    if "_tie" in frame:
        keys = (*keys, frame["_tie"].to_numpy(np.int64))
    if not in_order(*keys):
        frame = frame.take(lex_order(*keys)).reset_index(drop=True)
    elif same_ids:  # no row moved or dropped
        frame["case_id"] = ids.reset_index(drop=True).astype(TEXT)
    frame = finish_log(frame.drop(columns=[c for c in ("_row", "_tie") if c in frame]))
    frame.attrs["modlean"] = {"source": raw.name, "notes": list(notes)}
    return frame


def _codes(values: pd.Series) -> pd.Series:
    """A text column as a categorical (codes move through the sort, not strings)."""
    return text_codes(values) if is_text(values) else values


def finish_log(log: pd.DataFrame) -> pd.DataFrame:
    """The log in the canonical dtypes and column order (docs/event-log.md, "Dtypes").

    The ids (``case_id``, ``task_id``) are plain text; ``activity``,
    ``resource`` and every other text column are categoricals of their used
    values, sorted (:func:`~modlean.eventlog.categorical.as_category`), as the
    simulator writes them; times and numbers stay as they are.
    """
    data = {}
    for col in log.columns:
        values = log[col]
        if col in IDS:
            values = plain_text(values) if is_categorical(values) else values.astype(str)
        elif col in ("activity", "resource") or is_text(values):
            values = as_category(values)
        data[col] = values
    out = pd.DataFrame(data, index=log.index).__finalize__(log)
    ordered = [c for c in CANONICAL_COLUMNS if c in out]
    return out[ordered + [c for c in out.columns if c not in ordered]]


def with_market(log: pd.DataFrame, market: str) -> pd.DataFrame:
    """The log with a ``market`` column: ``market`` on every event when the log has none
    (an export of one market rarely says which); a log that has one is returned as is."""
    if "market" in log.columns or not market:
        return log
    return log.assign(market=pd.Categorical([market] * len(log), categories=[market]))
