"""Parsing the values of a raw log: ids and names as text, times to UTC.

Times are refused rather than guessed when ambiguous: zones (naive times are
read in ``tz``, with a :class:`LogWarning` when ``tz`` was not stated), day-first
or month-first numeric dates, Unix epochs in seconds or milliseconds, and
daylight-saving gaps. Every error names the row, line, column and value.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime, tzinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modlean._util import unknown_zone
from modlean.errors import LogError
from modlean.eventlog.categorical import (
    is_categorical,
    is_text,
    plain_text,
    strip_categories,
    text_codes,
)
from modlean.eventlog.columns import DESCRIPTIONS
from modlean.eventlog.fixed_times import naive_format
from modlean.eventlog.readers import RawLog
from modlean.eventlog.timestamps import UTC_DTYPE, utc_series
from modlean.eventlog.wall_clock import wall_to_utc

__all__ = [
    "DEFAULT_TZ",
    "LogWarning",
    "as_text",
    "check_tz",
    "first_rows",
    "parse_numbers",
    "parse_times",
    "strings",
    "tz_stated",
]

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



def tz_stated(tz: str | tzinfo) -> bool:
    """Whether the caller stated ``tz`` (anything but the :data:`DEFAULT_TZ` default)."""
    return not isinstance(tz, _DefaultTZ)


def first_rows(raw: RawLog, positions: np.ndarray, limit: int = 5) -> str:
    rows = [raw.locate(int(p)) for p in positions[:limit]]
    text = ", ".join(f"{r}" + (f" (line {ln})" if ln else "") for r, ln in rows)
    more = len(positions) - limit
    return text + (f" and {more} more" if more > 0 else "")


def as_text(values: pd.Series, raw: RawLog, column: str, canon: str, *,
            codes: bool = False) -> pd.Series:
    """A required column of ids or names as strings; integral floats lose their '.0'.

    With ``codes`` the result is a categorical (unsorted categories): a text
    column is dictionary-encoded first, so each distinct value is stripped once
    and later steps move integer codes instead of strings.
    """
    text = strings(text_codes(values) if codes and is_text(values) else values)
    empty = text.isna()
    if empty.any():
        positions = np.flatnonzero(empty.to_numpy())
        row, line = raw.locate(int(positions[0]))
        raise LogError(
            f"{canon} is empty in rows {first_rows(raw, positions)}", source=raw.name,
            row=row, line=line, column=column,
            expected=f"a value for {DESCRIPTIONS[canon]} in every row",
        )
    if codes:
        return text_codes(text)
    return plain_text(text) if is_categorical(text) else text.astype(str)


def strings(values: pd.Series) -> pd.Series:
    """Values as stripped strings, blanks as missing; 12.0 becomes '12', not '12.0'.

    A categorical stays categorical, with its categories stripped.
    """
    if is_categorical(values):
        return strip_categories(values)
    if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        values = values.astype("Int64")
    text = values.astype("string[pyarrow]").str.strip()
    return text.mask(text.eq(""))


def check_tz(tz: str | tzinfo) -> str | tzinfo:
    """``tz`` itself when it is a tzinfo or a known IANA name; else a LogError."""
    if isinstance(tz, tzinfo):
        return tz
    expected = unknown_zone(tz)
    if expected:
        raise LogError("unknown time zone", column="tz", found=tz, expected=expected)
    return str(tz)


def parse_times(values: pd.Series, raw: RawLog, column: str, *, tz: str | tzinfo, tz_stated: bool,
                 dayfirst: bool | None, allow_empty: bool, notes: list[str]) -> pd.Series:
    """Parse a column of times to ``datetime64[us, UTC]``, refusing anything ambiguous."""
    where = {"source": raw.name, "column": column}
    if isinstance(values.dtype, pd.DatetimeTZDtype) or \
            pd.api.types.is_datetime64_dtype(values.dtype):  # read as times (Parquet, typed CSV)
        empty = values.isna().to_numpy()
        if empty.any() and not allow_empty:
            positions = np.flatnonzero(empty)
            row, line = raw.locate(int(positions[0]))
            raise LogError(f"the time is empty in rows {first_rows(raw, positions)}",
                           row=row, line=line, expected=_TIME_EXAMPLE, **where)
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return values.dt.tz_convert("UTC").astype(UTC_DTYPE)
        return _localise(values, raw, column, tz, tz_stated, notes)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return _from_epoch(values, raw, column, allow_empty)

    fast = _fast_naive(values, dayfirst, allow_empty)
    if fast is not None:
        return _localise(fast, raw, column, tz, tz_stated, notes)
    text = values.astype("string").str.strip()
    text = text.mask(text.eq(""))
    empty = text.isna()
    if empty.any() and not allow_empty:
        positions = np.flatnonzero(empty.to_numpy())
        row, line = raw.locate(int(positions[0]))
        raise LogError(f"the time is empty in rows {first_rows(raw, positions)}",
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

    parsed = pd.Series(pd.NaT, index=text.index, dtype=UTC_DTYPE)
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
            parsed[fmt_mask] = got.astype(UTC_DTYPE)
    bad = parsed.isna().to_numpy() & ~empty.to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        row, line = raw.locate(i)
        good = text[~bad & ~empty.to_numpy()]
        like = f" (the other rows look like {good.iloc[0]!r})" if len(good) else ""
        raise LogError("the time cannot be read", row=row, line=line, found=text.iloc[i],
                       expected=_TIME_EXAMPLE + like, **where)
    return parsed


def _fast_naive(values: pd.Series, dayfirst: bool | None, allow_empty: bool
                ) -> pd.Series | None:
    """Naive times of one certain format parsed by Arrow; None when the careful path must decide.

    Taken only when every value fits the format of the first (so no value carries
    an offset), and the date order is certain: year first, or ``dayfirst`` given.
    """
    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    present = pc.drop_null(arr)
    if len(present) == 0 or (arr.null_count and not allow_empty):
        return None
    fmt = naive_format(present[0].as_py(), dayfirst)
    if fmt is None:
        return None
    parsed = pc.strptime(arr, format=fmt, unit="us", error_is_null=True)
    if parsed.null_count != arr.null_count or _rolled_over(arr, parsed, fmt):
        return None
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)


def _rolled_over(text: pa.Array, parsed: pa.Array, fmt: str) -> bool:
    """Whether Arrow rolled an impossible date over (31.02. read as 3 March).

    A rolled date lands on day 1-3 of March or day 1 of a month after a 30-day
    month; only those rows are written back and compared, and a mismatch is
    checked with Python's strptime (which refuses impossible dates but not a
    missing zero pad). Seconds 60 and 61 (leap seconds) still roll over.
    """
    days = parsed.cast(pa.int64()).fill_null(0).to_numpy() // 86_400_000_000  # since 1970
    if not len(days):
        return False
    years = range(1970 + int(days.min()) // 366, 1971 + int(days.max()) // 365)
    landing = [np.datetime64(f"{y}-03-0{d}") for y in years for d in (1, 2, 3)] + [
        np.datetime64(f"{y}-{m:02d}-01") for y in years for m in (5, 7, 10, 12)]
    suspect = np.isin(days, np.array(landing, dtype="datetime64[D]").astype(np.int64),
                      kind="table")
    rows = np.flatnonzero(suspect & pc.is_valid(parsed).to_numpy(zero_copy_only=False))
    if not len(rows):
        return False
    seconds = parsed.take(rows).cast(pa.timestamp("s"))  # %S of microseconds writes a fraction
    given = text.take(rows)
    differ = np.flatnonzero(~pc.equal(given, pc.strftime(seconds, format=fmt))
                            .to_numpy(zero_copy_only=False))
    for value in given.take(differ).to_pylist():
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            return True
    return False


def _day_order(text: pd.Series, raw: RawLog, column: str, dayfirst: bool | None,
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


def _pos(raw: RawLog, text: pd.Series, i: int) -> int:
    """The 0-based data row of the i-th value of a filtered column."""
    return int(text.index[i])


def _localise(values: pd.Series, raw: RawLog, column: str, tz: str | tzinfo, tz_stated: bool,
              notes: list[str], positions: np.ndarray | None = None) -> pd.Series:
    # one offset lookup for the whole column (wall_clock); pandas decides values in
    # a skipped or repeated hour, naming the row of the first and noting the second
    fast = wall_to_utc(values.array.asi8, tz) if values.dtype == "datetime64[us]" else None
    if fast is not None:
        utc = utc_series(fast)
        utc.index = values.index
    else:
        utc = _localise_each(values, raw, column, tz, notes, positions)
    note = f"{column}: times without an offset were read as {tz}"
    if not tz_stated and values.notna().any():
        note += "; pass tz= if they are local times"
        if note not in notes:
            warnings.warn(f"{raw.name}: {note}", LogWarning, stacklevel=4)
    if note not in notes:
        notes.append(note)
    return utc


def _localise_each(values: pd.Series, raw: RawLog, column: str, tz: str | tzinfo,
                   notes: list[str], positions: np.ndarray | None) -> pd.Series:
    """Naive times to UTC with pandas: a skipped hour is an error, a repeated one summer time."""
    out = values.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    lost = out.isna().to_numpy() & values.notna().to_numpy()
    if lost.any():
        summer = values[lost].dt.tz_localize(tz, ambiguous=True, nonexistent="NaT")
        gap = summer.isna().to_numpy()
        if gap.any():  # a wall clock never shows the hour skipped in spring
            i = int(np.flatnonzero(lost)[np.argmax(gap)])
            row, line = raw.locate(int(positions[i]) if positions is not None else i)
            raise LogError(
                f"the time does not exist in time zone {tz} (the hour skipped at the "
                "daylight-saving change)", source=raw.name, row=row, line=line,
                column=column, found=str(values.iloc[i]),
                hint="check the time zone, or export the log with UTC offsets or in UTC")
        out = out.where(~lost, summer.reindex(out.index))
        note = (f"{column}: {int(lost.sum()):,} time(s) fell in the hour repeated when daylight "
                f"saving ended in {tz} and were read as summer time (the first of the two); "
                "durations around that hour may be off by up to an hour")
        warnings.warn(f"{raw.name}: {note}", LogWarning, stacklevel=5)
        notes.append(note)
    return out.dt.tz_convert("UTC").astype(UTC_DTYPE)


def _from_epoch(values: pd.Series, raw: RawLog, column: str, allow_empty: bool) -> pd.Series:
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
    return pd.to_datetime(numbers, unit=unit, utc=True).astype(UTC_DTYPE)


def parse_numbers(values: pd.Series, raw: RawLog, column: str, *, decimal: str = ".",
                  thousands: str | None = None) -> pd.Series:
    """A column of numbers as floats, read with the export's decimal and thousands marks.

    ``0,87`` with ``decimal=","`` is 0.87 and ``1.234,5`` with ``thousands="."`` is
    1234.5. Blanks are missing; anything else that is not a number is a LogError
    naming the row and the value.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip()
    text = text.mask(text.eq(""))
    if thousands:
        text = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    bad = numbers.isna().to_numpy() & text.notna().to_numpy()
    if bad.any():
        positions = np.flatnonzero(bad)
        row, line = raw.locate(int(positions[0]))
        raise LogError(f"not a number in rows {first_rows(raw, positions)}", source=raw.name,
                       row=row, line=line, column=column, found=values.iloc[positions[0]],
                       expected=f"a number written with decimal mark {decimal!r}"
                       + (f" and thousands mark {thousands!r}" if thousands else ""),
                       hint="Set locale.decimal / locale.thousands in the profile, or pass "
                       "decimal= / thousands=")
    return numbers
