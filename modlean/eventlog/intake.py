"""Importing a vendor export with a source profile: the canonical log, the QA table, the report.

:func:`import_export` reads an export (any source :func:`~modlean.eventlog.read.read_log`
reads) as its :class:`~modlean.eventlog.profile.Profile` says: the locale, the case
key with its parent links chased to the root ticket, the vendor's vocabulary
(queues to stages and pools, verdicts to decisions, QA outcomes), and the shape:
a task table (one row per task, :mod:`~modlean.eventlog.tasks`) or an event
table (one row per event, finished by :func:`~modlean.eventlog.canonical.canonicalise`).
What was read, made, dropped and assumed goes into the
:class:`~modlean.eventlog.report.MappingReport` (:mod:`~modlean.eventlog.intake_report`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from modlean._util import suggest
from modlean.errors import LogError
from modlean.eventlog.canonical import canonicalise, finish_log
from modlean.eventlog.categorical import (
    default_text,
    distinct_text,
    is_categorical,
    map_categories,
    take_rows,
)
from modlean.eventlog.columns import NOT_PEOPLE, resolve_columns
from modlean.eventlog.intake_report import (
    describe_log,
    describe_starts,
    describe_table,
    task_faults,
    workload_warning,
)
from modlean.eventlog.links import Links, chase_links, chase_table_links, coalesce_links
from modlean.eventlog.people import rename_resources
from modlean.eventlog.profile import QUEUE_STAGE, Profile, load_profile
from modlean.eventlog.readers import RawLog, TextLocale, is_decode_error, read_raw
from modlean.eventlog.report import MappingReport
from modlean.eventlog.sorting import sorted_keys
from modlean.eventlog.statuses import (
    StatusEvents,
    declared_rank,
    describe_statuses,
    map_statuses,
)
from modlean.eventlog.tasks import (
    MODEL_RESOURCE,
    QA_EVENT,
    EventKind,
    estimate_starts,
    order_events,
    task_events,
)
from modlean.eventlog.timestamps import UTC_DTYPE, micros_of, utc_series
from modlean.eventlog.values import (
    DEFAULT_TZ,
    LogWarning,
    as_text,
    parse_numbers,
    parse_times,
    strings,
)
from modlean.eventlog.vocabulary import map_values
from modlean.eventlog.wall_clock import later_reading

__all__ = ["Intake", "check_named_columns", "encoding_hint", "import_export", "log_columns"]


@dataclass
class Intake:
    """The result of an import: the canonical log, the QA table (or None) and the report."""

    log: pd.DataFrame
    qa: pd.DataFrame | None
    report: MappingReport


def import_export(source: str | Path | pd.DataFrame,
                  profile: str | Path | Mapping[str, Any] | Profile, *,
                  sheet: str | int | None = None, query: str | None = None) -> Intake:
    """Import a vendor export as its source profile says.

    Parameters
    ----------
    source:
        The export: any file, URL or DataFrame :func:`~modlean.read_log` reads.
    profile:
        A profile YAML file, a mapping of the same keys, or a loaded
        :class:`~modlean.eventlog.profile.Profile` (docs/intake.md).
    sheet, query:
        As for :func:`~modlean.read_log`; ``sheet`` defaults to the profile's ``sheet:``.

    Returns
    -------
    Intake
        ``log`` (the canonical log), ``qa`` (the QA table when the profile has
        ``qa:``, else None) and ``report`` (the mapping report).

    Raises
    ------
    LogError
        For a bad profile, a column the profile names that the export lacks, a
        queue or verdict value the profile does not map, or a value that cannot be read.
    """
    prof = load_profile(profile)
    early = _LinksOnRead(prof)
    raw = _read(source, prof, sheet=prof.sheet if sheet is None else sheet, query=query,
                on_table=early)
    report = MappingReport(raw.name)
    report.add("rows", "read", len(raw.frame))
    parts = _Parts(raw, prof, report, chased=early.chased)
    if prof.shape == "tasks":
        log, qa = _tasks(parts)
    else:
        log, qa = _events(parts)
    activity = prof.task.queue if prof.task else log_columns(raw, prof).get("activity")
    describe_log(report, log, prof, header=raw.header, notes=raw.notes,
                 activity_source=raw.frame[activity] if activity else None,
                 case_sizes=parts.case_sizes)
    if prof.shape != "tasks":  # task_events lays a task table out in the canonical form
        log = finish_log(log)
    log.attrs["modlean"] = {"source": raw.name, "profile": prof.source,
                            "notes": list(raw.notes)}
    return Intake(log=log, qa=qa, report=report)


class _LinksOnRead:
    """Starts chasing the parent links on a second thread as soon as Arrow has read the
    file, while the reader parses the times (ids need no times)."""

    def __init__(self, prof: Profile) -> None:
        self.prof = prof
        self.chased: Future[Links] | None = None

    def __call__(self, table: pa.Table) -> None:
        key, links = self.prof.case.id, list(self.prof.case.links)
        if links and {key, *links} <= set(table.column_names):
            self.chased = _on_a_thread(chase_table_links, table, key, links)


def _on_a_thread(work: Callable[..., Any], *args: Any) -> Future[Any]:
    """``work(*args)`` started on a thread of its own (which ends with it)."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(work, *args)
    pool.shutdown(wait=False)
    return future


def _read(source: str | Path | pd.DataFrame, prof: Profile, *, sheet: str | int | None,
          query: str | None, on_table: Callable[[pa.Table], None]) -> RawLog:
    named = prof.columns()
    text = list(dict.fromkeys(c for k, c in named.items() if k != "score"))
    loc = prof.locale
    locale = TextLocale(loc.decimal, loc.thousands, fast=True,
                        plain=prof.id_columns() + prof.time_columns(),
                        times=prof.time_columns(), dayfirst=loc.dayfirst, on_table=on_table,
                        columns=tuple(named.values()) if prof.shape == "tasks" else None)
    with encoding_hint(prof.source):
        raw = read_raw(source, sheet=sheet, query=query, encoding=loc.encoding, sep=loc.sep,
                       key_columns=lambda header: [c for c in text if c in header],
                       locale=locale)
    check_named_columns(named, raw, prof.source)
    if raw.frame.empty:
        raise LogError("the export has no rows", source=raw.name,
                       expected="at least one row after the header")
    return raw


@contextmanager
def encoding_hint(profile: str) -> Iterator[None]:
    """A file whose text is not in the encoding read gets the profile key that sets it."""
    try:
        yield
    except LogError as exc:
        if not is_decode_error(exc):
            raise
        raise LogError(exc.problem, source=exc.source, expected=exc.expected,
                       hint=f"Set locale.encoding in {profile} to the file's encoding, e.g. "
                       "'encoding: cp1250' (Windows, Central Europe: Polish, Czech ...), "
                       "'cp1252' (Windows, Western Europe) or 'utf-16'") from None


def check_named_columns(named: Mapping[str, str], raw: RawLog, profile: str, *,
                        what: str = "profile", file: str = "export") -> None:
    """Raise when a column a profile names (``{key path: column}``) is not in the file.

    The message names the key, the column, the file and its columns, with a
    did-you-mean, and lists the other missing columns.
    """
    missing = {k: c for k, c in named.items() if c not in raw.header}
    if missing:
        key, col = next(iter(missing.items()))
        also = list(missing.items())[1:]
        raise LogError(
            f"the {what}'s {key} names a column that is not in the {file}", source=raw.name,
            column=col, expected=f"one of the {file}'s columns " + ", ".join(map(repr, raw.header)),
            hint=(f"Fix {key} in {profile}" + suggest(col, raw.header))
            + (f"; also missing: {', '.join(f'{k} {c!r}' for k, c in also)}" if also else ""),
        )


class _Parts:
    """The columns every shape shares, parsed once: cases, links, vocabulary, QA."""

    def __init__(self, raw: RawLog, prof: Profile, report: MappingReport, *,
                 chased: Future[Links] | None = None) -> None:
        self.raw, self.prof, self.report = raw, prof, report
        frame = raw.frame
        tz = prof.locale.timezone or DEFAULT_TZ
        self.tz, self.tz_stated = tz, prof.locale.timezone is not None
        self.key = as_text(frame[prof.case.id], raw, prof.case.id, "case_id")
        self.attrs: dict[str, pd.Series] = {}
        if prof.shape == "tasks" or prof.case.links:
            self.attrs["task_id"] = self.key
        self.qa: dict[str, pd.Series] = {}
        #: events per case in the log's case order, when the layout counted them
        self.case_sizes: np.ndarray | None = None
        self._times: dict[tuple[str, bool], pd.Series] = {}
        self._resources: dict[str, pd.Series] = {}
        # links are chased in Arrow and numpy, which free the GIL: on a second thread
        # (from when Arrow read the file, if it did: ``chased``) while this one parses
        # the task times, maps the vocabulary and QA, and (for a task table) estimates
        # the starts; self.links waits for it when first asked
        self._chased = chased
        if chased is None and prof.case.links:
            self._chased = _on_a_thread(_chase, self.key, [frame[c] for c in prof.case.links])
        task_times = (prof.task.created, prof.task.started, prof.task.closed) if prof.task \
            else ()
        ahead = [c for c in (prof.qa.time if prof.qa else None, *task_times) if c is not None]
        # the time columns parsed on two threads (numpy frees the GIL) while this one maps
        # the vocabulary and QA; their notes are added as each is taken, in this order
        with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=2) as pool:
            warnings.simplefilter("ignore", LogWarning)  # the report says it (default_timezone)
            self._ahead = {c: pool.submit(self._parse_times, c, True) for c in dict.fromkeys(ahead)}
            self._vocabulary()
            self._qa()
            for column in task_times:  # after QA's time: the notes keep their order
                self.times(column)

    @property
    def links(self) -> Links | None:
        """The parent links chased to the root tickets (None when the profile has none)."""
        return self._chased.result() if self._chased is not None else None

    @property
    def case_id(self) -> pd.Series:
        """The case key per row: the root ticket's when links are chased (made when asked)."""
        return self.links.root if self.links is not None else self.key

    def times(self, column: str | None, *, allow_empty: bool = True) -> pd.Series:
        """A time column of the export in UTC (all missing when the profile names none)."""
        if column is None:
            return pd.Series(pd.NaT, index=self.raw.frame.index, dtype=UTC_DTYPE)
        if (column, allow_empty) not in self._times:  # each column parsed once
            ahead = self._ahead.pop(column, None) if allow_empty else None
            with warnings.catch_warnings():  # the report says it (default_timezone)
                warnings.simplefilter("ignore", LogWarning)
                parsed, notes = ahead.result() if ahead else self._parse_times(column,
                                                                               allow_empty)
            self._times[column, allow_empty] = parsed
            self.raw.notes.extend(n for n in notes if n not in self.raw.notes)
        return self._times[column, allow_empty]

    def _parse_times(self, column: str, allow_empty: bool) -> tuple[pd.Series, list[str]]:
        """A time column in UTC, and the notes its reading made."""
        notes: list[str] = []
        parsed = parse_times(self.raw.frame[column], self.raw, column, tz=self.tz,
                             tz_stated=self.tz_stated, dayfirst=self.prof.locale.dayfirst,
                             allow_empty=allow_empty, notes=notes)
        return parsed, notes

    def resource(self, column: str | None) -> pd.Series:
        """Who worked each row: ``column`` with the profile's ``resources:`` renamed (the
        model, the system, the seller; :func:`~modlean.eventlog.people.rename_resources`
        reports it, once)."""
        if column is None:
            return self.text(None)
        if column not in self._resources:
            self._resources[column] = rename_resources(
                self.text(column), self.prof.resources, self.report, column=column,
                automated=self.automated)
        return self._resources[column]

    def text(self, column: str | None) -> pd.Series:
        if column is None:
            return pd.Series(pd.NA, index=self.raw.frame.index, dtype="string")
        return strings(self.raw.frame[column])

    def _vocabulary(self) -> None:
        prof, frame, name = self.prof, self.raw.frame, self.raw.name
        queue_col = prof.task.queue if prof.task else \
            prof.event.get("queue", prof.event.get("activity"))
        self.stage: pd.Series | None = None
        self.automated = np.zeros(len(frame), dtype=bool)  # queues marked automated: true
        if queue_col is not None and prof.queues:
            vendor = frame[queue_col]
            self.stage = map_values(vendor, {k: v.stage for k, v in prof.queues.items()},
                                    source=name, column=queue_col, key_path="queues",
                                    code="unmapped_queue")
            pools = {k: v.pool or v.stage for k, v in prof.queues.items()}
            self.attrs["queue"] = strings(vendor)
            self.attrs["pool"] = map_values(vendor, pools, source=name, column=queue_col,
                                            key_path="queues", code="unmapped_queue")
            automated = [k for k, v in prof.queues.items() if v.automated]
            self.automated = map_values(vendor, dict.fromkeys(prof.queues, "n") | dict.fromkeys(
                automated, "y"), source=name, column=queue_col, key_path="queues",
                code="unmapped_queue").eq("y").fillna(False).to_numpy(dtype=bool)
        elif prof.task is not None or "queue" in prof.event:
            self.stage = self.text(queue_col)
            self.attrs["queue"] = self.stage
            self.attrs["pool"] = self.stage
            self.report.add("vocabulary", "queues", "as written",
                            "no queues: map in the profile; each queue value is its own "
                            "stage and pool")
        if prof.decision is not None:
            col = prof.decision.column
            self.attrs["decision"] = (
                map_values(frame[col], prof.decision.values, source=name, column=col,
                           key_path="decision.values", code="unknown_verdict")
                if prof.decision.values else _lower(self.text(col)))
        if prof.label is not None:
            self.attrs["label"] = self.text(prof.label)
        if prof.score is not None:
            self.attrs["model_score"] = parse_numbers(
                frame[prof.score], self.raw, prof.score, decimal=prof.locale.decimal,
                thousands=prof.locale.thousands)
        for canon, col in prof.attributes.items():
            self.attrs[canon] = frame[col]

    def _qa(self) -> None:
        spec = self.prof.qa
        if spec is None:
            return
        outcome = map_values(self.raw.frame[spec.verdict], spec.values, source=self.raw.name,
                             column=spec.verdict, key_path="qa.values", code="unknown_verdict")
        self.qa_checked = outcome.notna().to_numpy()
        if spec.pass_fail:
            self.qa["qa_result"] = _lower(outcome)
            self.qa["qa_reason"] = self.text(spec.reason)
        else:
            self.qa["qa_decision"] = outcome
            self.qa["qa_label"] = self.text(spec.label)
            if spec.reason is not None:
                self.qa["qa_reason"] = self.text(spec.reason)
        self.qa_time = self.times(spec.time)
        self.qa_reviewer = self.text(spec.reviewer)

    def qa_table(self, keep: np.ndarray, reviewer: pd.Series | None) -> pd.DataFrame | None:
        """One row per QA-checked task of the kept rows (None when the profile has no qa:)."""
        if self.prof.qa is None:
            return None
        rows = np.flatnonzero(keep & self.qa_checked)  # each column taken at these rows only
        empty = pd.Series(pd.NA, index=pd.RangeIndex(len(rows)), dtype="string")
        columns = {"task_id": self.key, "reviewer": reviewer, "pool": self.attrs.get("pool"),
                   "decision": self.attrs.get("decision"), "label": self.attrs.get("label"),
                   "qa_reviewer": self.qa_reviewer, "qa_time": self.qa_time, **self.qa}
        case_id = self.links.root_at(rows) if self.links is not None else \
            take_rows(self.key, rows)
        return pd.DataFrame({"case_id": case_id} | {
            col: default_text(empty if values is None else take_rows(values, rows))
            for col, values in columns.items()})


def _chase(key: pd.Series, links: list[pd.Series]) -> Links:
    """The links chased from ``key`` through the first non-empty of ``links`` per row."""
    return chase_links(key, coalesce_links([strings(c) for c in links]))


def automated_as_model(report: MappingReport, resource: pd.Series, automated: np.ndarray,
                       *, as_written: pd.Series | None = None) -> pd.Series:
    """The resource of tasks in queues marked ``automated: true`` as ``model``, modlean's
    name for the model (what calibration and the QA figures take for "not a person");
    the report names the ids the export used (``as_written``: before ``resources:``
    renamed any)."""
    if not automated.any():
        return resource
    written = resource if as_written is None else as_written
    found = distinct_text(written[automated].dropna())
    report.add("vocabulary", "automated resource", MODEL_RESOURCE,
               f"tasks of automated queues are logged as worked by {MODEL_RESOURCE!r} "
               f"(the export says {', '.join(map(repr, found[:3])) or 'nobody'})")
    if is_categorical(resource) and MODEL_RESOURCE not in resource.cat.categories:
        resource = resource.cat.add_categories([MODEL_RESOURCE])
    return resource.mask(automated, MODEL_RESOURCE)


def _lower(values: pd.Series) -> pd.Series:
    """Text in lower case (a categorical's categories, once each)."""
    if is_categorical(values):
        return map_categories(values, lambda cats: pd.Series(cats.astype(str)).str.lower())
    return values.str.lower()


def log_columns(raw: RawLog, prof: Profile) -> dict[str, str]:
    """The canonical columns of an events-shaped export: ``event:`` map, then aliases."""
    if prof.shape != "events":
        return {}
    named = {k: v for k, v in prof.event.items() if k != "queue"}  # the queue: _vocabulary's
    return resolve_columns(raw.header, {"case_id": prof.case.id, **named}, raw.name)


def _tasks(parts: _Parts) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    prof, report = parts.prof, parts.report
    task = prof.task
    assert task is not None  # load_profile checks shape: tasks has task:
    created = parts.times(task.created)
    started = parts.times(task.started)
    closed = _in_order_across_the_repeated_hour(parts, task.closed, created, started,
                                                parts.times(task.closed))
    resource = parts.resource(task.resource)
    # a model's (or the system's) tasks overlap by design
    one_at_a_time = resource.mask(parts.automated | resource.isin(NOT_PEOPLE).to_numpy())
    move = task.started_means == "assigned"

    # while the links are chased: the starts of the tasks kept unless a cycle of
    # links drops some (then they are estimated again)
    faults = task_faults(created, started, closed)
    guess = ~(faults[0] | faults[1] | faults[2])
    starts = estimate_starts(one_at_a_time[guess], started[guess], closed[guess], move=move)
    keep = describe_table(report, parts.key, parts.links, created=created, started=started,
                          closed=closed)
    if not np.array_equal(keep, guess):
        starts = estimate_starts(one_at_a_time[keep], started[keep], closed[keep], move=move)
    # the workload (for the report only) on a second thread while this one lays out the
    # events (a stretch the chased links and the parsed times no longer keep busy)
    workload = _on_a_thread(partial(workload_warning, order=starts.order),
                            one_at_a_time[keep], starts.start, closed[keep], parts.tz)
    describe_starts(report, starts, parts.attrs["pool"][keep].mask(parts.automated[keep]),
                    assigned=move, column=task.started or "")
    resource = automated_as_model(report, resource, parts.automated,
                                  as_written=parts.text(task.resource))
    log, qa = _task_log(parts, keep, resource, created, closed, starts.start)
    if (found := workload.result()) is not None:
        report.warn(*found)
    return log, qa


def _in_order_across_the_repeated_hour(parts: _Parts, column: str, created: pd.Series,
                                      started: pd.Series, closed: pd.Series) -> pd.Series:
    """Closes in the hour repeated when daylight saving ends, read as summer time (the first
    of the two), that would then come before their task's creation or start: read as
    winter time (the second) when that puts them after it, with a note."""
    early = (closed.lt(created) | closed.lt(started)).to_numpy()
    if not early.any():
        return closed
    rows = np.flatnonzero(early)
    old = micros_of(closed.iloc[rows])
    new = later_reading(old, parts.tz)
    need = np.maximum(micros_of(created.iloc[rows]), micros_of(started.iloc[rows]))
    moved = (new != old) & (new >= need)
    if not moved.any():
        return closed
    micros = micros_of(closed).copy()
    micros[rows[moved]] = new[moved]
    parts.raw.notes.append(
        f"{column}: {int(moved.sum()):,} time(s) in the hour repeated when daylight saving "
        "ended were read as winter time (the second of the two): as summer time they would "
        "close their task before it was created or started")
    out = utc_series(micros)
    out.index = closed.index
    return out


def _task_log(parts: _Parts, keep: np.ndarray, resource: pd.Series, created: pd.Series,
              closed: pd.Series, start: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The events and the QA table of the kept tasks."""
    prof = parts.prof
    if parts.links is not None:  # ids as codes into the sorted keys: no strings per event
        keys, case_codes, depth = parts.links.keys, parts.links.root_codes, parts.links.depth
    else:
        keys = sorted_keys(parts.key)
        case_codes, depth = keys.codes, np.zeros(len(resource), np.int64)
    attrs = {k: v for k, v in parts.attrs.items() if k != "task_id"}  # made from the codes
    tasks = pd.DataFrame({"stage": parts.stage, "resource": resource, "created": created,
                          "closed": closed, "link_depth": depth, **attrs,
                          "case_code": case_codes, "task_code": keys.codes},
                         index=parts.key.index)
    tasks = tasks.loc[keep].reset_index(drop=True)
    tasks["start"] = start.reset_index(drop=True)
    qa_cols = list(parts.qa)
    if prof.qa is not None:
        tasks["qa_time"] = parts.qa_time[keep].reset_index(drop=True)
        tasks["qa_reviewer"] = parts.qa_reviewer[keep].reset_index(drop=True)
        for col in qa_cols:
            tasks[col] = parts.qa[col][keep].reset_index(drop=True)
    else:
        tasks["qa_time"] = pd.Series(pd.NaT, index=tasks.index, dtype=UTC_DTYPE)
        tasks["qa_reviewer"] = pd.Series(pd.NA, index=tasks.index, dtype="string")
    # the QA table (takes of codes and Arrow casts, which free the GIL) on a second
    # thread while this one lays out the events
    with ThreadPoolExecutor(max_workers=1) as pool:
        qa = pool.submit(parts.qa_table, keep, resource)
        log, parts.case_sizes = task_events(tasks, keys.names, list(parts.attrs), qa_cols)
        return log, qa.result()


def _events(parts: _Parts) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    prof, raw = parts.prof, parts.raw
    columns = log_columns(raw, prof)
    keep = describe_table(parts.report, parts.key, parts.links)
    data: dict[str, Any] = {"case_id": parts.case_id}
    for canon in ("activity", "timestamp", "start_timestamp", "resource", "lifecycle"):
        if canon in columns:
            data[canon] = parts.resource(columns[canon]) if canon == "resource" \
                else raw.frame[columns[canon]]
    by_queue = "queue" in prof.event  # the queue column is apart from the activity's
    if parts.stage is not None and not by_queue:
        data["activity"] = parts.stage
    statuses = None
    if prof.statuses:  # a status history: each status an event, a start or a complete
        statuses = map_statuses(raw.frame[columns["activity"]], prof, source=raw.name,
                                column=columns["activity"])
        if by_queue and parts.stage is not None:  # "review": the row's queue's stage
            statuses = _queue_stages(statuses, parts.stage)
        data["activity"], data["lifecycle"] = statuses.activity, statuses.lifecycle
        columns["lifecycle"] = "lifecycle"
        linked, keep = keep, keep & statuses.keep
    tie = declared_rank(raw.frame, prof, activity=columns.get("activity"), source=raw.name)
    data.update(parts.attrs)
    kept = np.flatnonzero(keep)
    frame = pd.DataFrame(data).loc[keep].reset_index(drop=True)
    sub = RawLog(frame, raw.name, list(frame.columns), lambda i: raw.locate(int(kept[i])),
                 raw.notes)
    with warnings.catch_warnings():  # the report says it (default_timezone)
        warnings.simplefilter("ignore", LogWarning)
        log = canonicalise(sub, {c: c for c in columns if c in frame}, tz=parts.tz,
                           tz_stated=parts.tz_stated, dayfirst=prof.locale.dayfirst,
                           tie_rank=None if tie is None else tie[kept],
                           pair_by=("resource",) if statuses is not None else ())
    if statuses is not None:
        describe_statuses(parts.report, statuses, linked, log)
    reviewer = parts.resource(columns.get("resource"))
    if prof.qa is not None:
        log = _with_qa_events(log, parts, keep & parts.qa_checked)
    return log, parts.qa_table(keep, reviewer)


def _queue_stages(statuses: StatusEvents, stage: pd.Series) -> StatusEvents:
    """The statuses with the activity :data:`QUEUE_STAGE` ("review") replaced by the stage
    of the row's queue (``queues:``, or the queue's own name), where the row has one: each
    queue's statuses pair into that stage's events."""
    mine = (statuses.activity.astype("string").eq(QUEUE_STAGE).fillna(False)
            & stage.notna()).to_numpy()
    activity = statuses.activity.astype(object).mask(mine, stage.astype(object))
    paired = set(statuses.paired_activities)
    if QUEUE_STAGE in paired:
        paired |= set(map(str, pd.unique(activity[mine])))
    return replace(statuses, activity=activity, paired_activities=frozenset(paired))


def _with_qa_events(log: pd.DataFrame, parts: _Parts, rows: np.ndarray) -> pd.DataFrame:
    timed = rows & parts.qa_time.notna().to_numpy()
    qa = pd.DataFrame({"case_id": parts.case_id[timed].astype(str), "activity": QA_EVENT,
                       "timestamp": parts.qa_time[timed],
                       "resource": parts.qa_reviewer[timed].astype(object),
                       **{k: v[timed] for k, v in parts.attrs.items()},
                       **{k: v[timed] for k, v in parts.qa.items()}}).reset_index(drop=True)
    qa["resource"] = qa["resource"].where(qa["resource"].notna(), None)
    both = pd.concat([log, qa], ignore_index=True)
    kind = np.repeat([EventKind.STAGE, EventKind.QA], [len(log), len(qa)])
    return order_events(both, np.arange(len(both)), kind)
