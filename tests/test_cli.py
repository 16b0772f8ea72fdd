"""Every sub-command of ``modlean`` answers --help cleanly."""

from __future__ import annotations

import pytest

from modlean.cli import build_parser, main


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_help_of_every_command(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert f"modlean {command}" in text
    assert "%%" not in text and "%(" not in text, "a stray format sequence in the help"


def test_unknown_command_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_warnings_are_printed_as_the_commands_own_words(tmp_path, capsys):
    """No Python file path or line: ``modlean check-log: warning: ...``."""
    log = tmp_path / "naive.csv"
    log.write_text("case_id,activity,timestamp\nA,a,2026-01-01 10:00\nA,b,2026-01-01 11:00\n")
    assert main(["check-log", str(log)]) == 0
    err = capsys.readouterr().err
    assert "modlean check-log: warning:" in err and "read as UTC" in err
    assert ".py:" not in err and "UserWarning" not in err


def test_qa_quality_says_which_checked_rows_it_left_out(tmp_path, capsys):
    qa = tmp_path / "qa.csv"
    qa.write_text("case_id,reviewer,decision,qa_result\na,r1,REJECT,PASS\nb,r1,Escalate,pass\n"
                  "c,r2,approve,FAIL\n")
    assert main(["qa-quality", str(qa)]) == 0
    out = capsys.readouterr().out
    assert "2 checked decisions" in out and "left out: 1 escalate checked by QA" in out
