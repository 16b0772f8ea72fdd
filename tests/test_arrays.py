"""modlean.eventlog.arrays and timestamps: the encoding the miners share, the case spans,
the activity vocabulary and user-given times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modlean import eventlog, process
from modlean.errors import ParameterError

T0 = pd.Timestamp("2026-03-02T08:00:00Z")


def make_log() -> pd.DataFrame:
    rows = [("b", "submit", 5, None), ("a", "submit", 0, None), ("a", "review", 3, 1),
            ("a", "decide", 4, None), ("b", "review", 9, 6)]
    frame = pd.DataFrame(
        [(c, a, T0 + pd.Timedelta(hours=t),
          T0 + pd.Timedelta(hours=s) if s is not None else pd.NaT) for c, a, t, s in rows],
        columns=["case_id", "activity", "timestamp", "start_timestamp"])
    for col in ("timestamp", "start_timestamp"):
        frame[col] = frame[col].astype("datetime64[us, UTC]")
    return frame


def test_the_process_face_re_exports_the_encoding():
    assert process.EventArrays is eventlog.EventArrays and process.encode is eventlog.encode


def test_completion_span_and_lead_span_differ_by_the_first_start():
    ev = eventlog.encode(make_log())
    hour = 3600 * eventlog.MICROS_PER_SECOND
    t0 = T0.value // 1000
    first, last = eventlog.completion_span(ev)
    assert list((first - t0) // hour) == [0, 5] and list((last - t0) // hour) == [4, 9]
    begin, end = eventlog.lead_span(ev)
    assert list((begin - t0) // hour) == [0, 5] and list((end - t0) // hour) == [4, 9]
    # a start earlier than every completion moves the arrival, not the duration
    log = make_log()
    log.loc[1, "start_timestamp"] = T0 - pd.Timedelta(hours=2)
    ev = eventlog.encode(log)
    assert ((eventlog.lead_span(ev)[0] - t0) // hour)[0] == -2
    assert ((eventlog.completion_span(ev)[0] - t0) // hour)[0] == 0
    # ordered by start, the completion span still holds first and last completion
    ev = eventlog.encode(log, "start")
    assert list((eventlog.completion_span(ev)[1] - t0) // hour) == [4, 9]


def test_the_vocabulary_names_each_activity_code():
    ev = eventlog.encode(make_log())
    code = ev.activity_codes
    assert [ev.activity_names[code[a]] for a in ("submit", "review")] == ["submit", "review"]
    assert list(ev.codes_of(["decide", "unknown", "submit"])) == [code["decide"],
                                                                  code["submit"]]
    assert ev.codes_of([]).dtype == np.int64


def test_as_micros_needs_a_zone():
    assert eventlog.as_micros("2026-03-02T08:00:00Z", "start") == T0.value // 1000
    with pytest.raises(ParameterError, match="no zone"):
        eventlog.as_micros("2026-03-02T08:00:00", "start")
    with pytest.raises(ParameterError, match="start='soon'"):
        eventlog.as_micros("soon", "start")


def test_named_ranks_keep_their_order():
    assert eventlog.LifecycleRank.START < eventlog.LifecycleRank.COMPLETE
    times = process.event_times(make_log())
    assert list(times["basis"].cat.categories) == ["first", "waiting", "gap"]
    assert [b.name.lower() for b in process.WaitBasis] == ["first", "waiting", "gap"]
