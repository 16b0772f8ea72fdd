"""The run's dashboard (index.html) and the appendix's formats, as a reader meets them.

A run folder is made from notebooks holding records of real shapes: a short
simulation of the US preset (its KPI summary with intervals, its charts, the
targets its SLAs set), the sample risk register assessed, a QA chart; market UK
has a failed quality notebook. Then:

* the status of each headline KPI follows the rule printed on the page, checked
  against targets and values worked out by hand;
* headless Chromium (over the DevTools protocol) loads the index and the appendix at
  1400 and 1280 px: no console errors, the page never wider than the window, the widest
  table fitting or scrolling inside its box; printed (print CSS at A4 width) no table
  is wider than the page; screenshots are saved in the test's folder;
* the DOCX has Word's Heading 1/2, Caption and table styles, SEQ-numbered captions, a
  TOC field and a styled table in each evidence section with tables;
* ``modlean appendix --format html,docx,md,pdf`` writes every format and the index
  links them.
"""

from __future__ import annotations

import base64
import io
import json
import re

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from recorded import recorded_notebook
from test_kpis import code_names, visible_text

from modlean import risk
from modlean.evidence import chromium, dashboard, iter_records, write_index
from modlean.evidence.manifest import read_manifest
from modlean.plots import simulation as splots
from modlean.scenario import apply_overrides, kpi_targets, preset
from modlean.simulation import simulate

BROWSER = chromium()
needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="headless Chromium is not installed (Debian package 'chromium')")
WIDE = 32  # columns of the widest table: wider than the page, so it must scroll



def _qa_chart():
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(np.arange(14), 0.04 + 0.01 * np.sin(np.arange(14)))
    ax.set(title="QA error rate per day", ylabel="error rate")
    return fig


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    # the workbook's sla_hours {l1_listing: 24} as MarketInputs.scenario applies them
    scenario = apply_overrides(preset("US"), {"horizon_days": 1, "warmup_days": 0,
                                              "drain_days": 1, "pools.l1_listing.sla": {
                                                  "hours": 24, "percentile": 95}})
    result = simulate(scenario, seed=1, replications=2)
    summary = result.summary()
    assessed = risk.load_register(ROOT / "data" / "risk_register.yaml").assess()[[
        "rank", "risk_id", "title", "inherent_band", "residual_band", "target_band",
        "expected_annual_loss", "eal_basis", "within_appetite", "tie"]]  # notebook 05's columns
    wide = pd.DataFrame(np.arange(3 * WIDE).reshape(3, WIDE) * 1000.5,
                        columns=[f"replication_{i}_turnaround" for i in range(WIDE)])
    sim = {"scenario": scenario.name, "currency": "EUR", "kpi_targets": kpi_targets(scenario),
           "horizon_days": 1, "kpi_summary": summary[summary["item_type"].eq("all")]
           .set_index("kpi"), "turnaround_p95_h": result.kpi("turnaround_p95_h"),
           "sla_attainment": result.kpi("sla_attainment"),
           "main_item_type": result.main_item_type,
           "main_sla_attainment": result.kpi("sla_attainment", result.main_item_type),
           "backlog_max": result.kpi("backlog_max"),
           "cost_per_decision": result.kpi("cost_per_decision"),
           "turnaround_chart": splots.turnaround_distribution(result),
           "backlog_chart": splots.backlog_over_time(result),
           "pool_summary": result.pool_summary().pivot(index="pool", columns="kpi",
                                                       values="mean"),
           "sla_checks_at_current_headcount": wide}
    runs, planned = [], []
    for market in ("US", "UK"):
        (folder / market).mkdir()
        notebooks = {
            "02_queue_simulation": ("ok", sim),
            "04_quality_review": ("failed", {}) if market == "UK" else
            ("ok", {"qa_error_rate": 0.043, "error_rate_chart": _qa_chart()}),
            "05_risk_assessment": ("ok", {"assessed_register": assessed}),
        }
        for notebook, (status, records) in notebooks.items():
            nbformat.write(recorded_notebook(records), folder / market / f"{notebook}.ipynb")
            (folder / market / f"{notebook}.html").write_text("<p>report</p>")
            runs.append({"notebook": notebook, "market": market, "status": status,
                         "error": None if status == "ok" else "data/UK/qa_reviews.csv <missing>",
                         "error_type": None if status == "ok" else "LogError",
                         "parameters": {"market": market}, "ipynb": f"{market}/{notebook}.ipynb",
                         "html": f"{market}/{notebook}.html", "kpis": {
                             k: v for k, v in records.items()
                             if isinstance(v, float | int | str)}})
            planned.append({"notebook": notebook, "market": market, "scenario": None,
                            "gathers": False})
    manifest = {"run": "trial", "status": "failed", "start": "2026-11-22T05:00:00+00:00",
                "end": "2026-11-22T05:03:00+00:00", "command": ["modlean", "batch"],
                "parameters": {}, "seed": 1, "python": "3.11", "packages": {},
                "git": {"commit": "abc123", "dirty": False}, "runs": runs, "planned": planned}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    write_index(folder)
    return folder, result


# ---------------------------------------------------------------------------- the status rule


@pytest.mark.parametrize(("value", "target", "comparison", "interval", "status"), [
    (20.0, 24.0, "<=", None, "met"),
    (20.0, 24.0, "<=", (18.0, 23.9), "met"),
    (20.0, 24.0, "<=", (16.0, 25.0), "at-risk"),  # the interval straddles the target
    (26.0, 24.0, "<=", None, "at-risk"),  # 2 h over a 24 h target: within 10 %
    (26.5, 24.0, "<=", None, "missed"),  # more than 10 % over
    (0.96, 0.95, ">=", None, "met"),
    (0.90, 0.95, ">=", None, "at-risk"),  # 5 points under 95 %: within 10 % of it
    (0.85, 0.95, ">=", None, "missed"),  # 10 points under 95 %: more than 10 %
])
def test_status_follows_the_stated_rule(value, target, comparison, interval, status):
    assert dashboard.kpi_status(value, target, comparison, interval) == status


def test_cards_compare_the_recorded_kpis_with_the_scenarios_targets(run_dir):
    folder, result = run_dir
    cards = dashboard.market_cards(folder, read_manifest(folder))
    assert [c.market for c in cards] == ["US", "UK"]
    us, uk = cards
    assert us.ok and not uk.ok
    cells = {c.label: c for c in us.cells}
    assert result.main_item_type == "listing"
    listing = cells["SLA attainment, main item type (listing)"]
    value = result.kpi("sla_attainment", "listing")
    expected = dashboard.kpi_status(value, 0.95, ">=")  # listing: 95 % within 24 h
    assert listing.status == expected and listing.target == "≥ 95.0 %"
    overall = cells["SLA attainment"]  # US's hours differ, its percentile does not
    assert overall.target == "≥ 95.0 %" and overall.status in ("met", "at-risk", "missed")
    assert "within each item type's hours" in overall.why and "95 % interval" in overall.why
    assert cells["P95 turnaround"].status == "none"  # no common SLA hours, no target
    assert cells["Cost per decision"].text.endswith("EUR")  # the recorded currency
    assert [label for label, _ in us.series] == ["Turnaround", "Backlog", "QA error rate"]
    assert all(uri.startswith("data:image/png;base64,") for _, uri in us.series)
    assert uk.series[2] == ("QA error rate", None)  # its quality notebook failed
    register = risk.load_register(ROOT / "data" / "risk_register.yaml")
    top = register.assess().sort_values("rank").head(3)
    assert [line.split()[0] for line in us.risks] == top["risk_id"].tolist()
    # the workbook's queue SLA is a target of that queue's attainment
    [pool] = us.pools
    met = result.pool_summary().set_index(["pool", "kpi"]).loc[("l1_listing", "sla_attainment"),
                                                                "mean"]
    assert pool.label == "l1 listing" and pool.target == "≥ 95.0 %"
    assert pool.status == dashboard.kpi_status(met, 0.95, ">=")
    assert pool.why == "l1 listing queue SLA: 95 % within 24 h"
    # the appendix's summary shows the same cells as rows
    from modlean.evidence.collected import market_records

    rows = dashboard.glance_rows(market_records(folder, read_manifest(folder), "US"))
    shown = [c for c in [*us.cells, *us.pools] if c.text]
    assert [r[1] for r in rows] == [c.text for c in shown]
    assert rows[-1][0] == "SLA attainment, l1 listing queue"


def test_a_pools_own_sla_becomes_targets_of_its_kpis():
    scenario = apply_overrides(preset("UK"), {"pools.l1_listing.sla": {"hours": 12,
                                                                        "percentile": 90}})
    targets = kpi_targets(scenario)
    pool = targets[targets["pool"] == "l1_listing"]
    assert pool[["kpi", "target", "comparison"]].values.tolist() == [["sla_attainment", 0.9, ">="]]
    assert (pool["item_type"] == "").all()  # P90 is not a pool KPI: no turnaround target
    assert not targets[targets["pool"] == ""]["item_type"].eq("").any()


def test_thumbnails_are_small_pngs_of_the_recorded_figures(run_dir):
    import matplotlib.image as image

    folder, _ = run_dir
    nb = nbformat.read(folder / "US" / "02_queue_simulation.ipynb", as_version=4)
    figure = next(r.value for r in iter_records(nb) if r.name == "backlog_chart")
    uri = dashboard.thumbnail(figure, width=200)
    small = image.imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    big = image.imread(io.BytesIO(figure.png))
    assert small.shape[1] == 200 and abs(small.shape[0] / 200 - big.shape[0] / big.shape[1]) < 0.02


def test_the_index_puts_status_and_failures_first_and_states_the_rule(run_dir):
    folder, _ = run_dir
    html = (folder / "index.html").read_text()
    assert html.index('id="status"') < html.index('id="dashboard"') < html.index('id="kpis"')
    status = html[html.index('id="status"'):html.index('id="dashboard"')]
    assert "1 of 6 runs failed" in status
    assert "LogError: data/UK/qa_reviews.csv &lt;missing&gt;" in status
    assert dashboard.STATUS_RULE.split(".")[0] in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "appendix not written yet" in html  # no appendix in the folder yet
    # the table of every figure: money in the recorded currency, names in words
    table = html[html.index('id="kpis"'):]
    assert re.search(r"<td>0\.\d{3} EUR</td>", table)
    assert not code_names(visible_text(html)), code_names(visible_text(html))


# ---------------------------------------------------------------------------- formats


def test_the_command_writes_every_format_and_the_index_links_them(run_dir, capsys):
    from modlean.cli import main

    folder, _ = run_dir
    assert main(["appendix", str(folder), "--market", "US", "--format", "html,docx,md,pdf"]) == 0
    out = capsys.readouterr()
    expected = ["html", "docx", "md"] + (["pdf"] if BROWSER else [])
    assert out.out.split() == [str(folder / f"appendix-US.{f}") for f in expected]
    assert ("PDF skipped" in out.err) is (BROWSER is None)
    if BROWSER:
        assert (folder / "appendix-US.pdf").read_bytes().startswith(b"%PDF")
    html = (folder / "index.html").read_text()
    assert 'href="appendix-US.html"' in html and 'href="appendix-US.docx"' in html
    text = (folder / "appendix-US.html").read_text()
    assert '<nav class="toc"' in text and 'href="#m1-summary"' in text and 'id="m1-s1"' in text
    assert "@media print" in text and "break-before: page" in text
    assert "Money is in EUR, the currency of the simulated scenario" in text
    assert "<h3>At a glance</h3>" in text and "Table 1. Headline KPIs of US" in text
    assert "### At a glance" in (folder / "appendix-US.md").read_text()
    assert main(["appendix", str(folder), "--format", "html,rtf"]) == 2
    assert "format 'rtf'" in capsys.readouterr().err


def test_the_docx_has_word_styles_captions_and_a_contents_field(run_dir):
    import docx

    from modlean.evidence import appendix
    from modlean.evidence.documents import TABLE_STYLE

    folder, _ = run_dir
    doc = docx.Document(str(appendix(folder, market="US", format="docx",
                                     out=folder / "check.docx")))
    styles = [p.style.name for p in doc.paragraphs]
    assert {"Title", "Heading 1", "Heading 2", "Caption"} <= set(styles)
    fields = [f.strip() for f in doc.element.body.xpath(".//w:fldSimple/@w:instr")]
    assert fields[0] == 'TOC \\o "1-2" \\h \\z \\u'
    assert fields.count("SEQ Figure \\* ARABIC") == len(doc.inline_shapes) > 0
    assert fields.count("SEQ Table \\* ARABIC") >= 3
    assert "w:updateFields" in doc.settings.element.xml
    assert all(t.style.name == TABLE_STYLE for t in doc.tables)
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert any("Figure " in p._p.xml and "Turnaround" in p.text for p in captions)
    # each evidence section (Heading 2 under "evidence") with a table has a styled table
    blocks = list(doc.element.body.iterchildren())
    sections, current = {}, None
    for block in blocks:
        style = block.xpath("string(./w:pPr/w:pStyle/@w:val)")
        if style in ("Heading1", "Heading2"):
            current = block.xpath("string(.)") if style == "Heading2" else None
        elif block.tag.endswith("}tbl") and current:
            sections.setdefault(current, []).append(block)
    assert len(sections) >= 3
    # the executive summary opens with the headline KPIs against their targets, a table
    glance = sections["At a glance"][0].xpath("string(./w:tr[1])")
    assert glance == "KPIValueTargetStatus"
    header = doc.tables[0].rows[0]._tr.xml
    assert "w:tblHeader" in header  # the header row repeats on each page


# ---------------------------------------------------------------------------- in a browser


@needs_chromium
def test_chromium_shows_the_index_and_appendix_without_errors_or_overflow(run_dir, tmp_path):
    from chromium_page import LAYOUT, Page

    from modlean.evidence import appendix

    folder, _ = run_dir
    page_file = appendix(folder, market="US", format="html")
    write_index(folder)
    profile = tmp_path / "profile"
    profile.mkdir()
    browser = Page(BROWSER, profile)
    try:
        for name, path in (("index", folder / "index.html"), ("appendix", page_file)):
            for width in (1400, 1280):
                browser.load(path, width)
                layout = browser.evaluate(LAYOUT)
                shot = browser.screenshot(tmp_path / f"{name}-{width}.png")
                assert shot.stat().st_size > 10_000
                assert layout["page"] <= layout["window"], (name, width, layout["page"])
                widest = max(layout["tables"], key=lambda t: t["width"])
                assert widest["width"] <= widest["box"] or widest["scrolls"], (name, widest)
                assert all(t["right"] <= width for t in layout["tables"]), name
            assert browser.errors == [], (name, browser.errors)
        # the appendix's widest table is wider than its box on screen, so it scrolls there
        browser.load(page_file, 1400)
        wide = max(browser.evaluate(LAYOUT)["tables"], key=lambda t: t["width"])
        assert wide["width"] > wide["box"] and wide["scrolls"]
        # printed on A4 (about 720 px between the margins): nothing is clipped
        browser.print_media()
        browser.load(page_file, 720)
        printed = browser.evaluate(LAYOUT)
        browser.screenshot(tmp_path / "appendix-print.png")
        assert all(t["width"] <= t["box"] + 1 for t in printed["tables"]), printed["tables"]
        assert printed["page"] <= 720
        assert browser.errors == []
    finally:
        browser.close()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "appendix-1280.png", "appendix-1400.png", "appendix-print.png", "index-1280.png",
        "index-1400.png"]
