"""A task table (one row per task, parsed) made into events, and estimated starts.

Each task row gives a ``queued:<stage>`` event at its creation, a ``<stage>``
event from its start to its close, and, when QA checked it, a ``qa_review``
event (intake_spec.md, "What a tasks-shaped export becomes"). When the
"started" column means *assigned* (picked into an agent's personal queue),
:func:`estimate_starts` moves each start to when the same agent closed the
previous task: an agent works one task at a time. Everything is numpy over
whole columns.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from modlean.eventlog.categorical import (
    as_category,
    is_categorical,
    is_text,
)
from modlean.eventlog.sorting import SortedKeys, lex_order, sorted_rank
from modlean.eventlog.timestamps import NAT, micros_of, utc_series

__all__ = ["MODEL_RESOURCE", "QA_EVENT", "EventKind", "Starts", "estimate_starts",
           "order_events", "task_events"]

#: The activity of a QA check.
QA_EVENT = "qa_review"
#: The resource of tasks done by the model (queues marked ``automated: true``).
MODEL_RESOURCE = "model"


class EventKind:
    """The events one task row makes, in the order they sort at equal times."""

    QUEUED = 0
    STAGE = 1
    QA = 2


@dataclass(frozen=True)
class Starts:
    """Starts of the tasks after estimation, and how far each was moved."""

    start: pd.Series
    #: tasks picked up before the same agent closed the previous one
    overlap: np.ndarray
    #: seconds each start was moved (0 when it was not)
    moved_seconds: np.ndarray
    #: the tasks in the order of their resource, then close (what the estimate sorted)
    order: np.ndarray | None = None


def estimate_starts(resource: pd.Series, started: pd.Series, closed: pd.Series,
                    *, move: bool) -> Starts:
    """Starts as max(started, the same agent's previous close), tasks ordered by close.

    With ``move=False`` the starts are kept and only the overlap is measured.
    Tasks without a resource or a start are never moved.
    """
    n = len(closed)
    res_codes = resource.cat.codes.to_numpy() if is_categorical(resource) else \
        pd.factorize(resource.to_numpy(), use_na_sentinel=True)[0]
    close_us = micros_of(closed)
    start_us = micros_of(started)
    order = lex_order(res_codes, close_us)
    same = np.zeros(n, dtype=bool)
    same[1:] = res_codes[order][1:] == res_codes[order][:-1]
    same &= res_codes[order] >= 0
    prev_close = np.full(n, NAT, dtype=np.int64)
    prev_close[order[1:]] = np.where(same[1:], close_us[order][:-1], NAT)
    has_start = started.notna().to_numpy()
    overlap = has_start & (start_us < prev_close)
    moved = np.where(overlap, prev_close - start_us, 0) if move else np.zeros(n, dtype=np.int64)
    start = started
    if move:
        start = utc_series(np.where(overlap, prev_close, start_us))
        start.index = started.index
    return Starts(start=start, overlap=overlap, moved_seconds=moved / 1e6, order=order)


def task_events(tasks: pd.DataFrame, ids: pa.Array, attributes: list[str],
                qa_columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The events of a parsed task table (one row per kept task).

    ``tasks`` has ``case_code`` and ``task_code`` (codes into ``ids``, the
    sorted ticket keys, :class:`~modlean.eventlog.sorting.SortedKeys`),
    ``stage``, ``resource``, ``created``, ``start``, ``closed``, ``qa_time``,
    ``qa_reviewer``, ``link_depth`` and the ``attributes`` and ``qa_columns``
    (``task_id`` among the attributes is made from ``task_code``). Returns the
    canonical log in its canonical dtypes and column order, ordered by case and
    time; at equal times a parent ticket's events come before its children's
    (an escalation queued the second the model closed follows the model), then
    by ticket key: the order of the export's rows never changes the process.
    Ids come out as text; other text columns as categoricals of their used
    values, sorted (:func:`~modlean.eventlog.categorical.as_category`): each
    event takes its task's code, never a copy of its string. The columns are
    made on two threads (takes of codes in numpy and Arrow, which free the GIL).
    Also returns the number of events of each case, in the log's case order.
    """
    keys = SortedKeys(ids, tasks["task_code"].to_numpy())
    case_rank, task_rank = tasks["case_code"].to_numpy(), keys.codes
    # lay the tasks out in tie order, each as its queued, stage and QA events ...
    by_task = lex_order(case_rank, tasks["link_depth"].to_numpy(), task_rank)
    stamps = np.stack([micros_of(tasks[c]) for c in ("created", "closed", "qa_time")],
                      axis=1)[by_task]
    made = stamps != NAT
    made[:, EventKind.STAGE] = True
    if not qa_columns:
        made[:, EventKind.QA] = False
    slot = np.flatnonzero(made)  # the task's row times 3 plus the event's kind, in tie order
    stamp = stamps.ravel()[slot]
    row = by_task[slot // 3]
    # ... then order by case and time: a stable sort keeps that order at equal times
    order = lex_order(case_rank[row], stamp)
    row, stamp = row[order], stamp[order]
    kind = (slot[order] % 3).astype(np.int8)
    is_qa = kind == EventKind.QA
    makers: dict[str, Callable[[], Any]] = {
        "case_id": lambda: keys.text(case_rank[row]),
        "activity": lambda: _activities(tasks["stage"], row, kind),
        "timestamp": lambda: utc_series(stamp),
        "start_timestamp": lambda: utc_series(
            np.where(kind == EventKind.STAGE, micros_of(tasks["start"])[row], NAT)),
        "resource": lambda: _who(tasks["resource"], tasks["qa_reviewer"], row, kind),
    }
    for col in attributes:
        makers[col] = partial(keys.text, task_rank[row]) if col == "task_id" else \
            partial(_task_values, tasks[col], row)
    checked = micros_of(tasks["qa_time"]) != NAT if qa_columns else None  # QA's tasks only
    for col in qa_columns:
        makers[col] = partial(_task_values, tasks[col].where(checked), row, is_qa)
    with ThreadPoolExecutor(max_workers=2) as pool:
        made_columns = {col: pool.submit(make) for col, make in makers.items()}
        case_of_event = case_rank[row]
        new_case = np.flatnonzero(case_of_event[1:] != case_of_event[:-1]) + 1
        sizes = np.diff(np.concatenate(([0], new_case, [len(row)]))) if len(row) else \
            np.zeros(0, dtype=np.int64)
        return pd.DataFrame({col: column.result() for col, column in made_columns.items()}), \
            sizes


def _task_values(values: pd.Series, row: np.ndarray, where: np.ndarray | None = None
                 ) -> pd.Series:
    """A task column at the events' task rows (missing where ``where`` is False); text as
    a categorical of the task column's used values, sorted (with ``where``, the caller
    leaves the values of tasks that make no such event missing)."""
    if not is_text(values):
        out = values.take(row).reset_index(drop=True)
        return out if where is None else out.where(pd.Series(where))
    text = as_category(values)
    taken = text.cat.codes.to_numpy()[row]
    if where is not None:
        taken = np.where(where, taken, -1)
    return pd.Series(pd.Categorical.from_codes(taken, dtype=text.dtype, validate=False))


def _who(resource: pd.Series, qa_reviewer: pd.Series, row: np.ndarray, kind: np.ndarray
         ) -> pd.Series:
    """The resource of each event: the task's agent, QA's reviewer, or missing (queued)."""
    agents, reviewers = as_category(resource).cat, as_category(qa_reviewer).cat
    names = agents.categories.append(reviewers.categories)
    lookup, categories = _sorted_lookup(names.to_numpy(dtype=object))  # a reviewer may be an
    per_kind = np.stack([np.full(len(resource), -1, dtype=np.int32),  # agent too; queued: nobody
                         lookup[agents.codes.to_numpy()],
                         lookup[np.where(reviewers.codes.to_numpy() < 0, -1,
                                         reviewers.codes.to_numpy() + len(agents.categories))]],
                        axis=1).ravel()
    return as_category(pd.Series(pd.Categorical.from_codes(
        per_kind[row * 3 + kind], categories=categories, validate=False)))


def _activities(stage: pd.Series, row: np.ndarray, kind: np.ndarray) -> pd.Series:
    """``queued:<stage>``, ``<stage>`` or ``qa_review`` per event, as a categorical."""
    if is_categorical(stage):
        codes, names = stage.cat.codes.to_numpy(), list(stage.cat.categories.astype(str))
        names.append("nan")  # a missing stage (code -1), as str(NaN) writes it
        codes = np.where(codes < 0, len(names) - 1, codes)
    else:
        codes, uniques = pd.factorize(stage.to_numpy(), use_na_sentinel=False)
        names = [str(x) for x in uniques]
    k = len(names)
    vocabulary = [f"queued:{x}" for x in names] + names + [QA_EVENT] * k  # by kind, then stage
    lookup, categories = _sorted_lookup(np.asarray(vocabulary, dtype=object))
    code = lookup[codes[row] + k * kind.astype(np.int64)]
    return as_category(pd.Series(pd.Categorical.from_codes(
        code, categories=categories, validate=False)))


def _sorted_lookup(names: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """For a few names (repeats allowed): each one's code among the distinct names sorted,
    with a last slot for -1, and those sorted names. Events take these codes, so their
    categorical comes out in the canonical sorted order without renumbering the events."""
    merged, unique = pd.factorize(names)
    order = np.argsort(np.asarray(unique, dtype=str), kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return np.append(rank[merged], -1).astype(np.int32), pd.Index(
        np.asarray(unique, dtype=object)[order], dtype=str)


def order_events(frame: pd.DataFrame, row: np.ndarray, kind: np.ndarray) -> pd.DataFrame:
    """``frame`` sorted by case, time, source row and event kind (the canonical order)."""
    order = lex_order(sorted_rank(frame["case_id"]), micros_of(frame["timestamp"]), row, kind)
    return frame.take(order).reset_index(drop=True)
