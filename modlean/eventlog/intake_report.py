"""The figures and warnings of an import's mapping report, measured on the data.

Each function fills one part of a :class:`~modlean.eventlog.report.MappingReport`:
:func:`describe_table` the links chased and the rows dropped (and returns which
rows are kept), :func:`describe_starts` the assigned-vs-started overlap per pool,
:func:`describe_log` the cases, events, unused columns, time span and the
warnings measured on the finished log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from modlean.eventlog.categorical import arrow_strings, distinct_text
from modlean.eventlog.minable import SINGLE_EVENT_LIMIT, flag_like, single_event_share
from modlean.eventlog.report import MappingReport
from modlean.eventlog.sorting import in_order, lex_order
from modlean.eventlog.timestamps import micros_of
from modlean.eventlog.wall_clock import utc_to_wall

if TYPE_CHECKING:
    from datetime import tzinfo

    from modlean.eventlog.links import Links
    from modlean.eventlog.profile import Profile
    from modlean.eventlog.tasks import Starts

__all__ = ["LONG_WORKDAY_HOURS", "OVERLAP_WARN_SHARE", "busy_hours_per_day", "describe_log",
           "describe_starts", "describe_table", "describe_workload", "task_faults",
           "workload_warning"]

#: A pool whose share of tasks picked up before the agent's previous close exceeds this is warned.
OVERLAP_WARN_SHARE = 0.05


def _examples(keys: pd.Series, mask: np.ndarray, limit: int = 3) -> str:
    found = keys[mask].astype(str).unique()[:limit].tolist()
    return ", ".join(map(repr, found)) + (", ..." if int(mask.sum()) > limit else "")


def describe_table(report: MappingReport, keys: pd.Series, links: Links | None, *,
                   created: pd.Series | None = None, started: pd.Series | None = None,
                   closed: pd.Series | None = None) -> np.ndarray:
    """Report links and rows to drop; returns the mask of rows kept."""
    n = len(keys)
    keep = np.ones(n, dtype=bool)
    if links is not None:
        report.add("links", "chased", links.chased, "rows whose case is a parent ticket's")
        report.add("links", "max depth", int(links.depth.max()) if n else 0)
        dangling = int(links.dangling.sum())
        report.add("links", "dangling", dangling, "parent key not in the file")
        if dangling:
            report.warn("dangling_link", f"{dangling:,} tickets name a parent that is not in the "
                        f"file ({_examples(keys, links.dangling)}); each is its own case",
                        dangling / n)
        cyclic = int(links.cyclic.sum())
        report.add("links", "cyclic", cyclic, "on or chained to a cycle of links: dropped")
        if cyclic:
            report.warn("cyclic_link", f"{cyclic:,} tickets have links that form a cycle "
                        f"({_examples(keys, links.cyclic)}); they were dropped", cyclic / n)
            keep &= ~links.cyclic
            report.add("rows", "dropped: cyclic links", cyclic)
    if closed is not None:
        open_, early, late = task_faults(created, started, closed)
        open_ = open_ & keep
        report.add("rows", "dropped: not closed", int(open_.sum()), "open tasks have no end")
        keep &= ~open_
        early = early & keep
        report.add("rows", "dropped: closed before created", int(early.sum()))
        if early.any():
            report.warn("closed_before_created", f"{int(early.sum()):,} tasks were closed "
                        f"before they were created ({_examples(keys, early)}); dropped",
                        float(early.sum()) / n)
        keep &= ~early
        late = late & keep
        report.add("rows", "dropped: started after closed", int(late.sum()))
        if late.any():
            report.warn("started_after_closed", f"{int(late.sum()):,} tasks started after they "
                        f"were closed ({_examples(keys, late)}); dropped", float(late.sum()) / n)
        keep &= ~late
    report.add("rows", "kept", int(keep.sum()))
    return keep


def task_faults(created: pd.Series | None, started: pd.Series | None, closed: pd.Series
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tasks an import drops: not closed, closed before created, started after closed.

    :func:`describe_table` counts and reports them; a caller may ask before the
    links are chased, to work on the tasks it will keep unless a cycle drops some.
    """
    open_ = closed.isna().to_numpy()
    none = np.zeros(len(closed), dtype=bool)
    early = (closed < created).to_numpy() if created is not None else none
    late = (started > closed).to_numpy() if started is not None else none
    return open_, early, late


def describe_starts(report: MappingReport, starts: Starts, pool: pd.Series, *, assigned: bool,
                    column: str) -> None:
    """Per pool: the share of tasks picked up before the agent's previous close."""
    if not column:
        return
    for name, row in _overlap_per_pool(pool, starts).iterrows():
        if assigned:
            report.add("starts", f"{name}: moved", int(row["moved"]),
                       f"{row['overlap']:.0%} of {int(row['tasks']):,} tasks; median "
                       f"{0 if pd.isna(row['minutes']) else row['minutes']:.1f} min later "
                       "(started when the agent closed the previous task)")
        elif row["overlap"] > OVERLAP_WARN_SHARE:
            report.warn("assigned_overlap",
                        f"pool {name}: {row['overlap']:.0%} of {int(row['tasks']):,} tasks were "
                        f"picked up ({column!r}) before the same agent closed the previous one; "
                        "if the column means assigned, set task.started_means: assigned",
                        float(row["overlap"]))


def _overlap_per_pool(pool: pd.Series, starts: Starts) -> pd.DataFrame:
    """Per pool (sorted by name): tasks, the share and number picked up before the agent's
    previous close, and the median minutes those were moved (bincounts over pool codes)."""
    if isinstance(pool.dtype, pd.CategoricalDtype):
        codes, names = pool.cat.codes.to_numpy().astype(np.int64), pool.cat.categories
    else:
        codes, names = pd.factorize(pool.to_numpy(), use_na_sentinel=True)
    k = len(names)
    shifted = codes + 1  # a task without a pool counts in slot 0, dropped
    tasks = np.bincount(shifted, minlength=k + 1)[1:]
    moved = np.bincount(shifted, weights=starts.overlap, minlength=k + 1)[1:]
    at = np.flatnonzero(starts.overlap & (codes >= 0))
    minutes_moved, pool_moved = starts.moved_seconds[at] / 60, codes[at]
    minutes = [np.median(minutes_moved[pool_moved == code]) if moved[code] else np.nan
               for code in range(k)]  # pools are few: one pass each
    table = pd.DataFrame({"tasks": tasks, "overlap": moved / np.maximum(tasks, 1),
                          "moved": moved, "minutes": minutes},
                         index=pd.Index(names, dtype=object).astype(str))
    return table[table["tasks"] > 0].sort_index()


#: Hours of work in one local day above which a resource id is not one person.
LONG_WORKDAY_HOURS = 14.0


def describe_workload(report: MappingReport, resource: pd.Series, start: pd.Series,
                      closed: pd.Series, tz: str | tzinfo) -> None:
    """Warn about resource ids that worked more than a person can in a day (shared logins).

    A resource's work is the union of its tasks' start-to-close intervals (tasks
    held open side by side count once), split at local midnight; automated queues
    carry no resource here.
    """
    found = workload_warning(resource, start, closed, tz)
    if found is not None:
        report.warn(*found)


def workload_warning(resource: pd.Series, start: pd.Series, closed: pd.Series,
                     tz: str | tzinfo, *, order: np.ndarray | None = None
                     ) -> tuple[str, str, float] | None:
    """The code, message and share of :func:`describe_workload`'s warning (None: no warning).

    Measured apart from writing the report, so an import may measure it on a
    second thread and write it in its place. ``order`` may give the rows in an order
    (by resource, then close: :class:`~modlean.eventlog.tasks.Starts`) that is also the
    order of their starts, as estimated starts are; it saves a sort when it is.
    """
    who = _codes(resource)
    counted = (who >= 0) & start.notna().to_numpy() & closed.notna().to_numpy()
    if not counted.any():
        return None
    rows = order[counted[order]] if order is not None else np.flatnonzero(counted)
    hours = busy_hours_per_day(who[rows], _local_micros(start.iloc[rows], tz),
                               _local_micros(closed.iloc[rows], tz))
    worst = hours[hours > LONG_WORKDAY_HOURS].groupby(level=0).max().sort_values(
        ascending=False)
    if not len(worst):
        return None
    names = _names(resource)
    listed = ", ".join(f"{names[who_code]} {h:.0f} h" for who_code, h in worst.head(3).items())
    more = " ..." if len(worst) > 3 else ""
    return ("long_workday",
            f"{len(worst):,} resource id(s) were busy more than {LONG_WORKDAY_HOURS:g} h in "
            f"one day ({listed}{more}): shared logins? Per-reviewer figures and seat counts "
            "then count ids, not people",
            float(len(worst) / max(np.count_nonzero(np.bincount(who[counted])), 1)))


def busy_hours_per_day(who: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.Series:
    """Hours each ``who`` was busy on each day: the union of its ``[start, end)``
    intervals (microseconds of local wall time), cut at midnight.

    Returns a Series indexed by (who, day number) with hours in (0, 24].
    """
    if not in_order(who, start):  # rows given in that order already need no sort
        order = lex_order(who, start)
        who, start, end = who[order], start[order], end[order]
    first = np.r_[True, who[1:] != who[:-1]]
    reach = _running_max(np.cumsum(first), end)  # the latest end so far of the who's tasks
    covered = np.where(first, start, np.maximum(start, np.r_[start[:1], reach[:-1]]))
    piece = end > covered                      # the part of the task no earlier task covers
    who, a, b = who[piece], covered[piece], end[piece]
    day_us = 86_400_000_000
    first_day, last_day = a // day_us, (b - 1) // day_us
    spans = (last_day - first_day + 1).astype(np.int64)
    rows = np.repeat(np.arange(len(a)), spans)
    day = first_day[rows] + np.arange(len(rows)) - np.repeat(np.cumsum(spans) - spans, spans)
    lo = np.maximum(a[rows], day * day_us)
    hi = np.minimum(b[rows], (day + 1) * day_us)
    return _sum_by_pair(who[rows], day, (hi - lo) / 3.6e9).rename_axis(["who", "day"])


def _running_max(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The running maximum of ``values`` within each run of ``group`` (ascending integers):
    one ``maximum.accumulate`` over the values lifted by their group when the two fit
    63 bits."""
    if not len(values):
        return values
    low = int(values.min())
    bits = (int(values.max()) - low).bit_length()
    if bits + int(group[-1]).bit_length() > 62:
        return pd.Series(values).groupby(group).cummax().to_numpy()
    lifted = (group.astype(np.int64) << bits) | (values - low)
    return (np.maximum.accumulate(lifted) & ((1 << bits) - 1)) + low


def _sum_by_pair(first: np.ndarray, second: np.ndarray, weights: np.ndarray) -> pd.Series:
    """``weights`` summed per (first, second) pair of integers, indexed by the pairs sorted."""
    frame = pd.DataFrame({"first": first, "second": second, "sum": weights})
    if not len(frame):
        return frame.groupby(["first", "second"])["sum"].sum()
    low = int(second.min())
    width = int(second.max()) - low + 1
    cells = (int(first.max()) + 1) * width
    if first.min() < 0 or cells > 4 * len(first) + 1_000_000:  # too sparse for a dense table
        return frame.groupby(["first", "second"], sort=True)["sum"].sum()
    pair = first * width + (second - low)
    total = np.bincount(pair, weights=weights, minlength=cells)
    found = np.flatnonzero(np.bincount(pair, minlength=cells))
    return pd.Series(total[found], index=pd.MultiIndex.from_arrays(
        [found // width, found % width + low]))


def _local_micros(times: pd.Series, tz: str | tzinfo) -> np.ndarray:
    """UTC times as microseconds of local wall time in ``tz`` (days split at local midnight)."""
    return utc_to_wall(micros_of(times), tz)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a text column (-1 for missing), categoricals' own."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values.to_numpy(), use_na_sentinel=True)[0].astype(np.int64)


def _names(values: pd.Series) -> np.ndarray:
    """The names behind :func:`_codes`, in code order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.categories.astype(str).to_numpy(dtype=object)
    return np.asarray(pd.factorize(values.to_numpy(), use_na_sentinel=True)[1], dtype=object)


def describe_log(report: MappingReport, log: pd.DataFrame, prof: Profile, *, header: list[str],
                 notes: list[str], activity_source: pd.Series | None,
                 case_sizes: np.ndarray | None = None) -> None:
    """Cases, events per activity, unused columns, the time span, notes and log warnings.

    ``case_sizes`` are the events per case when the caller counted them (else they are
    counted from the log's ``case_id`` runs)."""
    sizes = _case_sizes(log["case_id"]) if case_sizes is None else pd.Series(case_sizes)
    report.add("cases", "cases", len(sizes))
    report.add("events", "events", len(log))
    counts = log["activity"].value_counts()
    counts = counts[counts > 0]
    counts.index = counts.index.astype(str)
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    for activity, count in counts.items():
        report.add("events", str(activity), int(count))
    used = set(prof.columns().values())
    unused = [c for c in header if c not in used]
    report.add("columns", "unused", ", ".join(unused) or "none",
               "name them under attributes: to keep them" if unused else "")
    first, last = log["timestamp"].min(), log["timestamp"].max()
    zones = ["UTC"] + ([prof.locale.timezone] if prof.locale.timezone not in (None, "UTC")
                       else [])
    for zone in zones:
        report.add("time span", zone, f"{first.tz_convert(zone):%Y-%m-%d %H:%M} to "
                   f"{last.tz_convert(zone):%Y-%m-%d %H:%M}")
    for note in notes:
        report.add("notes", "note", note)
    if prof.locale.timezone is None and any("were read as" in n for n in notes):
        report.warn("default_timezone", "times without an offset were read as UTC; set "
                    "locale.timezone in the profile if they are local times")
    single = single_event_share(sizes=sizes)
    if single > SINGLE_EVENT_LIMIT:
        report.warn("single_event_cases", f"{single:.0%} of cases have a single event: the log "
                    "cannot be mined as a process; check case.id and case.links, or use "
                    "shape: tasks", single)
    _flag_like(report, prof, activity_source)


def _case_sizes(case_ids: pd.Series) -> pd.Series:
    """Events per case of a log in case order (a case's events are adjacent): its run lengths."""
    ids = arrow_strings(case_ids)
    if len(ids) == 0:
        return pd.Series(dtype=np.int64)
    change = pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1, [len(ids)]])
    return pd.Series(np.diff(starts))


def _flag_like(report: MappingReport, prof: Profile, values: pd.Series | None) -> None:
    if values is None:
        return
    if flag_like(values, few_values=prof.shape == "events"):  # stages of tasks may be few
        distinct = distinct_text(values)
        report.warn("flag_like_activity", f"the column mapped to the activity has only "
                    f"{len(distinct)} distinct values ({', '.join(map(repr, distinct[:3]))}): it "
                    "looks like a flag, not a step of the process", None)
