"""Readers of the supported sources: each returns the source's table as-is (:class:`RawLog`).

The format registry :data:`READERS` maps a file suffix to its reader (CSV/TSV,
Parquet, Excel, XES); SQLite files and SQLAlchemy URLs go to the SQL reader and
a DataFrame is taken as it is (:func:`read_raw` picks one). A new kind is a new
entry rather than a new branch.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from modlean._util import describe
from modlean.errors import LogError
from modlean.eventlog.arrow_csv import read_typed_csv
from modlean.eventlog.fixed_times import head_formats

__all__ = [
    "DECODE_PROBLEM",
    "READERS",
    "SQLITE_SUFFIXES",
    "Locator",
    "RawLog",
    "TextLocale",
    "Wanted",
    "is_decode_error",
    "is_pandas_index",
    "plain_locator",
    "read_raw",
    "safe_url",
]

#: 0-based data row -> (1-based row, file line or sheet row or None)
Locator = Callable[[int], tuple[int, int | None]]


@dataclass(frozen=True)
class TextLocale:
    """How a text file writes numbers, and whether the fast (pyarrow) parser may read it."""

    decimal: str = "."
    thousands: str | None = None
    #: read with Arrow's typed reader (an import: its columns are known from the profile)
    fast: bool = False
    #: text columns of mostly distinct values, ids and times (the typed reader keeps
    #: them plain and dictionary-encodes other text)
    plain: tuple[str, ...] = ()
    #: time columns the typed reader may parse when their format is certain
    times: tuple[str, ...] = ()
    #: the date order of those times (None: only year-first formats are certain)
    dayfirst: bool | None = None
    #: called with the Arrow table as the typed reader read it, before its times are
    #: parsed (an import starts chasing parent links on it while they are)
    on_table: Callable[[pa.Table], None] | None = None
    #: the columns the typed reader converts (None: all); a task table's import needs
    #: only those its profile names, whatever else the export carries
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Wanted:
    """The columns of a source to read, and which of them are ids.

    Readers that can read columns selectively (Parquet, a DataFrame) read only
    ``columns``; others drop the rest after reading. A Parquet file's text
    columns other than ``ids`` are read as dictionary codes (categoricals), the
    way they are stored: no string per row is made for them.
    """

    #: source columns to read (None: all)
    columns: list[str] | None = None
    #: columns of mostly distinct values (ids), read as plain text
    ids: tuple[str, ...] = ()


@dataclass
class RawLog:
    """A source read as-is, before mapping to the canonical shape."""

    frame: pd.DataFrame
    name: str
    header: list[str]
    #: 0-based data row -> (1-based row, file line or sheet row or None)
    locate: Locator
    notes: list[str] = field(default_factory=list)


def plain_locator(first_line: int | None) -> Locator:
    """Rows numbered from 1; file lines from ``first_line`` (None: no lines)."""
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


#: How an error for text in another encoding than the one read starts (:func:`is_decode_error`).
DECODE_PROBLEM = "the text is not valid"


def is_decode_error(exc: LogError) -> bool:
    """True when ``exc`` says a file's text is not in the encoding it was read with, so a
    caller can name the key that sets the encoding (a profile's ``locale.encoding``)."""
    return exc.problem.startswith(DECODE_PROBLEM)


def _decode_error(name: str, encoding: str, exc: UnicodeDecodeError) -> LogError:
    return LogError(
        f"{DECODE_PROBLEM} {encoding} (byte {exc.object[exc.start:exc.start + 1]!r} "
        f"at position {exc.start})",
        source=name,
        hint="Pass the file's encoding, e.g. encoding='cp1252' or encoding='latin-1'",
    )


def _read_delimited(path: Path, name: str, *, encoding: str | None, sep: str | None,
                    key_columns: Callable[[list[str]], list[str]], locale: TextLocale | None = None,
                    **_: Any) -> RawLog:
    locale = locale or TextLocale()
    enc = encoding or "utf-8-sig"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # a byte-order mark is never data: it would stick to the first name
    head = _sniff_text(path, enc, name)
    if sep is None:
        lower = path.name.lower()
        if lower.endswith((".tsv", ".tsv.gz", ".tab")):
            sep = "\t"
        else:
            first = head.splitlines()[0] if head.splitlines() else ""
            sep = max([",", ";", "\t", "|"], key=first.count)
    header = next(csv.reader(io.StringIO(head), delimiter=sep), [])
    index_column = bool(header) and not header[0].strip() and len(header) > 1
    _check_header(header[1:] if index_column else header, name)
    keys = key_columns(header[1:] if index_column else header)
    frame = None
    if locale.fast and locale.thousands is None and enc.lower().replace("_", "-") in (
            "utf-8", "utf-8-sig", "utf8"):
        frame = read_typed_csv(path, sep=sep, plain=[c for c in keys if c in locale.plain],
                               text=[c for c in keys if c not in locale.plain],
                               decimal=locale.decimal,
                               times=head_formats(head, sep, header, locale.times,
                                                  dayfirst=locale.dayfirst),
                               on_table=locale.on_table,
                               columns=None if locale.columns is None else [
                                   c for i, c in enumerate(header)
                                   if c in locale.columns or (i == 0 and index_column)])
    if frame is None:
        frame = _parse_delimited(path, name, {
            "sep": sep, "encoding": enc, "decimal": locale.decimal, "compression": "infer",
            "dtype": {c: "string" for c in keys}, "thousands": locale.thousands,
            "skipinitialspace": False, "low_memory": False})
    if index_column:
        frame = _drop_index_column(frame, name, header)
        header = header[1:]
    raw = RawLog(frame, name, header, lambda i: (i + 1, _csv_line_of(path, enc, sep, i)))
    if index_column:
        raw.notes.append("the unnamed first column (a pandas index: 0, 1, 2, ...) was dropped")
    return raw


def _parse_delimited(path: Path, name: str, options: dict[str, Any]) -> pd.DataFrame:
    sep = options["sep"]
    try:
        return pd.read_csv(path, **options)
    except UnicodeDecodeError as exc:
        raise _decode_error(name, options["encoding"], exc) from None
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


def is_pandas_index(values: pd.Series) -> bool:
    """True when ``values`` are 0, 1, 2, ... n-1: the index ``DataFrame.to_csv`` writes."""
    numbers = pd.to_numeric(values, errors="coerce")
    return bool((numbers.to_numpy() == np.arange(len(values))).all())


def _drop_index_column(frame: pd.DataFrame, name: str, header: list[str]) -> pd.DataFrame:
    """Drop the unnamed first column when it is pandas' index (0..n-1); refuse it otherwise."""
    first = frame.iloc[:, 0]
    if len(first) and not is_pandas_index(first):
        raise LogError("column 1 of the header has no name", source=name,
                       found=f"values {describe(first.head(3).tolist())}",
                       expected="a name for every column (an unnamed first column is dropped "
                       "only when it holds a pandas index 0, 1, 2, ...)")
    frame = frame.iloc[:, 1:]
    if frame.shape[1] == len(header) - 1:  # all read: the header's names (a subset has them)
        frame.columns = header[1:]
    return frame


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


def _read_parquet(path: Path, name: str, *, wanted: Callable[[list[str]], Wanted] | None = None,
                  **_: Any) -> RawLog:
    try:
        schema = pq.read_schema(path)
        index = {c for c in (schema.pandas_metadata or {}).get("index_columns", [])
                 if isinstance(c, str)}
        header = [n for n in schema.names if n not in index]
        _check_header(header, name)
        want = wanted(header) if wanted else Wanted()
        text = [f.name for f in schema if f.name in header and f.name not in want.ids
                and (want.columns is None or f.name in want.columns)
                and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
        frame = pd.read_parquet(path, columns=want.columns, read_dictionary=text or None)
    except LogError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise LogError(f"not a readable Parquet file ({type(exc).__name__}: {exc})",
                       source=name) from None
    return RawLog(frame, name, [str(c) for c in frame.columns], plain_locator(None))


def _read_excel(path: Path, name: str, *, sheet: str | int | None, **_: Any) -> RawLog:
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

    return RawLog(frame, f"{name} (sheet {target!r})" if sheet is not None else name, header,
                locate)


def _read_sql(url: str, name: str, *, query: str | None, **_: Any) -> RawLog:
    try:  # deferred: SQLAlchemy takes ~0.35 s to import and only SQL sources need it
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
    return RawLog(frame, name, header, plain_locator(None))


def _read_xes(path: Path, name: str, **_: Any) -> RawLog:
    try:  # deferred: pm4py is an optional (AGPL) extra, needed only for XES
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
    return RawLog(frame, name, header, plain_locator(None))


#: File readers by suffix (lower case). Each takes the path, a display name and
#: the reader options, and returns the raw table.
READERS: dict[str, Callable[..., RawLog]] = {
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
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def _suffix(path: Path) -> str:
    lower = path.name.lower()
    for known in sorted([*READERS, *SQLITE_SUFFIXES], key=len, reverse=True):
        if lower.endswith(known):
            return known
    return "".join(path.suffixes[-2:]).lower() or "(none)"


def read_raw(source: str | Path | pd.DataFrame, *, sheet: str | int | None,
              query: str | None, encoding: str | None, sep: str | None,
              key_columns: Callable[[list[str]], list[str]],
              locale: TextLocale | None = None,
              wanted: Callable[[list[str]], Wanted] | None = None) -> RawLog:
    """Read ``source`` as-is with the reader its kind calls for.

    ``wanted`` (given the header) says which columns to read and which are ids
    (:class:`Wanted`); without it every column is read.
    """
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        if source.columns.duplicated().any():
            dups = sorted({str(c) for c in source.columns[source.columns.duplicated()]})
            raise LogError("the DataFrame has repeated column names", source="DataFrame",
                           found=", ".join(dups), expected="unique column names")
        return _select(RawLog(source, "DataFrame", header, plain_locator(None)), wanted)
    if isinstance(source, str) and "://" in source:
        return _select(_read_sql(source, safe_url(source), query=query), wanted)
    if not isinstance(source, (str, Path)):
        raise LogError("cannot read a log from this kind of object", found=type(source).__name__,
                       expected="a file path, a database URL or a pandas DataFrame")
    path = Path(source)
    name = str(source)
    suffix = _suffix(path)
    if suffix in SQLITE_SUFFIXES:
        if not path.is_file():
            raise LogError("no such file", source=name)
        return _select(_read_sql(f"sqlite:///{path.resolve()}", name, query=query), wanted)
    reader = READERS.get(suffix)
    if reader is None:
        kinds = ", ".join(sorted({*READERS, *SQLITE_SUFFIXES}))
        raise LogError("this kind of file is not supported", source=name, found=suffix,
                       expected=f"one of {kinds}, a SQLAlchemy URL or a DataFrame")
    if not path.is_file():
        raise LogError("no such file", source=name)
    return _select(reader(path, name, sheet=sheet, encoding=encoding, sep=sep,
                          key_columns=key_columns, locale=locale, wanted=wanted), wanted)


def _select(raw: RawLog, wanted: Callable[[list[str]], Wanted] | None) -> RawLog:
    """``raw`` with only the wanted columns (the frame is not copied)."""
    columns = wanted(raw.header).columns if wanted else None
    if columns is None or columns == raw.header:
        return raw
    keep = [c for c, h in zip(raw.frame.columns, raw.header, strict=True) if h in columns]
    return RawLog(raw.frame[keep], raw.name, [str(c) for c in keep], raw.locate, raw.notes)


def safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
