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
