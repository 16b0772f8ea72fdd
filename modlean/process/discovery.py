"""Process discovery and performance on the canonical event log.

Every function takes a canonical log (see :mod:`modlean.eventlog.read`) or the
:class:`EventArrays` made from one by :func:`encode`, and never modifies the
caller's DataFrame. Work happens on integer codes (case, activity) and int64
microseconds, with numpy shifted arrays for directly-follows pairs, so nothing
loops over events in Python.

Ordering rules (see docs/mining.md):

* events are ordered by case, then time, then the row they had in the frame
  (a stable sort), so a log whose rows arrive shuffled or with cases interleaved
  gives the same answer; ties at equal times keep the frame's row order;
* ``order="complete"`` (the default) orders a case by completion ``timestamp``;
  ``order="start"`` by ``start_timestamp`` (its ``timestamp`` when it has none),
  then ``timestamp``;
* the time of a directly-follows edge is the target's start (its ``timestamp``
  when it has no start) minus the source's ``timestamp``; a case's duration is its
  last ``timestamp`` minus its first;
* negative waits (a step that started before the previous one completed) are
  kept as they are, counted in a ``negative`` column and announced with a
  :class:`MiningWarning`, never hidden.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from modlean.errors import LogError, ParameterError
from modlean.eventlog import MICROS_PER_SECOND, utc_index

__all__ = [
    "DFG",
    "Bottlenecks",
    "EventArrays",
    "MiningWarning",
    "activity_times",
    "bottlenecks",
    "case_durations",
    "case_variants",
    "dfg",
    "encode",
    "event_times",
    "filter_attribute",
    "filter_case_size",
    "filter_time",
    "filter_variants",
    "handover_graph",
    "handovers",
    "mine",
    "rework",
    "tables",
    "to_networkx",
    "top_k_coverage",
    "variants",
]

Order = Literal["complete", "start"]
_NAT = np.iinfo(np.int64).min


class MiningWarning(UserWarning):
    """Something in the log that a mining result should not hide (e.g. negative waits)."""


# --------------------------------------------------------------------------- encoding


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
        codes, names = _factorize(self.frame["activity"])
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
    if str(values.dtype.tz) != "UTC" or values.dtype.unit != "us":
        values = values.dt.tz_convert("UTC").dt.as_unit("us")
    return np.asarray(values.array.asi8, dtype=np.int64)


def _pyarrow(values: pd.Series) -> Any:
    """The pyarrow array behind an Arrow-backed string column, else None."""
    data = getattr(values.array, "_pa_array", None)
    return data if data is not None and type(values.array).__name__.startswith("Arrow") \
        else None


def _adjacent(values: pd.Series) -> tuple[np.ndarray, bool]:
    """``values[i+1] == values[i]`` for each i, and whether the values are sorted.

    The order is checked only where the value changes (within a run of equal
    values it holds trivially). Arrow strings are compared chunk by chunk in
    pyarrow, without copying them.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(str)
    data = _pyarrow(values)
    if data is not None:
        import pyarrow.compute as pc

        chunks = [c for c in getattr(data, "chunks", [data]) if len(c)]
        parts = []
        ordered = True
        for k, c in enumerate(chunks):  # chunk by chunk: no copy of the strings
            if k:
                before, after = chunks[k - 1][-1].as_py(), c[0].as_py()
                parts.append(np.array([before == after]))
                ordered = ordered and before <= after
            eq = np.asarray(pc.equal(c[1:], c[:-1]).to_numpy(zero_copy_only=False), bool)
            parts.append(eq)
            at = np.flatnonzero(~eq)  # order matters only where the value changes
            if ordered and len(at):
                ordered = pc.all(pc.less(c.take(at), c.take(at + 1))).as_py() is not False
        return np.asarray(np.concatenate(parts), dtype=bool), bool(ordered)
    arr = values.array
    same = np.asarray(arr[1:] == arr[:-1], dtype=bool)
    at = np.flatnonzero(~same)
    return same, bool(np.asarray(arr.take(at) < arr.take(at + 1), dtype=bool).all())


def _factorize(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and names of a text column (categoricals use their own codes)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not sort:
        codes = values.cat.codes.to_numpy().astype(np.int32)
        return codes, np.asarray(values.cat.categories, dtype=object)
    data = _pyarrow(values)
    if data is not None and not sort and data.null_count == 0:
        import pyarrow.compute as pc

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
        from modlean.eventlog import read_log

        log = read_log(log)
    if log.empty:
        raise LogError("the log has no events", expected="at least one event")
    time = _micros(log["timestamp"], "timestamp")
    if (time == _NAT).any():
        raise LogError("some events have no timestamp", column="timestamp",
                       found=int((time == _NAT).sum()), expected="a time on every event")
    for column in ("case_id", "activity"):
        if log[column].hasnans:
            raise LogError(f"{int(log[column].isna().sum())} events have no {column}",
                           column=column, expected=f"a {column} on every event")
    if "start_timestamp" in log:
        start = _micros(log["start_timestamp"], "start_timestamp")
        has_start = start != _NAT
        start = np.where(has_start, start, time)
        late = int((start > time).sum())
        if late:
            raise LogError(f"{late} events start after they end", column="start_timestamp",
                           expected="start_timestamp at or before timestamp")
    else:
        start, has_start = time, None
    key = time if order == "complete" else start
    cases = log["case_id"]
    n = len(log)
    if n > 1:
        same, ordered = _adjacent(cases)
        if ordered:
            back = (key[1:] < key[:-1]) & same
            if order == "start":
                back |= same & (key[1:] == key[:-1]) & (time[1:] < time[:-1])
            ordered = not back.any()
    else:
        same, ordered = np.zeros(0, bool), True
    if ordered:
        new_case = np.concatenate(([True], ~same))
        first = np.flatnonzero(new_case)
        case = np.cumsum(new_case, dtype=np.int64)
        case -= 1
        perm = None
    else:
        codes, _ = _factorize(cases, sort=True)
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


def _warn_negative(count: int, what: str) -> None:
    if count:
        warnings.warn(f"{count} {what} are negative: a step started before the previous "
                      "one in its case completed (overlap or order by completion). They are "
                      "kept as they are and counted in the 'negative' column.",
                      MiningWarning, stacklevel=3)


def _stats(values: np.ndarray, groups: np.ndarray, n_groups: int,
           skip: int | None = None) -> pd.DataFrame:
    """count, mean, median, P90, total and negatives of ``values`` per group, in seconds.

    ``values`` are float seconds, or int64 microseconds (summed exactly, then
    converted). Group ``skip`` (a spare bin) gets a count but no statistics.
    One radix sort of the (small) group keys puts each group's values together.
    """
    scale = 1.0 / MICROS_PER_SECOND if values.dtype.kind in "iu" else 1.0
    counts = np.bincount(groups, minlength=n_groups)
    total = np.zeros(n_groups)
    neg = np.zeros(n_groups, dtype=np.int64)
    med = np.full(n_groups, np.nan)
    p90 = np.full(n_groups, np.nan)
    filled = np.flatnonzero(counts)
    if skip is not None:
        filled = filled[filled != skip]
    if len(filled):
        key = groups.astype(np.uint16) if n_groups <= 65536 else groups
        sorted_values = values[np.argsort(key, kind="stable")]
        bounds = np.concatenate(([0], np.cumsum(counts)))
        lo, hi = bounds[filled], bounds[filled + 1]
        if scale != 1.0 and len(values) and \
                max(float(values.max()), -float(values.min())) * len(values) >= 2.0**62:
            sorted_values = sorted_values.astype(float)  # an int64 sum could overflow
        running = np.concatenate(([0], np.cumsum(sorted_values)))  # exact for int64
        total[filled] = (running[hi] - running[lo]) * scale
        below = np.concatenate(([0], np.cumsum(sorted_values < 0)))
        neg[filled] = below[hi] - below[lo]
        for g in filled:  # a loop over groups, not events
            part = sorted_values[bounds[g]:bounds[g + 1]]
            med[g], p90[g] = np.quantile(part, [0.5, 0.9]) * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counts
    if skip is not None:
        mean[skip] = np.nan
    return pd.DataFrame({"count": counts, "mean_seconds": mean, "median_seconds": med,
                         "p90_seconds": p90, "total_seconds": total, "negative": neg})


# --------------------------------------------------------------------------- DFG


@dataclass
class DFG:
    """A directly-follows graph with frequencies and, optionally, edge times.

    ``edges`` has one row per edge: ``source``, ``target``, ``count`` and, when
    computed with performance, ``mean_seconds``, ``median_seconds``,
    ``p90_seconds``, ``total_seconds`` and ``negative`` (edges with a negative time).
    Edges are sorted by count (descending), then source and target.
    """

    edges: pd.DataFrame
    start_activities: pd.Series
    end_activities: pd.Series
    activities: pd.Series
    """events per activity."""
    cases: int
    ordering: str = "complete"


def dfg(log: pd.DataFrame | EventArrays, *, performance: bool = True,
        order: Order = "complete") -> DFG:
    """Discover the directly-follows graph, with edge times when ``performance``.

    Parameters
    ----------
    log:
        Canonical log or :class:`EventArrays`.
    performance:
        Also compute the time of each edge (target start minus source completion):
        mean, median, P90 and total seconds and the number of negative times.
    order:
        ``"complete"`` (default) or ``"start"``, see :func:`encode`.

    Returns
    -------
    DFG

    Examples
    --------
    >>> g = dfg(log)                                   # doctest: +SKIP
    >>> g.edges.head()                                 # doctest: +SKIP
    """
    ev = encode(log, order)
    n_act = len(ev.activity_names)
    n_keys = n_act * n_act
    # one key per adjacent pair; pairs that cross cases go to a spare bin (n_keys)
    key = ev.activity[:-1].astype(np.int32 if n_keys < 2**31 - 1 else np.int64)
    key *= n_act
    key += ev.activity[1:]
    key[ev.first[1:] - 1] = n_keys
    if performance:
        seconds = ev.start[1:] - ev.time[:-1]
        table = _stats(seconds, key, n_keys + 1, skip=n_keys)
        _warn_negative(int(table["negative"].sum()), "edge times")
    else:
        table = pd.DataFrame({"count": np.bincount(key, minlength=n_keys + 1)})
    table = table.iloc[:n_keys]
    table = table[table["count"] > 0]
    codes = table.index.to_numpy()
    names = ev.activity_names
    edges = pd.DataFrame({"source": names[codes // n_act], "target": names[codes % n_act]})
    edges = pd.concat([edges, table.reset_index(drop=True)], axis=1)
    edges = edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                              kind="stable", ignore_index=True)
    return DFG(edges=edges,
               start_activities=_activity_counts(ev.activity[ev.first], names),
               end_activities=_activity_counts(ev.activity[ev.last], names),
               activities=_activity_counts(ev.activity, names),
               cases=ev.n_cases, ordering=ev.ordering)


def _activity_counts(codes: np.ndarray, names: np.ndarray) -> pd.Series:
    counts = np.bincount(codes, minlength=len(names))
    s = pd.Series(counts, index=pd.Index(names, name="activity"), name="count")
    s = s[s > 0].sort_index()
    return s.sort_values(ascending=False, kind="stable")


def to_networkx(graph: DFG) -> Any:
    """The DFG as a ``networkx.DiGraph``.

    Nodes carry ``count`` (events), ``start`` and ``end`` (cases starting or
    ending there); edges carry every column of ``graph.edges``.
    """
    import networkx as nx

    g = nx.DiGraph(cases=graph.cases, ordering=graph.ordering)
    for name, count in graph.activities.items():
        g.add_node(name, count=int(count), start=int(graph.start_activities.get(name, 0)),
                   end=int(graph.end_activities.get(name, 0)))
    attrs = [c for c in graph.edges.columns if c not in ("source", "target")]
    for row in graph.edges.itertuples(index=False):
        data = row._asdict()
        g.add_edge(data["source"], data["target"], **{a: data[a] for a in attrs})
    return g


# --------------------------------------------------------------------------- variants


_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)
_LEN_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


def _case_variant_codes(ev: EventArrays) -> tuple[np.ndarray, np.ndarray]:
    """Variant code per case (first-seen order) and one representative case per variant.

    Each case's activity-code sequence is hashed with a polynomial hash modulo
    2**64 (mixed with its length); every case is then compared event by event
    with its variant's representative, so a hash collision can never merge two
    different variants (it falls back to an exact grouping instead).
    """
    lengths = ev.last - ev.first + 1
    pos = np.arange(ev.n_events, dtype=np.int64)
    pos -= np.repeat(ev.first, lengths)  # position of each event in its case
    powers = np.ones(int(lengths.max()), dtype=np.uint64)
    if len(powers) > 1:
        powers[1:] = np.cumprod(np.full(len(powers) - 1, _BASE, dtype=np.uint64))
    with np.errstate(over="ignore"):
        terms = ev.activity.astype(np.uint64)
        terms += np.uint64(1)
        terms *= powers[pos]
        del pos
        hashes = np.add.reduceat(terms, ev.first)
        del terms
        hashes ^= lengths.astype(np.uint64) * _LEN_MIX
    codes, uniques = pd.factorize(hashes)
    rep = np.empty(len(uniques), dtype=np.int64)
    rep[codes[::-1]] = np.arange(ev.n_cases)[::-1]
    rep_case = rep[codes]
    ok = bool((lengths == lengths[rep_case]).all())
    if ok:  # every event equals the same event of its variant's first case
        at = np.repeat(ev.first[rep_case] - ev.first, lengths)
        at += np.arange(ev.n_events)
        ok = bool(np.array_equal(ev.activity[at], ev.activity))
    if not ok:  # a 64-bit collision (never seen in practice): exact but slower
        seqs = pd.Series(ev.activity).groupby(ev.case, sort=False).agg(tuple)
        codes, _ = pd.factorize(seqs.to_numpy())
        rep = np.empty(codes.max() + 1, dtype=np.int64)
        rep[codes[::-1]] = np.arange(ev.n_cases)[::-1]
    return codes.astype(np.int64), rep


def _variant_table(ev: EventArrays) -> tuple[pd.DataFrame, np.ndarray]:
    """The variants table (ranked) and each case's rank-based variant id."""
    codes, rep = _case_variant_codes(ev)
    counts = np.bincount(codes)
    first_t, last_t = _case_span(ev)
    durations = (last_t - first_t) / MICROS_PER_SECOND
    mean_dur = np.bincount(codes, weights=durations) / counts
    names = ev.activity_names
    tuples = [tuple(names[ev.activity[ev.first[r]:ev.last[r] + 1]]) for r in rep]
    rank = sorted(range(len(tuples)), key=lambda v: (-counts[v], tuples[v]))
    table = pd.DataFrame({
        "variant": [tuples[v] for v in rank],
        "count": counts[rank],
        "length": [len(tuples[v]) for v in rank],
        "mean_duration_seconds": mean_dur[rank],
    })
    table["share"] = table["count"] / ev.n_cases
    table["cumulative_share"] = table["count"].cumsum() / ev.n_cases
    table.index = pd.RangeIndex(1, len(table) + 1, name="variant_id")
    new_id = np.empty(len(rank), dtype=np.int64)
    new_id[rank] = np.arange(1, len(rank) + 1)
    return table, new_id[codes]


def variants(log: pd.DataFrame | EventArrays, *, top: int | None = None,
             order: Order = "complete") -> pd.DataFrame:
    """Variants (activity sequences) with count, share and mean case duration.

    Ranked by count (descending), then by the activity tuple. Columns:
    ``variant`` (tuple of activities), ``count``, ``length``,
    ``mean_duration_seconds``, ``share`` and ``cumulative_share`` (the top-k
    coverage); the index ``variant_id`` is the rank (1 = most frequent).

    Parameters
    ----------
    top:
        Keep only the ``top`` most frequent variants (shares stay relative to all cases).
    """
    table, _ = _variant_table(encode(log, order))
    return table if top is None else table.head(top)


def case_variants(log: pd.DataFrame | EventArrays, *, order: Order = "complete") -> pd.Series:
    """The ``variant_id`` (rank in :func:`variants`) of each case, indexed by ``case_id``."""
    ev = encode(log, order)
    _, ids = _variant_table(ev)
    return pd.Series(ids, index=ev.case_names, name="variant_id")


def top_k_coverage(log: pd.DataFrame | EventArrays | None = None, k: int = 10, *,
                   table: pd.DataFrame | None = None) -> float:
    """Share of cases covered by the ``k`` most frequent variants (0..1)."""
    if table is None:
        if log is None:
            raise ParameterError("top_k_coverage needs a log or a variants table")
        table = variants(log)
    if k < 1:
        raise ParameterError(f"k={k}: expected a whole number of at least 1")
    return float(table["cumulative_share"].iloc[min(k, len(table)) - 1])


# --------------------------------------------------------------------------- durations, times


def _case_frame(ev: EventArrays, values: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(values, index=ev.case_names)


def _case_span(ev: EventArrays) -> tuple[np.ndarray, np.ndarray]:
    """First and last completion time of each case (microseconds)."""
    if ev.ordering == "complete":  # times are sorted within each case
        return ev.time[ev.first], ev.time[ev.last]
    return np.minimum.reduceat(ev.time, ev.first), np.maximum.reduceat(ev.time, ev.first)


def case_durations(log: pd.DataFrame | EventArrays) -> pd.DataFrame:
    """One row per case (index ``case_id``): ``start``, ``end``, ``duration_seconds``, ``events``.

    ``start`` and ``end`` are the first and last completion ``timestamp`` of the
    case, so the duration is last minus first (0 for a one-event case). For the
    lead time from the first *start* see :func:`modlean.process.lead_times`.
    """
    ev = encode(log)
    first_t, last_t = _case_span(ev)
    return _case_frame(ev, {
        "start": utc_index(first_t), "end": utc_index(last_t),
        "duration_seconds": (last_t - first_t) / MICROS_PER_SECOND,
        "events": ev.last - ev.first + 1,
    })


def _event_waits(ev: EventArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wait and service seconds per event (NaN where not defined) and the basis code
    (0 first event of its case, 1 waiting: start logged, 2 gap: no start)."""
    prev = np.empty(ev.n_events, dtype=np.int64)
    prev[1:] = ev.time[:-1]
    prev[0] = ev.time[0]
    wait = (ev.start - prev) / MICROS_PER_SECOND
    wait[ev.first] = np.nan
    has_start = ev.has_start if ev.has_start is not None else np.zeros(ev.n_events, bool)
    service = np.where(has_start, (ev.time - ev.start) / MICROS_PER_SECOND, np.nan)
    basis = np.where(has_start, 1, 2).astype(np.int8)
    basis[ev.first] = 0
    return wait, service, basis


def event_times(log: pd.DataFrame | EventArrays, *, order: Order = "complete",
                warn: bool = True) -> pd.DataFrame:
    """Waiting and service time of every event, in mining order.

    Columns: ``case_id``, ``activity``, ``timestamp``, ``wait_seconds``,
    ``service_seconds`` and ``basis``:

    * ``"waiting"``: the event has a start; wait = its start minus the previous
      event's completion, service = its completion minus its start;
    * ``"gap"``: no start recorded; wait = the gap since the previous event's
      completion (it includes the service time, which cannot be split), service NaN;
    * ``"first"``: the first event of its case (nothing to wait for).
    """
    ev = encode(log, order)
    wait, service, basis = _event_waits(ev)
    if warn:
        _warn_negative(int((wait < 0).sum()), "waits")
    return pd.DataFrame({
        "case_id": ev.case_names.take(ev.case),
        "activity": pd.Categorical.from_codes(ev.activity, ev.activity_names),
        "timestamp": utc_index(ev.time),
        "wait_seconds": wait,
        "service_seconds": service,
        "basis": pd.Categorical.from_codes(basis, ["first", "waiting", "gap"]),
    })


def activity_times(log: pd.DataFrame | EventArrays, *, order: Order = "complete"
                   ) -> pd.DataFrame:
    """Per activity: waiting time before it and its service time (seconds).

    Columns ``events``, ``basis`` (``waiting+service`` when every event of the
    activity has a start, ``gap`` when none has, ``mixed`` otherwise), then
    ``wait_mean``, ``wait_median``, ``wait_p90``, ``wait_total``, ``wait_negative``
    and ``service_mean``, ``service_median``, ``service_p90``, ``service_total``.
    A first event of a case adds no wait. Sorted by total wait, largest first.
    """
    ev = encode(log, order)
    wait, service, _ = _event_waits(ev)
    _warn_negative(int((wait < 0).sum()), "waits")
    n_act = len(ev.activity_names)
    waited = ~np.isnan(wait)
    w = _stats(wait[waited], ev.activity[waited], n_act)
    served = ~np.isnan(service)
    s = _stats(service[served], ev.activity[served], n_act)
    events = np.bincount(ev.activity, minlength=n_act)
    with_start = s["count"].to_numpy()
    basis = np.where(with_start == events, "waiting+service",
                     np.where(with_start == 0, "gap", "mixed"))
    out = pd.DataFrame({
        "events": events, "basis": basis,
        "wait_mean": w["mean_seconds"], "wait_median": w["median_seconds"],
        "wait_p90": w["p90_seconds"], "wait_total": w["total_seconds"],
        "wait_negative": w["negative"],
        "service_mean": s["mean_seconds"], "service_median": s["median_seconds"],
        "service_p90": s["p90_seconds"],
        "service_total": s["total_seconds"].where(s["count"] > 0),
    })
    out.index = pd.Index(ev.activity_names, name="activity")
    out = out[out["events"] > 0].sort_index()
    return out.sort_values("wait_total", ascending=False, kind="stable")


# --------------------------------------------------------------------------- rework, handovers


def rework(log: pd.DataFrame | EventArrays, *, by: Literal["activity", "case"] = "activity"
           ) -> pd.DataFrame:
    """Rework: activities repeated within a case, and self-loops.

    ``by="activity"`` (default): one row per activity with ``cases`` (cases with
    the activity), ``cases_repeated`` (cases where it happens more than once),
    ``repeats`` (events beyond the first per case), ``self_loops`` (the activity
    directly followed by itself) and ``rework_rate`` = cases_repeated ÷ cases,
    sorted by rework rate, then repeats.

    ``by="case"``: one row per case (index ``case_id``) with ``events``,
    ``repeats`` (events whose activity already happened earlier in the case),
    ``self_loops`` and ``reworked`` (any repeat).
    """
    ev = encode(log)
    n_act = len(ev.activity_names)
    key = ev.case * n_act + ev.activity
    loop = (ev.case[1:] == ev.case[:-1]) & (ev.activity[1:] == ev.activity[:-1])
    if by == "case":
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        again = np.zeros(ev.n_events, dtype=bool)
        again[order[1:]] = sorted_key[1:] == sorted_key[:-1]
        repeats = np.bincount(ev.case[again], minlength=ev.n_cases)
        loops = np.bincount(ev.case[1:][loop], minlength=ev.n_cases)
        return pd.DataFrame({"events": ev.last - ev.first + 1, "repeats": repeats,
                             "self_loops": loops, "reworked": repeats > 0},
                            index=ev.case_names)
    if by != "activity":
        raise ParameterError(f"by={by!r}: expected 'activity' or 'case'")
    pairs, per_pair = np.unique(key, return_counts=True)
    act = pairs % n_act
    cases = np.bincount(act, minlength=n_act)
    repeated = np.bincount(act, weights=per_pair > 1, minlength=n_act).astype(np.int64)
    repeats = np.bincount(act, weights=per_pair - 1, minlength=n_act).astype(np.int64)
    loops = np.bincount(ev.activity[1:][loop], minlength=n_act)
    out = pd.DataFrame({"cases": cases, "cases_repeated": repeated, "repeats": repeats,
                        "self_loops": loops},
                       index=pd.Index(ev.activity_names, name="activity"))
    out = out[out["cases"] > 0].sort_index()
    out["rework_rate"] = out["cases_repeated"] / out["cases"]
    return out.sort_values(["rework_rate", "repeats"], ascending=False, kind="stable")


def _handover_pairs(ev: EventArrays, column: str, ignore: Iterable[Any] = ()
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each change of ``column`` between consecutive events of a case.

    Returns the case code, the from-code and to-code of every change, and the
    names of the codes. Events with no value or a value in ``ignore`` are skipped.
    """
    codes, names = pd.factorize(ev.column(column))  # missing values get -1
    names = np.asarray(names, dtype=object)
    skip = np.flatnonzero(pd.Index(names).isin(list(ignore)))
    keep = (codes >= 0) & ~np.isin(codes, skip)
    codes = codes[keep]
    case = ev.case[keep]
    change = (case[1:] == case[:-1]) & (codes[1:] != codes[:-1])
    return case[1:][change], codes[:-1][change], codes[1:][change], names


def handovers(log: pd.DataFrame | EventArrays, *, column: str = "resource",
              matrix: bool = False, ignore: Iterable[Any] = ()) -> pd.DataFrame:
    """Handovers of work between resources (or another column such as ``queue``).

    A handover is two consecutive events of a case whose ``column`` values differ
    (events without a value, or with a value in ``ignore``, are skipped over).
    Returns a long table ``source``, ``target``, ``count`` sorted by count, or
    with ``matrix=True`` a square count matrix (rows = from, columns = to).
    """
    ev = encode(log)
    _, src, tgt, names = _handover_pairs(ev, column, ignore)
    n = len(names)
    counts = np.bincount(src * n + tgt, minlength=n * n)
    if matrix:
        order = np.argsort(names.astype(str))
        m = counts.reshape(n, n)[np.ix_(order, order)]
        idx = pd.Index(names[order], name="from")
        return pd.DataFrame(m, index=idx, columns=pd.Index(names[order], name="to"))
    nz = np.flatnonzero(counts)
    out = pd.DataFrame({"source": names[nz // n], "target": names[nz % n], "count": counts[nz]})
    return out.sort_values(["count", "source", "target"], ascending=[False, True, True],
                           kind="stable", ignore_index=True)


def handover_graph(log: pd.DataFrame | EventArrays, *, column: str = "resource") -> Any:
    """Handovers as a ``networkx.DiGraph`` with a ``count`` on each edge."""
    import networkx as nx

    g = nx.DiGraph()
    for row in handovers(log, column=column).itertuples(index=False):
        g.add_edge(row.source, row.target, count=int(row.count))
    return g


@dataclass
class Bottlenecks:
    """Where the waiting time goes: activities and edges ranked by total wait."""

    activities: pd.DataFrame
    edges: pd.DataFrame


def bottlenecks(log: pd.DataFrame | EventArrays, *, top: int | None = 10) -> Bottlenecks:
    """Rank activities (by total wait before them) and DFG edges (by total edge time).

    Each table has ``share``: its part of all positive waiting time.
    """
    ev = encode(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MiningWarning)
        acts = activity_times(ev)[["events", "basis", "wait_total", "wait_mean",
                                   "wait_p90", "wait_negative"]].copy()
        edges = dfg(ev).edges[["source", "target", "count", "total_seconds",
                               "mean_seconds", "p90_seconds", "negative"]].copy()
    acts["share"] = acts["wait_total"].clip(lower=0) / max(acts["wait_total"].clip(lower=0)
                                                          .sum(), 1e-12)
    edges["share"] = edges["total_seconds"].clip(lower=0) / max(
        edges["total_seconds"].clip(lower=0).sum(), 1e-12)
    acts = acts.sort_values("wait_total", ascending=False, kind="stable")
    edges = edges.sort_values("total_seconds", ascending=False, kind="stable",
                              ignore_index=True)
    if top is not None:
        acts, edges = acts.head(top), edges.head(top)
    return Bottlenecks(activities=acts, edges=edges)


# --------------------------------------------------------------------------- filters


def _as_time(value: Any, name: str) -> int:
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r}: expected a time such as "
                             "2026-03-02T00:00:00Z") from None
    if t.tzinfo is None:
        raise ParameterError(f"{name}={value!r}: the time has no zone; write it with an "
                             "offset or Z (UTC)")
    return int(t.tz_convert("UTC").as_unit("us").asm8.view("i8"))


def filter_time(log: pd.DataFrame | EventArrays, start: Any = None, end: Any = None, *,
                how: Literal["contained", "intersecting", "started", "completed",
                             "events"] = "contained") -> pd.DataFrame:
    """Keep the part of the log inside the window ``[start, end)``.

    ``how``: ``"contained"`` whole cases that start and end in the window;
    ``"intersecting"`` whole cases with any time in it; ``"started"`` /
    ``"completed"`` whole cases whose first / last event falls in it;
    ``"events"`` only the events in the window (cases are cut).
    Times need a zone (``"2026-03-02T00:00Z"``); a missing bound is open.
    """
    ev = encode(log)
    lo = _as_time(start, "start") if start is not None else np.iinfo(np.int64).min
    hi = _as_time(end, "end") if end is not None else np.iinfo(np.int64).max
    if how == "events":
        return ev.subset((ev.time >= lo) & (ev.time < hi))
    first_t, last_t = _case_span(ev)
    rules = {
        "contained": (first_t >= lo) & (last_t < hi),
        "intersecting": (first_t < hi) & (last_t >= lo),
        "started": (first_t >= lo) & (first_t < hi),
        "completed": (last_t >= lo) & (last_t < hi),
    }
    if how not in rules:
        raise ParameterError(f"how={how!r}: expected one of events, {', '.join(rules)}")
    return ev.subset(rules[how][ev.case])


def filter_attribute(log: pd.DataFrame | EventArrays, column: str, values: Iterable[Any],
                     *, level: Literal["case", "event"] = "case",
                     keep: bool = True) -> pd.DataFrame:
    """Keep (or with ``keep=False`` drop) cases or events by the values of a column.

    With ``level="case"`` a whole case is kept when any of its events has one of
    the values (e.g. ``filter_attribute(log, "market", ["US", "UK"])``); with
    ``level="event"`` only the matching events.
    """
    ev = encode(log)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = [values]
    hit = ev.column(column).isin(list(values)).to_numpy(dtype=bool)
    if level == "case":
        hit = (np.bincount(ev.case, weights=hit, minlength=ev.n_cases) > 0)[ev.case]
    elif level != "event":
        raise ParameterError(f"level={level!r}: expected 'case' or 'event'")
    return ev.subset(hit if keep else ~hit)


def filter_variants(log: pd.DataFrame | EventArrays, coverage: float = 0.8) -> pd.DataFrame:
    """Keep the cases of the most frequent variants that together cover ``coverage`` of cases.

    The smallest top-ranked set of variants whose cumulative share reaches
    ``coverage`` (0 < coverage <= 1) is kept.
    """
    if not 0 < coverage <= 1:
        raise ParameterError(f"coverage={coverage}: expected a share in (0, 1]")
    ev = encode(log)
    table, ids = _variant_table(ev)
    reach = table["cumulative_share"].to_numpy() >= coverage - 1e-12
    k = int(np.argmax(reach)) + 1 if reach.any() else len(table)
    return ev.subset((ids <= k)[ev.case])


def filter_case_size(log: pd.DataFrame | EventArrays, min_events: int = 1,
                     max_events: int | None = None) -> pd.DataFrame:
    """Keep cases with between ``min_events`` and ``max_events`` events (inclusive)."""
    ev = encode(log)
    size = ev.last - ev.first + 1
    ok = size >= min_events
    if max_events is not None:
        ok &= size <= max_events
    return ev.subset(ok[ev.case])


# --------------------------------------------------------------------------- summaries


def mine(log: pd.DataFrame | EventArrays, top: int = 10) -> dict[str, Any]:
    """A JSON-friendly overview: sizes, start/end activities, DFG, top variants, durations.

    Keys: ``cases``, ``events``, ``activities`` (name -> events), ``variants``
    (how many), ``start_activities`` and ``end_activities`` (name -> cases),
    ``dfg`` (list of ``{source, target, count, mean_seconds}``), ``top_variants``
    (list of ``{activities, count}``) and ``case_duration_seconds``
    (``{mean, median, min, max}``). This is what ``modlean mine --json`` prints.
    """
    ev = encode(log)
    graph = dfg(ev)
    table = variants(ev)
    durations = case_durations(ev)["duration_seconds"]
    return {
        "cases": ev.n_cases,
        "events": ev.n_events,
        "activities": {str(k): int(v) for k, v in graph.activities.items()},
        "variants": len(table),
        "start_activities": {str(k): int(v) for k, v in graph.start_activities.items()},
        "end_activities": {str(k): int(v) for k, v in graph.end_activities.items()},
        "dfg": [{"source": str(r.source), "target": str(r.target), "count": int(r.count),
                 "mean_seconds": float(r.mean_seconds)}
                for r in graph.edges.itertuples(index=False)],
        "top_variants": [{"activities": [str(a) for a in v], "count": int(c)}
                         for v, c in zip(table["variant"].head(top), table["count"].head(top),
                                         strict=True)],
        "case_duration_seconds": {"mean": float(durations.mean()),
                                  "median": float(durations.median()),
                                  "min": float(durations.min()),
                                  "max": float(durations.max())},
    }


def tables(log: pd.DataFrame | EventArrays) -> dict[str, pd.DataFrame]:
    """Every mining table by name (``dfg``, ``variants``, ``case_durations``,
    ``activity_times``, ``rework``, ``handovers``, ``bottleneck_activities``,
    ``bottleneck_edges``), e.g. to write them all as CSV."""
    ev = encode(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MiningWarning)  # negatives are in the columns
        out = {
            "dfg": dfg(ev).edges,
            "variants": variants(ev).assign(variant=lambda t: t["variant"].map(" > ".join)),
            "case_durations": case_durations(ev),
            "activity_times": activity_times(ev),
            "rework": rework(ev),
        }
        if "resource" in ev.frame:
            out["handovers"] = handovers(ev)
        b = bottlenecks(ev, top=None)
    out["bottleneck_activities"] = b.activities
    out["bottleneck_edges"] = b.edges
    return out
