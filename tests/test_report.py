"""Recording results in notebooks, reading them back, and BRD appendices."""

from __future__ import annotations

import base64
import io
import json
import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from modlean.errors import ModleanError, ParameterError
from modlean.evidence import appendices, documents, gather, readable, readback, recording, values

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _bundle(name, value):
    """The display bundle record() publishes in a kernel (same code path)."""
    payload, bundle = recording._encode(name, value)
    bundle[recording.MIME] = payload
    return bundle


def _notebook_with(*records, kind="display_data"):
    nb = new_notebook()
    cell = new_code_cell("...")
    cell.outputs = [new_output("stream", name="stdout", text="noise\n")] + [
        new_output(kind, data=_bundle(n, v), **({"execution_count": 1}
                                                if kind == "execute_result" else {}))
        for n, v in records]
    nb.cells = [new_code_cell("x = 1"), cell]
    return nb


def _figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    return fig


def test_record_outside_a_kernel_keeps_values_in_this_process():
    recording.record("cases", np.int64(700))
    recording.record("rate", 0.25)
    recording.record("missing", float("nan"))
    got = recording.records()
    assert got["cases"] == 700 and type(got["cases"]) is int
    assert got["rate"] == 0.25 and got["missing"] is None


def test_every_kind_survives_a_round_trip_through_a_notebook_file(tmp_path):
    table = pd.DataFrame({"activity": ["a", "b"], "events": [3, 1],
                          "share": [0.75, 0.25]})
    when = pd.Timestamp("2026-03-02T05:25:13Z")
    nb = _notebook_with(("cases", 700), ("when", when), ("flag", True),
                        ("summary", {"a": [1, 2], "b": None}), ("table", table),
                        ("counts", pd.Series({"x": 2, "y": 5}, name="n")), ("fig", _figure()))
    file = tmp_path / "run.ipynb"
    nbformat.write(nb, file)
    got = readback.read_records(file)
    assert list(got) == ["cases", "when", "flag", "summary", "table", "counts", "fig"]
    assert got["cases"] == 700 and got["flag"] is True
    assert got["when"] == "2026-03-02T05:25:13+00:00"
    assert got["summary"] == {"a": [1, 2], "b": None}
    pd.testing.assert_frame_equal(got["table"], table)
    assert got["counts"]["n"].to_dict() == {"x": 2, "y": 5}
    assert isinstance(got["fig"], recording.RecordedFigure)
    assert got["fig"].png.startswith(PNG_MAGIC)
    assert got["fig"].data_uri().startswith("data:image/png;base64,")
    kinds = [r.kind for r in readback.iter_records(file)]
    assert kinds == ["scalar", "scalar", "scalar", "json", "table", "table", "figure"]


def test_the_last_record_of_a_name_wins_and_execute_results_count():
    nb = _notebook_with(("x", 1), ("y", 2), ("x", 3), kind="execute_result")
    assert readback.read_records(nb) == {"y": 2, "x": 3}
    assert [r.value for r in readback.iter_records(nb)] == [1, 2, 3]


def test_a_figure_is_rendered_whatever_the_backend_and_closed():
    fig = _figure()
    number = fig.number
    bundle = _bundle("fig", fig)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert number not in plt.get_fignums()  # the inline backend will not show it again
    assert bundle[recording.MIME] == {"name": "fig", "version": 1, "kind": "figure",
                                   "value": None}


def test_an_axes_or_a_seaborn_grid_records_its_figure():
    import seaborn as sns

    fig = _figure()
    assert base64.b64decode(_bundle("ax", fig.axes[0])["image/png"]).startswith(PNG_MAGIC)
    grid = sns.FacetGrid(pd.DataFrame({"x": [1, 2], "g": ["a", "b"]}), col="g")
    assert _bundle("grid", grid)[recording.MIME]["kind"] == "figure"


def test_scalars_are_shown_formatted_for_readers():
    assert _bundle("n", 1234567)["text/markdown"] == "**n**: 1,234,567"
    assert _bundle("r", 0.123456)["text/plain"] == "r: 0.123"
    assert _bundle("d", 12.345)["text/plain"] == "d: 12.35"
    assert _bundle("none", None)["text/plain"] == "none: —"


@pytest.mark.parametrize(("name", "value", "match"), [
    ("1st", 1, "record name '1st'"),
    ("a b", 1, "record name"),
    ("obj", object(), "cannot record a object"),
    ("nested", {"a": object()}, "inside a dict or list"),
    ("big", pd.DataFrame({"a": range(recording.MAX_TABLE_ROWS + 1)}), "at most 20,000"),
    ("dup", pd.DataFrame([[1, 2]], columns=["a", "a"]), "duplicate column"),
])
def test_bad_records_are_refused_with_the_reason(name, value, match):
    with pytest.raises(ParameterError, match=match):
        recording.record(name, value)


def test_reading_a_missing_or_broken_notebook_is_a_modlean_error(tmp_path):
    with pytest.raises(ModleanError, match="does not exist"):
        readback.read_records(tmp_path / "none.ipynb")
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(ModleanError, match="not a readable notebook"):
        readback.read_records(tmp_path / "bad.ipynb")


def test_strip_outputs_leaves_a_clean_notebook(tmp_path):
    nb = _notebook_with(("x", 1))
    nb.cells[1].execution_count = 4
    nb.metadata["papermill"] = {"parameters": {}}
    file = tmp_path / "n.ipynb"
    nbformat.write(nb, file)
    assert readback.strip_outputs(file) is True
    clean = nbformat.read(file, as_version=4)
    assert all(c.outputs == [] and c.execution_count is None for c in clean.cells)
    assert "papermill" not in clean.metadata
    assert readback.strip_outputs(file) is False


# ---------------------------------------------------------------------------- appendices


@pytest.fixture
def run_dir(tmp_path):
    """A batch run folder made by hand: two markets, one failed run."""
    table = pd.DataFrame({"variant": ["a>b", "a|c"], "cases": [10, 5]})
    for market in ("US", "UK"):
        nb = _notebook_with(("cases", 700 if market == "US" else 600), ("variants", table),
                            ("map", _figure()))
        (tmp_path / market).mkdir()
        nbformat.write(nb, tmp_path / market / "01_x.ipynb")
    runs = [
        {"notebook": "01_x", "market": m, "scenario": None, "status": s, "error": e,
         "error_type": t, "ipynb": f"{m}/01_x.ipynb", "html": None, "kpis": {}}
        for m, s, e, t in (("US", "ok", None, None), ("UK", "failed", "boom", "ValueError"))]
    manifest = {"run": "demo", "status": "failed", "start": "2026-11-22T05:00:00+00:00",
                "end": "2026-11-22T05:01:00+00:00", "command": ["modlean", "batch", "x"],
                "parameters": {"top": "5"}, "seed": 42, "python": "3.11.7",
                "packages": {"pandas": "3.1.1"}, "git": {"commit": "abc123", "dirty": False},
                "runs": runs}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_html_appendix_is_self_contained_with_figures_tables_and_reproduction(run_dir):
    out = appendices.appendix(run_dir, format="html")
    assert out == run_dir / "appendix.html"
    html = out.read_text()
    assert html.count("data:image/png;base64,") == 2
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "Market US" in html and "Market UK" in html
    assert "This run failed: ValueError: boom" in html
    assert "a&gt;b" in html  # table cells escaped
    assert "abc123" in html and "-p top 5" in html and ">42<" in html


def test_markdown_appendix_for_one_market(run_dir):
    out = appendices.appendix(run_dir, market="US", format="md")
    assert out.name == "appendix-US.md"
    text = out.read_text()
    assert "## Market US" in text and "Market UK" not in text
    assert "| Cases in the log | 700 cases |" in text  # the catalogue's label and unit
    assert "| a\\|c | 5 |" in text  # a pipe inside a cell does not break the table
    assert "![Figure 1. map](data:image/png;base64," in text
    assert "- seed: 42" in text


def test_docx_appendix_has_the_pictures_and_tables(run_dir, tmp_path):
    import docx

    out = appendices.appendix(run_dir, format="docx", out=tmp_path / "a.docx")
    doc = docx.Document(io.BytesIO(out.read_bytes()))
    assert len(doc.inline_shapes) == 2
    texts = [p.text for p in doc.paragraphs]
    assert "Market US: executive summary" in texts
    reproduction = {r.cells[0].text: r.cells[1].text for r in doc.tables[-1].rows}
    assert reproduction["Seed"] == "42" and reproduction["Git commit"] == "abc123"
    assert "Caption" in {p.style.name for p in doc.paragraphs}
    assert doc.tables[0].cell(1, 0).text == "Cases in the log"
    assert doc.tables[0].cell(1, 1).text == "700 cases"


def test_pdf_appendix_needs_chromium(run_dir, monkeypatch):
    if documents.chromium() is None:
        with pytest.raises(ModleanError, match="needs Chromium"):
            appendices.appendix(run_dir, format="pdf")
        return
    out = appendices.appendix(run_dir, format="pdf")
    assert out.read_bytes().startswith(b"%PDF")
    monkeypatch.setattr(documents, "chromium", lambda: None)
    with pytest.raises(ModleanError, match="needs Chromium"):
        appendices.appendix(run_dir, format="pdf")


def test_appendix_refuses_unknown_market_format_and_folder(run_dir, tmp_path):
    with pytest.raises(ParameterError, match=r"market 'NO' is not in the run.*US, UK"):
        appendices.appendix(run_dir, market="NO")
    with pytest.raises(ParameterError, match="format 'pptx'"):
        appendices.appendix(run_dir, format="pptx")
    with pytest.raises(ParameterError, match=r"has no manifest\.json"):
        appendices.appendix(tmp_path / "US")


def test_format_helper_matches_the_index_and_appendix():
    assert values.format_value(math.pi) == "3.14"
    assert values.format_value(2_500_000.0) == "2,500,000"
    assert values.format_value(True) == "True"


def test_appendix_command(run_dir, capsys):
    from modlean.cli import main

    assert main(["appendix", str(run_dir), "--market", "UK", "--format", "md"]) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "appendix-UK.md")
    assert main(["appendix", str(run_dir), "--market", "XX"]) == 2
    assert "market 'XX' is not in the run" in capsys.readouterr().err


def test_tables_are_shown_with_their_name_and_readable_numbers():
    html = _bundle("waits", pd.DataFrame({"mean": [12345.678, 0.123456, float("nan")]}))[
        "text/html"]
    assert "<strong>waits</strong>" in html
    assert "12,346" in html and "0.1235" in html and "e+" not in html


# ---------------------------------------------------------------------------- one market


def _with_gatherer(run_dir):
    """Add a US run of a gathering notebook (declares run_dir) and KPIs to the manifest."""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["runs"][0].update(kpis={"cases": 700, "share": 0.5}, seconds=3.0,
                               records=[{"name": "cases"}, {"name": "variants"},
                                        {"name": "map"}])
    manifest["runs"].append({"notebook": "06_gather", "market": "US", "status": "ok",
                             "parameters": {"market": "US", "run_dir": str(run_dir)},
                             "kpis": {"appendices": 1}, "ipynb": "US/06_gather.ipynb"})
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    return run_dir


def test_market_runs_and_key_figures_leave_out_gathering_notebooks(run_dir):
    _with_gatherer(run_dir)
    runs = gather.market_runs(run_dir, "US")
    assert runs[["notebook", "status", "seconds", "records"]].to_dict("records") == [
        {"notebook": "01_x", "status": "ok", "seconds": 3.0, "records": 3}]
    failed = gather.market_runs(run_dir, "UK")
    assert failed["error"].tolist() == ["ValueError: boom"]
    assert gather.key_figures(run_dir, "US").to_dict("records") == [
        {"notebook": "01_x", "name": "cases", "label": "Cases in the log", "value": 700,
         "shown": "700 cases"},
        {"notebook": "01_x", "name": "share", "label": "share", "value": 0.5, "shown": "0.5"}]
    assert gather.market_runs(run_dir, "TH").empty and gather.key_figures(run_dir, "TH").empty


def test_show_results_displays_tables_and_figures_without_recording(run_dir, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda value: shown.append(value))
    before = recording.records()
    gather.show_results(run_dir, "US")
    kinds = [type(v).__name__ for v in shown]
    assert kinds == ["Markdown", "Markdown", "DataFrame", "Markdown", "RecordedFigure"]
    assert "X: ok" in shown[0].data and shown[2]["cases"].tolist() == [10, 5]
    assert shown[1].data == "**Commonest paths (variants)**"  # the catalogue's label
    del shown[:]
    gather.show_results(run_dir, "UK", kinds=("figure",))
    assert [type(v).__name__ for v in shown] == ["Markdown", "Markdown", "Markdown",
                                                 "RecordedFigure"]
    assert shown[1].data == "**Failed:** ValueError: boom"
    gather.show_results(run_dir, "TH")
    assert "No notebook ran for market TH" in shown[-1].data
    assert recording.records() == before


def test_write_appendices_writes_each_format_or_nothing(run_dir):
    paths = appendices.write_appendices(run_dir, "US", ["html", "md"])
    assert paths == [str(run_dir / "appendix-US.html"), str(run_dir / "appendix-US.md")]
    assert all(Path(p).is_file() for p in paths)
    assert appendices.write_appendices(run_dir, "TH") == []
    with pytest.raises(ParameterError, match=r"format 'rtf': expected one or more of html"):
        appendices.write_appendices(run_dir, "US", ["rtf"])
    with pytest.raises(ParameterError, match=r"'dcx': expected .* commas; did you mean 'docx'\?"):
        appendices.write_appendices(run_dir, "US", "html,dcx")


def test_run_status_figure(run_dir):
    from modlean.plots.overview import run_status

    _with_gatherer(run_dir)
    fig = run_status(gather.market_runs(run_dir, "UK"))
    assert fig.axes[0].get_title().endswith("0 ok, 1 failed")
    plt.close(fig)
    fig = run_status(gather.market_runs(run_dir, "US"))
    assert [p.get_width() for p in fig.axes[0].patches] == [3.0]
    plt.close(fig)
    empty = run_status(gather.market_runs(run_dir, "TH"))
    assert "no notebook ran" in empty.axes[0].texts[0].get_text()
    plt.close(empty)


def test_a_share_column_reads_as_a_percentage_in_any_table(root):
    from modlean import process
    from modlean.eventlog import read_log

    activities = process.bottlenecks(read_log(root / "data" / "US" / "events.csv"),
                                     top=5).activities  # as notebook 01 records it
    view = readable.table_view(activities, 10)
    column = view["header"].index("Share")
    shares = [row[column] for row in view["rows"]]
    assert all(re.fullmatch(r"\d+\.\d %", s) for s in shares), shares
    expected = activities["share"].head(10).map(lambda v: f"{100 * v:.1f} %").tolist()
    assert shares == expected
