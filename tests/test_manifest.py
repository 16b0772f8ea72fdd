"""manifest.json: the dataclasses read and write the file format the batch always wrote."""

from __future__ import annotations

import json

import pytest

from modlean._util import to_json
from modlean.errors import ParameterError
from modlean.evidence.manifest import (
    RunEntry,
    RunManifest,
    load_manifest,
    read_manifest,
    write_manifest,
)

RUN_KEYS = ["notebook", "market", "scenario", "status", "error", "error_type", "error_cell",
            "start", "end", "seconds", "kernel_attempts", "notes", "parameters", "seed",
            "ipynb", "html", "kpis", "records"]
MANIFEST_KEYS = ["manifest_version", "run", "status", "start", "end", "command", "notebooks",
                 "markets", "scenarios", "parameters", "seed", "executor", "python",
                 "executable", "platform", "packages", "git", "runs"]


def _stored() -> dict:
    """A manifest as `modlean batch` wrote it before the dataclasses (one ok run)."""
    run = {"notebook": "01_x", "market": "US", "scenario": None, "status": "ok", "error": None,
           "error_type": None, "error_cell": None, "start": "2026-11-22T05:00:00+00:00",
           "end": "2026-11-22T05:00:09+00:00", "seconds": 9.1, "kernel_attempts": 1,
           "notes": [], "parameters": {"market": "US", "seed": 7}, "seed": 7,
           "ipynb": "US/01_x.ipynb", "html": "US/01_x.html", "kpis": {"cases": 700},
           "records": [{"name": "cases", "kind": "scalar"}]}
    return {"manifest_version": 1, "run": "demo", "status": "ok",
            "start": "2026-11-22T05:00:00+00:00", "end": "2026-11-22T05:00:10+00:00",
            "command": ["modlean", "batch", "x.ipynb"], "notebooks": ["01_x.ipynb"],
            "markets": ["US"], "scenarios": [], "parameters": {}, "seed": 7,
            "executor": {"scheduler": None, "workers": 1, "transport": "ipc"},
            "python": "3.11.7", "executable": "/usr/bin/python", "platform": "Linux",
            "packages": {"pandas": "3.1.1"}, "git": {"commit": "abc", "dirty": False},
            "runs": [run]}


def test_the_file_format_is_kept_key_for_key():
    assert list(RunEntry("a", "US").to_dict()) == RUN_KEYS
    assert list(RunManifest("r").to_dict()) == MANIFEST_KEYS
    stored = _stored()
    assert to_json(RunManifest.from_dict(stored).to_dict()) == to_json(stored)


def test_written_and_read_back(tmp_path):
    manifest = RunManifest.from_dict(_stored())
    write_manifest(tmp_path, manifest)
    assert load_manifest(tmp_path) == _stored()
    assert read_manifest(tmp_path) == manifest
    assert json.loads((tmp_path / "manifest.json").read_text()) == _stored()


def test_a_hand_written_manifest_reads_with_defaults(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"runs": [{"notebook": "n", "market": "US", "status": "failed"},
                  {"notebook": "g", "market": "US", "status": "ok",
                   "parameters": {"run_dir": "x"}}]}))
    manifest = read_manifest(tmp_path)
    assert manifest.run == tmp_path.name and manifest.git == {"commit": None, "dirty": None}
    assert [r.notebook for r in manifest.runs_of("US")] == ["n"]
    assert manifest.failed[0].kpis == {} and not manifest.ok


def test_a_run_without_its_market_is_refused():
    with pytest.raises(ParameterError, match="no 'market'"):
        RunEntry.from_dict({"notebook": "n", "status": "ok"})


def test_the_plan_says_which_notebooks_are_still_missing(tmp_path):
    plan = [{"notebook": n, "market": m, "scenario": sc, "gathers": g} for n, m, sc, g in (
        ("01_a", "US", None, False), ("02_b", "US", "low", False), ("02_b", "US", "high", False),
        ("06_g", "US", None, True), ("01_a", "UK", None, False))]
    manifest = RunManifest.from_dict({**_stored(), "planned": plan, "runs": [
        {"notebook": "01_a", "market": "US", "status": "ok"},
        {"notebook": "02_b", "market": "US", "scenario": "low", "status": "failed"}]})
    assert manifest.missing("US") == ["02_b (high)"]
    assert manifest.missing("UK") == ["01_a"]
    write_manifest(tmp_path, manifest)
    assert read_manifest(tmp_path).planned == plan
    assert "planned" not in RunManifest.from_dict(_stored()).to_dict()
