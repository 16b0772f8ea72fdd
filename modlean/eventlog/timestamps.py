"""The canonical log's clock: int64 microseconds since the epoch, in UTC.

Mining works on int64 microseconds (``datetime64[us]`` viewed as integers);
these are the one definition of that unit and of the way back to tz-aware
pandas values, shared by the reader, mining, calibration and the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MICROS_PER_SECOND", "UTC_DTYPE", "utc_index", "utc_series"]

#: Microseconds per second: the canonical log's time unit.
MICROS_PER_SECOND = 1_000_000
#: The dtype of every canonical timestamp column.
UTC_DTYPE = pd.DatetimeTZDtype("us", "UTC")


def utc_series(micros: np.ndarray) -> pd.Series:
    """int64 microseconds since the epoch as a ``datetime64[us, UTC]`` column, without a copy."""
    values = micros.view("datetime64[us]")
    try:
        array = pd.arrays.DatetimeArray._simple_new(values, dtype=UTC_DTYPE)
    except (AttributeError, TypeError):  # pragma: no cover - pandas without it: one copy
        array = pd.DatetimeIndex(values, copy=False).tz_localize("UTC").array
    return pd.Series(array, copy=False)


def utc_index(micros: np.ndarray) -> pd.DatetimeIndex:
    """int64 microseconds since the epoch as a UTC ``DatetimeIndex``."""
    return pd.DatetimeIndex(micros.astype("datetime64[us]")).tz_localize("UTC")
