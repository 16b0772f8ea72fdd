"""The held-out period: the split rule, the replay baseline, the test-period simulation and
the fidelity table built on them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from modlean.decisions import (
    FIDELITY_COLUMNS,
    HOLDOUT_COLUMNS,
    fidelity,
    holdout_split,
    replay_baseline,
    side_by_side,
    simulate_test_period,
)
from modlean.errors import LogError, ParameterError
from modlean.eventlog import read_log
from modlean.process import LOG_DISTANCES
from modlean.scenario import apply_overrides, preset


def _log(cases: dict[str, list[str]], start: dict[str, str] | None = None) -> pd.DataFrame:
    """A canonical log from {case: [completion times]} (activity a, b, c ... in order);
    ``start`` gives some events a start time ({case: time of the first event's start})."""
    rows = [(c, "abcdefgh"[i], t) for c, times in cases.items() for i, t in enumerate(times)]
    log = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    log["timestamp"] = pd.to_datetime(log["timestamp"], utc=True).astype("datetime64[us, UTC]")
    if start is not None:
        first = ~log["case_id"].duplicated()
        log["start_timestamp"] = pd.Series(pd.NaT, index=log.index, dtype="datetime64[us, UTC]")
        for case, t in start.items():
            log.loc[first & (log["case_id"] == case), "start_timestamp"] = pd.Timestamp(t, tz="UTC")
    return log


def test_split_orders_cases_by_start_then_id_and_keeps_cases_whole():
    log = _log({
        "c5": ["2026-03-02 09:00", "2026-03-05 09:00"],  # long case: stays whole in train
        "c2": ["2026-03-02 10:00"],
        "c1": ["2026-03-02 10:00", "2026-03-02 11:00"],  # same start as c2: c1 first
        "c4": ["2026-03-02 12:00"],
        "c3": ["2026-03-02 13:00"],
    })
    split = holdout_split(log, 0.2)
    # order c5, c1, c2, c4, c3; floor(0.8 * 5) = 4 train cases
    assert split.n_train == 4 and split.n_test == 1
    assert set(split.train["case_id"]) == {"c5", "c1", "c2", "c4"}
    assert split.test["case_id"].unique().tolist() == ["c3"]
    assert len(split.train) + len(split.test) == len(log)  # every event, once
    assert split.test_start == pd.Timestamp("2026-03-02 13:00", tz="UTC")
    split = holdout_split(log, 0.5)  # floor(2.5) = 2: c5 and c1
    assert set(split.train["case_id"]) == {"c5", "c1"} and split.n_test == 3
    assert split.test_start == pd.Timestamp("2026-03-02 10:00", tz="UTC")


def test_a_case_starts_at_its_first_start_when_one_is_logged():
    log = _log({"a": ["2026-03-02 10:00"], "b": ["2026-03-02 11:00"]},
               start={"b": "2026-03-02 09:00"})  # b was started first
    split = holdout_split(log, 0.5)
    assert split.train["case_id"].unique().tolist() == ["b"]
    assert split.test_start == pd.Timestamp("2026-03-02 10:00", tz="UTC")


def test_eighty_percent_is_floored_exactly():
    cases = {f"k{i:02d}": [f"2026-03-02 {i:02d}:00"] for i in range(10)}
    split = holdout_split(_log(cases), 0.2)  # 0.8 * 10 is 8, not 7.999...
    assert (split.n_train, split.n_test) == (8, 2)
    split = holdout_split(_log(dict(list(cases.items())[:7])), 0.2)  # floor(5.6) = 5
    assert (split.n_train, split.n_test) == (5, 2)


@pytest.mark.parametrize("share", [0, 1, -0.1, 1.5, "0.2"])
def test_a_share_outside_zero_one_is_refused(share):
    with pytest.raises(ParameterError, match="strictly between 0 and 1"):
        holdout_split(_log({"a": ["2026-03-02 10:00"], "b": ["2026-03-02 11:00"]}), share)


def test_a_log_too_small_for_both_parts_is_refused():
    with pytest.raises(LogError, match=r"leaves 0 for training and 1 for the test"):
        holdout_split(_log({"a": ["2026-03-02 10:00"]}), 0.2)
    with pytest.raises(LogError, match=r"leaves 2 for training and 0 for the test"):
        holdout_split(_log({"a": ["2026-03-02 10:00"], "b": ["2026-03-02 11:00"]}), 1e-12)


def test_replay_shifts_the_last_training_cases_onto_the_test_start():
    train = _log({
        "t1": ["2026-03-02 08:00"],
        "t2": ["2026-03-02 09:00", "2026-03-02 09:30"],
        "t3": ["2026-03-02 10:15", "2026-03-03 01:00"],
    })
    start = pd.Timestamp("2026-03-09 12:00", tz="UTC")
    replay = replay_baseline(train, 2, start)
    assert replay["case_id"].unique().tolist() == ["t2", "t3"]
    shift = start - pd.Timestamp("2026-03-02 09:00", tz="UTC")
    expected = train[train["case_id"] != "t1"]["timestamp"].reset_index(drop=True) + shift
    pd.testing.assert_series_equal(replay["timestamp"], expected)
    assert replay_baseline(train, 10, start)["case_id"].nunique() == 3  # all, when fewer
    first = replay_baseline(train, 10, start).groupby("case_id")["timestamp"].min()
    assert first.min() == start
    with pytest.raises(ParameterError, match="expected >= 1"):
        replay_baseline(train, 0, start)


def test_replay_moves_start_times_too():
    train = _log({"a": ["2026-03-02 10:00"], "b": ["2026-03-02 11:00"]},
                 start={"b": "2026-03-02 10:30"})
    replay = replay_baseline(train, 1, pd.Timestamp("2026-03-03 00:00", tz="UTC"))
    assert replay["start_timestamp"].iloc[0] == pd.Timestamp("2026-03-03 00:00", tz="UTC")
    assert replay["timestamp"].iloc[0] == pd.Timestamp("2026-03-03 00:30", tz="UTC")


def test_the_test_period_is_simulated_with_its_cases_from_its_start():
    scenario = apply_overrides(preset("mmc"), {"drain_days": 0.5})
    test = _log({f"x{i}": [f"2026-03-04 {10 + i % 10:02d}:{i:02d}"] for i in range(30)})
    split = holdout_split(pd.concat([_log({"early": ["2026-03-01 00:00"]}), test]), 0.2)
    log = simulate_test_period(scenario, split, seed=3)
    assert log["case_id"].nunique() == split.n_test
    assert log["timestamp"].min() >= split.test_start
    assert log["timestamp"].min() < split.test_start + pd.Timedelta(hours=1)
    few = apply_overrides(scenario, {"item_types.job.volume_per_day": 0.01})
    with pytest.raises(LogError, match="makes only"):
        simulate_test_period(few, split, seed=3)


def test_fidelity_table_has_the_measures_and_pool_rows(root):
    real = read_log(root / "data" / "US" / "events.csv")
    split = holdout_split(real, 0.2)
    replay = replay_baseline(split.train, split.n_test, split.test_start)
    table = fidelity(split.test, replay)
    assert table.columns.tolist() == FIDELITY_COLUMNS
    assert table["measure"].tolist()[:6] == list(LOG_DISTANCES)
    rows = table.set_index("measure")
    assert f"({split.n_test:,} real cases" in rows.at["control_flow_log_distance", "reading"]
    assert 0 < rows.at["sla:review_l1", "real"] <= 1
    same = fidelity(split.test, split.test).set_index("measure")["distance"]
    assert (same.dropna() == 0).all()
    both = side_by_side(table, table)
    assert both.columns.tolist() == HOLDOUT_COLUMNS
    assert np.allclose(both["modlean_distance"], both["replay_distance"], equal_nan=True)
    alone = side_by_side(None, table)
    assert alone["modlean"].isna().all() and alone["reading"].str.startswith("replay: ").all()


def test_pools_come_from_the_pool_column_when_both_logs_have_it():
    real = _log({"a": ["2026-03-02 10:00", "2026-03-02 12:00"],
                 "b": ["2026-03-02 10:00", "2026-03-03 13:00"]})
    sim = _log({"s": ["2026-03-02 10:00", "2026-03-02 11:00"]})
    real["pool"] = ["intake", "l1", "intake", "l1"]
    sim["pool"] = ["intake", "l1"]
    rows = fidelity(real, sim, sla_hours=24).set_index("measure")
    assert rows.at["wait:l1", "real"] == pytest.approx((2 + 27) / 2)
    assert rows.at["wait:l1", "simulated"] == pytest.approx(1)
    assert rows.at["sla:l1", "real"] == 0.5 and rows.at["sla:l1", "simulated"] == 1
    assert "wait:intake" not in rows.index  # first events wait for nothing
    assert "wait:b" in fidelity(real, sim.drop(columns="pool")).set_index("measure").index
    with pytest.raises(ParameterError, match="expected hours > 0"):
        fidelity(real, sim, sla_hours=0)
    # each pool its own SLA: l1's waits are 2 h and 27 h real, 1 h simulated
    own = fidelity(real, sim, sla_hours={"l1": 1.5}).set_index("measure")
    assert own.at["sla:l1", "real"] == 0 and own.at["sla:l1", "simulated"] == 1
    assert own.at["sla:l1", "reading"] == "100% done within 1.5 h vs 0% real"
    assert fidelity(real, sim, sla_hours={"l1": 30}).set_index("measure") \
        .at["sla:l1", "real"] == 1
    unnamed = fidelity(real, sim, sla_hours={"intake": 2}).set_index("measure")
    assert unnamed.at["sla:l1", "reading"].endswith("(no SLA given for this pool: 24 h assumed)")
    with pytest.raises(ParameterError, match=r"sla_hours\.l1: found -1; expected hours > 0"):
        fidelity(real, sim, sla_hours={"l1": -1})
    # scored per step (the simulated log has no pool column): a step takes its pool's SLA
    steps = fidelity(real, sim.drop(columns="pool"), sla_hours={"l1": 1.5}).set_index("measure")
    assert steps.at["sla:b", "reading"] == "100% done within 1.5 h vs 0% real"
    assert math.isnan(fidelity(real, _log({"z": ["2026-03-02 10:00", "2026-03-02 11:00",
                                                 "2026-03-02 12:00"]}))
                      .set_index("measure").at["wait:c", "distance"])
