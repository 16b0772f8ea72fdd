"""Mining a log larger than memory: partial results per partition of whole cases, combined.

:func:`mine_dataset` mines a dataset (a folder of Parquet files or text exports,
:mod:`modlean.eventlog.dataset`): the DFG with edge times, variants, case
durations (summary and distribution), activity and resource counts, and the
waits before each activity. Out of core, the dataset is cut into partitions of
whole cases on disk (:func:`~modlean.eventlog.partition_dataset`); each
partition is mined in memory by :func:`mine_partition` with the same functions
as a log in memory (``encode``, ``edge_keys``, ``event_waits``, ``variant_table``,
``completion_span``), on local processes or a Dask cluster
(:func:`modlean.executor.run_tasks`), and :func:`combine` merges the partial
results: counts add, means are sums over counts, quantiles come from mergeable
bins (:mod:`modlean.process.sketch`, its error stated in ``QUANTILE_METHOD``).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean._util import suggest
from modlean.errors import LogError, ParameterError
from modlean.eventlog import (
    MICROS_PER_SECOND,
    completion_span,
    dataset_events,
    encode,
    partition_dataset,
    read_dataset,
    read_partition,
)
from modlean.executor import run_tasks
from modlean.process.discovery import DFG, activity_counts, edge_keys, edge_micros, variant_table
from modlean.process.performance import event_waits
from modlean.process.sketch import (
    QUANTILE_METHOD,
    RELATIVE_ERROR,
    Sketch,
    histogram,
    merge_sketches,
    quantiles,
    sketch,
)

__all__ = [
    "ENGINES",
    "EVENTS_PER_PARTITION",
    "MAX_IN_MEMORY_EVENTS",
    "DatasetMining",
    "Partial",
    "combine",
    "mine_dataset",
    "mine_partition",
]

#: How :func:`mine_dataset` runs: decided by size, all in memory, or partition by partition.
ENGINES = ("auto", "memory", "out-of-core")
#: Past this many events, ``engine="auto"`` mines out of core.
MAX_IN_MEMORY_EVENTS = 10_000_000
#: Events per partition out of core (a partition is mined in memory by one worker).
EVENTS_PER_PARTITION = 2_000_000
_DURATION_QUANTILES = (0.5, 0.9, 0.95, 0.99)


@dataclass
class Partial:
    """What one partition of whole cases contributes (see :func:`combine`)."""

    events: int
    cases: int
    activities: pd.Series
    start_activities: pd.Series
    end_activities: pd.Series
    resources: pd.Series | None
    edges: Sketch
    waits: Sketch
    service: Sketch
    durations: Sketch
    variants: pd.DataFrame
    """``variant`` (tuple), ``count``, ``total_duration`` (seconds)."""


def _used(groups: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups renumbered 0.. over the codes that occur, and those codes."""
    used = np.flatnonzero(np.bincount(groups, minlength=n))
    lookup = np.zeros(n, dtype=np.int64)
    lookup[used] = np.arange(len(used))
    return lookup[groups], used


def mine_partition(log: pd.DataFrame) -> Partial:
    """The partial results of a log (or a partition of whole cases of one)."""
    ev = encode(log)
    names = ev.activity_names
    n_act = len(names)
    key, n_keys = edge_keys(ev)
    inside = key != n_keys
    groups, used = _used(key[inside], n_keys)
    edge_names = pd.DataFrame({"source": names[used // n_act], "target": names[used % n_act]})
    edges = sketch(edge_micros(ev)[inside] / MICROS_PER_SECOND, groups, edge_names)
    wait, service, _ = event_waits(ev)
    act_names = pd.DataFrame({"activity": names})
    waited, served = ~np.isnan(wait), ~np.isnan(service)
    first_t, last_t = completion_span(ev)
    table, _ = variant_table(ev)
    resources = None
    if "resource" in ev.frame:
        resources = ev.frame["resource"].value_counts(sort=False)
        resources.index = resources.index.astype(object)
    return Partial(
        events=ev.n_events, cases=ev.n_cases,
        activities=activity_counts(ev.activity, names),
        start_activities=activity_counts(ev.activity[ev.first], names),
        end_activities=activity_counts(ev.activity[ev.last], names),
        resources=resources,
        edges=edges,
        waits=sketch(wait[waited], ev.activity[waited], act_names),
        service=sketch(service[served], ev.activity[served], act_names),
        durations=sketch((last_t - first_t) / MICROS_PER_SECOND,
                         np.zeros(ev.n_cases, dtype=np.int64),
                         pd.DataFrame({"measure": ["case_duration_seconds"]})),
        variants=pd.DataFrame({"variant": table["variant"], "count": table["count"],
                               "total_duration": table["mean_duration_seconds"]
                               * table["count"]}),
    )


@dataclass
class DatasetMining:
    """The mining results of a dataset (:func:`mine_dataset`), shaped as the in-memory
    functions' results: ``dfg`` as :attr:`DFG.edges`, ``variants`` as :func:`variants`,
    ``activity_times`` as :func:`activity_times` (plus ``wait_count``)."""

    cases: int
    events: int
    dfg: pd.DataFrame
    start_activities: pd.Series
    end_activities: pd.Series
    activities: pd.Series
    resources: pd.Series | None
    variants: pd.DataFrame
    case_durations: pd.Series
    """cases, mean, min, max, median, p90, p95, p99 and total of the case durations (s)."""
    case_duration_distribution: pd.DataFrame
    """the durations' bins: ``lower``, ``upper`` (seconds) and ``count``."""
    activity_times: pd.DataFrame
    engine: str
    partitions: int
    spilled_bytes: int
    quantile_method: str = QUANTILE_METHOD
    relative_error: float = RELATIVE_ERROR

    @property
    def graph(self) -> DFG:
        """The DFG, for the process-map figures."""
        return DFG(edges=self.dfg, start_activities=self.start_activities,
                   end_activities=self.end_activities, activities=self.activities,
                   cases=self.cases)

    def summary(self, top: int = 10) -> dict[str, Any]:
        """The keys of :func:`modlean.process.mine`'s overview, plus ``mining``: the
        engine, partitions, bytes spilled to disk and the quantile method."""
        d = self.case_durations
        return {
            "cases": self.cases, "events": self.events,
            "activities": {str(k): int(v) for k, v in self.activities.items()},
            "variants": len(self.variants),
            "start_activities": {str(k): int(v) for k, v in self.start_activities.items()},
            "end_activities": {str(k): int(v) for k, v in self.end_activities.items()},
            "dfg": [{"source": str(r.source), "target": str(r.target), "count": int(r.count),
                     "mean_seconds": float(r.mean_seconds)}
                    for r in self.dfg.itertuples(index=False)],
            "top_variants": [{"activities": [str(a) for a in v], "count": int(c)}
                             for v, c in zip(self.variants["variant"].head(top),
                                             self.variants["count"].head(top), strict=True)],
            "case_duration_seconds": {k: float(d[k]) for k in ("mean", "median", "min", "max")},
            "mining": {"engine": self.engine, "partitions": self.partitions,
                       "spilled_bytes": self.spilled_bytes,
                       "quantile_method": self.quantile_method,
                       "quantile_relative_error": self.relative_error},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, e.g. to write them all as CSV."""
        out = {
            "dfg": self.dfg,
            "variants": self.variants.assign(variant=self.variants["variant"].map(" > ".join)),
            "case_durations": self.case_durations.to_frame("value"),
            "case_duration_distribution": self.case_duration_distribution,
            "activity_times": self.activity_times,
            "activities": self.activities.to_frame(),
        }
        if self.resources is not None:
            out["resources"] = self.resources.to_frame()
        return out


def _counts(parts: list[pd.Series], name: str) -> pd.Series:
    s = pd.concat(parts).groupby(level=0).sum().rename_axis(name).rename("count")
    return s.sort_index().sort_values(ascending=False, kind="stable")


def _edges(s: Sketch) -> pd.DataFrame:
    q = quantiles(s, [0.5, 0.9])
    st = s.stats
    edges = pd.DataFrame({
        "source": st["source"], "target": st["target"], "count": st["count"],
        "mean_seconds": st["total"] / st["count"], "median_seconds": q[0.5],
        "p90_seconds": q[0.9], "total_seconds": st["total"], "negative": st["negative"]})
    return edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                             kind="stable", ignore_index=True)


def _activity_times(waits: Sketch, service: Sketch, events: pd.Series) -> pd.DataFrame:
    w = waits.stats.set_index("activity")
    s = service.stats.set_index("activity")
    wq = quantiles(waits, [0.5, 0.9]).set_axis(w.index)
    sq = quantiles(service, [0.5, 0.9]).set_axis(s.index)
    idx = events.index
    served = s["count"].reindex(idx, fill_value=0).to_numpy()
    out = pd.DataFrame({
        "events": events.to_numpy(),
        "basis": np.where(served == events.to_numpy(), "waiting+service",
                          np.where(served == 0, "gap", "mixed")),
        "wait_count": w["count"].reindex(idx, fill_value=0).to_numpy(),
        "wait_mean": (w["total"] / w["count"]).reindex(idx).to_numpy(),
        "wait_median": wq[0.5].reindex(idx).to_numpy(),
        "wait_p90": wq[0.9].reindex(idx).to_numpy(),
        "wait_total": w["total"].reindex(idx, fill_value=0.0).to_numpy(),
        "wait_negative": w["negative"].reindex(idx, fill_value=0).to_numpy(),
        "service_mean": (s["total"] / s["count"]).reindex(idx).to_numpy(),
        "service_median": sq[0.5].reindex(idx).to_numpy(),
        "service_p90": sq[0.9].reindex(idx).to_numpy(),
        "service_total": s["total"].reindex(idx).to_numpy(),
    }, index=idx)
    out = out.sort_index()
    return out.sort_values("wait_total", ascending=False, kind="stable")


def _variants(parts: list[pd.DataFrame], cases: int) -> pd.DataFrame:
    merged = pd.concat(parts, ignore_index=True).groupby("variant", sort=False).sum()
    tuples = list(merged.index)
    counts = merged["count"].to_numpy()
    rank = sorted(range(len(tuples)), key=lambda v: (-counts[v], tuples[v]))  # per variant
    table = pd.DataFrame({
        "variant": [tuples[v] for v in rank],
        "count": counts[rank],
        "length": [len(tuples[v]) for v in rank],
        "mean_duration_seconds": merged["total_duration"].to_numpy()[rank] / counts[rank],
    })
    table["share"] = table["count"] / cases
    table["cumulative_share"] = table["count"].cumsum() / cases
    table.index = pd.RangeIndex(1, len(table) + 1, name="variant_id")
    return table


def combine(parts: list[Partial], *, engine: str = "memory", spilled_bytes: int = 0
            ) -> DatasetMining:
    """Merge the partial results of partitions of whole cases into the results of the log."""
    cases = sum(p.cases for p in parts)
    activities = _counts([p.activities for p in parts], "activity")
    durations = merge_sketches([p.durations for p in parts])
    st = durations.stats.iloc[0]
    q = quantiles(durations, list(_DURATION_QUANTILES)).iloc[0]
    resources = [p.resources for p in parts if p.resources is not None]
    return DatasetMining(
        cases=cases, events=sum(p.events for p in parts),
        dfg=_edges(merge_sketches([p.edges for p in parts])),
        start_activities=_counts([p.start_activities for p in parts], "activity"),
        end_activities=_counts([p.end_activities for p in parts], "activity"),
        activities=activities,
        resources=_counts(resources, "resource") if resources else None,
        variants=_variants([p.variants for p in parts], cases),
        case_durations=pd.Series({
            "cases": float(st["count"]), "mean": st["total"] / st["count"],
            "min": st["min"], "max": st["max"], "median": q[0.5], "p90": q[0.9],
            "p95": q[0.95], "p99": q[0.99], "total": st["total"]}, name="case_duration_seconds"),
        case_duration_distribution=histogram(durations).drop(columns="measure"),
        activity_times=_activity_times(merge_sketches([p.waits for p in parts]),
                                       merge_sketches([p.service for p in parts]), activities),
        engine=engine, partitions=len(parts), spilled_bytes=spilled_bytes)


def _mine_file(task: tuple[Path, dict[str, Any]]) -> Partial:
    path, options = task
    return mine_partition(read_partition(path, **options))


def mine_dataset(path: str | Path, *, engine: str = "auto", partitions: int | None = None,
                 workers: int | None = None, scheduler: str | None = None,
                 tmp: str | Path | None = None,
                 max_in_memory_events: int = MAX_IN_MEMORY_EVENTS,
                 **read_options: Any) -> DatasetMining:
    """Mine a dataset (a folder of log files), in memory or partition by partition.

    Parameters
    ----------
    path:
        A folder of Parquet files (hive-partitioned or not) or of CSV exports.
    engine:
        ``"auto"`` (in memory up to ``max_in_memory_events`` events, else out of
        core), ``"memory"`` or ``"out-of-core"``.
    partitions:
        Partitions out of core (default: one per :data:`EVENTS_PER_PARTITION` events).
    workers, scheduler:
        As :func:`modlean.executor.run_tasks`: local processes, or a Dask scheduler
        address (``tcp://host:8786``; the partitions are written under ``tmp``,
        which the cluster's workers must be able to read).
    tmp:
        The folder for the partition files (default: the system's temporary folder);
        they are deleted at the end.
    read_options:
        Those of :func:`modlean.read_log` (``tz``, ``mapping``, ``dayfirst`` ...).
    """
    if engine not in ENGINES:
        raise ParameterError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}"
                             + suggest(str(engine), list(ENGINES)))
    if partitions is not None and partitions < 1:
        raise ParameterError(f"partitions: {partitions} is not a positive whole number")
    events = dataset_events(path)
    if engine == "auto":
        engine = "memory" if events <= max_in_memory_events else "out-of-core"
    if engine == "memory":
        return combine([mine_partition(read_dataset(path, **read_options))])
    n = partitions or max(1, math.ceil(events / EVENTS_PER_PARTITION))
    with tempfile.TemporaryDirectory(prefix="modlean-partitions-", dir=tmp) as folder:
        cut = partition_dataset(path, folder, n, **read_options)
        outcomes = run_tasks(_mine_file, [(p, cut.read_options) for p in cut.paths],
                             workers=workers, scheduler=scheduler, raise_errors=False)
    for outcome in outcomes:
        if not outcome.ok:
            if outcome.error_type == "LogError":
                raise LogError(f"in a partition of the dataset: {outcome.error}",
                               source=str(path))
            raise RuntimeError(f"partition {outcome.index} failed: {outcome.error_type}: "
                               f"{outcome.error}\n{outcome.traceback}")
    return combine([o.value for o in outcomes], engine="out-of-core",  # type: ignore[misc]
                   spilled_bytes=cut.bytes)
