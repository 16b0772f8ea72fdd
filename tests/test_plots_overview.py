"""Log overview figures: the bars and points drawn are the log's own counts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from modlean.plots import overview


def _log():
    rows = [("c1", "a", "2026-03-01T10:00Z"), ("c1", "b", "2026-03-01T11:00Z"),
            ("c2", "a", "2026-03-03T09:00Z"), ("c2", "c", "2026-03-04T09:00Z"),
            ("c3", "a", "2026-03-03T23:59Z"), ("c3", "b", "2026-03-04T00:10Z")]
    log = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    log["timestamp"] = pd.to_datetime(log["timestamp"], utc=True).astype("datetime64[us, UTC]")
    return log


def test_activity_counts_shows_the_top_activities_and_sums_the_rest():
    fig = overview.activity_counts(_log(), top=1)
    bars = fig.axes[0].patches
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # drawn bottom-up: "other" (b 2 + c 1) below the most frequent activity (a 3)
    assert labels == ["other", "a"]
    assert [b.get_width() for b in bars] == [3, 3]
    plt.close(fig)


def test_daily_arrivals_counts_each_case_on_the_day_of_its_first_event_with_zero_days():
    fig = overview.daily_arrivals(_log())
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [1, 0, 2]  # 1 March: c1; 2 March: none; 3 March: c2, c3
    plt.close(fig)


def test_daily_arrivals_counts_local_days_in_the_market_s_zone():
    # c3 starts 23:59 UTC on 3 March: 00:59 on 4 March in Berlin
    fig = overview.daily_arrivals(_log(), tz="Europe/Berlin")
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [1, 0, 1, 1]  # 1, 2, 3, 4 March in Berlin
    assert "Europe/Berlin" in fig.axes[0].get_title()
    plt.close(fig)
