"""Local wall-clock times moved to UTC with one vectorised offset lookup.

An export's times are usually a local wall clock (``05.01.2026 01:00:28`` in
Berlin). pandas' ``tz_localize`` finds each value's offset one value at a time;
:func:`wall_to_utc` instead finds the zone's transitions within the span of the
values once (pandas converts a grid of instants, and each change of offset is
narrowed to the microsecond by bisection), then gives every value its offset
with one ``searchsorted``: a few numpy passes over int64 microseconds. A value
in the hour a transition skips or repeats is not decided here: the function
returns None and the caller takes the careful path, which names the row of a
skipped time and notes how a repeated one was read. So is a span of values
too wide to look at (a wrong century) or a grid that shows two transitions in
one step. :func:`utc_to_wall` goes the other way (every instant has one wall
time), for figures cut at local midnight.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import lru_cache

import numpy as np

from modlean.eventlog.timestamps import NAT, utc_index

__all__ = ["later_reading", "utc_to_wall", "wall_to_utc"]

#: The grid on which offsets are looked up (no zone changes its offset twice in 15 minutes).
_STEP = 15 * 60 * 1_000_000
#: The span transitions are looked up in is widened to whole weeks of this length.
_WEEK = 7 * 86_400_000_000
#: Margin around the values: more than any UTC offset (at most 26 hours).
_MARGIN = 2 * 86_400_000_000
#: The widest span of values looked up this way (the grid stays small).
_MAX_SPAN = 100 * 366 * 86_400_000_000


def wall_to_utc(wall: np.ndarray, tz: str | tzinfo) -> np.ndarray | None:
    """int64 microseconds of local wall time in ``tz`` as microseconds since the epoch (UTC).

    :data:`~modlean.eventlog.timestamps.NAT` stays NaT. Returns None when a value falls
    in a skipped or repeated hour, or the values span more than a century: the
    caller decides those with pandas.
    """
    present = wall != NAT
    if not present.any():
        return wall.copy()
    values = wall[present] if not present.all() else wall
    lo, hi = int(values.min()) - _MARGIN, int(values.max()) + _MARGIN
    if hi - lo > _MAX_SPAN:
        return None
    found = _transitions(lo, hi, tz)
    if found is None:
        return None
    first, at, before, after = found
    start, end = at + np.minimum(before, after), at + np.maximum(before, after)
    if (start[1:] < end[:-1]).any():  # transitions too close for one lookup
        return None
    # the transitions begun by each value; it is past the last one's window, or in it
    begun = np.searchsorted(start, values, side="right") if len(at) else 0
    if len(at) and (values < np.concatenate(([NAT], end))[begun]).any():
        return None  # in an hour skipped or repeated
    offset = np.concatenate(([first], after))[begun]
    if values is wall:
        return wall - offset
    out = np.full(len(wall), NAT, dtype=np.int64)
    out[present] = values - offset
    return out


def utc_to_wall(utc: np.ndarray, tz: str | tzinfo) -> np.ndarray:
    """int64 microseconds since the epoch (UTC) as microseconds of local wall time in ``tz``.

    Every instant has one wall time, so nothing is left to the caller; NaT stays NaT.
    """
    present = utc != NAT
    if not present.any():
        return utc.copy()
    values = utc[present] if not present.all() else utc
    lo, hi = int(values.min()), int(values.max())
    found = _transitions(lo, hi, tz) if hi - lo <= _MAX_SPAN else None
    if found is None:  # a century of values, or a step hiding two transitions: pandas
        return np.where(present, utc + _offsets(np.where(present, utc, lo), tz), NAT)
    first, at, _, after = found
    offset = np.concatenate(([first], after))[np.searchsorted(at, values, side="right")]
    if values is utc:
        return utc + offset
    out = np.full(len(utc), NAT, dtype=np.int64)
    out[present] = values + offset
    return out


def later_reading(utc: np.ndarray, tz: str | tzinfo) -> np.ndarray:
    """For instants read from a wall clock in the hour repeated when ``tz`` falls back (read
    as the first of the two, summer time): the second instant with the same wall time;
    every other value as it is (NaT stays NaT)."""
    out = utc.copy()
    present = utc != NAT
    if not present.any():
        return out
    found = _transitions(int(utc[present].min()), int(utc[present].max()), tz)
    if found is None:
        return out
    _, at, before, after = found
    for instant, old, new in zip(at, before, after, strict=True):  # a few a year
        repeat = int(old - new)  # the hour a fall-back repeats (0 or less: none)
        if repeat > 0:
            first = present & (utc >= instant - repeat) & (utc < instant)
            out[first] += repeat
    return out


def _offsets(utc: np.ndarray, tz: str | tzinfo) -> np.ndarray:
    """The UTC offset of ``tz`` (microseconds) at each UTC instant."""
    local = utc_index(utc).tz_convert(tz).tz_localize(None).as_unit("us")
    return local.asi8 - utc


def _transitions(lo: int, hi: int, tz: str | tzinfo
                 ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """The offset at ``lo``, then each transition in ``[lo, hi]``: its UTC instant (the first
    with the new offset), the offset before and after. None when a step hides two.

    Looked up over whole weeks and kept: the time columns of one export span about the
    same weeks, so the zone's transitions are found once for all of them."""
    return _transitions_in_weeks(lo // _WEEK * _WEEK, -(-hi // _WEEK) * _WEEK, tz)


@lru_cache(maxsize=64)
def _transitions_in_weeks(lo: int, hi: int, tz: str | tzinfo
                          ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    grid = np.arange(lo, hi + _STEP, _STEP, dtype=np.int64)
    offsets = _offsets(grid, tz)
    change = np.flatnonzero(offsets[1:] != offsets[:-1])
    before, after = offsets[change], offsets[change + 1]
    a, b = grid[change], grid[change + 1]  # offset(a) = before, offset(b) = after
    while len(a) and (b - a > 1).any():  # bisection, all transitions at once
        mid = (a + b) // 2
        got = _offsets(mid, tz)
        if not ((got == before) | (got == after)).all():
            return None  # a third offset inside one step
        a, b = np.where(got == before, mid, a), np.where(got == before, b, mid)
    for kept in (b, before, after):
        kept.setflags(write=False)  # shared by every caller of the cache
    return int(offsets[0]), b, before, after
