"""Every YAML file a user types is read strictly, and every message is in our words.

One loader (``modlean.yamlread.load_yaml``) reads scenarios, proposals,
registers, risk matrices, SOP models, source profiles, workbooks and batch
parameter files: a key given twice is an error naming the key and both lines,
where PyYAML silently keeps the last. Validation messages of every pydantic
model come from one translator (``modlean.messages.error_lines``): no
``None``, no Python type name, no pydantic wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modlean.cli import main
from modlean.cli.batch import read_parameters_file
from modlean.errors import LogError, ModleanError, ParameterError, ScenarioError
from modlean.eventlog import load_profile
from modlean.process import load_sop
from modlean.workbook import load_workbook
from modlean.yamlread import DuplicateKeyError, load_yaml

LIBRARY_WORDS = ("Input should be", "None", "NoneType", "dict_type", "model_type",
                 "instance of", "pydantic", "errors.pydantic.dev")


def our_words(message: str) -> str:
    for words in LIBRARY_WORDS:
        assert words not in message, message
    return message


def test_the_loader_reads_yaml_like_safe_load():
    text = "a: 1\nb: [x, 2.5, .inf]\nc: {d: null}\nbase: &b {k: 1}\nmerged:\n  <<: *b\n  k: 2\n"
    assert load_yaml(text) == {**yaml.safe_load(text)}
    assert load_yaml(text)["merged"] == {"k": 2}  # a merge key may still be overridden
    assert load_yaml("market: NO\nn: 0123\n", text_only=True) == {"market": "NO", "n": "0123"}


@pytest.mark.parametrize("text, key, first, again", [
    ("pools:\n  l1:\n    headcount: 5\n    headcount: 50\n", "headcount", 3, 4),
    ("- {a: 1}\n- {a: 1, b: 2, a: 3}\n", "a", 2, 2),
    ("x: 1\ny: 2\n\nx: 1\n", "x", 1, 4),
])
def test_a_duplicate_key_names_the_key_and_both_lines(text, key, first, again):
    for text_only in (False, True):
        with pytest.raises(DuplicateKeyError) as info:
            load_yaml(text, text_only=text_only)
        assert f"duplicate key {key!r} (first on line {first}, again on line {again})" in \
            info.value.problem
        assert info.value.problem_mark.line + 1 == again


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sop_models(tmp_path):
    path = write(tmp_path, "sop.yaml", "name: ours\nstart: [submitted]\nend: [decided]\n"
                 "end: [decision_sent]\n")
    with pytest.raises(ScenarioError) as info:
        load_sop(path)
    assert str(info.value) == (f"{path}, line 4: not valid YAML (duplicate key 'end' (first on "
                               "line 3, again on line 4); expected each key once, so it is "
                               "clear which value counts)")


def test_source_profiles(tmp_path, root):
    text = (root / "templates" / "profiles" / "example.yaml").read_text()
    path = write(tmp_path, "p.yaml", text.replace("  decimal: \",\"", "  decimal: \",\"\n"
                                                  "  decimal: \".\""))
    with pytest.raises(LogError, match=r"p.yaml.*duplicate key 'decimal' \(first on line 12, "
                       r"again on line 13\)"):
        load_profile(path)


def test_profile_messages_are_in_our_words(tmp_path):
    with pytest.raises(LogError) as info:
        load_profile({"shape": "tasks", "case": "ticket_id", "task": {"queue": "q",
                      "closed": None}})
    message = our_words(str(info.value))
    assert "case: found 'ticket_id'; expected a section of 'key: value' lines" in message
    assert "task.closed: found an empty value; expected text" in message


def test_workbooks(tmp_path):
    path = write(tmp_path, "workbook.yaml", "markets:\n  DE:\n    timezone: Europe/Berlin\n"
                 "    timezone: Europe/Paris\n")
    with pytest.raises(ParameterError, match=r"line 4: not valid YAML \(duplicate key "
                       r"'timezone' \(first on line 3, again on line 4\)"):
        load_workbook(path)


@pytest.mark.parametrize("text, expected", [
    ("markets:\n  DE: 5\n", "markets.DE: found 5; expected a section of 'key: value' lines"),
    ("markets:\n  DE:\n    sla_hours: {l1: .inf}\n",
     "markets.DE.sla_hours.l1: found inf; expected a finite number (not .inf or .nan)"),
    ("markets:\n  DE:\n    qa: [a, b]\n    sla_hours: {l1: }\n",
     "invalid workbook:\n  markets.DE.qa: found ['a', 'b']; expected a QA table file, "
     "from_log, or {file: <QA file>, profile: <QA profile>}\n  "
     "markets.DE.sla_hours.l1: found an empty value; expected a number"),
    ("- DE\n", "found a list of 1 entry; expected a mapping with markets"),
])
def test_workbook_messages_are_in_our_words(tmp_path, text, expected):
    path = write(tmp_path, "workbook.yaml", text)
    with pytest.raises(ParameterError) as info:
        load_workbook(path)
    assert expected in our_words(str(info.value))


def test_batch_parameter_files(tmp_path):
    path = write(tmp_path, "params.yaml", "horizon_days: 3\nmarket: NO\nhorizon_days: 30\n")
    with pytest.raises(ParameterError, match=r"params.yaml', line 3: not valid YAML \(duplicate "
                       r"key 'horizon_days' \(first on line 1, again on line 3\)"):
        read_parameters_file(path)
    assert read_parameters_file(write(tmp_path, "ok.yaml", "market: NO\n")) == {"market": "NO"}
    with pytest.raises(ParameterError, match="found a list of 2 entries; expected a mapping"):
        read_parameters_file(write(tmp_path, "list.yaml", "- a\n- b\n"))


def test_cli_risk_matrix_file(tmp_path, capsys, root):
    matrix = write(tmp_path, "matrix.yaml", "matrix:\n  cost_midpoints: [1, 2, 3, 4, 5]\n"
                   "  cost_midpoints: [1, 2, 3, 4, .inf]\n")
    code = main(["risk", str(root / "templates" / "risk_register.csv"), "--matrix", str(matrix)])
    err = capsys.readouterr().err
    assert code == 2 and "line 3: not valid YAML (duplicate key 'cost_midpoints'" in err
    matrix.write_text("matrix:\n  cost_midpoints: [1, 2, 3, 4, .inf]\n")
    assert main(["risk", str(root / "templates" / "risk_register.csv"), "--matrix",
                 str(matrix)]) == 2
    assert "expected 5 increasing finite numbers" in capsys.readouterr().err


def test_cli_errors_are_one_line_of_ours_with_exit_2(tmp_path, capsys):
    path = write(tmp_path, "s.yaml", "name: x\nitem_types: {job: {volume_per_day: 10}}\n"
                 "routing: {job: {pool: p}}\npools: {p: 5}\n")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["simulate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"modlean simulate: error: {path}: pools.p: found 5; expected a section of "
                   "'key: value' lines\n")
    assert list(out.iterdir()) == []
    assert issubclass(DuplicateKeyError, yaml.YAMLError) and issubclass(ScenarioError,
                                                                          ModleanError)
