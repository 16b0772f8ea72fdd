"""Read event logs from any supported source into the canonical event log.

The canonical event log is one pandas DataFrame with one row per event:

``case_id`` (str)
    the item moving through the process (a listing, a seller application, ...).
``activity`` (str)
    what happened (``review_l1``, ``qa_sample`` ...).
``timestamp`` (``datetime64[us, UTC]``)
    when the event completed.
``start_timestamp`` (``datetime64[us, UTC]``, optional)
    when the activity started, for logs that record it.
``resource`` (str, optional)
    who or what did it (a reviewer id, ``model``).

Every other column is kept as a case or event attribute (``market``,
``item_type``, ``label``, ``decision`` ...). Rows are ordered by case, then
timestamp; events with equal timestamps keep the order of the source rows.

This module is the front: :func:`read_log` reads the source
(:mod:`~modlean.eventlog.readers`), maps its columns
(:mod:`~modlean.eventlog.columns`), parses the values
(:mod:`~modlean.eventlog.values`) and pairs lifecycle events
(:mod:`~modlean.eventlog.lifecycle`); :func:`summarize` describes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.columns import CANONICAL_COLUMNS, resolve_columns
from modlean.eventlog.lifecycle import pair_lifecycle
from modlean.eventlog.readers import RawLog, read_raw, safe_url
from modlean.eventlog.timestamps import UTC_DTYPE
from modlean.eventlog.values import (
    DEFAULT_TZ,
    as_text,
    check_tz,
    first_rows,
    parse_times,
    strings,
    tz_stated,
)

__all__ = ["name_of", "read_log", "summarize"]


def read_log(
    source: str | Path | pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    tz: str | tzinfo = DEFAULT_TZ,
    sheet: str | int | None = None,
    query: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read an event log into the canonical shape.

    Parameters
    ----------
    source:
        A file (``.csv``, ``.csv.gz``, ``.tsv``, ``.parquet``, ``.xlsx``, ``.xes``,
        ``.xes.gz``, a SQLite ``.db``/``.sqlite`` file), a SQLAlchemy database URL,
        or a pandas DataFrame (never modified).
    mapping:
        ``{canonical name: column}`` for columns whose names are not recognised,
        e.g. ``{"case_id": "ticket_no", "timestamp": "closed_at"}``. pm4py/XES
        names (``case:concept:name``, ``concept:name``, ``time:timestamp``,
        ``org:resource``, ``lifecycle:transition``) and common aliases are
        recognised without it.
    tz:
        The time zone of times written without an offset. Times with an offset
        (``+07:00``, ``Z``) are converted to UTC whatever this says. When left at
        the default, naive times are read as UTC with a :class:`LogWarning`, and a
        column mixing naive and offset times is refused.
    sheet:
        The worksheet of an ``.xlsx`` file (name or 0-based index; default first).
    query:
        For SQL sources: a ``SELECT`` statement or a table name.
    encoding, sep:
        For text files; sniffed when not given (UTF-8, and the most common of
        ``, ; tab |`` in the header).
    dayfirst:
        For non-ISO dates such as ``03/04/2025``: ``True`` means 3 April is
        written 03/04. Needed only when no value in the column decides it.

    Returns
    -------
    pandas.DataFrame
        The canonical log. ``log.attrs["modlean"]`` holds the source name and
        notes on anything assumed while reading.

    Raises
    ------
    LogError
        For any input that cannot be read as a valid log; the message names the
        file, row, line, column, the value found and what was expected.
    """
    stated = tz_stated(tz)
    tz = check_tz(tz)
    name = name_of(source)

    def key_columns(header: list[str]) -> list[str]:
        found = resolve_columns(header, mapping, name)
        return [found[c] for c in ("case_id", "activity", "resource", "lifecycle",
                                   "timestamp", "start_timestamp") if c in found]

    raw = read_raw(source, sheet=sheet, query=query, encoding=encoding, sep=sep,
                    key_columns=key_columns)
    columns = resolve_columns(raw.header, mapping, raw.name)
    if raw.frame.empty:
        raise LogError("the log has no events", source=raw.name,
                       expected="at least one row after the header")
    return _canonicalise(raw, columns, tz=tz, tz_stated=stated, dayfirst=dayfirst)


def name_of(source: str | Path | pd.DataFrame) -> str:
    """How a source is named in messages."""
    if isinstance(source, pd.DataFrame):
        return "DataFrame"
    return safe_url(str(source)) if isinstance(source, str) else str(source)


def _canonicalise(raw: RawLog, columns: dict[str, str], *, tz: str | tzinfo, tz_stated: bool,
                  dayfirst: bool | None) -> pd.DataFrame:
    src = raw.frame
    notes = raw.notes
    data: dict[str, Any] = {}
    data["case_id"] = as_text(src[columns["case_id"]], raw, columns["case_id"], "case_id")
    data["activity"] = as_text(src[columns["activity"]], raw, columns["activity"], "activity")
    data["timestamp"] = parse_times(src[columns["timestamp"]], raw, columns["timestamp"],
                                     tz=tz, tz_stated=tz_stated, dayfirst=dayfirst,
                                     allow_empty=False, notes=notes)
    if "start_timestamp" in columns:
        data["start_timestamp"] = parse_times(
            src[columns["start_timestamp"]], raw, columns["start_timestamp"], tz=tz,
            tz_stated=tz_stated, dayfirst=dayfirst, allow_empty=True, notes=notes)
    if "resource" in columns:
        res = strings(src[columns["resource"]])
        data["resource"] = res.astype(object).where(res.notna(), None)
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
        data[name] = src[col]
    data["_row"] = np.arange(len(src), dtype=np.int64)
    frame = pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
                          for k, v in data.items()})
    for col in ("timestamp", "start_timestamp"):
        if col in frame:
            frame[col] = frame[col].astype(UTC_DTYPE)

    if "lifecycle" in frame:
        kinds = frame["lifecycle"].astype("string").str.strip().str.lower()
        if kinds.isin(["complete"]).all():
            frame = frame.drop(columns="lifecycle")
        else:
            frame = pair_lifecycle(frame, raw, columns["lifecycle"], notes)
            if frame.empty:
                raise LogError("the log has no completed events", source=raw.name,
                               column=columns["lifecycle"],
                               expected="events with lifecycle 'complete'")

    if "start_timestamp" in frame:
        late = (frame["start_timestamp"] > frame["timestamp"]).to_numpy()
        if late.any():
            positions = frame["_row"].to_numpy()[late]
            row, line = raw.locate(int(positions[0]))
            first = frame.loc[late].iloc[0]
            raise LogError(
                f"the start is after the end in rows {first_rows(raw, positions)}",
                source=raw.name, row=row, line=line,
                column=columns.get("start_timestamp", columns["timestamp"]),
                found=f"start {first['start_timestamp']} > end {first['timestamp']}",
                expected="start_timestamp at or before timestamp",
            )

    frame = frame.sort_values(["case_id", "timestamp", "_row"], kind="stable",
                              ignore_index=True).drop(columns="_row")
    ordered = [c for c in CANONICAL_COLUMNS if c in frame]
    frame = frame[ordered + [c for c in frame.columns if c not in ordered]]
    frame.attrs["modlean"] = {"source": raw.name, "notes": list(notes)}
    return frame


def summarize(log: pd.DataFrame) -> dict[str, Any]:
    """A short description of a canonical log: size, time span, activities, attributes.

    Returns a JSON-friendly dict with ``cases``, ``events``, ``activities``
    (name -> event count, most frequent first), ``first_event``, ``last_event``,
    ``days``, ``resources``, ``attributes`` (other columns with their number of
    distinct values) and ``notes`` from reading.
    """
    counts = log["activity"].value_counts(sort=False)
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    first, last = log["timestamp"].min(), log["timestamp"].max()
    canonical = set(CANONICAL_COLUMNS)
    return {
        "source": log.attrs.get("modlean", {}).get("source"),
        "cases": int(log["case_id"].nunique()),
        "events": len(log),
        "activities": {str(k): int(v) for k, v in counts.items()},
        "first_event": first.isoformat(),
        "last_event": last.isoformat(),
        "days": round((last - first).total_seconds() / 86400, 2),
        "has_start_timestamps": "start_timestamp" in log,
        "resources": int(log["resource"].nunique()) if "resource" in log else 0,
        "attributes": {str(c): int(log[c].nunique()) for c in log.columns if c not in canonical},
        "notes": list(log.attrs.get("modlean", {}).get("notes", [])),
    }
