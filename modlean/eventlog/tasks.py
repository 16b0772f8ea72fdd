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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from modlean.eventlog.columns import CANONICAL_COLUMNS
from modlean.eventlog.timestamps import NAT, micros_of, utc_series

__all__ = ["QA_EVENT", "EventKind", "Starts", "estimate_starts", "order_events", "task_events"]

#: pandas' default text dtype (missing values as NaN), as read_csv gives text columns.
_TEXT = pd.StringDtype(na_value=np.nan)
#: The activity of a QA check.
QA_EVENT = "qa_review"


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


def estimate_starts(resource: pd.Series, started: pd.Series, closed: pd.Series,
                    *, move: bool) -> Starts:
    """Starts as max(started, the same agent's previous close), tasks ordered by close.

    With ``move=False`` the starts are kept and only the overlap is measured.
    Tasks without a resource or a start are never moved.
    """
    n = len(closed)
    res_codes = pd.factorize(resource.to_numpy(), use_na_sentinel=True)[0]
    close_us = micros_of(closed)
    start_us = micros_of(started)
    order = np.lexsort((np.arange(n), close_us, res_codes))
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
    return Starts(start=start, overlap=overlap, moved_seconds=moved / 1e6)


def task_events(tasks: pd.DataFrame, attributes: list[str], qa_columns: list[str]
                ) -> pd.DataFrame:
    """The events of a parsed task table (one row per kept task).

    ``tasks`` has ``case_id``, ``stage``, ``resource``, ``created``, ``start``,
    ``closed``, ``qa_time``, ``qa_reviewer``, ``link_depth`` and the ``attributes``
    and ``qa_columns``. Returns the canonical log, ordered by case and time; at equal
    times a parent ticket's events come before its children's (an escalation queued
    the second the model closed follows the model), then by ticket key: the order of
    the export's rows never changes the process.
    """
    n = len(tasks)
    rows = np.arange(n)
    queued = rows[tasks["created"].notna().to_numpy()]
    qa = rows[tasks["qa_time"].notna().to_numpy()] if qa_columns else rows[:0]
    idx = np.concatenate([queued, rows, qa])
    kind = np.repeat([EventKind.QUEUED, EventKind.STAGE, EventKind.QA],
                     [len(queued), n, len(qa)])
    is_q, is_s, is_qa = (kind == k for k in (EventKind.QUEUED, EventKind.STAGE, EventKind.QA))

    stamp = np.select([is_q, is_s], [micros_of(tasks["created"])[idx],
                                     micros_of(tasks["closed"])[idx]],
                      micros_of(tasks["qa_time"])[idx])
    case_rank = pd.factorize(tasks["case_id"].to_numpy(), sort=True)[0][idx]
    depth = tasks["link_depth"].to_numpy()[idx]
    task_rank = pd.factorize(tasks["task_id"].to_numpy(), sort=True)[0][idx] \
        if "task_id" in tasks else idx
    order = np.lexsort((kind, idx, task_rank, depth, stamp, case_rank))
    idx, kind, stamp = idx[order], kind[order], stamp[order]
    is_q, is_s, is_qa = (kind == k for k in (EventKind.QUEUED, EventKind.STAGE, EventKind.QA))

    start = np.where(is_s, micros_of(tasks["start"])[idx], NAT)
    who = pd.concat([tasks["resource"], tasks["qa_reviewer"]], ignore_index=True)
    who = who.take(np.where(is_qa, idx + n, idx)).reset_index(drop=True)
    frame = pd.DataFrame({
        "case_id": tasks["case_id"].take(idx).reset_index(drop=True).astype(_TEXT),
        "activity": _activities(tasks["stage"], idx, kind),
        "timestamp": utc_series(stamp),
        "start_timestamp": utc_series(start),
        "resource": who.astype(object).where(who.notna() & pd.Series(~is_q), None),
    })
    for col in attributes:
        frame[col] = tasks[col].take(idx).reset_index(drop=True)
    for col in qa_columns:
        values = tasks[col].take(idx).reset_index(drop=True)
        frame[col] = values.where(pd.Series(is_qa), None if values.dtype == object else pd.NA)
    return _finish(frame)


def _activities(stage: pd.Series, idx: np.ndarray, kind: np.ndarray) -> pd.Series:
    """``queued:<stage>``, ``<stage>`` or ``qa_review`` per event, built from the stage codes."""
    codes, names = pd.factorize(stage.to_numpy(), use_na_sentinel=False)
    names = [str(x) for x in names]
    k = len(names)
    vocabulary = pa.array([f"queued:{x}" for x in names] + names + [QA_EVENT], pa.string())
    code = np.select([kind == EventKind.QUEUED, kind == EventKind.STAGE],
                     [codes[idx], codes[idx] + k], 2 * k).astype(np.int32)
    text = pa.DictionaryArray.from_arrays(pa.array(code), vocabulary).cast(pa.string())
    return pd.Series(pd.array(text, dtype=_TEXT))


def order_events(frame: pd.DataFrame, row: np.ndarray, kind: np.ndarray) -> pd.DataFrame:
    """``frame`` sorted by case, time, source row and event kind (the canonical order)."""
    case_rank = pd.factorize(frame["case_id"].to_numpy(), sort=True)[0]
    stamp = micros_of(frame["timestamp"])
    order = np.lexsort((kind, row, stamp, case_rank))
    return _finish(frame.take(order).reset_index(drop=True))


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes and column order."""
    out["case_id"] = out["case_id"].astype(str)
    out["activity"] = out["activity"].astype(str)
    for col in out.columns:  # text attributes in the dtype read_log gives them
        if isinstance(out[col].dtype, pd.StringDtype) and out[col].dtype.na_value is pd.NA:
            out[col] = out[col].astype(_TEXT)
    ordered = [c for c in CANONICAL_COLUMNS if c in out]
    return out[ordered + [c for c in out.columns if c not in ordered]]


