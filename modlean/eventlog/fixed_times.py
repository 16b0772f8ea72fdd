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
naive times is in, and whether its date order is certain.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pyarrow as pa
from pandas.tseries.api import guess_datetime_format

__all__ = ["fixed_width", "naive_format", "parse_fixed"]

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


def fixed_width(fmt: str) -> int | None:
    """The width of every value written in ``fmt`` (None when values may differ in width)."""
    width = 0
    for part in re.split(r"(%.)", fmt):
        if part.startswith("%"):
            if part not in _FIELDS:
                return None
            width += _FIELDS[part][0]
        else:
            width += len(part.encode())
    return width


def parse_fixed(values: pa.Array, fmt: str) -> pa.Array | None:
    """Fixed-size binary times in ``fmt`` as naive ``timestamp[us]`` (None: not all readable).

    Missing values stay missing. Every present value must have its digits and
    separators where ``fmt`` puts them and every field in range, or the whole
    column is left to the careful path.
    """
    width = fixed_width(fmt)
    if width is None or not pa.types.is_fixed_size_binary(values.type) or \
            values.type.byte_width != width:
        return None
    n = len(values)
    data = np.frombuffer(values.buffers()[1], np.uint8)[values.offset * width:
                                                        (values.offset + n) * width]
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    rows = data.reshape(n, width)[valid]
    fields: dict[str, np.ndarray] = {}
    at = 0
    for part in re.split(r"(%.)", fmt):
        if not part:
            continue
        if part in _FIELDS:
            digits, low, high = _FIELDS[part]
            cells = rows[:, at:at + digits].astype(np.int64) - ord("0")
            if ((cells < 0) | (cells > 9)).any():
                return None
            value = cells @ (10 ** np.arange(digits - 1, -1, -1, dtype=np.int64))
            if ((value < low) | (value > high)).any():
                return None
            fields[part] = value
            at += digits
        else:
            literal = np.frombuffer(part.encode(), np.uint8)
            if (rows[:, at:at + len(literal)] != literal).any():
                return None
            at += len(literal)
    if not {"%Y", "%m", "%d"} <= fields.keys():
        return None
    months = (fields["%Y"] - 1970) * 12 + fields["%m"] - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    length = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - first
    if (fields["%d"] > length).any():  # 31.02., 31.04., 29.02. of a common year
        return None
    seconds = (first + fields["%d"] - 1) * 86_400 + fields.get("%H", 0) * 3600 \
        + fields.get("%M", 0) * 60 + fields.get("%S", 0)
    micros = np.zeros(n, dtype=np.int64)
    micros[valid] = seconds * 1_000_000
    return pa.array(micros, type=pa.timestamp("us"), mask=~valid)
