"""``modlean check-log`` and the command's common behaviour."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from modlean.cli import main


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "modlean " in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["check-log", "--help"])
    assert "--tz" in capsys.readouterr().out


def test_check_log_summary(root, capsys):
    assert main(["check-log", str(root / "data" / "UK" / "events.csv")]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "cases" in out and "activities" in out


def test_check_log_json_and_out(root, tmp_path, capsys):
    log = str(root / "data" / "US" / "events.csv")
    assert main(["check-log", log, "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cases"] > 0 and data["events"] > data["cases"]
    written = json.loads((tmp_path / "events.summary.json").read_text())
    assert written == data


def test_check_log_bad_input_exits_2(write, capsys):
    bad = write("bad.csv", "case_id,activity,timestamp\nA,a,yesterday\n")
    assert main(["check-log", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 1 (line 2), column 'timestamp'" in err and "Traceback" not in err


def test_console_script_runs(root):
    result = subprocess.run([sys.executable, "-m", "modlean", "check-log",
                             str(root / "data" / "TH" / "events.csv"), "--json"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cases"] > 0


#: One row per task, as a BPO review tool exports it (semicolons, day-first local times,
#: decimal commas, parent tickets, a Y/N flag for the model's queue).
TASKS = """ticket_id;parent_ticket;queue;agent;created;picked_up;closed;verdict;model_score;auto
DE901;;AUTO;;24.03.2025 07:00;24.03.2025 07:00;24.03.2025 07:01;ESCALATE;0,51;Y
DE902;;T1-LISTING-DE;bpo.de.01;24.03.2025 07:02;24.03.2025 07:30;24.03.2025 07:41;APPROVE;0,12;N
DE903;DE901;T1-LISTING-DE;bpo.de.02;24.03.2025 07:03;24.03.2025 07:33;24.03.2025 07:50;REJECT;0,93;N
DE904;DE903;APPEALS-DE;bpo.de.03;25.03.2025 09:00;25.03.2025 13:10;25.03.2025 13:25;APPROVE;0,93;N
DE905;;AUTO;;25.03.2025 10:00;25.03.2025 10:00;25.03.2025 10:00;APPROVE;0,02;Y
"""


def _task_table(write):
    return write("de_tasks.csv", TASKS)


def test_check_log_refuses_a_task_table_read_as_events(write, capsys):
    path = _task_table(write)
    args = ["check-log", str(path), "--map", "activity=auto", "--map", "timestamp=closed",
            "--tz", "Europe/Berlin"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "NOT MINABLE" in out and "valid" not in out.split("\n")[0]
    assert "[single_event_cases]" in out and f"modlean profile {path}" in out
    assert "[flag_like_activity] (column 'auto')" in out and "yes/no flag" in out
    assert main([*args, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "not minable"
    codes = {w["code"]: w["share"] for w in data["warnings"]}
    assert codes["single_event_cases"] == 1.0 and "flag_like_activity" in codes


def test_check_log_points_a_task_table_to_modlean_profile(write, capsys):
    path = _task_table(write)
    assert main(["check-log", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no column for the activity name" in err
    assert "looks like one row per task (key 'ticket_id', times created, picked_up, closed)" \
        in err and f"modlean profile {path}" in err and "Traceback" not in err


def test_check_log_valid_log_has_verdict_and_no_warnings(root, capsys):
    assert main(["check-log", str(root / "data" / "US" / "events.csv"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "valid" and data["warnings"] == []
