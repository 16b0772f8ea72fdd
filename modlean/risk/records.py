"""Typed, validated tables of records (risk registers, FMEA sheets), and reading them.

A table is described once, as a tuple of :class:`Field` s; that one definition
drives validation, type conversion, the column order of saved files and the
templates. :func:`validate_records` checks every row and field and collects
*all* problems, each naming the row (and id), the field, the value found and
what was expected, then raises one :class:`~modlean.errors.RegisterError`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean._util import describe, parse_flag, text_file_problem
from modlean.errors import RegisterError

__all__ = [
    "Field",
    "Problems",
    "csv_row",
    "is_blank",
    "read_csv_text",
    "read_workbook_sheets",
    "sheet_row",
    "validate_records",
]

KINDS = ("text", "integer", "number", "date", "choice", "choices", "flag")
MAX_LISTED = 25


@dataclass(frozen=True)
class Field:
    """One column of a record table.

    Attributes
    ----------
    name:
        Column name.
    kind:
        ``text``, ``integer``, ``number``, ``date``, ``choice`` (one of
        ``choices``), ``choices`` (a list of them, written ``a; b`` in a cell) or
        ``flag`` (true/false).
    required:
        A value must be given.
    choices:
        Allowed values for ``choice``/``choices`` (matched case-insensitively).
    low, high:
        Inclusive bounds for ``integer``/``number``.
    why:
        Why ``high`` is where it is, shown when a value is above it.
    description:
        What the field means (shown in the templates).
    example:
        A value for the template's example row.
    """

    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    description: str = ""
    example: Any = None
    why: str = ""

    def expected(self) -> str:
        """What a valid value looks like, in words."""
        if self.kind == "integer":
            return f"a whole number from {self.low:g} to {self.high:g}" if self.high is not None \
                else f"a whole number ≥ {self.low:g}"
        if self.kind == "number":
            text = "a finite number"
            if self.low is not None and self.high is not None:
                text += f" from {self.low:g} to {self.high:,.0f}"
            elif self.low is not None:
                text += f" ≥ {self.low:g}"
            return text + (f" ({self.why})" if self.why and self.high is not None else "")
        if self.kind == "date":
            return "a date like 2026-03-31"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "choices":
            return "a list (separated by ';') of " + ", ".join(self.choices)
        if self.kind == "flag":
            return "true or false"
        return "text"


def is_blank(value: Any) -> bool:
    """True for None, NaN, NaT and empty or blank strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


class Problems:
    """Collects problems found in a table and raises them together."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, where: str, field: str | None, problem: str, found: Any = None,
            expected: str | None = None) -> None:
        """Record one problem at ``where`` (e.g. ``"row 3 (R-07)"``) in ``field``."""
        text = where + (f", field {field!r}" if field else "") + f": {problem}"
        if found is not None:
            text += f"; found {describe(found, 60)}"
        if expected:
            text += f"; expected {expected}"
        self.lines.append(text)

    def raise_if_any(self, what: str = "register") -> None:
        """Raise :class:`RegisterError` listing every problem (the first 25 in the message)."""
        if not self.lines:
            return
        shown = self.lines[:MAX_LISTED]
        more = len(self.lines) - len(shown)
        message = (f"{self.source}: the {what} is not valid ({len(self.lines)} problem"
                   f"{'s' if len(self.lines) > 1 else ''}):\n  " + "\n  ".join(shown)
                   + (f"\n  ... and {more} more" if more else ""))
        raise RegisterError(message, self.lines)


def _convert(field: Field, value: Any) -> tuple[Any, str | None]:
    """(converted value, problem or None)."""
    if is_blank(value):
        return (None, "is required") if field.required else (
            [] if field.kind == "choices" else None, None)
    kind = field.kind
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip(), None
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            return None, "is not a number"
        try:
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            return None, "is not a number"
        if np.isnan(number):
            return None, "is not a number"
        if not np.isfinite(number):
            return None, "is not a finite number"
        if kind == "integer":
            if not number.is_integer():
                return None, "is not a whole number"
            number = int(number)
        if (field.low is not None and number < field.low) or (
                field.high is not None and number > field.high):
            return None, "is out of range"
        return number, None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if isinstance(value, pd.Timestamp):
            return value.date(), None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]), None
        except ValueError:
            return None, "is not a valid date"
    if kind == "choice":
        lookup = {c.lower(): c for c in field.choices}
        key = str(value).strip().lower()
        return (lookup[key], None) if key in lookup else (None, "is not an allowed value")
    if kind == "choices":
        text = str(value) if field.choices == () else str(value).replace(",", ";")
        items = value if isinstance(value, (list, tuple)) else text.split(";")
        items = [str(v).strip() for v in items if str(v).strip()]
        if field.choices:
            lookup = {c.lower(): c for c in field.choices}
            bad = [v for v in items if v.lower() not in lookup]
            if bad:
                return None, f"has values that are not allowed ({', '.join(bad)})"
            items = [lookup[v.lower()] for v in items]
        return items, None
    if kind == "flag":
        if isinstance(value, (bool, np.bool_)):
            return bool(value), None
        flag = parse_flag(str(value))
        return (flag, None) if flag is not None else (None, "is not true or false")
    raise ValueError(f"unknown field kind {kind!r}")  # pragma: no cover - programming error


def validate_records(
    frame: pd.DataFrame,
    fields: Sequence[Field],
    *,
    problems: Problems,
    locate: Callable[[int], str] = lambda i: f"row {i + 1}",
    id_field: str | None = None,
) -> pd.DataFrame:
    """Check and convert every row of ``frame`` against ``fields``.

    Parameters
    ----------
    frame:
        The raw table as read (strings, numbers, NaN).
    fields:
        The table's definition. Columns not in it are kept as they are; fields
        missing from the table are added empty (and reported if required).
    problems:
        Where problems are collected (raise with ``problems.raise_if_any()``).
    locate:
        Row position (0-based) -> where it is, e.g. ``"row 3 (line 4)"``.
    id_field:
        A field whose value is shown next to the row, and which must be unique.

    Returns
    -------
    pandas.DataFrame
        Converted values (object columns), fields first in definition order.
    """
    names = [f.name for f in fields]
    absent = [f.name for f in fields if f.required and f.name not in frame.columns]
    if absent:
        problems.add("header", None, f"missing required column(s) {absent}",
                     found=list(frame.columns), expected=f"the columns {names}")
        return frame
    out = pd.DataFrame(index=frame.index)
    raw = frame.reindex(columns=names).astype(object).to_numpy()
    ids = frame[id_field].tolist() if id_field and id_field in frame.columns else [None] * len(
        frame)
    converted: dict[str, list[Any]] = {n: [] for n in names}
    for i, row in enumerate(raw):  # registers have tens of rows, FMEA sheets hundreds
        label = locate(i) + (f" ({ids[i]})" if not is_blank(ids[i]) else "")
        for field, value in zip(fields, row, strict=True):
            result, problem = _convert(field, value)
            if problem:
                problems.add(label, field.name, problem,
                             found=None if problem == "is required" else value,
                             expected=field.expected())
            converted[field.name].append(result)
    for n in names:
        out[n] = pd.Series(converted[n], index=frame.index, dtype=object)
    if id_field:
        key = out[id_field]
        dup = key[key.notna() & key.duplicated(keep=False)]
        for value, positions in dup.groupby(dup).groups.items():
            rows = [frame.index.get_loc(p) for p in positions]
            problems.add(", ".join(locate(r) for r in rows), id_field,
                         "is not unique", found=value, expected="a different id on every row")
    extra = [c for c in frame.columns if c not in names]
    for c in extra:
        out[c] = frame[c]
    return out


# ---------------------------------------------------------------- reading record files


def read_csv_text(path: str | Path, what: str = "register") -> pd.DataFrame:
    """A record CSV as text cells (empty cells as ``""``; a UTF-8 BOM is dropped).

    Raises
    ------
    RegisterError
        One message for a file that is empty, binary, not UTF-8 or not CSV.
    """
    problem = text_file_problem(path)
    if problem:
        raise RegisterError(f"{path}: {problem}; expected a {what} as CSV text with a header "
                            "row")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RegisterError(f"{path}: cannot read as CSV ({str(exc).strip()}); expected a "
                            f"{what} as CSV text with a header row") from None


def read_workbook_sheets(path: str | Path, what: str = "register") -> dict[str, pd.DataFrame]:
    """Every sheet of an ``.xlsx`` file, cells as found; one message for a file that is not one.

    Raises
    ------
    RegisterError
        An empty file, or one that is not an Excel workbook (a CSV renamed .xlsx).
    """
    if Path(path).stat().st_size == 0:
        raise RegisterError(f"{path}: the file is empty (0 bytes); expected a {what} as an "
                            ".xlsx workbook")
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        raise RegisterError(f"{path}: not a readable .xlsx workbook ({str(exc).strip()}); "
                            f"expected a {what} saved from Excel as .xlsx") from None
    if not sheets:
        raise RegisterError(f"{path}: the workbook has no sheets; expected a {what} sheet")
    return sheets


def csv_row(i: int) -> str:
    """Where record ``i`` (from 0) of a CSV file is: ``row 1 (line 2)``."""
    return f"row {i + 1} (line {i + 2})"


def sheet_row(name: str) -> Callable[[int], str]:
    """Where record ``i`` of sheet ``name`` is: ``row 1 (sheet 'risks' row 2)``."""

    def locate(i: int) -> str:
        return f"row {i + 1} (sheet {name!r} row {i + 2})"

    return locate
