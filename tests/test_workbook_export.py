"""`modlean init`, a workbook.yaml, `modlean batch`: every notebook on a vendor's export.

The export is the seeded BPO task table of data/bpo_export.py (its own queue
names, PASS/FAIL QA, semicolons, decimal commas, Berlin times), read through a
profile; the market DE is named only in the workbook. Its scenario is a preset:
calibrating from a vendor's vocabulary is a later step.
"""

from __future__ import annotations

import json

import pytest
from bpo_export import PROFILE, make_export
from test_workbook import SMALL

from modlean.cli import main
from modlean.evidence import read_records

WORKBOOK = """\
name: DE review operations
defaults:
  register: registers/risk_register.yaml
markets:
  DE:
    log: exports/de_tasks.csv
    profile: profiles/de_bpo.yaml
    qa: from_log
    scenario: US
    timezone: Europe/Berlin
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("de") / "wb"
    assert main(["init", str(folder)]) == 0
    make_export(1500, seed=5).write(folder / "exports" / "de_tasks.csv")
    (folder / "profiles").mkdir(exist_ok=True)
    (folder / "profiles" / "de_bpo.yaml").write_text(PROFILE)
    (folder / "workbook.yaml").write_text(WORKBOOK)
    out = folder / "outputs" / "run"
    args = [a for k, v in SMALL.items() for a in ("-p", k, v)]
    mp = pytest.MonkeyPatch()
    try:
        mp.chdir(folder)
        code = main(["batch", "--out", str(out), "--workers", "2", "--quiet", *args])
    finally:
        mp.undo()
    return code, out


def test_every_notebook_runs_on_the_export(run):
    code, out = run
    manifest = json.loads((out / "manifest.json").read_text())
    failed = [(r["notebook"], r["error"]) for r in manifest["runs"] if r["status"] != "ok"]
    assert not failed and code == 0


def test_the_quality_review_reads_pass_fail_qa_and_says_what_it_leaves_out(run):
    _, out = run
    records = read_records(out / "DE" / "04_quality_review.ipynb")
    overview = records["qa_overview"]
    assert "pass / fail" in set(overview["value"].astype(str))
    assert "pass/fail" in records["agreement"].loc["note", "value"]  # no kappa on an assumption
    assert any("escalate" in note for note in overview["note"])  # left out, and said
    assert records["skipped_qa_weights"].startswith("no inclusion probabilities")
    assert records["skipped_vendor"].startswith("no vendor column")
    pools = set(records["pool_scorecard"].index.astype(str))
    assert {"l1_listing", "appeals"} <= pools


def test_the_process_discovery_maps_the_vendors_stages(run):
    _, out = run
    records = read_records(out / "DE" / "01_process_discovery.ipynb")
    assert records["cases"] == 1500
