"""Naive times of one fixed-width numeric format, parsed from their bytes with numpy.

An export's time columns are usually machine-written: every value the same
width, the digits at the same places (``05.01.2026 01:00:28``). Arrow's CSV
reader can hand such a column over as fixed-size binary: one (rows x width)
byte matrix, not a string per row. :func:`parse_fixed` reads each field from
its columns of digits, checks every field's range (day 31 of February is
refused, never rolled over into March as ``strptime`` does) and gives
microseconds since the epoch of the naive wall clock. Anything else (another
width, a letter, an impossible date, a leap second) is not guessed: it returns
None, and the column goes the careful way, whose errors name the row.
:func:`naive_format` is the one place that decides which format a column of
naive times is in, and whether its date order is certain; :func:`head_formats`
asks it for each time column of a file's first rows, before the file is read.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
from pandas.tseries.api import guess_datetime_format

__all__ = ["fixed_width", "head_formats", "naive_format", "parse_fixed"]

#: The fields a fixed-width format may hold, with their digits and smallest and largest values.
_FIELDS = {"%Y": (4, 1, 9999), "%m": (2, 1, 12), "%d": (2, 1, 31), "%H": (2, 0, 23),
           "%M": (2, 0, 59), "%S": (2, 0, 59)}


def naive_format(sample: str, dayfirst: bool | None) -> str | None:
    """The ``strptime`` format of the naive time ``sample``, or None when it is not certain.

    None for a time with an offset or fractions of a second, for a value no
    format fits, and for a date neither year-first nor read with ``dayfirst``
    given (the careful path decides the order from the whole column).
    """
    with warnings.catch_warnings():  # pandas' advice on dayfirst: the order is checked here
        warnings.simplefilter("ignore", UserWarning)
        fmt = guess_datetime_format(sample, dayfirst=bool(dayfirst))
        if fmt is not None and fmt.startswith("%Y"):  # year first is year-month-day (ISO),
            fmt = guess_datetime_format(sample, dayfirst=False)  # not %Y-%d-%m
    if fmt is None or any(code in fmt for code in ("%z", "%Z", "%f")):
        return None
    if not fmt.startswith("%Y") and dayfirst is None:
        return None
    return fmt


def head_formats(head: str, sep: str, header: list[str], columns: Iterable[str], *,
                 dayfirst: bool | None) -> dict[str, str]:
    """The format of each of ``columns`` in the first rows of a file (``head``), where certain."""
    lines = head.splitlines()
    if not head.endswith(("\n", "\r")):
        lines = lines[:-1]  # the head may cut the last line
    rows = list(csv.reader(lines[1:200], delimiter=sep))
    formats = {}
    for col in columns:
        if col not in header:
            continue
        at = header.index(col)
        sample = next((r[at].strip() for r in rows if len(r) > at and r[at].strip()), None)
        fmt = naive_format(sample, dayfirst) if sample is not None else None
        if fmt is not None:
            formats[col] = fmt
    return formats


def fixed_width(fmt: str) -> int | None:
    """The width of every value written in ``fmt`` (None when values may differ in width)."""
    layout = _layout(fmt)
    return None if layout is None else len(layout[0])


def _layout(fmt: str) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int, int]]] | None:
    """Per byte of a value: the lowest byte and the span above it; the fields' places."""
    low: list[int] = []
    span: list[int] = []
    spans: list[tuple[str, int, int]] = []
    for part in re.split(r"(%.)", fmt):
        if part in _FIELDS:
            digits = _FIELDS[part][0]
            spans.append((part, len(low), digits))
            low += [ord("0")] * digits
            span += [9] * digits
        elif part.startswith("%"):
            return None
        else:
            low += list(part.encode())
            span += [0] * len(part.encode())
    return np.array(low, np.uint8), np.array(span, np.uint8), spans


def parse_fixed(values: pa.Array, fmt: str) -> pa.Array | None:
    """Fixed-size binary times in ``fmt`` as naive ``timestamp[us]`` (None: not all readable).

    Missing values stay missing. Every present value must have its digits and
    separators where ``fmt`` puts them and every field in range, or the whole
    column is left to the careful path.
    """
    layout = _layout(fmt)
    if layout is None or not pa.types.is_fixed_size_binary(values.type) or \
            values.type.byte_width != len(layout[0]):
        return None
    low, span, spans = layout
    width = len(low)
    n = len(values)
    data = np.frombuffer(values.buffers()[1], np.uint8)[values.offset * width:
                                                        (values.offset + n) * width]
    rows = data.reshape(n, width)
    valid = present = None
    if values.null_count:
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        present = np.flatnonzero(valid)
        rows = rows.take(present, axis=0)  # by index: a boolean mask copies row by row
    # one pass over the bytes, turned to one row per byte position (each row then
    # contiguous): each digit's value, and a separator's 0 where it belongs
    digit = np.empty((width, len(rows)), dtype=np.uint8)
    np.subtract(rows.T, low[:, None], out=digit)  # a byte below its lowest wraps round
    if (digit > span[:, None]).any():  # a separator out of place, or not a digit
        return None
    fields: dict[str, np.ndarray] = {}
    for code, at, digits in spans:
        value = digit[at].astype(np.int32)
        for j in range(at + 1, at + digits):
            value *= 10
            value += digit[j]
        _, smallest, largest = _FIELDS[code]
        if (value < smallest).any() or (value > largest).any():
            return None
        fields[code] = value
    if not {"%Y", "%m", "%d"} <= fields.keys():
        return None
    month = (fields["%Y"] - 1970) * 12 + fields["%m"] - 1  # months since January 1970
    first = int(month.min()) if len(month) else 0
    calendar = np.arange(first, (int(month.max()) if len(month) else 0) + 2)  # each month once
    starts = calendar.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    day = fields["%d"]
    late = np.flatnonzero(day > 28)  # only these can pass their month's end
    if (day[late] > np.diff(starts)[month[late] - first]).any():  # 31.02., 31.04., 29.02.
        return None
    seconds = starts[:-1][month - first]
    seconds += day - 1
    seconds *= 86_400
    for code, scale in (("%H", 3600), ("%M", 60), ("%S", 1)):
        if code in fields:
            seconds += fields[code] * scale
    seconds *= 1_000_000
    if valid is None:
        return pa.array(seconds, type=pa.timestamp("us"))
    micros = np.zeros(n, dtype=np.int64)
    micros[present] = seconds
    return pa.array(micros, type=pa.timestamp("us"), mask=~valid)
