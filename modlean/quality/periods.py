"""Calendar periods (day, week, month ...) of UTC instants, counted in a market's local time.

A program manager in Berlin reads "Monday" as the Berlin Monday: an event at
23:30 UTC on Sunday in summer is 01:30 on Monday there. :func:`local_periods`
buckets instants by the local wall clock of ``tz`` (default UTC, the clock the
canonical log keeps) and returns each period's start as a time in that zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean._util import unknown_zone
from modlean.errors import ParameterError

__all__ = ["check_zone", "local_periods"]


def check_zone(tz: str) -> str:
    """``tz`` when it is a known IANA zone name, else a ParameterError with a did-you-mean."""
    expected = unknown_zone(tz)
    if expected:
        raise ParameterError(f"tz {tz!r}: unknown time zone; expected {expected}")
    return str(tz)


def local_periods(times: pd.Series, freq: str = "D", tz: str = "UTC") -> pd.Series:
    """The start of the period holding each instant, counted on ``tz``'s wall clock.

    Parameters
    ----------
    times:
        Time-zone-aware instants (the canonical log's UTC times); NaT stays NaT.
    freq:
        A pandas frequency: ``"D"`` day, ``"12h"``, ``"W"`` (weeks starting Monday),
        ``"MS"`` ...
    tz:
        The market's IANA zone; the default UTC gives UTC days as before.

    Returns
    -------
    pandas.Series
        Aligned with ``times``: each period's start, aware in ``tz`` (local midnight
        for a day, even on a daylight-saving day of 23 or 25 hours). A local start
        that falls in a repeated hour is read as its first occurrence; one that
        does not exist is moved to the next valid time.
    """
    zone = check_zone(tz)
    local = times.dt.tz_convert(zone).dt.tz_localize(None)
    try:
        start = local.dt.floor(freq)
    except ValueError:
        try:  # non-fixed frequencies (W, MS ...) go through periods
            start = local.dt.to_period(freq).dt.start_time
        except ValueError:
            raise ParameterError(f"freq {freq!r}: expected a pandas frequency such as 'D', "
                                 "'12h' or 'W'") from None
    return start.dt.tz_localize(zone, ambiguous=np.ones(len(start), dtype=bool),
                                nonexistent="shift_forward")
