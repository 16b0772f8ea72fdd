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

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.canonical import canonicalise
from modlean.eventlog.columns import (
    CANONICAL_COLUMNS,
    NOT_PEOPLE,
    resolve_columns,
    select_columns,
)
from modlean.eventlog.intake import import_export
from modlean.eventlog.profile import Profile
from modlean.eventlog.readers import TextLocale, Wanted, read_raw, safe_url
from modlean.eventlog.values import DEFAULT_TZ, check_tz, tz_stated

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
    decimal: str = ".",
    thousands: str | None = None,
    profile: str | Path | Mapping[str, Any] | Profile | None = None,
    columns: Iterable[str] | None = None,
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
    decimal, thousands:
        The marks of number columns in text files: ``decimal=","`` reads ``0,87``
        as 0.87; with ``thousands="."`` ``1.234,5`` is 1234.5.
    profile:
        A source profile (a YAML file, a mapping or a loaded profile) saying how a
        vendor export becomes the log: its shape (one row per task or per
        event), links, vocabulary, locale and QA columns (docs/intake.md). The
        log of :func:`~modlean.eventlog.intake.import_export` is returned and the
        mapping report's warnings are issued as :class:`LogWarning`. The reading
        options above come from the profile then and may not be passed too.
    columns:
        Only these columns besides the case id, activity and time (and a
        lifecycle column, which decides which rows are events): canonical names
        (``"resource"``, ``"start_timestamp"``) or column names, e.g.
        ``columns=[]`` for the mining keys alone or ``columns=["resource",
        "market"]``. A Parquet file or a DataFrame is then read only in those
        columns, which saves time and memory on a large log; other sources are
        read whole and the rest dropped. Default: every column.

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
    if profile is not None:
        given = [k for k, v in {"mapping": mapping, "tz": tz_stated(tz) or None,
                                "columns": columns,
                                "encoding": encoding, "sep": sep, "dayfirst": dayfirst,
                                "decimal": decimal != "." or None,
                                "thousands": thousands}.items() if v is not None]
        if given:
            raise LogError("pass reading options in the profile, not with profile=",
                           source=name_of(source), found=", ".join(given),
                           expected="the profile's locale:, case: and event: keys")
        result = import_export(source, profile, sheet=sheet, query=query)
        result.report.issue_warnings(stacklevel=3)
        return result.log
    stated = tz_stated(tz)
    tz = check_tz(tz)
    name = name_of(source)

    def key_columns(header: list[str]) -> list[str]:
        found = resolve_columns(header, mapping, name)
        return [found[c] for c in ("case_id", "activity", "resource", "lifecycle",
                                   "timestamp", "start_timestamp") if c in found]

    def wanted(header: list[str]) -> Wanted:
        found = resolve_columns(header, mapping, name)
        keep = None if columns is None else select_columns(header, found, columns, name)
        return Wanted(keep, (found["case_id"],))

    raw = read_raw(source, sheet=sheet, query=query, encoding=encoding, sep=sep,
                   key_columns=key_columns, locale=TextLocale(decimal, thousands),
                   wanted=wanted)
    columns = resolve_columns(raw.header, mapping, raw.name)
    if raw.frame.empty:
        raise LogError("the log has no events", source=raw.name,
                       expected="at least one row after the header")
    return canonicalise(raw, columns, tz=tz, tz_stated=stated, dayfirst=dayfirst)


def name_of(source: str | Path | pd.DataFrame) -> str:
    """How a source is named in messages."""
    if isinstance(source, pd.DataFrame):
        return "DataFrame"
    return safe_url(str(source)) if isinstance(source, str) else str(source)


def _people(log: pd.DataFrame) -> int:
    """Distinct resources other than the model, the system and the seller."""
    if "resource" not in log:
        return 0
    names = pd.Series(log["resource"].dropna().unique()).astype(str)
    return int((~names.isin(NOT_PEOPLE)).sum())


def summarize(log: pd.DataFrame) -> dict[str, Any]:
    """A short description of a canonical log: size, time span, activities, attributes.

    Returns a JSON-friendly dict with ``cases``, ``events``, ``activities``
    (name -> event count, most frequent first), ``first_event``, ``last_event``,
    ``days``, ``resources`` (the people: :data:`NOT_PEOPLE` are not counted),
    ``attributes`` (other columns with their number of
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
        "resources": _people(log),
        "attributes": {str(c): int(log[c].nunique()) for c in log.columns if c not in canonical},
        "notes": list(log.attrs.get("modlean", {}).get("notes", [])),
    }
