"""``modlean mine``: JSON keys as specified, tables and figures in --out, exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import modlean
from modlean import process
from modlean.cli import main

KEYS = {"cases", "events", "activities", "variants", "start_activities", "end_activities",
        "dfg", "top_variants", "case_duration_seconds"}


def test_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["mine", "--help"])
    assert info.value.code == 0
    assert "--json" in capsys.readouterr().out


def test_json_has_exactly_the_documented_keys(root, capsys):
    path = root / "data" / "UK" / "events.csv"
    assert main(["mine", str(path), "--json", "--top", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == KEYS
    assert all(set(e) == {"source", "target", "count", "mean_seconds"} for e in data["dfg"])
    assert all(set(v) == {"activities", "count"} for v in data["top_variants"])
    assert len(data["top_variants"]) == 3
    assert set(data["case_duration_seconds"]) == {"mean", "median", "min", "max"}
    log = modlean.read_log(path)
    assert data["cases"] == log["case_id"].nunique() and data["events"] == len(log)
    variants = process.variants(log)
    assert data["variants"] == len(variants)
    assert data["top_variants"][0] == {"activities": list(variants["variant"].iloc[0]),
                                       "count": int(variants["count"].iloc[0])}
    durations = process.case_durations(log)["duration_seconds"]
    assert data["case_duration_seconds"]["max"] == durations.max()
    assert sum(e["count"] for e in data["dfg"]) == len(log) - data["cases"]


def test_out_writes_tables_and_figures(root, tmp_path, capsys):
    path = root / "data" / "MY" / "events.csv"
    sop = root / "templates" / "sop" / "moderation.yaml"
    assert main(["mine", str(path), "--out", str(tmp_path), "--sop", str(sop)]) == 0
    out = capsys.readouterr().out
    assert "cases" in out and "SOP" in out and "conform" in out
    for name in ("dfg", "variants", "case_durations", "activity_times", "rework", "handovers",
                 "bottleneck_activities", "bottleneck_edges", "lead_times", "lean_metrics", "wip",
                 "conformance_cases", "conformance_deviations", "conformance_rules"):
        assert (tmp_path / f"{name}.csv").stat().st_size > 0, name
    for name in ("process_map", "process_map_wait", "variants", "waiting_times", "wip"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG", name
    edges = pd.read_csv(tmp_path / "dfg.csv")
    assert {"source", "target", "count", "mean_seconds", "median_seconds"} <= set(edges)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) == KEYS


def test_bad_input_exits_2(write, capsys):
    assert main(["mine", str(write("none.csv", "case_id,activity\n"))]) == 2
    assert "modlean mine: error:" in capsys.readouterr().err
    log = write("ok.csv", "case_id,activity,timestamp\nA,a,2026-03-02T00:00:00Z\n")
    sop = write("sop.yaml", "start: 5\n")
    assert main(["mine", str(log), "--sop", str(sop)]) == 2
    assert "start" in capsys.readouterr().err
