"""Performance on the canonical event log: durations, waits, rework, handovers, bottlenecks.

Every function takes a canonical log or :class:`~modlean.eventlog.EventArrays`
and is vectorised over events.

* a case's duration is its last ``timestamp`` minus its first;
* the wait before an event is its start (its ``timestamp`` when it has no
  start) minus the previous event's ``timestamp``;
* negative waits (a step that started before the previous one completed) are
  kept as they are, counted in a ``negative`` column and announced with a
  :class:`~modlean.process.stats.MiningWarning`, never hidden.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import (
    MICROS_PER_SECOND,
    EventArrays,
    Order,
    completion_span,
    encode,
    utc_index,
)
from modlean.process.discovery import dfg
from modlean.process.stats import MiningWarning, group_stats, warn_negative

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Bottlenecks",
    "WaitBasis",
    "activity_times",
    "bottlenecks",
    "case_durations",
    "event_times",
    "event_waits",
    "handover_graph",
    "handover_pairs",
    "handovers",
    "rework",
]


class WaitBasis(IntEnum):
    """How the wait before an event is measured (the ``basis`` of :func:`event_times`)."""

    FIRST = 0
    """the first event of its case: nothing to wait for."""
    WAITING = 1
    """a start is logged: wait up to the start, then service."""
    GAP = 2
    """no start: the gap since the previous completion (wait and service together)."""


def case_durations(log: pd.DataFrame | EventArrays) -> pd.DataFrame:
    """One row per case (index ``case_id``): ``start``, ``end``, ``duration_seconds``, ``events``.

    ``start`` and ``end`` are the first and last completion ``timestamp`` of the
    case, so the duration is last minus first (0 for a one-event case). For the
    lead time from the first *start* see :func:`modlean.process.lead_times`.
    """
    ev = encode(log)
    first_t, last_t = completion_span(ev)
    return pd.DataFrame({
        "start": utc_index(first_t), "end": utc_index(last_t),
        "duration_seconds": (last_t - first_t) / MICROS_PER_SECOND,
        "events": ev.last - ev.first + 1,
    }, index=ev.case_names)


def event_waits(ev: EventArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wait and service seconds per event (NaN where not defined) and the
    :class:`WaitBasis` code of each event."""
    prev = np.empty(ev.n_events, dtype=np.int64)
    prev[1:] = ev.time[:-1]
    prev[0] = ev.time[0]
    wait = (ev.start - prev) / MICROS_PER_SECOND
    wait[ev.first] = np.nan
    has_start = ev.has_start if ev.has_start is not None else np.zeros(ev.n_events, bool)
    service = np.where(has_start, (ev.time - ev.start) / MICROS_PER_SECOND, np.nan)
    basis = np.where(has_start, WaitBasis.WAITING, WaitBasis.GAP).astype(np.int8)
    basis[ev.first] = WaitBasis.FIRST
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
    wait, service, basis = event_waits(ev)
    if warn:
        warn_negative(int((wait < 0).sum()), "waits")
    return pd.DataFrame({
        "case_id": ev.case_names.take(ev.case),
        "activity": pd.Categorical.from_codes(ev.activity, ev.activity_names),
        "timestamp": utc_index(ev.time),
        "wait_seconds": wait,
        "service_seconds": service,
        "basis": pd.Categorical.from_codes(basis, [b.name.lower() for b in WaitBasis]),
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
    wait, service, _ = event_waits(ev)
    warn_negative(int((wait < 0).sum()), "waits")
    n_act = len(ev.activity_names)
    waited = ~np.isnan(wait)
    w = group_stats(wait[waited], ev.activity[waited], n_act)
    served = ~np.isnan(service)
    s = group_stats(service[served], ev.activity[served], n_act)
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


def handover_pairs(ev: EventArrays, column: str, ignore: Iterable[Hashable] = ()
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
              matrix: bool = False, ignore: Iterable[Hashable] = ()) -> pd.DataFrame:
    """Handovers of work between resources (or another column such as ``queue``).

    A handover is two consecutive events of a case whose ``column`` values differ
    (events without a value, or with a value in ``ignore``, are skipped over).
    Returns a long table ``source``, ``target``, ``count`` sorted by count, or
    with ``matrix=True`` a square count matrix (rows = from, columns = to).
    """
    ev = encode(log)
    _, src, tgt, names = handover_pairs(ev, column, ignore)
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


def handover_graph(log: pd.DataFrame | EventArrays, *, column: str = "resource"
                   ) -> nx.DiGraph:
    """Handovers as a ``networkx.DiGraph`` with a ``count`` on each edge."""
    import networkx as nx  # deferred: networkx takes ~0.3 s to import; only graphs need it

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
