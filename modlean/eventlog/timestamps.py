"""The canonical log's clock: int64 microseconds since the epoch, in UTC.

Mining works on int64 microseconds (``datetime64[us]`` viewed as integers);
these are the one definition of that unit, of NaT in it and of the way back to
tz-aware pandas values, shared by the reader, mining, calibration and the
simulator, and the reading of a time a user gives (a filter's window).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from modlean.errors import ParameterError

__all__ = ["MICROS_PER_SECOND", "NAT", "UTC_DTYPE", "TimeLike", "as_micros", "micros_of",
           "utc_index", "utc_series"]

#: Microseconds per second: the canonical log's time unit.
MICROS_PER_SECOND = 1_000_000
#: NaT as int64 microseconds (the int64 minimum).
NAT = np.iinfo(np.int64).min
#: The dtype of every canonical timestamp column.
UTC_DTYPE = pd.DatetimeTZDtype("us", "UTC")
#: A time a user may give: ISO text with a zone, a datetime or a pandas Timestamp.
TimeLike = str | datetime | pd.Timestamp | np.datetime64


def utc_series(micros: np.ndarray) -> pd.Series:
    """int64 microseconds since the epoch as a ``datetime64[us, UTC]`` column, without a copy."""
    values = micros.view("datetime64[us]")
    try:
        array = pd.arrays.DatetimeArray._simple_new(values, dtype=UTC_DTYPE)
    except (AttributeError, TypeError):  # pragma: no cover - pandas without it: one copy
        array = pd.DatetimeIndex(values, copy=False).tz_localize("UTC").array
    return pd.Series(array, copy=False)


def micros_of(values: pd.Series) -> np.ndarray:
    """A tz-aware column as int64 microseconds since the epoch; NaT becomes :data:`NAT`."""
    if str(values.dtype.tz) != "UTC" or values.dtype.unit != "us":
        values = values.dt.tz_convert("UTC").dt.as_unit("us")
    return np.asarray(values.array.asi8, dtype=np.int64)


def utc_index(micros: np.ndarray) -> pd.DatetimeIndex:
    """int64 microseconds since the epoch as a UTC ``DatetimeIndex``."""
    return pd.DatetimeIndex(micros.astype("datetime64[us]")).tz_localize("UTC")


def as_micros(value: TimeLike, name: str) -> int:
    """A time given by a user (with a zone) as int64 microseconds since the epoch (UTC).

    ``name`` is the parameter, named in the :class:`~modlean.errors.ParameterError`
    raised for a value that is not a time or has no zone.
    """
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r}: expected a time such as "
                             "2026-03-02T00:00:00Z") from None
    if t.tzinfo is None:
        raise ParameterError(f"{name}={value!r}: the time has no zone; write it with an "
                             "offset or Z (UTC)")
    return int(t.tz_convert("UTC").as_unit("us").asm8.view("i8"))
