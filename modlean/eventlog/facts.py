"""What a sample of an export holds, column by column: kinds, value patterns, locale marks.

:func:`read_sample` reads the first rows of any source as text (a delimited file
with its separator sniffed; other sources through the format registry), and
:func:`column_facts` describes each column with vectorised string tests: empty,
time, number or text; distinct values; decimal commas and thousands marks;
day-first evidence and time-zone offsets. The profile guesser
(:mod:`~modlean.eventlog.guess`) decides from these facts.
"""

from __future__ import annotations

import csv
import gzip
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.readers import is_pandas_index, read_raw
from modlean.eventlog.values import strings

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EXCEL_SUFFIXES", "TEXT_SUFFIXES", "ColumnFacts", "Sample", "column_facts",
           "excel_sheets", "parse_sample_times", "read_sample", "to_number"]

#: File suffixes read as delimited text.
TEXT_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz", ".tab")
#: File suffixes read as Excel workbooks.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SEPARATORS = (",", ";", "\t", "|")

_ISO_TIME = (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
             r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?")
_NUMERIC_TIME = (r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?)?"
                 r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?")
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})$"
_DAY_MONTH = r"^(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}"
_NUMBER = r"-?(?:\d+|\d{1,3}(?:[.,]\d{3})+)(?:[.,]\d+)?"
_DECIMAL_COMMA = r"-?(?:\d+|\d{1,3}(?:\.\d{3})+),\d+"
_THOUSANDS_DOT = r"-?\d{1,3}(?:\.\d{3})+,\d+"
#: Share of a column's filled values that must match a pattern for the column to have that kind.
MOSTLY = 0.9


@dataclass
class Sample:
    """The first rows of an export, every value as stripped text (blanks missing)."""

    frame: pd.DataFrame
    name: str
    #: the field separator of a text file (None for other sources)
    sep: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    #: the worksheet read, for an Excel export
    sheet: str | int | None = None


@dataclass
class ColumnFacts:
    """What one column of a sample holds."""

    name: str
    filled: int
    distinct: int
    #: "empty", "time", "number" or "text"
    kind: str
    unique: bool = False
    decimal_comma: bool = False
    thousands_dot: bool = False
    fractional: bool = False
    #: every number within 0..1 (numbers only)
    unit_interval: bool = False
    #: times written with an offset (Z, +01:00)
    offsets: bool = False
    #: numeric dates whose first / second field is over 12 (day-first / month-first evidence)
    day_over_12: bool = False
    month_over_12: bool = False
    iso: bool = False
    #: share of the filled values written in upper case letters (APPROVE, T1-LISTING-DE)
    upper: float = 0.0
    #: the most frequent values with their counts
    top: dict[str, int] = field(default_factory=dict)


def read_sample(source: str | Path | pd.DataFrame, *, sep: str | None, encoding: str | None,
                rows: int, sheet: str | int | None = None) -> Sample:
    """The first ``rows`` rows of ``source`` (of worksheet ``sheet`` of an Excel file) as
    text, with the separator and encoding used."""
    if isinstance(source, (str, Path)) and str(source).lower().endswith(TEXT_SUFFIXES):
        return _read_text_sample(Path(source), sep=sep, encoding=encoding, rows=rows)
    raw = read_raw(source, sheet=sheet, query=None, encoding=encoding, sep=sep,
                   key_columns=lambda header: list(header))
    frame = raw.frame.head(rows)
    text = pd.DataFrame({str(c): strings(frame[c]) for c in frame.columns})
    return Sample(text, raw.name, notes=list(raw.notes), sheet=sheet)


def excel_sheets(source: str | Path | pd.DataFrame) -> list[str]:
    """The worksheet names of an Excel export, in order ([] for any other source, or a
    file Excel cannot open: reading it then names the problem)."""
    if not isinstance(source, (str, Path)) or not str(source).lower().endswith(EXCEL_SUFFIXES):
        return []
    try:
        with pd.ExcelFile(source) as book:
            return [str(name) for name in book.sheet_names]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return []


def _read_text_sample(path: Path, *, sep: str | None, encoding: str | None,
                      rows: int) -> Sample:
    name = str(path)
    if not path.is_file():
        raise LogError("no such file", source=name)
    notes: list[str] = []
    head, enc = _head(path, encoding, name, notes)
    lines = head.splitlines()
    if not lines or not lines[0].strip():
        raise LogError("the file is empty", source=name, expected="a header row and rows")
    if sep is None:
        sep = "\t" if path.name.lower().endswith((".tsv", ".tsv.gz", ".tab")) \
            else max(_SEPARATORS, key=lines[0].count)
    header = next(csv.reader(io.StringIO(lines[0]), delimiter=sep))
    try:
        frame = pd.read_csv(path, sep=sep, encoding=enc, dtype=str, nrows=rows,
                            keep_default_na=False, compression="infer")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LogError(f"the file cannot be read as {sep!r}-separated text ({exc})",
                       source=name, hint="Pass the separator with --sep") from None
    frame = frame.apply(lambda col: col.str.strip().mask(col.str.strip().eq("")))
    if header and not header[0].strip() and len(frame) and is_pandas_index(frame.iloc[:, 0]):
        frame = frame.iloc[:, 1:]
        notes.append("the first column has no name and holds 0, 1, 2 ...: the index "
                     "pandas' to_csv writes; not used")
    return Sample(frame, name, sep=sep, encoding=enc, notes=notes)


def _head(path: Path, encoding: str | None, name: str, notes: list[str]) -> tuple[str, str]:
    """The first 64 KiB as text and the encoding that reads them."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read(65536)
    if b"\x00" in data:
        raise LogError("this is a binary file, not text", source=name,
                       expected="delimited text (or give an .xlsx/.parquet file its suffix)")
    tried = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    for enc in tried:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if exc.start > len(data) - 4:
                return data[: exc.start].decode(enc), enc
            continue
        except LookupError:
            raise LogError("unknown text encoding", source=name, found=enc,
                           expected="an encoding such as 'utf-8' or 'cp1252'") from None
        if enc == "cp1252":
            notes.append("the file is not UTF-8; read as cp1252 (Windows Western)")
        return text, enc
    raise LogError(f"the text is not valid {tried[0]}", source=name,
                   hint="Pass the file's encoding with --encoding")


def column_facts(frame: pd.DataFrame) -> dict[str, ColumnFacts]:
    """The facts of every column of a text sample, by column name."""
    return {str(c): _facts(str(c), frame[c]) for c in frame.columns}


#: Distinct values a column's kind is decided on (the most frequent first).
PROBE = 5_000


def _share(mask: pd.Series, weight: pd.Series) -> float:
    """The share of the rows (``weight``: rows per distinct value) where ``mask`` holds."""
    return float(weight[mask.to_numpy(bool)].sum()) / float(weight.sum())


def _facts(name: str, values: pd.Series) -> ColumnFacts:
    """Facts read from the distinct values, weighted by their rows (a sample's time
    columns are the only ones with many distinct values)."""
    counts = values.value_counts()
    filled = int(counts.sum())
    facts = ColumnFacts(name, filled, len(counts), "empty",
                        unique=filled == len(values) and len(counts) == filled and filled > 1,
                        top={str(k): int(v) for k, v in counts.head(40).items()})
    if not filled:
        return facts
    text = pd.Series(counts.index.astype(str), dtype="string")
    weight = pd.Series(counts.to_numpy())
    probe, probe_weight = text.head(PROBE), weight.head(PROBE)
    iso = probe.str.fullmatch(_ISO_TIME).fillna(False)
    if _share(iso | probe.str.fullmatch(_NUMERIC_TIME).fillna(False), probe_weight) >= MOSTLY:
        facts.kind = "time"
        if len(text) > PROBE:
            iso = text.str.fullmatch(_ISO_TIME).fillna(False)
        facts.iso = bool(iso.all())
        facts.offsets = bool(text.str.contains(_OFFSET).any())
        parts = text.str.extract(_DAY_MONTH).dropna().astype(int)
        facts.day_over_12 = bool(parts[0].gt(12).any())
        facts.month_over_12 = bool(parts[1].gt(12).any())
        return facts
    if _share(probe.str.fullmatch(_NUMBER).fillna(False), probe_weight) >= MOSTLY:
        facts.kind = "number"
        facts.decimal_comma = bool(text.str.fullmatch(_DECIMAL_COMMA).any())
        facts.thousands_dot = bool(text.str.fullmatch(_THOUSANDS_DOT).any())
        number = to_number(text, decimal="," if facts.decimal_comma else ".")
        facts.fractional = bool(number.mod(1).ne(0).any())
        facts.unit_interval = bool(number.between(0, 1).all())
        return facts
    facts.kind = "text"
    letters = probe.str.replace(r"[^A-Za-z]", "", regex=True)
    facts.upper = _share(letters.ne("") & letters.str.isupper(), probe_weight)
    return facts


def to_number(text: pd.Series, *, decimal: str) -> pd.Series:
    """Numbers written with ``decimal`` as the decimal mark (and the other mark as thousands)."""
    thousands = "." if decimal == "," else ","
    plain = text.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    return pd.to_numeric(plain, errors="coerce")


def parse_sample_times(frame: pd.DataFrame, columns: Sequence[str], *,
                       dayfirst: bool) -> pd.DataFrame:
    """Time columns of a sample parsed for comparing (naive times taken as UTC)."""
    out = {}
    for col in columns:
        values = frame[col]
        iso = values.str.fullmatch(_ISO_TIME).fillna(False)
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        parsed[iso] = pd.to_datetime(values[iso], format="ISO8601", utc=True, errors="coerce")
        rest = values.notna() & ~iso
        if rest.any():  # one format, inferred from the first value (fast, vectorised)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed[rest] = pd.to_datetime(values[rest], dayfirst=dayfirst, utc=True,
                                              errors="coerce")
        out[col] = parsed
    return pd.DataFrame(out, index=frame.index)
