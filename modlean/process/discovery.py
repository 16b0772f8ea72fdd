"""Process discovery on the canonical event log: the directly-follows graph and variants.

Every function takes a canonical log (see :mod:`modlean.eventlog.read`) or the
:class:`~modlean.eventlog.EventArrays` made from one by
:func:`~modlean.eventlog.encode`, and never modifies the caller's DataFrame.
Work happens on integer codes (case, activity) and int64 microseconds, with
numpy shifted arrays for directly-follows pairs, so nothing loops over events
in Python. Ordering rules: see :mod:`modlean.eventlog.arrays` and docs/mining.md.

* the time of a directly-follows edge is the target's start (its ``timestamp``
  when it has no start) minus the source's ``timestamp``;
* negative edge times (a step that started before the previous one completed)
  are kept as they are, counted in a ``negative`` column and announced with a
  :class:`~modlean.process.stats.MiningWarning`, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import (
    MICROS_PER_SECOND,
    EventArrays,
    Order,
    completion_span,
    encode,
)
from modlean.process.stats import group_stats, warn_negative

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DFG",
    "activity_counts",
    "case_variants",
    "dfg",
    "edge_keys",
    "edge_micros",
    "to_networkx",
    "top_k_coverage",
    "variant_table",
    "variants",
]


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
    key, n_keys = edge_keys(ev)
    if performance:
        table = group_stats(edge_micros(ev), key, n_keys + 1, skip=n_keys)
        warn_negative(int(table["negative"].sum()), "edge times")
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
               start_activities=activity_counts(ev.activity[ev.first], names),
               end_activities=activity_counts(ev.activity[ev.last], names),
               activities=activity_counts(ev.activity, names),
               cases=ev.n_cases, ordering=ev.ordering)


def edge_keys(ev: EventArrays) -> tuple[np.ndarray, int]:
    """The edge of each adjacent pair of events, ``source * n_activities + target``, and
    the number of possible edges ``n_keys``; a pair that crosses cases gets ``n_keys``."""
    n_act = len(ev.activity_names)
    n_keys = n_act * n_act
    key = ev.activity[:-1].astype(np.int32 if n_keys < 2**31 - 1 else np.int64)
    key *= n_act
    key += ev.activity[1:]
    key[ev.first[1:] - 1] = n_keys
    return key, n_keys


def edge_micros(ev: EventArrays) -> np.ndarray:
    """The time of each adjacent pair (see :func:`edge_keys`), int64 microseconds:
    the target's start minus the source's completion."""
    return ev.start[1:] - ev.time[:-1]


def activity_counts(codes: np.ndarray, names: np.ndarray) -> pd.Series:
    """How often each code occurs, by name (``activity`` index), most frequent first."""
    counts = np.bincount(codes, minlength=len(names))
    s = pd.Series(counts, index=pd.Index(names, name="activity"), name="count")
    s = s[s > 0].sort_index()
    return s.sort_values(ascending=False, kind="stable")


def to_networkx(graph: DFG) -> nx.DiGraph:
    """The DFG as a ``networkx.DiGraph``.

    Nodes carry ``count`` (events), ``start`` and ``end`` (cases starting or
    ending there); edges carry every column of ``graph.edges``.
    """
    import networkx as nx  # deferred: networkx takes ~0.3 s to import; only graphs need it

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


def variant_table(ev: EventArrays) -> tuple[pd.DataFrame, np.ndarray]:
    """The variants table (ranked) and each case's rank-based variant id."""
    codes, rep = _case_variant_codes(ev)
    counts = np.bincount(codes)
    first_t, last_t = completion_span(ev)
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
    table, _ = variant_table(encode(log, order))
    return table if top is None else table.head(top)


def case_variants(log: pd.DataFrame | EventArrays, *, order: Order = "complete") -> pd.Series:
    """The ``variant_id`` (rank in :func:`variants`) of each case, indexed by ``case_id``."""
    ev = encode(log, order)
    _, ids = variant_table(ev)
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
