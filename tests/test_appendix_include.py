"""``modlean appendix --include DIR``: the --out folders of compare, staff, thresholds, risk and
calibrate become sections; a folder modlean does not recognise is refused, naming it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from modlean.cli import main
from modlean.errors import ParameterError
from modlean.evidence import appendices
from modlean.evidence.includes import FOLDER_KINDS, read_included

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_kpis import code_names, visible_text  # noqa: E402


@pytest.fixture(scope="module")
def outs(tmp_path_factory):
    """Each command run once with --out, with small settings: command -> its folder."""
    tmp = tmp_path_factory.mktemp("outs")
    small = tmp / "small.yaml"
    small.write_text(f"base: {ROOT / 'templates/scenarios/US.yaml'}\nname: small US\n"
                     "overrides:\n  horizon_days: 1\n  warmup_days: 0\n  drain_days: 1\n")
    fewer = tmp / "fewer.yaml"
    fewer.write_text("name: fewer L1\noverrides:\n  pools.l1_listing.headcount: 100\n")
    commands = {
        "compare": ["compare", str(small), str(fewer), "--replications", "2", "--workers", "1"],
        "staff": ["staff", "US", "--analytic-only"],
        "thresholds": ["thresholds", "US"],
        "risk": ["risk", str(ROOT / "data/risk_register.yaml")],
        "calibrate": ["calibrate", str(ROOT / "data/US/events.csv"), "--base", "US",
                      "--qa", str(ROOT / "data/US/qa_reviews.csv")],
    }
    folders = {}
    for name, args in commands.items():
        folders[name] = tmp / name
        assert main([*args, "--out", str(folders[name])]) == 0, name
    return folders


@pytest.fixture
def run_dir(tmp_path):
    """A finished batch run with no notebook runs of its own for US (a plan only)."""
    manifest = {"run": "trial", "status": "ok", "start": "2026-11-22T05:00:00+00:00",
                "runs": [], "planned": [{"notebook": "01_x", "market": "US",
                                         "scenario": None, "gathers": True}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_every_commands_out_folder_is_recognised_by_its_files(outs):
    for kind in FOLDER_KINDS:
        included = read_included(outs[kind.command])
        assert included.kind is kind
        assert included.finding and included.records, kind.command
        assert all(r.kind in ("table", "figure") for _, r in included.records)


def test_included_folders_become_sections_with_findings(outs, run_dir):
    folders = [outs[k.command] for k in FOLDER_KINDS]
    context = appendices.appendix_context(run_dir, "US", folders)
    sections = context["included"]
    assert [s["title"] for s in sections] == [
        f"{k.title} ({k.command})" for k in FOLDER_KINDS]
    assert all(s["finding"] and s["items"] for s in sections)
    compare, staff, thresholds, risk, calibrate = (s["finding"] for s in sections)
    assert compare.startswith("Against the baseline, fewer L1 is ")
    assert staff.startswith("L1 listing needs ") and "by the analytic estimate" in staff
    assert thresholds.startswith("Of ") and "the cheapest on the frontier is" in thresholds
    assert risk.startswith("Of 15 risks, ")
    assert "of its values could not be read from the log and are assumed" in calibrate
    captions = [i["caption"] for s in sections for i in s["items"]]
    assert captions[0] == "Table 1. Decision table: proposal against baseline"
    assert any(c.startswith("Figure 1. ") for c in captions)
    # the compare folder's decision table feeds the recommendation
    summary = context["markets"][0]["summary"]
    (reading,) = summary["readings"]
    assert reading["proposal"] == "fewer L1" and reading["where"].endswith("(compare)")
    assert summary["question"] == "Should US change its SOP as proposed: fewer L1?"


def test_the_appendix_command_includes_folders_and_shows_no_code_names(outs, run_dir):
    args = ["appendix", str(run_dir), "--market", "US"]
    for kind in FOLDER_KINDS:
        args += ["--include", str(outs[kind.command])]
    assert main(args) == 0
    html = (run_dir / "appendix-US.html").read_text(encoding="utf-8")
    assert "Command-line results" in html and "Risk register from modlean risk" in html
    text = visible_text(html)
    assert not code_names(text), code_names(text)


def test_an_unknown_or_missing_folder_is_refused_and_nothing_is_written(outs, run_dir,
                                                                        tmp_path, capsys):
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("hello")
    with pytest.raises(ParameterError) as err:
        read_included(stray)
    message = str(err.value)
    assert f"--include {str(stray)!r}: not an output folder modlean recognises" in message
    assert "(it holds notes.txt)" in message
    assert "decision_table.csv (compare --out)" in message
    assert "register_assessed.csv (risk --out)" in message
    assert main(["appendix", str(run_dir), "--include", str(outs["risk"]),
                 "--include", str(stray)]) == 2
    assert "not an output folder modlean recognises" in capsys.readouterr().err
    assert main(["appendix", str(run_dir), "--include", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not list(run_dir.glob("appendix*"))


def test_a_broken_table_in_a_recognised_folder_names_the_file(tmp_path):
    broken = tmp_path / "risk"
    broken.mkdir()
    (broken / "register_assessed.csv").write_text("risk_id,title\nR-1,x\n")
    with pytest.raises(ParameterError, match=r"not the ones modlean risk writes"):
        read_included(broken)
    (broken / "register_assessed.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ParameterError, match=r"register_assessed\.csv' is not a readable CSV"):
        read_included(broken)


def test_staff_out_does_not_go_with_by_shift(tmp_path, capsys):
    assert main(["staff", "US", "--by-shift", "--out", str(tmp_path / "x")]) == 2
    assert "--out writes the search's tables" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_calibrate_out_still_writes_a_yaml_file(outs, tmp_path):
    target = tmp_path / "scenario.yaml"
    assert main(["calibrate", str(ROOT / "data/US/events.csv"), "--out", str(target)]) == 0
    assert target.is_file() and "pools:" in target.read_text()
    assert (outs["calibrate"] / "scenario.yaml").read_text().startswith(
        target.read_text()[:20])
