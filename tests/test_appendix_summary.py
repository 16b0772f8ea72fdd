"""The appendix as a decision document: executive summary, run status, limits, findings.

Run folders are made by hand from notebooks holding known records, so every
verdict, figure and gap the appendix must state is known in advance.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from recorded import recorded_notebook

from modlean.decisions import OVERALL_RULE, decision_table, overall_verdict
from modlean.evidence import appendices
from modlean.evidence.findings import finding
from modlean.evidence.verdicts import reading
from modlean.kpis import kpi
from modlean.scenario import apply_overrides, describe_changes, preset, setting_words, shown_value

PROPOSAL = "fewer L1, stricter model"



def _run_folder(tmp_path, runs: list[tuple[str, str, dict, dict]], planned=None):
    """A batch run folder: runs are (notebook, status, records, parameters) of market US."""
    entries = []
    (tmp_path / "US").mkdir(exist_ok=True)
    for notebook, status, records, parameters in runs:
        nbformat.write(recorded_notebook(records), tmp_path / "US" / f"{notebook}.ipynb")
        entries.append({"notebook": notebook, "market": "US", "status": status,
                        "error": None if status == "ok" else "boom",
                        "error_type": None if status == "ok" else "ValueError",
                        "parameters": {"market": "US", **parameters},
                        "ipynb": f"US/{notebook}.ipynb"})
    manifest = {"run": "trial", "status": "running", "start": "2026-11-22T05:00:00+00:00",
                "command": ["modlean", "batch"], "parameters": {}, "seed": 7,
                "git": {"commit": "abc123", "dirty": False}, "runs": entries,
                "planned": planned if planned is not None else
                [{"notebook": n, "market": "US", "scenario": None, "gathers": False}
                 for n, *_ in runs]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def _known_table() -> pd.DataFrame:
    """A decision table from per-replication values whose verdicts are known.

    P95 turnaround falls by about 7 h (better), false approvals rise by about 3.6
    points (worse), accuracy moves within noise (no significant difference) and
    utilisation rises (changed: no good direction).
    """
    rng = np.random.default_rng(3)
    base = {"turnaround_p95_h": 20 + rng.normal(0, 0.5, 8),
            "false_approve_rate": 0.05 + rng.normal(0, 0.002, 8),
            "accuracy": 0.95 + rng.normal(0, 0.01, 8),
            "utilisation": 0.7 + rng.normal(0, 0.01, 8)}
    shift = {"turnaround_p95_h": -7.0, "false_approve_rate": 0.036, "accuracy": 0.0,
             "utilisation": 0.05}
    rows = []
    for name, values in base.items():
        for r, value in enumerate(values):
            noise = rng.normal(0, 0.01) if name == "accuracy" else rng.normal(0, 0.0005)
            rows += [{"scenario": "baseline", "replication": r, "kpi": name, "value": value},
                     {"scenario": PROPOSAL, "replication": r, "kpi": name,
                      "value": value + shift[name] + noise}]
    table = decision_table(pd.DataFrame(rows), "baseline")
    verdicts = dict(zip(table["kpi"], table["verdict"], strict=True))
    assert verdicts == {"turnaround_p95_h": "better", "false_approve_rate": "worse",
                        "accuracy": "no significant difference", "utilisation": "changed"}
    return table


# ---------------------------------------------------------------------------- verdicts


def test_verdict_sentences_state_the_tables_figures_intervals_and_verdicts():
    table = _known_table()
    r = reading(table, PROPOSAL)
    assert len(r.lines) == len(table)
    for line, row in zip(r.lines, table.itertuples(), strict=True):
        entry = kpi(row.kpi)
        assert line.verdict == row.verdict
        assert line.text == (
            f"{entry.label} {entry.format_change(row.difference)} "
            f"[{entry.format_change(row.ci_low, with_unit=False)}, "
            f"{entry.format_change(row.ci_high, with_unit=False)}]: {row.verdict}")
    by_kpi = {line.kpi: line.text for line in r.lines}
    assert by_kpi["turnaround_p95_h"].startswith("P95 turnaround -7.0 h [-7.")
    assert by_kpi["false_approve_rate"].startswith("False approval rate +3.6 points [+3.")
    assert sorted(line.kpi for line in r.decisive) == ["false_approve_rate", "turnaround_p95_h"]
    assert [line.kpi for line in r.changed] == ["utilisation"]
    assert r.unchanged == ["Decision accuracy"]
    assert r.overall == "mixed" and r.replications == 8
    assert r.basis == "averaged over 8 paired replications"  # no horizon in this table
    with_days = reading(table.assign(horizon_days=14.0), PROPOSAL)
    assert with_days.basis == "averaged over 8 paired replications of 14 simulated days"


def test_overall_reading_follows_its_rule():
    assert overall_verdict(["better", "no significant difference", "changed"]) == "better"
    assert overall_verdict(["worse", "changed"]) == "worse"
    assert overall_verdict(["better", "worse"]) == "mixed"
    assert overall_verdict(["changed", "no significant difference"]) == \
        "no significant difference"
    assert overall_verdict([]) == "no significant difference"
    assert "mixed when some are better and some worse" in OVERALL_RULE


def test_the_executive_summary_agrees_with_the_decision_table(tmp_path):
    table = _known_table()
    changes = pd.DataFrame({"setting": ["L1 listing headcount"], "today": ["140"],
                            "proposed": ["120"]})
    run = _run_folder(tmp_path, [("03_sop_change_test", "ok", {
        "proposal": PROPOSAL, "proposal_description": "cut L1, raise t_low",
        "proposal_change_table": changes, "decision_table": table}, {"horizon_days": 14})])
    context = appendices.appendix_context(run, "US")
    summary = context["markets"][0]["summary"]
    assert summary["question"] == f"Should US change its SOP as proposed: {PROPOSAL}?"
    assert summary["changes"] == ["L1 listing headcount 140 → 120"]
    (r,) = summary["readings"]
    expected = {row.kpi: row.verdict for row in table.itertuples()}
    shown = {line: next(k for k in expected if line.startswith(kpi(k).label + " "))
             for line in r["decisive"] + r["changed"]}
    assert {k: line.rsplit(": ", 1)[1] for line, k in shown.items()} == \
        {k: v for k, v in expected.items() if v != "no significant difference"}
    assert r["overall"] == overall_verdict(table["verdict"]) == "mixed"
    html = appendices.appendix(run, "US").read_text()
    assert "P95 turnaround -7.0 h [-7." in html and ": better</li>" in html
    assert f"{PROPOSAL}: mixed" in html and "The overall reading is better when" in html
    section = context["markets"][0]["sections"][0]
    assert section["finding"].startswith(f"Against the baseline, {PROPOSAL} is mixed: 1 of 4 "
                                         "KPIs significantly better and 1 worse")


# ---------------------------------------------------------------------------- run status


def test_a_failed_and_a_missing_notebook_are_named_at_the_top(tmp_path):
    planned = [{"notebook": n, "market": "US", "scenario": None, "gathers": g}
               for n, g in (("01_process_discovery", False), ("02_queue_simulation", False),
                            ("04_quality_review", False), ("06_brd_appendix", True))]
    run = _run_folder(tmp_path, [("01_process_discovery", "ok", {"cases": 700}, {}),
                                 ("02_queue_simulation", "failed", {"horizon_days": 7.0}, {})],
                      planned=planned)
    context = appendices.appendix_context(run, "US")
    status = context["status"]
    assert not status["complete"]
    assert status["problems"] == [
        "US: 02_queue_simulation failed: ValueError: boom",
        "US: 04_quality_review had not run when this appendix was written"]
    cannot = context["markets"][0]["summary"]["cannot_say"]
    assert "No evidence from 02_queue_simulation failed: ValueError: boom" in cannot
    assert "No evidence from 04_quality_review had not run when this appendix was written" \
        in cannot
    html = appendices.appendix(run, "US").read_text()
    assert "This appendix is incomplete" in html and "status running" not in html
    assert "04_quality_review had not run" in html
    assert "This notebook failed (ValueError: boom)" in html


def test_a_finished_run_says_so_and_the_gathering_notebook_is_not_missing(tmp_path):
    planned = [{"notebook": "01_process_discovery", "market": "US", "scenario": None,
                "gathers": False},
               {"notebook": "06_brd_appendix", "market": "US", "scenario": None,
                "gathers": True}]
    run = _run_folder(tmp_path, [("01_process_discovery", "ok", {"cases": 700}, {})],
                      planned=planned)
    status = appendices.appendix_context(run, "US")["status"]
    assert status["complete"] and status["problems"] == []
    assert "every notebook planned for US ran and succeeded (1 notebook run)" in status["text"]
    # the gathering notebook's own run counts, though it records no evidence section
    both = _run_folder(tmp_path, [("01_process_discovery", "ok", {"cases": 700}, {}),
                                  ("06_brd_appendix", "ok", {}, {})], planned=planned)
    assert "(2 notebook runs)" in appendices.appendix_context(both, "US")["status"]["text"]


# ---------------------------------------------------------------------------- limits


@pytest.mark.parametrize(("days", "flagged"), [(3, True), (6.5, True), (7, False), (14, False)])
def test_a_simulation_shorter_than_a_week_is_flagged(tmp_path, days, flagged):
    run = _run_folder(tmp_path, [("02_queue_simulation", "ok", {"horizon_days": float(days)},
                                  {"horizon_days": str(days)})])
    market = appendices.appendix_context(run, "US")["markets"][0]
    short = market["limits"]["short"]
    assert bool(short) is flagged
    if flagged:
        assert short == [f"Queue simulation: simulated {days:g} days of arrivals, shorter than "
                         "a week, so it misses the weekly cycle (weekend volumes and rosters); "
                         "its figures may not hold over a full week"]
        assert short[0] in market["summary"]["cannot_say"]


def test_a_parameter_alone_flags_a_short_staffing_simulation(tmp_path):
    run = _run_folder(tmp_path, [("03_sop_change_test", "ok", {"proposal": PROPOSAL},
                                  {"horizon_days": "14", "staff_horizon_days": "3"})])
    short = appendices.appendix_context(run, "US")["markets"][0]["limits"]["short"]
    assert len(short) == 1 and short[0].endswith(
        "test: staffing simulations over 3 days of arrivals, shorter than a week, so it misses "
        "the weekly cycle (weekend volumes and rosters); its figures may not hold over a full "
        "week")


def test_the_calibration_assumptions_are_shown_in_words(tmp_path):
    assumed = pd.DataFrame({"field": ["qa.human_rate", "pools.l1_listing.shrinkage"],
                            "value": [0.03, 0.35], "why": ["no QA in the log", "not logged"]})
    run = _run_folder(tmp_path, [("02_queue_simulation", "ok",
                                  {"horizon_days": 14.0, "assumptions": assumed}, {})])
    market = appendices.appendix_context(run, "US")["markets"][0]
    table = market["limits"]["assumptions"]
    assert table["rows"] == [["QA human rate", "0.03", "no QA in the log"],
                             ["L1 listing shrinkage", "0.35", "not logged"]]
    assert table["caption"].startswith("Table ")
    assert "2 values of the calibrated scenario could not be read from the log" in \
        " ".join(market["summary"]["cannot_say"])


def test_an_uncalibrated_scenario_is_said_once(tmp_path):
    run = _run_folder(tmp_path, [("02_queue_simulation", "ok", {
        "horizon_days": 14.0,
        "skipped_calibration": "no scenario calibrated from the log for US: section skipped"},
        {})])
    market = appendices.appendix_context(run, "US")["markets"][0]
    assert market["limits"]["calibrated"] is False and market["limits"]["skipped"] == []
    cannot = market["summary"]["cannot_say"]
    assert sum("not calibrated" in line for line in cannot) == 1


# ---------------------------------------------------------------------------- findings, changes


def test_findings_are_filled_in_from_the_figures():
    values = {"cases": 700, "events": 3143, "days": 7.89, "top10_coverage": 0.98,
              "median_case_seconds": 5.0}
    assert finding(values) == ("The log holds 700 cases and 3,143 events over 7.9 days; the "
                               "ten commonest paths cover 98.0 % of the cases, and half the "
                               "cases finish within 5 s.")
    assert finding({"cases": 700, "staff_pool": "l1_listing"}) == \
        "Cases in the log: 700 cases; Pool sized: l1 listing."
    assert finding({}, failed="ValueError: boom").startswith("This notebook failed")


def test_describe_changes_shows_today_beside_the_proposal():
    table = describe_changes(preset("US"), {"name": "x", "description": "y",
                                            "pools.l1_listing.headcount": 120,
                                            "qa.human_rate": 0.05})
    assert table.to_dict("records") == [
        {"setting": "L1 listing headcount", "today": "115", "proposed": "120"},
        {"setting": "QA human rate", "today": "0.03", "proposed": "0.05"}]
    assert setting_words("item_types.listing.model.t_low") == "Listing model t low"


def test_a_change_that_rounds_to_zero_keeps_two_digits():
    """"Median turnaround +0.0 h [0.0, 0.0]: better" would read as no change."""
    from modlean.evidence.verdicts import verdict_lines

    table = pd.DataFrame({"proposal": ["p"], "kpi": ["turnaround_p50_h"], "difference": [-0.031],
                          "ci_low": [-0.036], "ci_high": [-0.026], "verdict": ["better"]})
    (line,) = verdict_lines(table, "p")
    assert line.text == "Median turnaround -0.031 h [-0.036, -0.026]: better"


def test_a_table_of_one_item_type_is_read_for_it():
    """`modlean compare --item-type X` writes only X's rows: they are the reading."""
    from modlean.evidence.verdicts import verdict_lines

    table = pd.DataFrame({"proposal": ["p", "p"], "item_type": ["Inserzione"] * 2,
                          "kpi": ["turnaround_p95_h", "false_approve_rate"],
                          "difference": [-2.0, 0.025], "ci_low": [-2.5, 0.01],
                          "ci_high": [-1.5, 0.04], "verdict": ["better", "worse"]})
    assert [line.verdict for line in verdict_lines(table, "p")] == ["better", "worse"]


def test_simulated_days_are_days_in_any_kpis_row():
    from modlean.evidence.readable import table_view

    table = _known_table().assign(horizon_days=7.0)
    view = table_view(table, 10)
    days = [row[view["header"].index("Simulated days")] for row in view["rows"]]
    assert set(days) == {"7.0 days"}  # not the row KPI's unit (h, %, USD)


def test_a_recorded_row_of_a_table_shows_its_fields_labelled_and_formatted():
    """notebook 03 records the cheapest threshold pair, a row of the sweep: its header is no
    row number and each field reads as its column would (shares as percentages)."""
    from modlean.evidence.readable import table_view
    from modlean.evidence.recording import _as_frame

    row = pd.Series({"t_low": 0.15, "auto_approve_share": 0.222, "tp": 10.1, "feasible": True},
                    name=1495)
    view = table_view(_as_frame(row), 10)
    assert view["header"] == ["", "Value"]
    assert view["rows"] == [["Auto-approve threshold", "0.15"], ["Auto-approve share", "22.2 %"],
                            ["True positives", "10.10"], ["Meets the floors", "yes"]]


def test_a_delay_changed_by_a_proposal_reads_as_its_mean_not_its_values():
    baseline = apply_overrides(preset("mmc"), {"pools.servers.pickup": {
        "dist": "empirical", "values": [0.05, 0.1, 0.15] * 40}})
    rows = describe_changes(baseline, {"pools.servers.pickup": None}).iloc[0]
    assert rows["today"] == "empirical, mean 6 min (120 values)"
    assert rows["proposed"] == "—"
    assert shown_value({"dist": "lognormal", "mean_hours": 3, "cv": 0.5}) == \
        "lognormal, mean 3.0 h, CV 0.5"
    # a handling time is in seconds (a calibrated workflow step's: 5.7 min, not 24 h)
    assert shown_value({"dist": "lognormal", "mean_s": 344.0, "cv": 0.74}) == \
        "lognormal, mean 6 min, CV 0.74"


def test_a_cost_total_says_over_how_many_simulated_days_it_ran():
    from modlean.evidence.summary import _cost_lines

    table = pd.DataFrame({"proposal": "p", "item_type": "all",
                          "kpi": ["cost_total", "cost_per_decision"],
                          "baseline_mean": [7236.0, 3.92], "proposal_mean": [7000.0, 3.8],
                          "verdict": "better", "horizon_days": 7.0})
    total, per_decision = _cost_lines(table, "p", named=False, currency="EUR")
    assert total.startswith("Reviewer cost over 7 simulated days: 7,236 EUR today")
    assert "simulated days" not in per_decision


def test_readings_of_one_proposal_that_disagree_name_the_stronger_as_the_recommendation():
    from modlean.evidence.summary import _weighed

    mixed = _known_table().assign(horizon_days=21.0)  # 8 replications of 21 days
    better = _known_table().assign(horizon_days=7.0)
    better = better[better["kpi"] != "false_approve_rate"]  # reads 'better'
    found = [("SOP change test", reading(better, PROPOSAL), better),
             ("modlean compare", reading(mixed, PROPOSAL), mixed)]
    notes = _weighed(found)
    weak, strong = (notes[id(r)] for _, r, _ in found)
    assert strong[0] < weak[0]  # the stronger is shown first
    assert strong[1] == "the strongest evidence for this proposal: the recommendation"
    assert weak[1] == ("rests on fewer simulated days than modlean compare, which reads it "
                       "mixed: that is the recommendation")
    agreeing = [("a", reading(mixed, PROPOSAL), mixed), ("b", reading(mixed, PROPOSAL), mixed)]
    assert {note for _, note in _weighed(agreeing).values()} == {""}


class _Recorded:
    """Records by name, as :class:`~modlean.evidence.collected.MarketRecords` gives them."""

    def __init__(self, values: dict) -> None:
        self.values = values

    def value(self, name, default=None):
        return self.values.get(name, default)


@pytest.mark.parametrize("shrinkage, caveat", [(0.0, True), (0.3, False)])
def test_a_headcount_at_no_shrinkage_says_it_counts_people_on_duty(shrinkage, caveat):
    from modlean.evidence.summary import staffing_lines

    analytic = pd.DataFrame({"pool": ["l1"], "analytic": [4], "analytic_baseline": [3],
                             "current": [3], "shrinkage": [shrinkage]})
    search = pd.DataFrame({"pool": ["l1"], "simulated": [3.0], "shrinkage": [shrinkage]})
    lines = staffing_lines(_Recorded({"staffing_analytic": analytic, "staffing_search": search,
                                      "staff_pool": "l1", "staff_simulated": 3.0}))
    assert lines[0].startswith("L1: 3 → 4 reviewers needed by the analytic estimate (today 3)")
    assert lines[1].startswith("L1: 3 reviewers confirmed by simulation")
    said = ["people on duty at 0 % shrinkage" in line for line in lines]
    assert said == [caveat, caveat]
