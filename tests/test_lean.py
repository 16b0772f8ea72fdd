"""modlean.process.lean: each metric on a small log computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modlean import process
from modlean.errors import ParameterError

T0 = pd.Timestamp("2026-03-02T08:00:00Z")
M = pd.Timedelta(minutes=1)


@pytest.fixture
def log() -> pd.DataFrame:
    """Three cases; times in minutes after 08:00 UTC.

    c1 listing:  submit 0 | review 20-30 ann | qa_overturn 35 | review 40-50 bob | decide 55
    c2 listing:  submit 60 | review 80-90 ann | decide 100
    c3 seller_onboarding: submit 0 | review 60-120 cy | decide 125
    """
    rows = [
        ("c1", "submit", 0, None, "seller", "listing"),
        ("c1", "review", 30, 20, "ann", "listing"),
        ("c1", "qa_overturn", 35, None, "system", "listing"),
        ("c1", "review", 50, 40, "bob", "listing"),
        ("c1", "decide", 55, None, "system", "listing"),
        ("c2", "submit", 60, None, "seller", "listing"),
        ("c2", "review", 90, 80, "ann", "listing"),
        ("c2", "decide", 100, None, "system", "listing"),
        ("c3", "submit", 0, None, "seller", "seller_onboarding"),
        ("c3", "review", 120, 60, "cy", "seller_onboarding"),
        ("c3", "decide", 125, None, "system", "seller_onboarding"),
    ]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "end", "start", "resource",
                                        "item_type"])
    frame["timestamp"] = (T0 + frame["end"] * M).astype("datetime64[us, UTC]")
    frame["start_timestamp"] = (T0 + frame["start"] * M).astype("datetime64[us, UTC]")
    return frame.drop(columns=["end", "start"])


def test_lead_process_and_wait_times(log):
    t = process.lead_times(log)
    assert list(t["lead_seconds"]) == [3300.0, 2400.0, 7500.0]
    assert list(t["process_seconds"]) == [1200.0, 600.0, 3600.0]
    assert list(t["wait_seconds"]) == [2100.0, 1800.0, 3900.0]
    assert list(t["events"]) == [5, 3, 3]


def test_lead_time_starts_at_the_first_start():
    rows = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                         "timestamp": [T0 + 10 * M, T0 + 20 * M],
                         "start_timestamp": [T0, pd.NaT]}).astype(
        {"timestamp": "datetime64[us, UTC]", "start_timestamp": "datetime64[us, UTC]"})
    assert process.lead_times(rows)["lead_seconds"].iloc[0] == 1200.0


def test_process_cycle_efficiency(log):
    assert process.process_cycle_efficiency(log) == pytest.approx(5400 / 13200)
    # only the review is value adding: the same here, every timed step is a review
    assert process.process_cycle_efficiency(log, ["review"]) == pytest.approx(5400 / 13200)
    assert process.process_cycle_efficiency(log, ["submit"]) == 0.0
    with pytest.raises(ParameterError, match="not in the log"):
        process.process_cycle_efficiency(log, ["nope"])
    s = process.flow_summary(log)
    assert s["cases"] == 3
    assert s["lead_seconds"]["mean"] == pytest.approx(13200 / 3)
    assert s["lead_seconds"]["p50"] == 3300.0


def test_first_pass_yield_and_rty(log):
    fpy = process.first_pass_yield(log, ["submit", "review", "decide"])
    assert list(fpy["entering"]) == [3, 3, 3]
    assert list(fpy["first_pass"]) == [3, 2, 3]
    assert fpy.loc["review", "fpy"] == pytest.approx(2 / 3)
    assert process.rolled_throughput_yield(fpy) == pytest.approx(2 / 3)
    # a QA overturn after the submit counts as the submit failing first time
    fpy = process.first_pass_yield(log, ["submit", "review"], failures={"submit": ["qa_overturn"]})
    assert fpy.loc["submit", "fpy"] == pytest.approx(2 / 3)
    assert process.rolled_throughput_yield(log, ["submit", "review"],
                                        {"submit": ["qa_overturn"]}) == pytest.approx(4 / 9)
    with pytest.raises(ParameterError):
        process.first_pass_yield(log, ["nope"])


def test_rework_rate(log):
    assert process.rework_rate(log) == pytest.approx(1 / 3)
    assert process.rework_rate(log, ["qa_overturn"]) == pytest.approx(1 / 3)
    assert process.rework_rate(log, ["decide"]) == 1.0


def test_handoffs(log):
    h = process.handoffs(log)
    assert h.to_dict() == {"c1": 4, "c2": 2, "c3": 2}
    assert h.mean() == pytest.approx(8 / 3)
    assert process.handoffs(log, ignore=["system"]).to_dict() == {"c1": 2, "c2": 1, "c3": 1}


def test_sla_attainment(log):
    s = process.sla_attainment(log, {"listing": 1, "seller_onboarding": 2})
    assert s.loc["listing", "attainment"] == 1.0
    assert s.loc["seller_onboarding", "breaches"] == 1
    assert s.loc["all", "attainment"] == pytest.approx(2 / 3)
    assert s.loc["listing", "sla_seconds"] == 3600
    assert s.loc["all", "p50"] == 3300.0
    assert s.loc["all", "p90"] == pytest.approx(np.percentile([3300, 2400, 7500], 90))
    one = process.sla_attainment(log, 50, unit="minutes")
    assert one.loc["all", "met"] == 1
    partial = process.sla_attainment(log, {"listing": 1})
    assert partial.loc["all", "cases"] == 2 and partial.attrs["no_target"] == 1
    with pytest.raises(ParameterError):
        process.sla_attainment(log, 1, unit="weeks")


def test_wip_over_time(log):
    wip = process.wip_over_time(log, freq="30min")
    assert list(wip) == [2, 2, 2, 2, 1]
    assert wip.index[0] == T0


def test_littles_law(log):
    full = process.littles_law(log)
    assert full["wip_average"] == pytest.approx(220 / 125)
    assert full["throughput_per_hour"] == pytest.approx(3 / (125 / 60))
    assert full["lead_hours"] == pytest.approx(220 / 3 / 60)
    assert full["ratio"] == pytest.approx(1.0)
    cut = process.littles_law(log, "2026-03-02T08:00Z", "2026-03-02T09:00Z")
    assert cut["wip_average"] == pytest.approx(115 / 60)
    assert cut["throughput_per_hour"] == pytest.approx(1.0)
    assert cut["ratio"] == pytest.approx((115 / 60) / (55 / 60))


def test_takt(log):
    assert process.takt_time(86_400, 40_000) == pytest.approx(2.16)  # DOMAIN.md §2.1
    t = process.takt_from_log(log, available_seconds=8 * 3600)
    assert list(t["demand"]) == [3]
    assert t["takt_seconds"].iloc[0] == pytest.approx(9600)
    with pytest.raises(ParameterError):
        process.takt_time(100, 0)


def test_describe_empty():
    assert np.isnan(process.describe([])["mean"])


def test_metrics_gathers_the_headline_figures(log):
    m = process.metrics(log)
    assert m["cases"] == 3
    assert m["lead_hours_mean"] == pytest.approx(13200 / 3 / 3600)
    assert m["activity_ratio"] == pytest.approx(5400 / 13200)
    assert m["rework_rate"] == pytest.approx(1 / 3)
    assert m["handoffs_per_case"] == pytest.approx(8 / 3)
    assert m["littles_ratio"] == pytest.approx(1.0)
