"""A QA team's own file of checks: import_qa, `modlean import-qa`, a workbook's qa: {file, profile}.

The fixture is in the field's shape: a Czech BPO's QA sheet, cp1250, semicolons,
day-first local times in Europe/Prague (across the change to summer time on
29 March 2026), its own verdict words (VYHOVUJE / NEVYHOVUJE); the log is the
same operation's task export imported with a source profile (links: an
escalation and an appeal). The expected QA table is written out by hand.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd
import pytest

from modlean import LogError, ParameterError
from modlean.cli import main
from modlean.eventlog import LogWarning, import_export, import_qa, load_qa_profile
from modlean.eventlog.report import QA_WARNING_CODES
from modlean.quality import read_qa
from modlean.workbook import load_workbook, market_inputs

scaffold_module = importlib.import_module("modlean.workbook.scaffold")

EXPORT = """\
ticket,parent,queue,agent,created,started,closed,verdict,reason
T1,,L1,ag1,2026-03-27 09:00,2026-03-27 09:05,2026-03-27 09:10,APPROVE,
T2,,L1,ag2,2026-03-27 10:00,2026-03-27 10:05,2026-03-27 10:20,REJECT,R_FAKE
T3,,L1,ag1,2026-03-27 11:00,2026-03-27 11:05,2026-03-27 11:15,ESCALATE,
T4,T3,L2,sen1,2026-03-27 11:15,2026-03-27 12:00,2026-03-27 12:30,REJECT,R_BAN
T5,T2,APPEAL,app1,2026-03-28 09:00,2026-03-28 10:00,2026-03-28 10:30,APPROVE,
T6,,L1,ag2,2026-03-30 09:00,2026-03-30 09:10,2026-03-30 09:30,REJECT,R_SPAM
"""
EXPORT_PROFILE = """\
shape: tasks
locale: {sep: ",", timezone: Europe/Prague}
case: {id: ticket, links: [parent]}
task: {queue: queue, resource: agent, created: created, started: started, closed: closed}
queues:
  L1: {stage: review_l1, pool: l1_listing}
  L2: {stage: review_l2, pool: l2_policy}
  APPEAL: {stage: appeal_review, pool: appeals}
decision: {column: verdict, values: {APPROVE: approve, REJECT: reject, ESCALATE: escalate}}
label: reason
"""
#: The QA team's sheet: one lower-case verdict, a check before the decision, an unknown
#: ticket, a check without a time, a row without a verdict, a time after the clock change.
QA_FILE = """\
Tiket;Kontrolor;Datum kontroly;Hodnocení;Poznámka
T1;qa.věra;27.03.2026 15:00;VYHOVUJE;
T2;qa.věra;27.03.2026 16:30;NEVYHOVUJE;špatný důvod zamítnutí
T4;qa.jiří;28.03.2026 08:00;vyhovuje;
T3;qa.jiří;28.03.2026 08:05;VYHOVUJE;
T6;qa.věra;30.03.2026 09:15;VYHOVUJE;
T99;qa.věra;30.03.2026 11:00;NEVYHOVUJE;
T6;qa.jiří;30.03.2026 14:45;NEVYHOVUJE;Čeština v poznámce
T5;qa.jiří;;VYHOVUJE;
T1;qa.jiří;27.03.2026 17:00;;
"""
QA_PROFILE = """\
key: {column: Tiket, means: task}
verdict: Hodnocení
values: {VYHOVUJE: pass, NEVYHOVUJE: fail}
reason: Poznámka
reviewer: Kontrolor
time: Datum kontroly
locale: {encoding: cp1250, sep: ";", dayfirst: true, timezone: Europe/Prague}
"""
NA = None
#: The QA table by hand: Prague is UTC+1 until 29 March 02:00, UTC+2 after.
EXPECTED = pd.DataFrame(
    [("T1", "T1", "ag1", "l1_listing", "approve", NA, "qa.věra", "2026-03-27 14:00", "pass", NA),
     ("T2", "T2", "ag2", "l1_listing", "reject", "R_FAKE", "qa.věra", "2026-03-27 15:30",
      "fail", "špatný důvod zamítnutí"),
     ("T3", "T4", "sen1", "l2_policy", "reject", "R_BAN", "qa.jiří", "2026-03-28 07:00",
      "pass", NA),
     ("T3", "T3", "ag1", "l1_listing", "escalate", NA, "qa.jiří", "2026-03-28 07:05", "pass",
      NA),
     ("T6", "T6", "ag2", "l1_listing", "reject", "R_SPAM", "qa.jiří", "2026-03-30 12:45",
      "fail", "Čeština v poznámce"),
     ("T2", "T5", "app1", "appeals", "approve", NA, "qa.jiří", NA, "pass", NA)],
    columns=["case_id", "task_id", "reviewer", "pool", "decision", "label", "qa_reviewer",
             "qa_time", "qa_result", "qa_reason"])
EXPECTED["qa_time"] = pd.to_datetime(EXPECTED["qa_time"], utc=True).astype("datetime64[us, UTC]")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "profiles").mkdir()
    (tmp_path / "exports" / "tasks.csv").write_text(EXPORT, encoding="utf-8")
    (tmp_path / "exports" / "qa.csv").write_bytes(QA_FILE.encode("cp1250"))
    (tmp_path / "profiles" / "tasks.yaml").write_text(EXPORT_PROFILE, encoding="utf-8")
    (tmp_path / "profiles" / "qa.yaml").write_text(QA_PROFILE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def log(files):
    return import_export(files / "exports" / "tasks.csv", files / "profiles" / "tasks.yaml").log


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects with None for missing, for a comparison by value."""
    out = frame.copy()
    for column in out.columns:
        if column != "qa_time":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def test_the_qa_table_equals_the_hand_built_one(files, log):
    result = import_qa(files / "exports" / "qa.csv", files / "profiles" / "qa.yaml", log)
    pd.testing.assert_frame_equal(_plain(result.qa), _plain(EXPECTED))
    report = result.report
    assert report.value("rows", "read") == 9
    assert report.value("rows", "dropped: no verdict") == 1
    assert report.value("rows", "checks") == 8
    assert report.value("keys", "in the log") == 7
    assert report.value("keys", "not in the log") == 1
    assert report.value("keys", "no decision at or before the QA time") == 1
    assert report.value("checks", "joined") == 6
    assert report.value("verdicts", "pass") == 4 and report.value("verdicts", "fail") == 2
    assert report.value("time span", "Europe/Prague") == "2026-03-27 15:00 to 2026-03-30 14:45"
    assert report.value("columns", "unused") == "none"


def test_the_table_is_what_the_quality_figures_read(files, log):
    qa = read_qa(import_qa(files / "exports" / "qa.csv", files / "profiles" / "qa.yaml", log).qa)
    assert len(qa) == 5  # the escalation is no approve/reject decision: left out, said
    assert qa.attrs["notes"] == ["left out: 1 escalate checked by QA (not an approve/reject "
                                 "decision)"]


def test_each_report_warning(files, log):
    report = import_qa(files / "exports" / "qa.csv", files / "profiles" / "qa.yaml", log).report
    found = {w.code: w for w in report.warnings}
    assert set(found) == set(QA_WARNING_CODES)  # each code has its case here
    assert "1 row has no verdict in 'Hodnocení' (rows 9 (line 10))" in \
        found["qa_empty_verdict"].message
    assert found["qa_empty_verdict"].share == pytest.approx(1 / 9)
    assert "'T99' (1 row)" in found["qa_key_not_found"].message
    assert found["qa_key_not_found"].share == pytest.approx(1 / 8)
    assert "'T6' (1 row)" in found["qa_no_decision"].message
    with pytest.warns(LogWarning) as issued:
        report.issue_warnings()
    assert [str(w.message).split("[")[1].split("]")[0] for w in issued] == \
        ["qa_empty_verdict", "qa_key_not_found", "qa_no_decision"]


def test_default_timezone_is_warned(files, log):
    profile = load_qa_profile(files / "profiles" / "qa.yaml").model_dump()
    profile["locale"]["timezone"] = None
    report = import_qa(files / "exports" / "qa.csv", profile, log).report
    assert "default_timezone" in {w.code for w in report.warnings}


def test_a_case_key_takes_the_cases_last_decision_before_the_check(files, log):
    (files / "qa_case.csv").write_bytes(
        "Tiket;Hodnocení;Datum kontroly\nT2;VYHOVUJE;27.03.2026 16:30\n"
        "T2;NEVYHOVUJE;28.03.2026 12:00\n".encode("cp1250"))
    profile = {"key": {"column": "Tiket", "means": "case"}, "verdict": "Hodnocení",
               "values": {"VYHOVUJE": "pass", "NEVYHOVUJE": "fail"}, "time": "Datum kontroly",
               "locale": {"encoding": "cp1250", "dayfirst": True, "timezone": "Europe/Prague"}}
    qa = import_qa(files / "qa_case.csv", profile, log).qa
    assert "task_id" not in qa.columns
    assert qa[["reviewer", "pool", "decision"]].values.tolist() == [
        ["ag2", "l1_listing", "reject"], ["app1", "appeals", "approve"]]


def test_qas_own_verdict_and_label(files, log):
    (files / "qa_verdict.csv").write_bytes(
        "Tiket;Verdikt;Důvod\nT2;ZAMÍTNOUT;R_BAN\nT1;SCHVÁLIT;\n".encode("cp1250"))
    profile = {"key": "Tiket", "verdict": "Verdikt", "label": "Důvod",
               "values": {"SCHVÁLIT": "approve", "ZAMÍTNOUT": "reject"},
               "locale": {"encoding": "cp1250"}}
    qa = read_qa(import_qa(files / "qa_verdict.csv", profile, log).qa)
    assert qa[["task_id", "decision", "qa_decision", "label", "qa_label"]].fillna("").values \
        .tolist() == [["T2", "reject", "reject", "R_FAKE", "R_BAN"],
                      ["T1", "approve", "approve", "", ""]]


def test_wrong_encoding_names_the_profile_key(files, log):
    profile = QA_PROFILE.replace("encoding: cp1250, ", "")
    (files / "profiles" / "utf8.yaml").write_text(profile, encoding="utf-8")
    with pytest.raises(LogError, match=r"not valid utf-8.*Set locale\.encoding in .*utf8\.yaml"):
        import_qa(files / "exports" / "qa.csv", files / "profiles" / "utf8.yaml", log)


def test_a_missing_column_names_the_key_and_the_column(files, log):
    (files / "profiles" / "bad.yaml").write_text(QA_PROFILE.replace("reviewer: Kontrolor",
                                                                    "reviewer: Kontrolorka"))
    with pytest.raises(LogError) as err:
        import_qa(files / "exports" / "qa.csv", files / "profiles" / "bad.yaml", log)
    assert "column 'Kontrolorka': the QA profile's reviewer names a column that is not in the " \
        "QA file" in str(err.value)
    assert "did you mean 'Kontrolor'?" in str(err.value)


def test_an_unmapped_verdict_is_listed_with_its_count(files, log):
    text = QA_FILE.replace("T4;qa.jiří;28.03.2026 08:00;vyhovuje;",
                           "T4;qa.jiří;28.03.2026 08:00;ČÁSTEČNĚ;")
    (files / "exports" / "qa.csv").write_bytes(text.encode("cp1250"))
    with pytest.raises(LogError, match=r"\[unknown_verdict\].*'ČÁSTEČNĚ' \(1 row\).*under values"):
        import_qa(files / "exports" / "qa.csv", files / "profiles" / "qa.yaml", log)


def test_most_keys_missing_is_an_error(files, log):
    (files / "exports" / "other.csv").write_bytes(
        "Tiket;Hodnocení\nX1;VYHOVUJE\nX2;VYHOVUJE\nT1;VYHOVUJE\n".encode("cp1250"))
    profile = {"key": "Tiket", "verdict": "Hodnocení", "values": {"VYHOVUJE": "pass"},
               "locale": {"encoding": "cp1250"}}
    with pytest.raises(LogError, match=r"67% of the QA checks \(2 of 3\) name a task the log "
                       r"does not hold.*'X1' \(1 row\).*Check key\.column"):
        import_qa(files / "exports" / "other.csv", profile, log)


def test_a_log_without_ticket_keys_asks_for_key_means_case(files, log):
    with pytest.raises(LogError, match=r"no 'task_id' column.*Set key\.means: case"):
        import_qa(files / "exports" / "qa.csv", files / "profiles" / "qa.yaml",
                  log.drop(columns="task_id"))


def test_bad_qa_profiles(files):
    with pytest.raises(LogError, match=r"kye: unknown key 'kye'; did you mean 'key'\?"):
        load_qa_profile({"kye": "Tiket", "verdict": "V", "values": {"A": "pass"}})
    with pytest.raises(LogError, match=r"values: found \['pass', 'reject'\]; expected only"):
        load_qa_profile({"key": "Tiket", "verdict": "V", "values": {"A": "pass", "B": "reject"}})


def test_the_command_writes_the_table_and_refuses_bad_input(files, capsys):
    out = files / "qa.parquet"
    args = ["import-qa", str(files / "exports" / "qa.csv"), "--profile",
            str(files / "profiles" / "qa.yaml"), "--log", str(files / "exports" / "tasks.csv"),
            "--log-profile", str(files / "profiles" / "tasks.yaml")]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "joined: 6" in printed and "[qa_key_not_found]" in printed
    pd.testing.assert_frame_equal(_plain(pd.read_parquet(out)), _plain(EXPECTED))
    (files / "profiles" / "qa.yaml").write_text(QA_PROFILE.replace("encoding: cp1250, ", ""))
    bad = files / "bad.parquet"
    assert main([*args, "--out", str(bad)]) == 2
    assert "locale.encoding" in capsys.readouterr().err and not bad.exists()


WORKBOOK = """\
markets:
  CZ:
    log: exports/tasks.csv
    profile: profiles/tasks.yaml
    qa: {file: exports/qa.csv, profile: profiles/qa.yaml}
    scenario: US
    timezone: Europe/Prague
"""


def test_a_workbook_market_reads_its_qa_file_without_glue(files):
    (files / "workbook.yaml").write_text(WORKBOOK)
    inputs = market_inputs({"workbook": str(files / "workbook.yaml"), "market": "CZ"})
    assert inputs.has("qa")
    with pytest.warns(LogWarning) as issued:
        qa = inputs.qa()
    assert len(issued) == 3 and "qa_no_decision" in str(issued[2].message)
    assert not inputs.has("qa_verdicts")  # pass/fail, read once
    pd.testing.assert_frame_equal(_plain(qa), _plain(read_qa(EXPECTED)))


def test_a_workbook_qa_file_entry_is_checked(files):
    (files / "workbook.yaml").write_text(WORKBOOK.replace("profile: profiles/qa.yaml",
                                                          "profle: profiles/qa.yaml"))
    with pytest.raises(ParameterError, match=r"markets\.CZ\.qa.*profle"):
        load_workbook(files / "workbook.yaml")
    (files / "workbook.yaml").write_text(WORKBOOK.replace("exports/qa.csv", "exports/qa2.csv"))
    with pytest.raises(ParameterError, match=r"markets\.CZ\.qa\.file: 'exports/qa2\.csv' does "
                       "not exist"):
        load_workbook(files / "workbook.yaml")


def test_the_shipped_example_and_the_init_template_line(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[1]  # this source tree's shipped files
    folders = {"templates": root / "templates", "notebooks": root / "notebooks"}
    monkeypatch.setattr(scaffold_module, "shipped_dir", folders.__getitem__)
    folder = tmp_path / "wb"
    assert main(["init", str(folder)]) == 0
    example = load_qa_profile(folder / "profiles" / "qa_example.yaml")
    assert (example.key.means, example.locale.encoding, example.pass_fail) == ("task", "cp1250",
                                                                             True)
    template = (folder / "workbook.yaml").read_text()
    line = next(t for t in template.splitlines() if "qa: {file:" in t)
    uncommented = template.replace(line, line.replace("# qa:", "qa:"))
    (folder / "workbook.yaml").write_text(uncommented)
    for name in ("XX_events.csv", "XX_qa_checks.csv"):
        (folder / "exports" / name).write_text("x\n")
    market = load_workbook(folder / "workbook.yaml").market("XX")
    assert market.qa.profile == str(folder / "profiles" / "qa_example.yaml")
