"""Importing vendor exports with a source profile: the log, the QA table, the mapping report.

The export is written the way a BPO review tool (through pandas) writes it: one row
per task, semicolons, decimal commas, day-first local times in Europe/Berlin, the
vendor's own queue names and verdicts, parent tickets, PASS/FAIL QA, and the
unnamed index column of ``DataFrame.to_csv``.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from modlean import LogError, read_log
from modlean.eventlog import (
    UTC_DTYPE,
    WARNING_CODES,
    LogWarning,
    MappingReport,
    import_export,
    load_profile,
)

TASKS = pd.DataFrame({
    "ticket_id": ["T100", "T101", "T102", "T103", "T104"],
    "parent_ticket": [None, None, None, "T102", "T103"],
    "queue": ["AUTO", "T1-LISTING-DE", "T1-LISTING-DE", "T2-SPECIALIST", "APPEALS-DE"],
    "agent": [None, "ag01", "ag01", "ag02", "ag03"],
    "created": ["02.03.2026 09:00", "02.03.2026 09:05", "02.03.2026 09:06", "02.03.2026 09:30",
                "05.03.2026 08:00"],
    "picked_up": ["02.03.2026 09:00", "02.03.2026 09:10", "02.03.2026 09:12",
                  "02.03.2026 10:00", "05.03.2026 09:00"],
    "closed": ["02.03.2026 09:00", "02.03.2026 09:20", "02.03.2026 09:30", "02.03.2026 11:00",
               "05.03.2026 09:45"],
    "verdict": ["APPROVE", "REJECT", "ESCALATE", "reject", "Approve"],
    "reason_code": [None, "R12", None, "R07", None],
    "model_score": [0.12, 0.87, 0.55, 0.55, 0.55],
    "market": ["DE"] * 5,
    "qa_result": [None, "PASS", None, "FAIL", None],
    "qa_fail_reason": [None, None, None, "wrong reason", None],
    "qa_time": [None, "03.03.2026 10:00", None, "13.03.2026 14:00", None],
    "qa_agent": [None, "qa1", None, "qa1", None],
    "comment": ["x", None, None, None, None],
})

PROFILE = {
    "shape": "tasks",
    "locale": {"sep": ";", "decimal": ",", "dayfirst": True, "timezone": "Europe/Berlin"},
    "case": {"id": "ticket_id", "links": ["parent_ticket"]},
    "task": {"queue": "queue", "resource": "agent", "created": "created",
             "started": "picked_up", "started_means": "assigned", "closed": "closed"},
    "queues": {"T1-LISTING-DE": {"stage": "review_l1", "pool": "l1_listing"},
               "T2-SPECIALIST": {"stage": "review_l2", "pool": "l2_policy"},
               "APPEALS-DE": {"stage": "appeal_review", "pool": "appeals"},
               "AUTO": {"stage": "auto_screen", "pool": "model"}},
    "decision": {"column": "verdict",
                 "values": {"APPROVE": "approve", "REJECT": "reject", "ESCALATE": "escalate"}},
    "label": "reason_code",
    "score": "model_score",
    "attributes": {"market": "market"},
    "qa": {"verdict": "qa_result", "values": {"PASS": "pass", "FAIL": "fail"},
           "reason": "qa_fail_reason", "time": "qa_time", "reviewer": "qa_agent"},
}

LOG_COLUMNS = ["case_id", "activity", "timestamp", "start_timestamp", "resource", "task_id",
               "queue", "pool", "decision", "label", "model_score", "market", "qa_result",
               "qa_reason"]
N = np.nan
#: The log the export must become, by hand (times in UTC: Berlin is UTC+1 in March).
EXPECTED = [
    ("T100", "queued:auto_screen", "2026-03-02 08:00", None, None,
     "T100", "AUTO", "model", "approve", N, 0.12, "DE", N, N),
    ("T100", "auto_screen", "2026-03-02 08:00", "2026-03-02 08:00", None,
     "T100", "AUTO", "model", "approve", N, 0.12, "DE", N, N),
    ("T101", "queued:review_l1", "2026-03-02 08:05", None, None,
     "T101", "T1-LISTING-DE", "l1_listing", "reject", "R12", 0.87, "DE", N, N),
    ("T101", "review_l1", "2026-03-02 08:20", "2026-03-02 08:10", "ag01",
     "T101", "T1-LISTING-DE", "l1_listing", "reject", "R12", 0.87, "DE", N, N),
    ("T101", "qa_review", "2026-03-03 09:00", None, "qa1",
     "T101", "T1-LISTING-DE", "l1_listing", "reject", "R12", 0.87, "DE", "pass", N),
    ("T102", "queued:review_l1", "2026-03-02 08:06", None, None,
     "T102", "T1-LISTING-DE", "l1_listing", "escalate", N, 0.55, "DE", N, N),
    # picked up 08:12 while ag01 was on T101 until 08:20: the work started at 08:20
    ("T102", "review_l1", "2026-03-02 08:30", "2026-03-02 08:20", "ag01",
     "T102", "T1-LISTING-DE", "l1_listing", "escalate", N, 0.55, "DE", N, N),
    # T103 escalates T102, T104 appeals T103: both are case T102
    ("T102", "queued:review_l2", "2026-03-02 08:30", None, None,
     "T103", "T2-SPECIALIST", "l2_policy", "reject", "R07", 0.55, "DE", N, N),
    ("T102", "review_l2", "2026-03-02 10:00", "2026-03-02 09:00", "ag02",
     "T103", "T2-SPECIALIST", "l2_policy", "reject", "R07", 0.55, "DE", N, N),
    ("T102", "queued:appeal_review", "2026-03-05 07:00", None, None,
     "T104", "APPEALS-DE", "appeals", "approve", N, 0.55, "DE", N, N),
    ("T102", "appeal_review", "2026-03-05 08:45", "2026-03-05 08:00", "ag03",
     "T104", "APPEALS-DE", "appeals", "approve", N, 0.55, "DE", N, N),
    ("T102", "qa_review", "2026-03-13 13:00", None, "qa1",
     "T103", "T2-SPECIALIST", "l2_policy", "reject", "R07", 0.55, "DE", "fail", "wrong reason"),
]


def expected_log() -> pd.DataFrame:
    frame = pd.DataFrame(EXPECTED, columns=LOG_COLUMNS)
    for col in ("timestamp", "start_timestamp"):
        frame[col] = pd.to_datetime(frame[col]).dt.tz_localize("UTC").astype(UTC_DTYPE)
    for col in ("case_id", "task_id"):  # ids as text
        frame[col] = frame[col].astype(pd.StringDtype(na_value=np.nan))
    for col in ("activity", "resource", "queue", "pool", "decision", "label", "market",
                "qa_result", "qa_reason"):  # text as sorted categoricals (docs/event-log.md)
        frame[col] = frame[col].astype(pd.StringDtype(na_value=np.nan)).astype("category")
    return frame


def write_export(tmp_path: Path, tasks: pd.DataFrame = TASKS, name: str = "export.csv") -> Path:
    """The export as pandas writes it: index column, semicolons, decimal commas."""
    path = tmp_path / name
    tasks.to_csv(path, sep=";", decimal=",")
    return path


def profile(**changes: object) -> dict:
    """PROFILE with dotted keys changed (None deletes the key)."""
    prof = copy.deepcopy(PROFILE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = prof
        for key in parents:
            node = node[key]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return prof


# --------------------------------------------------------------------------- the whole import


def test_export_becomes_the_hand_built_log(tmp_path):
    result = import_export(write_export(tmp_path), PROFILE)
    pd.testing.assert_frame_equal(result.log, expected_log())


def test_qa_table_has_one_row_per_checked_task(tmp_path):
    qa = import_export(write_export(tmp_path), PROFILE).qa
    expected = pd.DataFrame({
        "case_id": ["T101", "T102"], "task_id": ["T101", "T103"], "reviewer": ["ag01", "ag02"],
        "pool": ["l1_listing", "l2_policy"], "decision": ["reject", "reject"],
        "label": ["R12", "R07"], "qa_reviewer": ["qa1", "qa1"],
        "qa_time": pd.to_datetime(["2026-03-03 09:00", "2026-03-13 13:00"]).tz_localize("UTC")
        .astype(UTC_DTYPE),
        "qa_result": ["pass", "fail"], "qa_reason": [pd.NA, "wrong reason"],
    })
    for col in expected.columns.drop("qa_time"):
        expected[col] = expected[col].astype("string[pyarrow]")
    qa = qa.astype({c: "string[pyarrow]" for c in qa.columns if c != "qa_time"})
    pd.testing.assert_frame_equal(qa, expected)


def test_profile_file_and_read_log_give_the_same_log(tmp_path):
    path = tmp_path / "de_bpo.yaml"
    path.write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LogWarning)  # this profile leaves nothing to warn about
        log = read_log(write_export(tmp_path), profile=path)
    pd.testing.assert_frame_equal(log, expected_log())
    assert log.attrs["modlean"]["profile"] == str(path)


def test_report_counts_rows_links_events_and_unused_columns(tmp_path):
    report = import_export(write_export(tmp_path), PROFILE).report
    assert isinstance(report, MappingReport)
    assert report.value("rows", "read") == 5
    assert report.value("rows", "kept") == 5
    assert report.value("cases", "cases") == 3
    assert report.value("links", "chased") == 2
    assert report.value("links", "max depth") == 2
    assert report.value("events", "events") == 12
    assert report.value("events", "review_l1") == 2
    assert report.value("columns", "unused") == "comment"
    assert report.value("time span", "Europe/Berlin") == "2026-03-02 09:00 to 2026-03-13 14:00"
    assert report.value("starts", "l1_listing: moved") == 1
    assert report.warnings == []
    table = report.table
    assert list(table.columns) == ["section", "item", "value", "note"]
    assert any("pandas index" in n for n in table.loc[table["section"] == "notes", "value"])
    text = str(report)
    assert "links:" in text and "warnings: none" in text


def test_started_means_started_keeps_the_column(tmp_path):
    log = import_export(write_export(tmp_path), profile(task__started_means="started")).log
    row = log[(log["task_id"] == "T102") & (log["activity"] == "review_l1")].iloc[0]
    assert row["start_timestamp"] == pd.Timestamp("2026-03-02 08:12", tz="UTC")


# --------------------------------------------------------------------------- every warning


def _tasks(**columns: list) -> pd.DataFrame:
    frame = TASKS.copy()
    for name, values in columns.items():
        frame[name] = values
    return frame


def _events_profile(**event: str) -> dict:
    return {"shape": "events", "locale": {"timezone": "UTC"}, "case": {"id": "case"},
            "event": event}


#: code -> (export rows, profile) that makes an import raise that warning.
TRIGGERS = {
    "assigned_overlap": (TASKS, profile(task__started_means="started")),
    "single_event_cases": (
        pd.DataFrame({"case": ["a", "b", "c"], "step": ["x", "y", "z"],
                      "at": ["2026-03-02T09:00:00", "2026-03-02T09:01:00",
                             "2026-03-02T09:02:00"]}),
        _events_profile(activity="step", timestamp="at")),
    "flag_like_activity": (
        pd.DataFrame({"case": ["a", "a", "b", "b"], "auto": ["Y", "N", "N", "N"],
                      "at": ["2026-03-02T09:00:00", "2026-03-02T09:01:00",
                             "2026-03-02T09:02:00", "2026-03-02T09:03:00"]}),
        _events_profile(activity="auto", timestamp="at")),
    "unpaired_status": (
        pd.DataFrame({"case": ["a", "a", "a", "b", "b", "b"],
                      "status": ["NEW", "OPEN", "DONE", "NEW", "OPEN", "DONE"],
                      "who": ["s", "x", "y", "s", "x", "x"],
                      "at": [f"2026-03-02T09:0{i}:00" for i in range(6)]}),
        {**_events_profile(activity="status", timestamp="at", resource="who"),
         "statuses": {"NEW": "created", "OPEN": {"activity": "review", "lifecycle": "start"},
                      "DONE": {"activity": "review", "lifecycle": "complete"}}}),
    "closed_before_created": (_tasks(created=["02.03.2026 10:00", *TASKS["created"][1:]]),
                              PROFILE),
    "started_after_closed": (_tasks(picked_up=["02.03.2026 09:30", *TASKS["picked_up"][1:]]),
                             PROFILE),
    "dangling_link": (_tasks(parent_ticket=["T999", None, None, "T102", "T103"]), PROFILE),
    "cyclic_link": (_tasks(parent_ticket=["T101", "T100", None, "T102", "T103"]), PROFILE),
    "default_timezone": (TASKS, profile(locale__timezone=None)),
    "long_workday": (_tasks(closed=["02.03.2026 09:00", "02.03.2026 09:20", "02.03.2026 23:50",
                                    "02.03.2026 11:00", "05.03.2026 09:45"]), PROFILE),
    # a robot login in a queue not marked automated, and a mapped login the export lacks
    "looks_not_person": (_tasks(agent=[None, "ag01", "review-bot", "ag02", "ag03"]), PROFILE),
    "resource_not_found": (TASKS, profile(resources={"ag-01": "system"})),
}


@pytest.mark.parametrize("code", sorted(WARNING_CODES))
def test_every_warning_code_is_triggered(tmp_path, code):
    assert code in TRIGGERS, f"no test export triggers warning {code!r}"
    export, prof = TRIGGERS[code]
    if prof["shape"] == "events":
        path = tmp_path / "events.csv"
        export.to_csv(path, index=False)
    else:
        path = write_export(tmp_path, export)
    report = import_export(path, prof).report
    codes = [w.code for w in report.warnings]
    assert code in codes
    with pytest.warns(LogWarning, match=code):
        read_log(path, profile=prof)


def test_assigned_overlap_names_the_pool_and_its_share(tmp_path):
    report = import_export(write_export(tmp_path), profile(task__started_means="started")).report
    (warning,) = [w for w in report.warnings if w.code == "assigned_overlap"]
    assert warning.share == 0.5
    assert "l1_listing" in warning.message and "started_means: assigned" in warning.message


def test_cyclic_tickets_are_dropped_and_reported(tmp_path):
    export, prof = TRIGGERS["cyclic_link"]
    result = import_export(write_export(tmp_path, export), prof)
    assert not result.log["task_id"].isin(["T100", "T101"]).any()
    assert result.report.value("rows", "dropped: cyclic links") == 2
    assert "'T100'" in str(result.report)


def test_a_task_dropped_for_a_cycle_does_not_move_the_next_start(tmp_path):
    # the starts are estimated while the links are chased, then again without the
    # cycle: T101 (ag01, closed 09:20) is dropped, so T102 (ag01, assigned 09:12) keeps 09:12
    export, prof = TRIGGERS["cyclic_link"]
    result = import_export(write_export(tmp_path, export), prof)
    log = result.log
    row = log[(log["task_id"] == "T102") & (log["activity"] == "review_l1")].iloc[0]
    assert row["start_timestamp"] == pd.Timestamp("2026-03-02 08:12", tz="UTC")
    assert result.report.value("starts", "l1_listing: moved") == 0
    kept = import_export(write_export(tmp_path, TASKS), prof).log  # no cycle: moved to 09:20
    row = kept[(kept["task_id"] == "T102") & (kept["activity"] == "review_l1")].iloc[0]
    assert row["start_timestamp"] == pd.Timestamp("2026-03-02 08:20", tz="UTC")


def test_dangling_link_keeps_the_ticket_as_its_own_case(tmp_path):
    export, prof = TRIGGERS["dangling_link"]
    log = import_export(write_export(tmp_path, export), prof).log
    assert set(log.loc[log["task_id"] == "T100", "case_id"]) == {"T100"}


# --------------------------------------------------------------------------- bad input


def test_unmapped_queue_lists_values_and_counts(tmp_path):
    prof = profile()
    del prof["queues"]["T1-LISTING-DE"]
    with pytest.raises(LogError) as err:
        import_export(write_export(tmp_path), prof)
    text = str(err.value)
    assert "[unmapped_queue]" in text and "'T1-LISTING-DE' (2 rows)" in text
    assert "column 'queue'" in text and "export.csv" in text


def test_unknown_verdict_lists_found_and_declared(tmp_path):
    with pytest.raises(LogError) as err:
        import_export(write_export(tmp_path, _tasks(verdict=["APPROVE", "REJECT", "maybe",
                                                             "REJECT", "APPROVE"])), PROFILE)
    text = str(err.value)
    assert "[unknown_verdict]" in text and "'maybe' (1 row)" in text and "'ESCALATE'" in text


def test_unknown_profile_key_gets_did_you_mean():
    with pytest.raises(LogError, match=r"tsak: unknown key 'tsak'; did you mean 'task'\?"):
        load_profile({**PROFILE, "tsak": {}})
    with pytest.raises(LogError, match=r"task.strated: unknown key 'strated'; did you mean "
                       r"'started'"):
        load_profile(profile(task__strated="x"))
    with pytest.raises(LogError, match=r"queues.AUTO.stge: unknown key 'stge'; did you mean "
                       r"'stage'"):
        load_profile(profile(queues={"AUTO": {"stge": "x"}}))


def test_bad_profile_values_name_the_key_path(tmp_path):
    with pytest.raises(LogError, match=r"task.started_means: found 'asigned'; expected one of"):
        load_profile(profile(task__started_means="asigned"))
    with pytest.raises(LogError, match=r"locale.timezone: found 'Berlin'"):
        load_profile(profile(locale__timezone="Berlin"))
    with pytest.raises(LogError, match=r"task: missing"):
        load_profile(profile(task=None))
    path = tmp_path / "p.yaml"
    path.write_text("shape: tasks\ncase: [unclosed\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"p.yaml.*not valid YAML"):
        load_profile(path)


def test_column_missing_from_the_export_names_key_file_and_columns(tmp_path):
    with pytest.raises(LogError) as err:
        import_export(write_export(tmp_path), profile(task__closed="closed_at"))
    text = str(err.value)
    assert "export.csv" in text and "task.closed" in text and "'closed_at'" in text
    assert "'picked_up'" in text  # the file's columns are listed
    assert "did you mean 'closed'" in text


# --------------------------------------------------------------------------- events shape


def test_events_shaped_export_with_a_profile(tmp_path):
    export = pd.DataFrame({
        "ticket": ["A1", "A1", "A2", "A3"], "parent": [None, None, "A1", None],
        "step": ["T1-LISTING-DE", "T2-SPECIALIST", "APPEALS-DE", "AUTO"],
        "done_at": ["02.03.2026 09:00", "02.03.2026 10:00", "03.03.2026 09:00",
                    "02.03.2026 09:30"],
        "who": ["ag01", "ag02", "ag03", None], "score": [0.9, 0.9, 0.9, 0.1],
    })
    path = tmp_path / "events.csv"
    export.to_csv(path, sep=";", decimal=",", index=False)
    prof = {"shape": "events", "locale": {"decimal": ",", "dayfirst": True,
                                          "timezone": "Europe/Berlin"},
            "case": {"id": "ticket", "links": "parent"},
            "event": {"activity": "step", "timestamp": "done_at", "resource": "who"},
            "queues": PROFILE["queues"], "score": "score"}
    log = import_export(path, prof).log
    assert log["case_id"].tolist() == ["A1", "A1", "A1", "A3"]
    assert log["activity"].tolist() == ["review_l1", "review_l2", "appeal_review", "auto_screen"]
    assert log["pool"].tolist() == ["l1_listing", "l2_policy", "appeals", "model"]
    assert log["task_id"].tolist() == ["A1", "A1", "A2", "A3"]
    assert log["model_score"].tolist() == [0.9, 0.9, 0.9, 0.1]
    assert log["timestamp"].iloc[0] == pd.Timestamp("2026-03-02 08:00", tz="UTC")


# --------------------------------------------------------------------------- everyday CSVs


def test_pandas_index_column_is_dropped_with_a_note(tmp_path):
    frame = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                          "timestamp": ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"]})
    path = tmp_path / "log.csv"
    frame.to_csv(path)
    log = read_log(path)
    assert list(log.columns) == ["case_id", "activity", "timestamp"]
    assert any("pandas index" in n for n in log.attrs["modlean"]["notes"])


def test_unnamed_first_column_that_is_no_index_is_refused(write):
    path = write("log.csv", ",case_id,activity,timestamp\n7,a,x,2026-03-02T09:00:00Z\n")
    with pytest.raises(LogError, match="column 1 of the header has no name"):
        read_log(path)


def test_decimal_comma_and_thousands_marks(write):
    path = write("log.csv", "case_id;activity;timestamp;cost\n"
                 "a;x;2026-03-02T09:00:00Z;1.234,5\nb;y;2026-03-02T09:00:00Z;0,87\n")
    log = read_log(path, decimal=",", thousands=".")
    assert log["cost"].tolist() == [1234.5, 0.87]


def test_profile_and_reading_options_are_not_mixed(tmp_path):
    with pytest.raises(LogError, match="pass reading options in the profile"):
        read_log(write_export(tmp_path), profile=PROFILE, sep=";")


# --------------------------------------------------------------------------- the command


def test_cli_import_writes_the_log_and_the_qa_table(tmp_path):
    export = write_export(tmp_path)
    prof = tmp_path / "p.yaml"
    prof.write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    out, qa = tmp_path / "events.parquet", tmp_path / "qa.csv"
    run = subprocess.run([sys.executable, "-m", "modlean", "import", str(export), "--profile",
                          str(prof), "--out", str(out), "--qa-out", str(qa)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "mapping report" in run.stdout and "links:" in run.stdout
    pd.testing.assert_frame_equal(read_log(out), read_log(out))
    assert len(pd.read_parquet(out)) == 12
    assert len(pd.read_csv(qa)) == 2


def test_cli_import_bad_profile_exits_2_without_output(tmp_path):
    export = write_export(tmp_path)
    prof = tmp_path / "p.yaml"
    prof.write_text(yaml.safe_dump(profile(task__closed="closed_at")), encoding="utf-8")
    out = tmp_path / "events.parquet"
    run = subprocess.run([sys.executable, "-m", "modlean", "import", str(export), "--profile",
                          str(prof), "--out", str(out)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "task.closed" in run.stderr
    assert not out.exists()


def test_shipped_example_profile_is_valid_and_complete(root):
    prof = load_profile(root / "templates" / "profiles" / "example.yaml")
    assert prof.shape == "tasks" and prof.task is not None
    assert prof.task.started_means == "assigned" and prof.qa is not None and prof.qa.pass_fail
    assert set(type(prof).model_fields) - {"event", "statuses"} <= set(prof.model_fields_set)


def test_a_byte_order_mark_does_not_hide_the_pandas_index(tmp_path):
    """Excel-minded tools write UTF-8 with a BOM; a profile saying utf-8 still reads it."""
    path = tmp_path / "export.csv"
    TASKS.to_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    report = import_export(path, profile(locale__encoding="utf-8")).report
    assert report.value("columns", "unused") == "comment"
    assert any("pandas index" in str(n) for n in report.table["value"])


def test_automated_queue_tasks_are_worked_by_the_model(tmp_path):
    """The vendor's robot login becomes modlean's ``model``, so no figure counts it as a person."""
    tasks = TASKS.assign(agent=["ml-bot", "ag01", "ag01", "ag02", "ag03"])
    prof = profile(queues__AUTO={"stage": "auto_screen", "pool": "model", "automated": True})
    result = import_export(write_export(tmp_path, tasks), prof)
    auto = result.log[result.log["activity"] == "auto_screen"]
    assert auto["resource"].tolist() == ["model"]
    assert set(result.log["resource"].dropna()) == {"model", "ag01", "ag02", "ag03", "qa1"}
    assert "'ml-bot'" in result.report.table.set_index("item").loc["automated resource", "note"]
    starts = result.report.table[result.report.table["section"] == "starts"]["item"]
    assert not starts.str.startswith("model").any()  # a model is never "picked up"
    # also mapped under resources: the report still names the login the export wrote
    mapped = import_export(write_export(tmp_path, tasks), {**prof, "resources": {"ml-bot":
                                                                                  "model"}})
    assert "'ml-bot'" in mapped.report.table.set_index("item").loc["automated resource", "note"]


def test_busy_hours_count_parallel_tasks_once_and_split_at_midnight():
    from modlean.eventlog.intake_report import busy_hours_per_day

    h = 3_600_000_000
    who = np.array([0, 0, 0, 1])
    start = np.array([8, 9, 30, 22]) * h      # person 0: 08-20 and 09-21 overlap; 06-07 next day
    end = np.array([20, 21, 31, 26]) * h      # person 1: 22:00 to 02:00 the next day
    hours = busy_hours_per_day(who, start, end)
    assert hours.to_dict() == {(0, 0): 13.0, (0, 1): 1.0, (1, 0): 2.0, (1, 1): 2.0}


def test_long_appeals_held_side_by_side_are_no_shared_login(tmp_path):
    """Three 12-hour appeals an agent keeps open at once are 12 busy hours, not 36."""
    tasks = TASKS.iloc[[4, 4, 4]].assign(
        ticket_id=["A1", "A2", "A3"], parent_ticket=None,
        created=["05.03.2026 07:00"] * 3, picked_up=["05.03.2026 08:00"] * 3,
        closed=["05.03.2026 20:00"] * 3, qa_result=None, qa_time=None).reset_index(drop=True)
    report = import_export(write_export(tmp_path, tasks),
                           profile(task__started_means="started")).report
    assert "long_workday" not in [w.code for w in report.warnings]
