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

Readers for the file kinds live in :data:`READERS`, keyed by file suffix, so a
new kind is a new entry rather than a new branch.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from modlean.errors import LogError

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_TZ",
    "READERS",
    "REQUIRED_COLUMNS",
    "LogWarning",
    "read_log",
    "summarize",
]

REQUIRED_COLUMNS = ("case_id", "activity", "timestamp")
CANONICAL_COLUMNS = ("case_id", "activity", "timestamp", "start_timestamp", "resource")
TIME_DTYPE = "datetime64[us, UTC]"

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
_DESCRIPTIONS = {
    "case_id": "the case id (the item: listing, seller, ticket)",
    "activity": "the activity name",
    "timestamp": "the event time",
}

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"\s*(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)
_AWARE = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
_NUMERIC_DATE = r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
_TIME_EXAMPLE = "an ISO 8601 time such as 2025-03-04T10:15:00Z"


class _DefaultTZ(str):
    """The default ``tz``: UTC, but marked as not stated by the caller."""

    __slots__ = ()


DEFAULT_TZ: str = _DefaultTZ("UTC")


class LogWarning(UserWarning):
    """Something in a log was read on an assumption the user should know about."""


@dataclass
class _Raw:
    """A source read as-is, before mapping to the canonical shape."""

    frame: pd.DataFrame
    name: str
    header: list[str]
    #: 0-based data row -> (1-based row, file line or sheet row or None)
    locate: Callable[[int], tuple[int, int | None]]
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- readers


def _plain_locator(first_line: int | None) -> Callable[[int], tuple[int, int | None]]:
    def locate(i: int) -> tuple[int, int | None]:
        return i + 1, (i + first_line if first_line is not None else None)

    return locate


def _open_text(path: Path, encoding: str) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _sniff_text(path: Path, encoding: str, name: str) -> str:
    """Return the first few KiB of a text file, refusing binary or undecodable ones."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                head = fh.read(65536)
        else:
            with open(path, "rb") as fh:
                head = fh.read(65536)
    except OSError as exc:  # includes gzip.BadGzipFile
        raise LogError(f"cannot be read ({exc})", source=name) from None
    if not head.strip():
        raise LogError("the file is empty", source=name, expected="a header row and events")
    if b"\x00" in head:
        hint = (
            "It looks like an Excel or zip file: give it the .xlsx suffix"
            if head.startswith(b"PK")
            else "If it is text in UTF-16, pass encoding='utf-16'"
        )
        raise LogError("this is a binary file, not text", source=name,
                       expected="comma- or tab-separated text", hint=hint)
    try:
        return head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 64 KiB window
            return head[: exc.start].decode(encoding)
        raise _decode_error(name, encoding, exc) from None
    except LookupError:
        raise LogError("unknown text encoding", source=name, found=encoding,
                       expected="an encoding such as 'utf-8', 'cp1252' or 'latin-1'") from None


def _decode_error(name: str, encoding: str, exc: UnicodeDecodeError) -> LogError:
    return LogError(
        f"the text is not valid {encoding} (byte {exc.object[exc.start:exc.start + 1]!r} "
        f"at position {exc.start})",
        source=name,
        hint="Pass the file's encoding, e.g. encoding='cp1252' or encoding='latin-1'",
    )


def _read_delimited(path: Path, name: str, *, encoding: str | None, sep: str | None,
                    key_columns: Callable[[list[str]], list[str]], **_: Any) -> _Raw:
    enc = encoding or "utf-8-sig"
    head = _sniff_text(path, enc, name)
    if sep is None:
        lower = path.name.lower()
        if lower.endswith((".tsv", ".tsv.gz", ".tab")):
            sep = "\t"
        else:
            first = head.splitlines()[0] if head.splitlines() else ""
            sep = max([",", ";", "\t", "|"], key=first.count)
    header = next(csv.reader(io.StringIO(head), delimiter=sep), [])
    _check_header(header, name)
    dtypes = {c: "string" for c in key_columns(header)}
    try:
        frame = pd.read_csv(path, sep=sep, encoding=enc, dtype=dtypes, compression="infer",
                            skipinitialspace=False, low_memory=False)
    except UnicodeDecodeError as exc:
        raise _decode_error(name, enc, exc) from None
    except pd.errors.EmptyDataError:
        raise LogError("the file is empty", source=name,
                       expected="a header row and events") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).strip()
        m = re.search(r"line (\d+)", msg)
        raise LogError(
            f"the file cannot be parsed as {'tab' if sep == chr(9) else repr(sep)}-separated "
            f"text ({msg})",
            source=name, line=int(m.group(1)) if m else None,
            hint="Check quoting and the number of separators on that line, or pass sep=",
        ) from None

    def locate(i: int) -> tuple[int, int | None]:
        return i + 1, _csv_line_of(path, enc, sep, i)

    return _Raw(frame, name, header, locate)


def _csv_line_of(path: Path, encoding: str, sep: str, data_row: int) -> int | None:
    """The file line where 0-based data row ``data_row`` starts (only run on errors)."""
    with _open_text(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=sep)
        start = 1
        seen = -1
        for record in reader:
            if record and any(record):
                if seen == data_row:
                    return start
                seen += 1
            start = reader.line_num + 1
    return None


def _check_header(header: list[str], name: str) -> None:
    if not header:
        raise LogError("the file has no header row", source=name,
                       expected="a first row naming the columns")
    cleaned = [h.strip() for h in header]
    blanks = [i + 1 for i, h in enumerate(cleaned) if not h]
    if blanks and len(blanks) < len(cleaned):
        raise LogError(f"column {blanks[0]} of the header has no name", source=name,
                       expected="a name for every column")
    dups = sorted({h for h in cleaned if cleaned.count(h) > 1 and h})
    if dups:
        raise LogError("the header names a column more than once", source=name,
                       found=", ".join(dups), expected="unique column names",
                       hint="Rename or drop the repeated columns")


def _read_parquet(path: Path, name: str, **_: Any) -> _Raw:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise LogError(f"not a readable Parquet file ({type(exc).__name__}: {exc})",
                       source=name) from None
    header = [str(c) for c in frame.columns]
    _check_header(header, name)
    return _Raw(frame, name, header, _plain_locator(None))


def _read_excel(path: Path, name: str, *, sheet: str | int | None, **_: Any) -> _Raw:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise LogError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                       source=name) from None
    with book:
        target = 0 if sheet is None else sheet
        if isinstance(target, str) and target not in book.sheet_names:
            raise LogError("the workbook has no such sheet", source=name, found=target,
                           expected="one of " + ", ".join(map(repr, book.sheet_names)))
        frame = pd.read_excel(book, sheet_name=target, header=None, dtype=object)
    frame = frame.dropna(how="all")
    if frame.empty:
        raise LogError("the sheet is empty", source=name, expected="a header row and events")
    header = ["" if pd.isna(h) else str(h) for h in frame.iloc[0].tolist()]
    _check_header(header, name)
    sheet_rows = (frame.index[1:] + 1).to_numpy()
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = [h.strip() for h in header]
    frame = frame.infer_objects()

    def locate(i: int) -> tuple[int, int | None]:
        return i + 1, int(sheet_rows[i]) if i < len(sheet_rows) else None

    return _Raw(frame, f"{name} (sheet {target!r})" if sheet is not None else name, header,
                locate)


def _read_sql(url: str, name: str, *, query: str | None, **_: Any) -> _Raw:
    try:
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a core dependency
        raise LogError("reading SQL needs SQLAlchemy", source=name,
                       hint="pip install sqlalchemy") from None
    try:
        engine = sa.create_engine(url)
    except Exception as exc:
        raise LogError(f"not a database URL SQLAlchemy understands ({exc})", source=name,
                       expected="e.g. sqlite:///events.db or postgresql://user@host/db") from None
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            if query is None:
                if len(tables) != 1:
                    raise LogError(
                        "say which table or query to read", source=name,
                        found=", ".join(tables) or "no tables",
                        expected="query='SELECT ...' or query='<table name>'",
                    )
                query = tables[0]
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", query.strip()):
                if query.strip() not in tables:
                    raise LogError("the database has no such table", source=name, found=query,
                                   expected="one of " + ", ".join(tables))
                query = f'SELECT * FROM "{query.strip()}"'
            frame = pd.read_sql_query(sa.text(query), conn)
    except LogError:
        raise
    except Exception as exc:
        raise LogError(f"the query failed ({type(exc).__name__}: {exc})", source=name) from None
    finally:
        engine.dispose()
    header = [str(c) for c in frame.columns]
    _check_header(header, name)
    return _Raw(frame, name, header, _plain_locator(None))


def _read_xes(path: Path, name: str, **_: Any) -> _Raw:
    try:
        import pm4py
    except ImportError:
        raise LogError(
            "reading XES needs the optional pm4py package", source=name,
            hint="Install it with: pip install 'modlean[xes]' (pm4py is AGPL-licensed), "
            "or export the log as CSV or Parquet",
        ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pm4py.read_xes(str(path), return_legacy_log_object=False)
    except Exception as exc:
        raise LogError(f"not a readable XES file ({type(exc).__name__}: {exc})",
                       source=name, expected="an XES (IEEE 1849) XML event log") from None
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise LogError("the XES file holds no events", source=name)
    header = [str(c) for c in frame.columns]
    return _Raw(frame, name, header, _plain_locator(None))


#: File readers by suffix (lower case). Each takes the path, a display name and
#: the reader options, and returns the raw table.
READERS: dict[str, Callable[..., _Raw]] = {
    ".csv": _read_delimited,
    ".csv.gz": _read_delimited,
    ".txt": _read_delimited,
    ".tsv": _read_delimited,
    ".tsv.gz": _read_delimited,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
    ".xlsx": _read_excel,
    ".xlsm": _read_excel,
    ".xes": _read_xes,
    ".xes.gz": _read_xes,
}
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def _suffix(path: Path) -> str:
    lower = path.name.lower()
    for known in sorted([*READERS, *_SQLITE_SUFFIXES], key=len, reverse=True):
        if lower.endswith(known):
            return known
    return "".join(path.suffixes[-2:]).lower() or "(none)"


def _read_raw(source: Any, *, sheet: Any, query: str | None, encoding: str | None,
              sep: str | None, key_columns: Callable[[list[str]], list[str]]) -> _Raw:
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        if source.columns.duplicated().any():
            dups = sorted({str(c) for c in source.columns[source.columns.duplicated()]})
            raise LogError("the DataFrame has repeated column names", source="DataFrame",
                           found=", ".join(dups), expected="unique column names")
        return _Raw(source, "DataFrame", header, _plain_locator(None))
    if isinstance(source, str) and "://" in source:
        return _read_sql(source, _safe_url(source), query=query)
    if not isinstance(source, (str, Path)):
        raise LogError("cannot read a log from this kind of object", found=type(source).__name__,
                       expected="a file path, a database URL or a pandas DataFrame")
    path = Path(source)
    name = str(source)
    suffix = _suffix(path)
    if suffix in _SQLITE_SUFFIXES:
        if not path.is_file():
            raise LogError("no such file", source=name)
        return _read_sql(f"sqlite:///{path.resolve()}", name, query=query)
    reader = READERS.get(suffix)
    if reader is None:
        kinds = ", ".join(sorted({*READERS, *_SQLITE_SUFFIXES}))
        raise LogError("this kind of file is not supported", source=name, found=suffix,
                       expected=f"one of {kinds}, a SQLAlchemy URL or a DataFrame")
    if not path.is_file():
        raise LogError("no such file", source=name)
    return reader(path, name, sheet=sheet, encoding=encoding, sep=sep, key_columns=key_columns)


def _safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


# --------------------------------------------------------------------------- columns


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", str(name).strip().lower())


def _resolve_columns(header: list[str], mapping: Mapping[str, str] | None, name: str
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
        by_norm.setdefault(_norm(col), []).append(col)
    taken = set(chosen.values())
    for canon, aliases in ALIASES.items():
        if canon in chosen:
            continue
        # the canonical name and pm4py/XES names win; other aliases must be unique
        exact = [a for a in aliases if a == canon or ":" in a]
        loose = [a for a in aliases if a not in exact]
        for group in [[a] for a in exact] + [loose]:
            hits = [c for a in group for c in by_norm.get(_norm(a), []) if c not in taken]
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
            f"no column for {_DESCRIPTIONS[canon]}", source=name, column=canon,
            found="columns " + ", ".join(map(repr, header)),
            expected=f"a column named {canon!r} or one of "
            + ", ".join(repr(a) for a in ALIASES[canon][1:5]),
            hint=_close_hint(canon, [h for h in header if h not in taken], canon),
        )
    return chosen


def _close_hint(wanted: str, header: list[str], canon: str | None = None) -> str:
    pool = {_norm(h): h for h in header}
    names = [wanted, *(ALIASES.get(canon, ()) if canon else ())]
    close: list[str] = []
    for n in names:
        for hit in difflib.get_close_matches(_norm(n), list(pool), n=3, cutoff=0.6):
            if pool[hit] not in close:
                close.append(pool[hit])
    target = canon or "<canonical name>"
    if close:
        return f"Did you mean {close[0]!r}? If so, pass mapping={{{target!r}: {close[0]!r}}}"
    return f"Name it with mapping={{{target!r}: '<column>'}}"


# --------------------------------------------------------------------------- values


def _first_rows(raw: _Raw, positions: np.ndarray, limit: int = 5) -> str:
    rows = [raw.locate(int(p)) for p in positions[:limit]]
    text = ", ".join(f"{r}" + (f" (line {ln})" if ln else "") for r, ln in rows)
    more = len(positions) - limit
    return text + (f" and {more} more" if more > 0 else "")


def _as_text(values: pd.Series, raw: _Raw, column: str, canon: str) -> pd.Series:
    """A required column of ids or names as strings; integral floats lose their '.0'."""
    text = _strings(values)
    empty = text.isna()
    if empty.any():
        positions = np.flatnonzero(empty.to_numpy())
        row, line = raw.locate(int(positions[0]))
        raise LogError(
            f"{canon} is empty in rows {_first_rows(raw, positions)}", source=raw.name,
            row=row, line=line, column=column,
            expected=f"a value for {_DESCRIPTIONS[canon]} in every row",
        )
    return text.astype(str)


def _strings(values: pd.Series) -> pd.Series:
    """Values as stripped strings, blanks as missing; 12.0 becomes '12', not '12.0'."""
    if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        values = values.astype("Int64")
    text = values.astype("string").str.strip()
    return text.mask(text.eq(""))


def _check_tz(tz: Any) -> Any:
    if isinstance(tz, tzinfo):
        return tz
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise LogError("unknown time zone", column="tz", found=tz,
                       expected="an IANA name such as 'UTC', 'Europe/London' or "
                       "'Asia/Jakarta'") from None
    return str(tz)


def _parse_times(values: pd.Series, raw: _Raw, column: str, *, tz: Any, tz_stated: bool,
                 dayfirst: bool | None, allow_empty: bool, notes: list[str]) -> pd.Series:
    """Parse a column of times to ``datetime64[us, UTC]``, refusing anything ambiguous."""
    where = {"source": raw.name, "column": column}
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype(TIME_DTYPE)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _localise(values, raw, column, tz, tz_stated, notes)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return _from_epoch(values, raw, column, allow_empty)

    text = values.astype("string").str.strip()
    text = text.mask(text.eq(""))
    empty = text.isna()
    if empty.any() and not allow_empty:
        positions = np.flatnonzero(empty.to_numpy())
        row, line = raw.locate(int(positions[0]))
        raise LogError(f"the time is empty in rows {_first_rows(raw, positions)}",
                       row=row, line=line, expected=_TIME_EXAMPLE, **where)
    if text.str.fullmatch(r"\d{9,13}(\.\d+)?").fillna(True).all() and not empty.all():
        return _from_epoch(pd.to_numeric(text), raw, column, allow_empty)

    aware = text.str.contains(_AWARE, regex=True).fillna(False).to_numpy(bool)
    naive = ~aware & ~empty.to_numpy()
    if aware.any() and naive.any() and not tz_stated:
        i_naive, i_aware = int(np.argmax(naive)), int(np.argmax(aware))
        row, line = raw.locate(i_naive)
        raise LogError(
            "mixes times with and without a time zone", row=row, line=line,
            found=f"{text.iloc[i_naive]!r} here and {text.iloc[i_aware]!r} at row "
            f"{raw.locate(i_aware)[0]}",
            expected="all times with an offset (e.g. +07:00 or Z), or all without",
            hint="Pass tz='<zone>' to say which zone the times without an offset are in",
            **where,
        )
    iso = text.str.fullmatch(_ISO).fillna(False).to_numpy(bool)
    need_order = ~iso & ~empty.to_numpy()
    if need_order.any():
        dayfirst = _day_order(text[need_order], raw, column, dayfirst, notes)

    parsed = pd.Series(pd.NaT, index=text.index, dtype=TIME_DTYPE)
    for mask, is_aware in ((aware, True), (naive, False)):
        for fmt_mask, fmt in ((mask & iso, "ISO8601"), (mask & ~iso, None)):
            if not fmt_mask.any():
                continue
            part = text[fmt_mask]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = pd.to_datetime(part, format=fmt, errors="coerce", utc=is_aware,
                                     dayfirst=bool(dayfirst) if fmt is None else False)
            if not is_aware:
                got = _localise(got, raw, column, tz, tz_stated, notes,
                                positions=np.flatnonzero(fmt_mask))
            parsed[fmt_mask] = got.astype(TIME_DTYPE)
    bad = parsed.isna().to_numpy() & ~empty.to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        row, line = raw.locate(i)
        good = text[~bad & ~empty.to_numpy()]
        like = f" (the other rows look like {good.iloc[0]!r})" if len(good) else ""
        raise LogError("the time cannot be read", row=row, line=line, found=text.iloc[i],
                       expected=_TIME_EXAMPLE + like, **where)
    return parsed


def _day_order(text: pd.Series, raw: _Raw, column: str, dayfirst: bool | None,
               notes: list[str]) -> bool | None:
    """Decide day-first or month-first for numeric dates such as 03/04/2025."""
    parts = text.str.extract(_NUMERIC_DATE)
    numeric = parts[0].notna()
    if not numeric.any():
        return dayfirst
    a = pd.to_numeric(parts[0][numeric])
    b = pd.to_numeric(parts[1][numeric])
    year_first = parts[0][numeric].str.len().eq(4)
    if year_first.all():
        return False
    if dayfirst is not None:
        return dayfirst
    day_first_seen, month_first_seen = (a > 12) & ~year_first, (b > 12) & ~year_first
    if day_first_seen.any() and month_first_seen.any():
        i = text.index.get_loc(day_first_seen.idxmax())
        j = text.index.get_loc(month_first_seen.idxmax())
        row, line = raw.locate(_pos(raw, text, i))
        raise LogError(
            "dates are written both day-first and month-first", source=raw.name, row=row,
            line=line, column=column,
            found=f"{text.iloc[i]!r} and {text.iloc[j]!r}",
            expected="one date order in the whole column, ideally ISO 8601 (2025-03-04)",
        )
    if day_first_seen.any() or month_first_seen.any():
        order = "day-first" if day_first_seen.any() else "month-first"
        notes.append(f"{column}: dates read {order} (a value over 12 shows the order); "
                     "pass dayfirst= to override")
        return bool(day_first_seen.any())
    row, line = raw.locate(_pos(raw, text, 0))
    raise LogError(
        "the dates are ambiguous: day and month could be either way round", source=raw.name,
        row=row, line=line, column=column, found=text.iloc[0],
        expected="ISO 8601 dates (2025-03-04) or a stated order",
        hint="Pass dayfirst=True for 04/03/2025 = 4 March, dayfirst=False for 3 April",
    )


def _pos(raw: _Raw, text: pd.Series, i: int) -> int:
    """The 0-based data row of the i-th value of a filtered column."""
    return int(text.index[i])


def _localise(values: pd.Series, raw: _Raw, column: str, tz: Any, tz_stated: bool,
              notes: list[str], positions: np.ndarray | None = None) -> pd.Series:
    out = values.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    lost = out.isna().to_numpy() & values.notna().to_numpy()
    if lost.any():
        i = int(np.argmax(lost))
        row, line = raw.locate(int(positions[i]) if positions is not None else i)
        raise LogError(
            f"the time does not exist or is ambiguous in time zone {tz} (a daylight-saving "
            "change)", source=raw.name, row=row, line=line, column=column,
            found=str(values.iloc[i]), hint="Export the log with UTC offsets or in UTC",
        )
    note = f"{column}: times without an offset were read as {tz}"
    if not tz_stated and values.notna().any():
        note += "; pass tz= if they are local times"
        if note not in notes:
            warnings.warn(f"{raw.name}: {note}", LogWarning, stacklevel=4)
    if note not in notes:
        notes.append(note)
    return out.dt.tz_convert("UTC").astype(TIME_DTYPE)


def _from_epoch(values: pd.Series, raw: _Raw, column: str, allow_empty: bool) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers.dropna()
    if present.empty or (not allow_empty and numbers.isna().any()):
        positions = np.flatnonzero(numbers.isna().to_numpy())
        row, line = raw.locate(int(positions[0]) if len(positions) else 0)
        raise LogError("the time is empty", source=raw.name, row=row, line=line, column=column,
                       expected=_TIME_EXAMPLE)
    big = present.abs().max()
    if big >= 1e11:
        unit = "ms"
    elif big >= 1e8:
        unit = "s"
    else:
        row, line = raw.locate(0)
        raise LogError(
            "the time is a number that is not a Unix epoch", source=raw.name, row=row,
            line=line, column=column, found=values.iloc[0],
            expected=_TIME_EXAMPLE + " or Unix seconds/milliseconds",
            hint="Excel serial dates must be formatted as dates before export",
        )
    return pd.to_datetime(numbers, unit=unit, utc=True).astype(TIME_DTYPE)


# --------------------------------------------------------------------------- lifecycle


def _pair_lifecycle(frame: pd.DataFrame, raw: _Raw, column: str, notes: list[str]
                    ) -> pd.DataFrame:
    """Turn start/complete event pairs into one row per activity instance.

    Within a case and activity, each ``complete`` is paired with the earliest
    still-open ``start`` before it (first in, first out). Completes with no open
    start keep an empty ``start_timestamp``; starts never completed are dropped
    and counted in the log's notes.
    """
    kind = frame["lifecycle"].astype("string").str.strip().str.lower()
    is_start = kind.eq("start").fillna(False).to_numpy(bool)
    is_complete = kind.eq("complete").fillna(False).to_numpy(bool)
    other = ~is_start & ~is_complete
    if other.any():
        found = ", ".join(sorted(kind[other].dropna().unique())[:5]) or "empty"
        notes.append(f"{int(other.sum())} events with lifecycle other than start/complete "
                     f"({found}) were left out")
    if not is_start.any():
        return frame.loc[is_complete].drop(columns="lifecycle")

    keys = ["case_id", "activity"]
    ev = frame.loc[is_start | is_complete, [*keys, "timestamp", "_row"]].copy()
    ev["_is_start"] = is_start[is_start | is_complete]
    # starts before completes at equal times, then file order
    ev = ev.sort_values([*keys, "timestamp", "_is_start", "_row"],
                        ascending=[True, True, True, False, True], kind="stable")
    grp = ev.groupby(keys, sort=False, observed=True)
    ev["_starts_so_far"] = grp["_is_start"].cumsum()
    comp = ev.loc[~ev["_is_start"]].copy()
    cgrp = comp.groupby(keys, sort=False, observed=True)
    j = cgrp.cumcount()
    slack = (comp["_starts_so_far"] - j).groupby([comp[k] for k in keys], sort=False,
                                                 observed=True).cummin()
    matched_total = j + np.minimum(1, slack)  # matched completes up to and including this one
    prev = matched_total.groupby([comp[k] for k in keys], sort=False, observed=True).shift(
        1, fill_value=0)
    comp["_start_rank"] = np.where(matched_total > prev, matched_total - 1, -1)

    starts = ev.loc[ev["_is_start"], [*keys, "timestamp", "_row"]].copy()
    starts["_start_rank"] = starts.groupby(keys, sort=False, observed=True).cumcount()
    pairs = comp[["_row", *keys, "_start_rank"]].merge(
        starts.rename(columns={"timestamp": "_start_time", "_row": "_start_row"}),
        on=[*keys, "_start_rank"], how="left")
    unmatched_starts = int(is_start.sum()) - int(pairs["_start_row"].notna().sum())
    if unmatched_starts:
        notes.append(f"{unmatched_starts} start events had no matching complete and were "
                     "left out (activities still in progress)")

    completes = frame.loc[is_complete].drop(columns="lifecycle")
    start_time = pd.Series(pairs["_start_time"].to_numpy(), index=pairs["_row"].to_numpy())
    paired = start_time.reindex(completes["_row"].to_numpy()).to_numpy()
    if "start_timestamp" in completes:
        existing = completes["start_timestamp"].to_numpy()
        paired = np.where(pd.isna(existing), paired, existing)
    completes = completes.assign(start_timestamp=pd.Series(paired, index=completes.index)
                                 .astype(TIME_DTYPE))
    if "resource" in completes and completes["resource"].isna().any():
        start_res = frame.loc[is_start].set_index("_row")["resource"]
        start_row = pd.Series(pairs["_start_row"].to_numpy(), index=pairs["_row"].to_numpy())
        from_start = start_res.reindex(start_row.reindex(completes["_row"].to_numpy())
                                       .to_numpy()).to_numpy()
        completes["resource"] = completes["resource"].where(completes["resource"].notna(),
                                                            pd.Series(from_start,
                                                                      index=completes.index))
    notes.append(f"start/complete events from {column!r} paired into "
                 f"{len(completes)} activity instances")
    return completes


# --------------------------------------------------------------------------- main


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
    tz_stated = not isinstance(tz, _DefaultTZ)
    tz = _check_tz(tz)
    name = name_of(source)

    def key_columns(header: list[str]) -> list[str]:
        found = _resolve_columns(header, mapping, name)
        return [found[c] for c in ("case_id", "activity", "resource", "lifecycle",
                                   "timestamp", "start_timestamp") if c in found]

    raw = _read_raw(source, sheet=sheet, query=query, encoding=encoding, sep=sep,
                    key_columns=key_columns)
    columns = _resolve_columns(raw.header, mapping, raw.name)
    if raw.frame.empty:
        raise LogError("the log has no events", source=raw.name,
                       expected="at least one row after the header")
    return _canonicalise(raw, columns, tz=tz, tz_stated=tz_stated, dayfirst=dayfirst)


def name_of(source: Any) -> str:
    """How a source is named in messages."""
    if isinstance(source, pd.DataFrame):
        return "DataFrame"
    return _safe_url(str(source)) if isinstance(source, str) else str(source)


def _canonicalise(raw: _Raw, columns: dict[str, str], *, tz: Any, tz_stated: bool,
                  dayfirst: bool | None) -> pd.DataFrame:
    src = raw.frame
    notes = raw.notes
    data: dict[str, Any] = {}
    data["case_id"] = _as_text(src[columns["case_id"]], raw, columns["case_id"], "case_id")
    data["activity"] = _as_text(src[columns["activity"]], raw, columns["activity"], "activity")
    data["timestamp"] = _parse_times(src[columns["timestamp"]], raw, columns["timestamp"],
                                     tz=tz, tz_stated=tz_stated, dayfirst=dayfirst,
                                     allow_empty=False, notes=notes)
    if "start_timestamp" in columns:
        data["start_timestamp"] = _parse_times(
            src[columns["start_timestamp"]], raw, columns["start_timestamp"], tz=tz,
            tz_stated=tz_stated, dayfirst=dayfirst, allow_empty=True, notes=notes)
    if "resource" in columns:
        res = _strings(src[columns["resource"]])
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
            frame[col] = frame[col].astype(TIME_DTYPE)

    if "lifecycle" in frame:
        kinds = frame["lifecycle"].astype("string").str.strip().str.lower()
        if kinds.isin(["complete"]).all():
            frame = frame.drop(columns="lifecycle")
        else:
            frame = _pair_lifecycle(frame, raw, columns["lifecycle"], notes)
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
                f"the start is after the end in rows {_first_rows(raw, positions)}",
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
