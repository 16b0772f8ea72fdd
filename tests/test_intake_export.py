"""A BPO export modlean did not write, imported with a short profile (data/bpo_export.py).

The export hides its truth (each ticket's root, the real start of each task);
the import must recover it: cases are the root tickets, and per-pool handling
and waiting times match the generator's, although ``picked_up`` is an
assignment time for most tasks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bpo_export import PROFILE, make_export

import modlean

POOLS = {"T1-LISTING-DE": "l1_listing", "T2-SPECIALIST": "l2_policy", "IPR-LEGAL": "ipr",
         "APPEALS-DE": "appeals"}


@pytest.fixture(scope="module")
def export():
    return make_export(2000, seed=3)


@pytest.fixture(scope="module")
def imported(export, tmp_path_factory):
    folder = tmp_path_factory.mktemp("de")
    path = export.write(folder / "de_tasks.csv")
    profile = folder / "de_bpo.yaml"
    profile.write_text(PROFILE)
    return modlean.import_export(path, profile)


def test_the_profile_is_short():
    assert len(PROFILE.splitlines()) <= 30


def test_cases_are_the_root_tickets(export, imported):
    log = imported.log
    assert set(log["case_id"]) == set(export.truth["root"])
    tickets = log.dropna(subset=["task_id"]).drop_duplicates("task_id").set_index("task_id")
    truth = export.truth.set_index("ticket_id")
    assert (tickets["case_id"] == truth.loc[tickets.index, "root"]).all()


def test_handling_and_waits_per_pool_match_the_truth(export, imported):
    log = imported.log
    work = log[log["pool"].isin(POOLS.values()) & log["start_timestamp"].notna()]
    handling = (work["timestamp"] - work["start_timestamp"]).dt.total_seconds()
    measured = handling.groupby(work["pool"]).mean()
    truth = export.per_queue().rename(index=POOLS)
    for pool, seconds in truth["handling_s"].items():
        assert measured[pool] == pytest.approx(seconds, rel=0.02), pool
    queued = log[log["activity"].str.startswith("queued:")].set_index("task_id")["timestamp"]
    work = work.set_index("task_id")
    waits = (work["start_timestamp"] - queued.reindex(work.index)).dt.total_seconds()
    measured_wait = waits.groupby(work["pool"]).mean()
    for pool, seconds in truth["wait_s"].items():
        assert measured_wait[pool] == pytest.approx(seconds, rel=0.02, abs=1.0), pool


def test_people_who_work_two_queues_are_counted_once(export, imported):
    log = imported.log
    human = log[log["pool"].isin(POOLS.values()) & log["start_timestamp"].notna()]
    people = export.truth.loc[export.truth["queue"] != "AUTO", "agent"]
    assert human["resource"].nunique() == people.nunique() < export.per_queue()["agents"].sum()


def test_the_report_says_how_many_starts_the_assignments_moved(export, imported):
    table = imported.report.table
    moved = table[(table["section"] == "starts") & (table["item"] == "l1_listing: moved")]
    tasks = export.tasks[export.tasks["queue"] == "T1-LISTING-DE"]
    truly_moved = (tasks["picked_up"] < export.truth.loc[tasks.index, "start"]).sum()
    assert int(moved["value"].iloc[0]) == truly_moved
    assert "l1_listing: moved" in str(imported.report)


def test_an_automated_queue_is_never_serialised(imported):
    """The model screens many items at once: its starts stay as written."""
    screens = imported.log[imported.log["activity"] == "auto_screen"]
    assert (screens["start_timestamp"] <= screens["timestamp"]).all()
    queued = imported.log[imported.log["activity"] == "queued:auto_screen"]
    assert (screens.set_index("task_id")["start_timestamp"]
            == queued.set_index("task_id")["timestamp"].reindex(screens["task_id"])).all()


def test_qa_becomes_a_pass_fail_table(export, imported):
    qa = imported.qa
    checked = export.tasks[export.tasks["qa_result"] != ""]
    assert len(qa) == len(checked)
    assert set(qa["qa_result"]) <= {"pass", "fail"}
    assert (qa["qa_result"] == "fail").sum() == (checked["qa_result"] == "FAIL").sum()


def test_times_are_read_as_berlin_time(export, imported):
    first = imported.log["timestamp"].min()
    assert first == export.truth["created"].min().tz_convert("UTC")


def test_the_pandas_index_column_is_not_an_attribute(imported):
    assert not [c for c in imported.log.columns if str(c).startswith("Unnamed")]
    assert np.issubdtype(imported.log["model_score"].dtype, np.floating)


def test_the_export_round_trips_through_parquet(imported, tmp_path: Path):
    path = tmp_path / "events.parquet"
    imported.log.to_parquet(path, index=False)
    key = ["case_id", "timestamp", "activity"]
    back = modlean.read_log(path)[key].sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(back, imported.log[key].sort_values(key, ignore_index=True))


def test_the_order_of_the_exports_rows_changes_nothing(export, imported, tmp_path):
    """Ties at equal seconds (the model closes, L1 is queued) follow the tickets, not the rows."""
    shuffled = type(export)(export.tasks.sample(frac=1, random_state=7).reset_index(drop=True),
                            export.truth)
    path = shuffled.write(tmp_path / "shuffled.csv")
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    again = modlean.import_export(path, profile).log
    pd.testing.assert_frame_equal(again, imported.log)
    first = imported.log.groupby("case_id", sort=False)["activity"].first()
    assert set(first) == {"queued:auto_screen"}


def test_a_guessed_profile_loads_and_imports_once_the_zone_is_filled(export, imported, tmp_path):
    from modlean.eventlog import guess_profile, load_profile, profile_yaml

    path = export.write(tmp_path / "export.csv")
    guessed = guess_profile(path)
    text = profile_yaml(guessed)
    assert load_profile(dict(guessed)).queues["AUTO"].automated
    guessed["locale"] |= {"timezone": "Europe/Berlin", "dayfirst": True}  # the TODOs: days <= 12
    result = modlean.import_export(path, dict(guessed))
    assert result.log["case_id"].nunique() == imported.log["case_id"].nunique()
    assert "timezone" in text
