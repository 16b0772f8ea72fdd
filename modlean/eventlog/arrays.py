"""The canonical log encoded for mining: :class:`EventArrays` and :func:`encode`.

Every miner (discovery, performance, lean metrics, conformance, calibration)
works on integer codes (case, activity) and int64 microseconds in mining order,
made once by :func:`encode` and shared. Ordering rules (see docs/mining.md):

* events are ordered by case, then time, then the row they had in the frame
  (a stable sort), so a log whose rows arrive shuffled or with cases interleaved
  gives the same answer; ties at equal times keep the frame's row order;
* ``order="complete"`` (the default) orders a case by completion ``timestamp``;
  ``order="start"`` by ``start_timestamp`` (its ``timestamp`` when it has none),
  then ``timestamp``.

Also here: the two spans of a case (:func:`completion_span` for its duration,
:func:`lead_span` for its lead time) and the log's activity vocabulary
(:attr:`EventArrays.activity_codes`, :meth:`EventArrays.codes_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from modlean.errors import LogError, ParameterError
from modlean.eventlog.categorical import adjacent, arrow_backing
from modlean.eventlog.read import read_log
from modlean.eventlog.timestamps import NAT, micros_of

__all__ = [
    "EventArrays",
    "Order",
    "completion_span",
    "encode",
    "factorize",
    "lead_span",
]

#: How events are ordered within a case: by completion or by start time.
Order = Literal["complete", "start"]


@dataclass(frozen=True, eq=False)
class EventArrays:
    """A canonical log as numpy arrays in mining order (case, time, row).

    Make one with :func:`encode` and pass it to several functions to encode the
    log once. Arrays are indexed by event in mining order; ``first``/``last`` by
    case code (cases are numbered in ``case_id`` order).
    """

    case: np.ndarray
    """int64 case code of each event (non-decreasing)."""
    time: np.ndarray
    """int64 completion time in microseconds since the epoch (UTC)."""
    start: np.ndarray
    """int64 start time in microseconds; the completion time where there is none."""
    has_start: np.ndarray | None
    """bool per event: a start timestamp was recorded (None: the log has no starts)."""
    first: np.ndarray
    """index of each case's first event."""
    last: np.ndarray
    """index of each case's last event."""
    order: np.ndarray | None
    """positions in the source frame of the events in mining order (None: same order)."""
    frame: pd.DataFrame = field(repr=False)
    """the source frame (read only)."""
    ordering: str = "complete"

    @cached_property
    def _activities(self) -> tuple[np.ndarray, np.ndarray]:
        codes, names = factorize(self.frame["activity"])
        return (codes if self.order is None else codes[self.order]), names

    @property
    def activity(self) -> np.ndarray:
        """int32 activity code of each event (encoded on first use)."""
        return self._activities[0]

    @property
    def activity_names(self) -> np.ndarray:
        """Activity name of each activity code."""
        return self._activities[1]

    @cached_property
    def activity_codes(self) -> dict[str, int]:
        """The log's vocabulary: the code of each activity name."""
        return {n: i for i, n in enumerate(self.activity_names)}

    def codes_of(self, names: Iterable[str]) -> np.ndarray:
        """int64 codes of the named activities that occur in the log (others are skipped)."""
        code = self.activity_codes
        return np.array([code[a] for a in names if a in code], dtype=np.int64)

    @cached_property
    def case_names(self) -> pd.Index:
        """``case_id`` of each case code, made on first use."""
        at = self.first if self.order is None else self.order[self.first]
        return pd.Index(self.frame["case_id"].iloc[at], name="case_id")

    @property
    def n_events(self) -> int:
        return len(self.case)

    @property
    def n_cases(self) -> int:
        return len(self.first)

    def column(self, name: str) -> pd.Series:
        """A column of the source frame in mining order (positional index), not copied
        when the frame is already in that order."""
        if name not in self.frame:
            raise ParameterError(f"the log has no column {name!r}; columns are "
                                 f"{', '.join(map(str, self.frame.columns))}")
        values = self.frame[name]
        values = values if self.order is None else values.iloc[self.order]
        return values.reset_index(drop=True)

    def positions(self, keep: np.ndarray) -> np.ndarray:
        """Positions in the source frame of the events selected by ``keep`` (mining order)."""
        idx = np.flatnonzero(keep)
        return idx if self.order is None else self.order[idx]

    def subset(self, keep: np.ndarray) -> pd.DataFrame:
        """The rows of the source frame selected by ``keep`` (mining order), in mining order."""
        return self.frame.iloc[self.positions(keep)]


def _micros(values: pd.Series, column: str) -> np.ndarray:
    """int64 microseconds since the epoch (UTC); NaT becomes the int64 minimum."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise LogError("times must be time-zone aware (UTC)", column=column,
                       found=str(values.dtype), expected="datetime64[us, UTC]",
                       hint="Read the log with modlean.read_log(..., tz=...) to state the zone")
    return micros_of(values)


def factorize(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and names of a text column (categoricals use their own codes)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not sort:
        codes = values.cat.codes.to_numpy().astype(np.int32)
        return codes, np.asarray(values.cat.categories, dtype=object)
    data = arrow_backing(values)
    if data is not None and not sort and data.null_count == 0:
        enc = pc.dictionary_encode(data)
        if hasattr(enc, "unify_dictionaries"):  # chunked: one dictionary for all chunks
            enc = enc.unify_dictionaries()
            chunks = [c for c in enc.chunks]
            if not chunks:
                return np.zeros(0, np.int32), np.zeros(0, object)
            codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False)
                                    for c in chunks])
            names = chunks[0].dictionary
        else:
            codes, names = enc.indices.to_numpy(zero_copy_only=False), enc.dictionary
        return codes.astype(np.int32, copy=False), np.asarray(names.to_pylist(), dtype=object)
    codes, names = pd.factorize(values, sort=sort)
    return codes.astype(np.int32 if len(names) < 2**31 else np.int64), \
        np.asarray(names, dtype=object)


def _looks_canonical(log: pd.DataFrame) -> bool:
    return (all(c in log for c in ("case_id", "activity", "timestamp"))
            and isinstance(log["timestamp"].dtype, pd.DatetimeTZDtype)
            and ("start_timestamp" not in log
                 or isinstance(log["start_timestamp"].dtype, pd.DatetimeTZDtype)))


def _event_clock(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Completion and start microseconds of each event (start = completion where there is
    none) and which events have a start (None: no start column); refuses bad times and ids."""
    time = _micros(log["timestamp"], "timestamp")
    if (time == NAT).any():
        raise LogError("some events have no timestamp", column="timestamp",
                       found=int((time == NAT).sum()), expected="a time on every event")
    for column in ("case_id", "activity"):
        if log[column].hasnans:
            raise LogError(f"{int(log[column].isna().sum())} events have no {column}",
                           column=column, expected=f"a {column} on every event")
    if "start_timestamp" in log:
        start = _micros(log["start_timestamp"], "start_timestamp")
        has_start = start != NAT
        start = np.where(has_start, start, time)
        late = int((start > time).sum())
        if late:
            raise LogError(f"{late} events start after they end", column="start_timestamp",
                           expected="start_timestamp at or before timestamp")
    else:
        start, has_start = time, None
    return time, start, has_start


def _in_mining_order(cases: pd.Series, time: np.ndarray, key: np.ndarray, order: Order
                     ) -> tuple[np.ndarray, bool]:
    """Whether each event has the case of the one before it, and whether the frame is
    already in mining order (so no sort and no copy is needed)."""
    if len(cases) <= 1:
        return np.zeros(0, bool), True
    same, ordered = adjacent(cases)
    if ordered:
        back = (key[1:] < key[:-1]) & same
        if order == "start":
            back |= same & (key[1:] == key[:-1]) & (time[1:] < time[:-1])
        ordered = not back.any()
    return same, ordered


def encode(log: pd.DataFrame | EventArrays, order: Order = "complete") -> EventArrays:
    """Encode a canonical log into :class:`EventArrays` (done once, reused by every call).

    Parameters
    ----------
    log:
        A canonical log (from :func:`modlean.read_log`). A frame with other column
        names (pm4py's ``case:concept:name``...) or text times is read through
        ``read_log`` first. The frame is never modified.
    order:
        ``"complete"`` orders each case by completion time (default),
        ``"start"`` by start time (completion time where there is none).

    Returns
    -------
    EventArrays
    """
    if isinstance(log, EventArrays):
        if log.ordering != order:
            return encode(log.frame, order)
        return log
    if order not in ("complete", "start"):
        raise ParameterError(f"order {order!r}: expected 'complete' or 'start'")
    if not isinstance(log, pd.DataFrame):
        raise ParameterError(f"expected a canonical log (pandas DataFrame), got "
                             f"{type(log).__name__}")
    if not _looks_canonical(log):
        log = read_log(log)
    if log.empty:
        raise LogError("the log has no events", expected="at least one event")
    time, start, has_start = _event_clock(log)
    key = time if order == "complete" else start
    cases = log["case_id"]
    n = len(log)
    same, ordered = _in_mining_order(cases, time, key, order)
    if ordered:
        new_case = np.concatenate(([True], ~same))
        first = np.flatnonzero(new_case)
        case = np.cumsum(new_case, dtype=np.int64)
        case -= 1
        perm = None
    else:
        codes, _ = factorize(cases, sort=True)
        keys = (time, codes) if order == "complete" else (time, start, codes)
        perm = np.lexsort(keys)  # stable: ties keep the frame's row order
        case, time, start = codes[perm], time[perm], start[perm]
        has_start = None if has_start is None else has_start[perm]
        first = np.flatnonzero(np.concatenate(([True], case[1:] != case[:-1])))
    last = np.concatenate((first[1:] - 1, [n - 1]))
    for arr in (case, time, start):  # views of the caller's data must stay untouched
        arr.setflags(write=False)
    return EventArrays(case=case.astype(np.int64, copy=False), time=time, start=start,
                       has_start=has_start, first=first, last=last, order=perm, frame=log,
                       ordering=order)


def completion_span(ev: EventArrays) -> tuple[np.ndarray, np.ndarray]:
    """First and last completion time of each case (microseconds): the ends of its duration."""
    if ev.ordering == "complete":  # times are sorted within each case
        return ev.time[ev.first], ev.time[ev.last]
    return np.minimum.reduceat(ev.time, ev.first), np.maximum.reduceat(ev.time, ev.first)


def lead_span(ev: EventArrays) -> tuple[np.ndarray, np.ndarray]:
    """Arrival (first start) and completion (last completion) of each case, microseconds:
    the ends of its lead time."""
    return np.minimum.reduceat(ev.start, ev.first), np.maximum.reduceat(ev.time, ev.first)
