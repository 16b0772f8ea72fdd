"""``modlean dsa sor``: outputs, exit codes, and bad input with exit 2 and an empty --out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_dsa_statements import BPO_MAPPING, TEMPLATE, hand_log

from modlean.cli import main
from modlean.dsa import read_dump, validate, vocabulary
from modlean.errors import ParameterError
from modlean.workbook import load_workbook


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    hand_log().to_csv(path, index=False)
    return path


def test_help_explains_each_fields_source(capsys):
    with pytest.raises(SystemExit) as info:
        main(["dsa", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for field in ("application_date", "content_date", "category", "source_type",
                  "automated_detection", "automated_decision", "territorial_scope", "puid",
                  "decision_ground", "content_type", "end dates"):
        assert field in out, field


def test_sor_writes_the_valid_and_lists_the_invalid(log_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["dsa", "sor", str(log_file), "--mapping", str(TEMPLATE), "--out",
                 str(out)]) == 1
    printed = capsys.readouterr().out
    assert "7 restricted cases" in printed and "4 statements written" in printed
    assert "3 invalid (not written)" in printed
    assert "invalid territorial_scope: 1 statements" in printed
    assert "case G, territorial_scope: found 'UK'; expected one of AT, BE" in printed
    csv = (out / "statements.csv").read_bytes().decode("utf-8")
    assert csv.split("\r\n")[0].split(",") == list(vocabulary().columns)
    statements = read_dump(out / "statements.csv")
    assert sorted(statements["puid"]) == ["A", "B", "C", "D"] and validate(statements).empty
    batches = [json.loads(line) for line in (out / "statements.jsonl").read_text().splitlines()]
    assert len(batches) == 1 and len(batches[0]["statements"]) == 4
    invalid = pd.read_csv(out / "invalid.csv")
    assert set(invalid["case_id"]) == {"F", "G", "H"}


def test_sor_exit_0_and_json_when_all_are_valid(log_file, tmp_path, capsys):
    log = pd.read_csv(log_file)
    log[log["case_id"].isin(["A", "B", "C", "D"])].to_csv(log_file, index=False)
    assert main(["dsa", "sor", str(log_file), "--mapping", str(TEMPLATE), "--out",
                 str(tmp_path / "out"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "restrictions": 4, "valid": 4, "invalid": 0, "invalid_by_field": {},
        "placeholders": ["defaults.decision_ground_reference_url"]}  # the template's address


def test_sor_reads_a_vendor_export_with_its_profile(tmp_path, capsys):
    from bpo_export import PROFILE, make_export

    export = make_export(120, seed=5).write(tmp_path / "export.csv")
    (tmp_path / "profile.yaml").write_text(PROFILE)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(json.dumps(BPO_MAPPING))  # JSON is YAML
    assert main(["dsa", "sor", str(export), "--profile", str(tmp_path / "profile.yaml"),
                 "--mapping", str(mapping), "--out", str(tmp_path / "out")]) == 0
    assert "0 invalid" in capsys.readouterr().out


@pytest.mark.parametrize("mapping_text,message", [
    ("item_types:\n  listing:\n    decision_visibility: [DECISION_VISIBILITY_CONTENT_REMOVD]\n",
     "did you mean 'DECISION_VISIBILITY_CONTENT_REMOVED'?"),
    ("labels:\n  counterfeit:\n    category: "
     "STATEMENT_CATEGORY_INTELECTUAL_PROPERTY_INFRINGEMENTS\n",
     "labels.counterfeit.category: found 'STATEMENT_CATEGORY_INTELECTUAL_PROPERTY_INFRINGEMENTS'"),
    ("territorial_scope: {DE: [GB]}\n", "territorial_scope.DE: found 'GB'"),
    ("labels: [\n", "not valid YAML"),
])
def test_a_bad_mapping_exits_2_and_writes_nothing(log_file, tmp_path, capsys, mapping_text,
                                                  message):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(mapping_text)
    out = tmp_path / "out"
    assert main(["dsa", "sor", str(log_file), "--mapping", str(mapping), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modlean dsa: error: {mapping}") and message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_log_without_needed_columns_exits_2_and_writes_nothing(log_file, tmp_path, capsys):
    pd.read_csv(log_file).drop(columns=["market"]).to_csv(log_file, index=False)
    out = tmp_path / "out"
    assert main(["dsa", "sor", str(log_file), "--mapping", str(TEMPLATE), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "'statements of reasons' needs the columns market" in err and str(log_file) in err
    assert "give --market CODE" in err
    assert not out.exists()
    # a one-market log names its market on the command line instead
    assert main(["dsa", "sor", str(log_file), "--mapping", str(TEMPLATE), "--market", "DE",
                 "--out", str(out), "--json"]) in (0, 1)
    statements = pd.read_csv(out / "statements.csv")
    assert len(statements) and set(statements["territorial_scope"]) == {'["DE"]'}


def test_a_missing_mapping_or_log_exits_2(log_file, tmp_path, capsys):
    assert main(["dsa", "sor", str(log_file), "--mapping", str(tmp_path / "no.yaml"), "--out",
                 str(tmp_path / "out")]) == 2
    assert "no such DSA mapping file" in capsys.readouterr().err
    assert main(["dsa", "sor", str(tmp_path / "no.csv"), "--mapping", str(TEMPLATE), "--out",
                 str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_init_copies_the_mapping_template(tmp_path, monkeypatch):
    import importlib

    scaffold = importlib.import_module("modlean.workbook.scaffold")
    root = TEMPLATE.parents[2]
    monkeypatch.setattr(scaffold, "shipped_dir",
                        {"templates": root / "templates", "notebooks": root / "notebooks"}
                        .__getitem__)
    assert main(["init", str(tmp_path / "wb")]) == 0
    assert (tmp_path / "wb" / "dsa" / "mapping.yaml").read_text() == TEMPLATE.read_text()


def test_a_workbook_market_names_its_dsa_mapping(tmp_path):
    (tmp_path / "dsa.yaml").write_text(TEMPLATE.read_text())
    (tmp_path / "workbook.yaml").write_text(
        "markets:\n  DE:\n    scenario: US\n    dsa_mapping: dsa.yaml\n")
    market = load_workbook(tmp_path / "workbook.yaml").market("DE")
    assert market.get("dsa_mapping") == str((tmp_path / "dsa.yaml").resolve())
    (tmp_path / "workbook.yaml").write_text(
        "markets:\n  DE:\n    scenario: US\n    dsa_mapping: nope.yaml\n")
    with pytest.raises(ParameterError, match=r"markets\.DE\.dsa_mapping: 'nope\.yaml' does not"):
        load_workbook(tmp_path / "workbook.yaml")
