"""The user's workbook: workbook.yaml checked, `modlean init`, and a batch on a market that
is not a preset ("DE": a copy of a sample log, its scenario calibrated, no QA table)."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from modlean.cli import main
from modlean.errors import ParameterError
from modlean.evidence import read_records
from modlean.workbook import load_workbook, market_inputs, needs_of, register_evidence

scaffold_module = importlib.import_module("modlean.workbook.scaffold")  # the face's scaffold
likelihood_module = importlib.import_module("modlean.workbook.likelihood")

ROOT = Path(__file__).resolve().parents[1]


def _book(folder: Path, text: str) -> Path:
    (folder / "exports").mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "data" / "UK" / "events.csv", folder / "exports" / "de.csv")
    path = folder / "workbook.yaml"
    path.write_text(text)
    return path


GOOD = """
name: test
defaults:
  register: reg.yaml
markets:
  DE:
    log: exports/de.csv
    scenario: calibrate
    timezone: Europe/Berlin
    sla_hours: {uk_r: 24}
  UK:
    log: exports/de.csv
    scenario: UK
"""


def test_a_workbook_loads_with_paths_resolved_and_defaults_merged(tmp_path):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    book = load_workbook(_book(tmp_path, GOOD))
    de = book.market("DE")
    assert de.log == str((tmp_path / "exports" / "de.csv").resolve())
    assert de.get("register") == str((tmp_path / "reg.yaml").resolve())
    assert de.timezone == "Europe/Berlin" and de.sla_hours == {"uk_r": 24.0}
    assert not de.has("qa") and de.has("register")
    assert book.market("UK").timezone == "UTC" and list(book.markets) == ["DE", "UK"]


@pytest.mark.parametrize(("text", "match"), [
    ("markets:\n  DE: {log: exports/de.csv, qa_path: x.csv}",
     r"markets\.DE\.qa_path: unknown key 'qa_path'; did you mean 'qa'\?"),
    ("market:\n  DE: {log: exports/de.csv}", r"unknown key 'market'; did you mean 'markets'\?"),
    ("markets:\n  DE: {log: exports/nope.csv}",
     r"markets\.DE\.log: 'exports/nope\.csv' does not exist"),
    ("markets:\n  DE: {log: exports/de.csv, timezone: Europe/Berln}",
     r"markets\.DE\.timezone: found 'Europe/Berln'.*did you mean 'Europe/Berlin'\?"),
    ("markets:\n  DE: {log: exports/de.csv, scenario: UKK}",
     r"markets\.DE\.scenario: found 'UKK'.*did you mean 'UK'\?"),
    ("markets:\n  DE: {log: exports/de.csv, qa: from_log}", r"markets\.DE\.qa: .*no profile"),
    ("markets:\n  DE: {log: exports/de.csv, sla_hours: {l1: 0}}", r"markets\.DE\.sla_hours"),
    ("markets:\n  ../x: {log: exports/de.csv}", r"expected a market code"),
    ("markets: {}", r"found no market"),
    ("- a list", r"expected a mapping with markets"),
])
def test_bad_workbooks_are_refused_with_the_field_path_and_value(tmp_path, text, match):
    path = _book(tmp_path, text)
    with pytest.raises(ParameterError, match=match) as info:
        load_workbook(path)
    assert str(path) in str(info.value)


def test_an_unknown_market_gets_a_did_you_mean(tmp_path):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    book = load_workbook(_book(tmp_path, GOOD))
    with pytest.raises(ParameterError, match=r"no market 'De'.*did you mean 'DE'"):
        book.market("De")


def test_inputs_come_from_the_workbook_or_from_the_old_parameters(tmp_path, monkeypatch):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    inputs = market_inputs({"workbook": str(_book(tmp_path, GOOD)), "market": "UK"})
    assert inputs.scenario().name.startswith("UK")
    assert len(inputs.log()) == 2670
    with pytest.raises(ParameterError, match=r"markets\.UK: no QA table given"):
        inputs.qa()
    assert inputs.skip_note("qa") == "no QA table for UK: section skipped"
    monkeypatch.chdir(ROOT / "notebooks")  # the old per-file parameters, found upwards
    old = market_inputs({"workbook": "", "market": "MY", "qa_path": "data/{market}/qa_reviews.csv",
                         "log_path": "data/{market}/events.csv"})
    assert old.has("qa") and not old.has("register") and old.settings.scenario == "MY"
    assert len(old.qa()) == 50


def test_register_evidence_measures_what_the_register_asks_for_and_notes_what_it_cannot(
        tmp_path):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    inputs = market_inputs({"workbook": str(_book(tmp_path, GOOD)), "market": "UK"})
    evidence = register_evidence(inputs, inputs.register(), replications=1, surge_days=1)
    assert evidence.table.empty and evidence.measures == {}  # nothing covers a UK risk
    assert evidence.notes == [
        "R-03: not re-rated: the evidence does not cover QA: no QA table for UK; the "
        "register's likelihood is kept",
        "R-04: not re-rated: the evidence does not cover market ID (the risk's market; the "
        "data are UK's); the register's likelihood is kept",
        "R-08: not re-rated: the evidence does not cover QA: no QA table for UK; the "
        "register's likelihood is kept"]


def test_a_likelihood_is_re_rated_only_when_the_evidence_covers_the_risk(tmp_path,
                                                                        monkeypatch):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    text = (tmp_path / "reg.yaml").read_text()
    (tmp_path / "reg.yaml").write_text(text.replace("market: ID", "market: all"))
    book = tmp_path / "workbook.yaml"
    book.write_text(f"name: t\ndefaults:\n  register: reg.yaml\nmarkets:\n  US:\n"
                    f"    log: {ROOT / 'data/US/events.csv'}\n"
                    f"    qa: {ROOT / 'data/US/qa_reviews.csv'}\n    scenario: US\n")
    inputs = market_inputs({"workbook": str(book), "market": "US"})
    short = register_evidence(inputs, inputs.register(), replications=1, surge_days=3)
    assert list(short.table["risk_id"]) == ["R-03"]  # 51 QA checks, one likelihood level
    assert "simulation:p_sla_missed_in_surge" not in short.measures  # not even simulated
    assert short.notes == [
        "R-04: not re-rated: the evidence does not cover a full week: the simulated surge "
        "lasts 3 day(s), at least 7 are needed to include the weekly cycle; the register's "
        "likelihood is kept",
        "R-08: not re-rated: the evidence does not cover enough QA checks: 15 decisions "
        "behind the rate, at least 30 needed; the register's likelihood is kept"]
    kpis = pd.DataFrame({"replication": [0, 1], "item_type": "listing",
                         "kpi": "sla_target_met", "value": [1.0, 0.0]})
    monkeypatch.setattr(likelihood_module, "simulate",  # a week's surge, without its minutes
                        lambda scenario, **_: SimpleNamespace(kpis=kpis))
    week = register_evidence(inputs, inputs.register(), replications=2, surge_days=7)
    assert list(week.table["risk_id"]) == ["R-03", "R-04"]
    assert week.measures["simulation:p_sla_missed_in_surge"] == 0.5


def test_needs_lines_name_the_inputs_a_cell_needs():
    assert needs_of(["# needs: qa, register\n", "x = 1\n"]) == ["qa", "register"]
    assert needs_of(["\n", "#needs: sop"]) == ["sop"]
    assert needs_of(["x = 1  # needs: qa\n"]) == []


@pytest.fixture
def shipped(monkeypatch):
    """The shipped files of this source tree (an editable install may point elsewhere)."""
    folders = {"templates": ROOT / "templates", "notebooks": ROOT / "notebooks"}
    monkeypatch.setattr(scaffold_module, "shipped_dir", folders.__getitem__)


def test_init_scaffolds_a_workbook_from_the_shipped_files_and_refuses_to_overwrite(
        tmp_path, shipped, capsys):
    folder = tmp_path / "wb"
    assert main(["init", str(folder)]) == 0
    for name in ("workbook.yaml", "README.md", "registers/risk_register.yaml",
                 "sop/moderation.yaml", "templates/proposals/sop_thresholds_qa.yaml",
                 "notebooks/05_risk_assessment.ipynb"):
        assert (folder / name).is_file(), name
    assert (folder / "notebooks" / "01_process_discovery.ipynb").read_bytes() == (
        ROOT / "notebooks" / "01_process_discovery.ipynb").read_bytes()
    readme = (folder / "README.md").read_text()
    assert "modlean batch" in readme and "workbook.yaml" in readme
    out = capsys.readouterr().out
    if not (ROOT / "templates" / "profiles" / "example.yaml").exists():
        assert "profiles/example.yaml: not shipped" in out
    # the example market's export is not there yet: the message says which file
    with pytest.raises(ParameterError, match=r"markets\.XX\.log: 'exports/XX_events\.csv'"):
        load_workbook(folder / "workbook.yaml")
    (folder / "exports" / "XX_events.csv").write_bytes(
        (ROOT / "data" / "TH" / "events.csv").read_bytes())
    assert list(load_workbook(folder / "workbook.yaml").markets) == ["XX"]
    assert main(["init", str(folder)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["init", str(folder), "--force"]) == 0


def test_init_takes_a_relative_folder_as_the_readme_writes_it(tmp_path, shipped, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "my-review"]) == 0
    assert (tmp_path / "my-review" / "workbook.yaml").is_file()


# ----------------------------------------------------------------- a batch on a new market

SMALL = {"horizon_days": "1", "warmup_days": "0", "drain_days": "1", "replications": "2",
         "staff_replications": "1", "staff_evaluations": "1", "staff_horizon_days": "1",
         "sensitivity_parameters": "headcount", "loss_runs": "1000", "surge_days": "1",
         "top_variants": "3", "today": "2026-03-22"}


@pytest.fixture(scope="module")
def de_run(tmp_path_factory):
    """`modlean init` + `modlean batch` (every notebook) for DE, a market named only in the
    workbook: its log a copy of a sample log, its scenario calibrated, no QA table."""
    folder = tmp_path_factory.mktemp("de") / "wb"
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(scaffold_module, "shipped_dir",
                   {"templates": ROOT / "templates", "notebooks": ROOT / "notebooks"}.__getitem__)
        assert main(["init", str(folder)]) == 0
        shutil.copyfile(ROOT / "data" / "US" / "events.csv", folder / "exports" / "de.csv")
        (folder / "workbook.yaml").write_text(
            "name: DE\ndefaults:\n  register: registers/risk_register.yaml\n"
            "  sop: sop/moderation.yaml\nmarkets:\n  DE:\n    log: exports/de.csv\n"
            "    scenario: calibrate\n    timezone: Europe/Berlin\n")
        mp.chdir(folder)  # ./workbook.yaml is the default workbook
        args = [a for k, v in SMALL.items() for a in ("-p", k, v)]
        code = main(["batch", "--out", str(folder / "outputs" / "run"), "--workers", "2",
                     "--quiet", *args])
    finally:
        mp.undo()
    return code, folder / "outputs" / "run"


def test_every_notebook_runs_for_a_market_named_only_in_the_workbook(de_run):
    code, out = de_run
    manifest = json.loads((out / "manifest.json").read_text())
    failed = [(r["notebook"], r["error"]) for r in manifest["runs"] if r["status"] != "ok"]
    assert not failed and code == 0
    assert sorted(r["notebook"] for r in manifest["runs"]) == sorted(
        p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert {r["market"] for r in manifest["runs"]} == {"DE"}
    first = next(r for r in manifest["runs"] if r["notebook"] == "01_process_discovery")
    assert first["parameters"]["workbook"].endswith("workbook.yaml")


def test_sections_without_their_input_are_skipped_with_a_note(de_run):
    _, out = de_run
    quality = read_records(out / "DE" / "04_quality_review.ipynb")
    assert quality == {"skipped_qa": "no QA table for DE: section skipped"}
    risk = read_records(out / "DE" / "05_risk_assessment.ipynb")
    assert "skipped_qa" not in risk  # the register asks; the notes say why it kept them
    assert risk["likelihood_notes"] == [
        "The risk register is modlean's example (R-01, R-02, R-03 from "
        f"{out.parent.parent / 'registers' / 'risk_register.yaml'}): its risks, likelihoods "
        "and costs are placeholders, not this market's; replace them with the market's own "
        "risks",
        "R-01: not re-rated: the evidence does not cover QA: no QA table for DE; the "
        "register's likelihood is kept",
        "R-02: not re-rated: the evidence does not cover QA: no QA table for DE; the "
        "register's likelihood is kept",
        "R-03: not re-rated: the evidence does not cover a full week: the simulated surge "
        "lasts 1 day(s), at least 7 are needed to include the weekly cycle; the register's "
        "likelihood is kept"]
    assert risk["likelihood_evidence"].empty
    assert risk["risks"] == 3
    sim = read_records(out / "DE" / "02_queue_simulation.ipynb")
    assert sim["scenario"] == "DE calibrated"
    # the calibrated market's workflow and its fidelity on a held-out period
    assert "workflow_chart" in sim
    fid = sim["fidelity_holdout"]
    assert "control_flow_log_distance" in set(fid["measure"])
    assert {"modlean_distance", "replay_distance"} <= set(fid.columns)


SLAS = """
name: slas
markets:
  UK:
    log: exports/de.csv
    scenario: UK
    sla_hours: {l1_listing: 12, appeals: 72}
  DE:
    log: exports/de.csv
    scenario: calibrate
    sla_hours: {uk_rr: 24}
"""


def test_sla_hours_become_the_pools_targets_and_a_wrong_pool_is_refused(tmp_path):
    book = str(_book(tmp_path, SLAS))
    uk = market_inputs({"workbook": book, "market": "UK"}).scenario(
        overrides={"horizon_days": 2})
    assert (uk.pools["l1_listing"].sla.hours, uk.pools["appeals"].sla.hours) == (12, 72)
    assert uk.pools["kyb"].sla is None and uk.horizon_days == 2
    # the held-out fidelity scores each pool's sla: row against the same targets
    uk_market = market_inputs({"workbook": book, "market": "UK"})
    assert uk_market.pool_sla_hours() == {"l1_listing": 12, "appeals": 72}
    de = market_inputs({"workbook": book, "market": "DE"})
    with pytest.raises(ParameterError, match=r"markets\.DE\.sla_hours\.uk_rr: not a pool "
                                             r".*did you mean 'uk_r'"):
        de.scenario()


def test_values_the_workbook_sets_are_not_shown_as_the_logs_defaults(tmp_path):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    book = str(_book(tmp_path, GOOD.replace("    sla_hours: {uk_r: 24}\n",
                                            "    sla_hours: {uk_r: 12}\n    currency: EUR\n"
                                            "    cost_per_hour: 21.5\n")))
    de = market_inputs({"workbook": book, "market": "DE"})
    table = de.calibration().assumptions.set_index("field")
    assert table.at["currency", "value"] == de.scenario().currency == "EUR"
    assert table.at["currency", "why"].startswith("set in the workbook (")
    assert table.at["pools.uk_r.cost_per_hour", "value"] == 21.5
    assert table.at["pools.uk_r.shrinkage", "why"].startswith("shrinkage cannot be seen")


def test_a_calibrated_market_shows_its_assumptions(tmp_path):
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    book = str(_book(tmp_path, GOOD))
    de = market_inputs({"workbook": book, "market": "DE"})
    assert de.has("calibration")
    table = de.calibration().assumptions
    assert "pools.uk_r.shrinkage" in set(table["field"])  # pools named from reviewer ids
    assert de.scenario().pools["uk_r"].sla.hours == 24  # the workbook's target
    assert table.set_index("field").at["currency", "why"].startswith("a log holds no costs")
    uk = market_inputs({"workbook": book, "market": "UK"})
    assert not uk.has("calibration")
    with pytest.raises(ParameterError, match="not calibrated from the log"):
        uk.calibration()


def test_the_shipped_example_register_is_named_as_placeholders(tmp_path):
    """A register left as `modlean init` wrote it is said to be the example, not the market's."""
    shutil.copyfile(ROOT / "templates" / "workbook" / "risk_register.yaml", tmp_path / "reg.yaml")
    inputs = market_inputs({"workbook": str(_book(tmp_path, GOOD)), "market": "UK"})
    assert inputs.register().is_shipped_example()
    notes = register_evidence(inputs, inputs.register(), replications=1, surge_days=1).notes
    assert notes[0].startswith("The risk register is modlean's example (R-01, R-02")
    assert "placeholders, not this market's" in notes[0]
    shutil.copyfile(ROOT / "data" / "risk_register.yaml", tmp_path / "reg.yaml")
    own = market_inputs({"workbook": str(_book(tmp_path, GOOD)), "market": "UK"})
    assert not own.register().is_shipped_example()


def test_a_scenario_file_modlean_calibrate_wrote_is_a_calibrated_baseline(tmp_path):
    """calibrate --out FOLDER, the scenario edited by hand, then named in workbook.yaml: the
    market is calibrated (its assumptions shown, the held-out check run), the edit kept."""
    _book(tmp_path, "name: x\nmarkets: {}\n")
    folder = tmp_path / "calibrated" / "DE"
    assert main(["calibrate", str(tmp_path / "exports" / "de.csv"), "--timezone",
                 "Europe/Berlin", "--out", str(folder)]) == 0
    scenario = folder / "scenario.yaml"
    scenario.write_text(scenario.read_text().replace("name: ", "name: DE edited # ", 1))
    plain = tmp_path / "plain.yaml"  # the same scenario, not in a calibrate folder
    plain.write_text(scenario.read_text().replace("\nmarket: UK\n", "\nmarket: DX\n"))
    book = _book(tmp_path, """
name: files
markets:
  UK: {log: exports/de.csv, scenario: calibrated/DE/scenario.yaml, timezone: Europe/Berlin}
  DX: {log: exports/de.csv, scenario: plain.yaml, timezone: Europe/Berlin}
""")
    de = market_inputs({"workbook": str(book), "market": "UK"})
    assert de.has("calibration")
    calibration = de.calibration()
    assumed = pd.read_csv(folder / "assumptions.csv")
    pd.testing.assert_frame_equal(calibration.assumptions, assumed)
    assert calibration.scenario.name.startswith("DE edited") == de.scenario().name.startswith(
        "DE edited") is True
    dx = market_inputs({"workbook": str(book), "market": "DX"})
    assert not dx.has("calibration")
    assert "modlean calibrate did not write" in dx.skip_note("calibration")


def test_an_imported_exports_warnings_show_where_the_log_is_read(tmp_path):
    """A market read through a profile issues its mapping report's warnings, so a notebook
    (and a batch's executed notebook) shows them."""
    from bpo_export import PROFILE, make_export

    from modlean.eventlog import LogWarning

    (tmp_path / "exports").mkdir()
    export = make_export(300, seed=2, days=2).tasks
    late = export.index[export["queue"].ne("AUTO")][:3]  # picked up after closing: warned
    export.loc[late, "picked_up"] = export.loc[late, "closed"] + pd.Timedelta(minutes=5)
    path = tmp_path / "exports" / "de.csv"
    frame = export.copy()
    for col in ("created", "picked_up", "closed", "qa_time"):
        frame[col] = frame[col].dt.strftime("%d.%m.%Y %H:%M:%S")
    frame.to_csv(path, sep=";", decimal=",", index=False)
    (tmp_path / "de.yaml").write_text(PROFILE)
    book = tmp_path / "workbook.yaml"
    book.write_text("name: w\nmarkets:\n  DE: {log: exports/de.csv, profile: de.yaml, "
                    "timezone: Europe/Berlin}\n")
    with pytest.warns(LogWarning, match="started_after_closed"):
        market_inputs({"workbook": str(book), "market": "DE"}).log()


def test_currency_and_cost_per_hour_price_every_pool_and_the_scorecards(tmp_path):
    book = _book(tmp_path, """
name: money
markets:
  UK: {log: exports/de.csv, scenario: UK, currency: EUR, cost_per_hour: 14.5}
  US: {log: exports/de.csv, scenario: US}
""")
    uk = market_inputs({"workbook": str(book), "market": "UK"})
    scenario = uk.scenario()
    assert scenario.currency == "EUR"
    assert {p.cost_per_hour for p in scenario.pools.values()} == {14.5}
    assert uk.cost_per_hour() == 14.5 and uk.cost_per_hour(20) == 20
    us = market_inputs({"workbook": str(book), "market": "US"})
    assert us.cost_per_hour() == 9.0  # a scenario pool's default
    assert us.scenario().currency == "USD"
    bad = _book(tmp_path, "name: b\nmarkets:\n  UK: {currency: euro, cost_per_hour: -2}\n")
    with pytest.raises(ParameterError) as info:
        load_workbook(bad)
    assert "markets.UK.currency" in str(info.value) and "markets.UK.cost_per_hour" in str(
        info.value)
