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
