"""The papermill batch: markets x notebooks, failures kept, evidence collected.

Kernel start-up costs a few seconds per notebook, so one batch (three markets,
one failing) is run once per module and inspected by several tests.
"""

from __future__ import annotations

import ast
import gc
import json
import re
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from modlean.cli import main
from modlean.errors import ParameterError
from modlean.evidence import batch, execute, notebook_parameters, read_records

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Per-notebook parameters that keep a test run small (text, as `modlean batch -p` passes).
SMALL_PARAMETERS: dict[str, dict[str, str]] = {
    "01_process_discovery": {"top_activities": "5", "top_variants": "3"},
    "02_queue_simulation": {"horizon_days": "1", "warmup_days": "0", "drain_days": "1",
                            "replications": "2", "top_variants": "3"},
    "03_sop_change_test": {"horizon_days": "1", "warmup_days": "0", "drain_days": "1",
                           "replications": "2", "staff_replications": "1",
                           "staff_evaluations": "1", "staff_horizon_days": "1",
                           "sensitivity_parameters": "headcount"},
    "05_risk_assessment": {"replications": "1", "loss_runs": "1000", "today": "2026-03-22"},
}
#: The sample market each notebook runs for (07 needs an EU market with a DSA mapping).
SAMPLE_MARKET = {"07_dsa_reporting": "DE"}

TINY = [
    new_markdown_cell("# Tiny: a notebook for batch tests"),
    new_code_cell('market = "US"\nvendor = "1"\nfail_markets = ""',
                  metadata={"tags": ["parameters"]}),
    new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "from modlean.evidence.params import Ident, Items, Market, validate\n"
        "from modlean.evidence.recording import record\n"
        'params = validate(globals(), {"market": Market(), "vendor": Ident(), '
        '"fail_markets": Items(Market())})'),
    new_code_cell('record("vendor", params.vendor)\nrecord("market_code", params.market)\n'
                  'from modlean.evidence.kernels import in_batch\nrecord("in_batch", in_batch())'),
    new_code_cell("if params.market in params.fail_markets:\n"
                  '    raise RuntimeError(f"market {params.market} fails on purpose")'),
    new_code_cell('fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nrecord("line", fig)'),
    new_code_cell("fig2, ax2 = plt.subplots()\nax2.bar(['a'], [1])\nplt.show()"),
]


def tiny_notebook(folder: Path, name: str = "tiny.ipynb") -> Path:
    nb = new_notebook(cells=TINY)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    """`modlean batch` over US, UK and XX (XX fails), with MPLBACKEND=Agg inherited."""
    folder = tmp_path_factory.mktemp("batch")
    notebook = tiny_notebook(folder)
    out = folder / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("MPLBACKEND", "Agg")  # what drops inline figures unless the runner guards
    try:
        code = main(["batch", str(notebook), "--markets", "US,UK,XX", "--out", str(out),
                     "--workers", "2", "-p", "vendor", "0123", "-p", "fail_markets", "XX,NO",
                     "--quiet"])
    finally:
        mp.undo()
    return code, out


def test_a_failing_market_does_not_stop_the_others_and_the_exit_code_says_so(failing_run):
    code, out = failing_run
    assert code == 1
    manifest = json.loads((out / "manifest.json").read_text())
    status = {r["market"]: r["status"] for r in manifest["runs"]}
    assert status == {"US": "ok", "UK": "ok", "XX": "failed"}
    assert manifest["status"] == "failed"
    failed = next(r for r in manifest["runs"] if r["market"] == "XX")
    assert failed["error_type"] == "RuntimeError"
    assert failed["error"] == "market XX fails on purpose"
    # its partly executed notebook is kept, with the error and what ran before it
    kept = nbformat.read(out / failed["ipynb"], as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].evalue == "market XX fails on purpose"
    assert read_records(kept) == {"vendor": "0123", "market_code": "XX", "in_batch": True}


def test_parameters_pass_as_text_so_ids_keep_their_zeros(failing_run):
    _, out = failing_run
    manifest = json.loads((out / "manifest.json").read_text())
    us = next(r for r in manifest["runs"] if r["market"] == "US")
    assert us["kpis"] == {"vendor": "0123", "market_code": "US", "in_batch": True}
    assert us["parameters"] == {"market": "US", "vendor": "0123", "fail_markets": "XX,NO"}
    assert [r["name"] for r in us["records"]] == ["vendor", "market_code", "in_batch", "line"]


def test_manifest_records_what_reproduces_the_run(failing_run):
    _, out = failing_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"] == {"vendor": "0123", "fail_markets": "XX,NO"}
    command = " ".join(manifest["command"])
    assert command.startswith("modlean batch ") and command.endswith(
        f"tiny.ipynb --markets US,UK,XX -p vendor 0123 -p fail_markets XX,NO --out {out} "
        "--workers 2")
    assert manifest["packages"]["papermill"] and manifest["packages"]["pandas"]
    assert manifest["executable"].endswith("python") or "python" in manifest["executable"]
    assert manifest["start"] <= manifest["end"]
    assert manifest["executor"] == {"scheduler": None, "workers": 2, "transport": "ipc"}
    assert "commit" in manifest["git"]
    for run in manifest["runs"]:
        assert run["start"] <= run["end"] and run["seconds"] > 0
        assert run["kernel_attempts"] == 1


def test_figures_are_in_the_notebook_even_with_mplbackend_agg_inherited(failing_run):
    _, out = failing_run
    nb = nbformat.read(out / "US" / "tiny.ipynb", as_version=4)
    images = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    sources = [c.source for c in nb.cells]
    recorded = next(i for i, s in enumerate(sources) if 'record("line"' in s)
    plain = next(i for i, s in enumerate(sources) if "ax2.bar" in s)
    assert recorded in images  # rendered by record() itself
    assert plain in images  # shown by the inline backend: the MPLBACKEND guard works


def test_html_reports_are_offline_with_code_hidden_and_figures_embedded(failing_run):
    _, out = failing_run
    html = (out / "US" / "tiny.html").read_text()
    assert "data:image/png;base64," in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "fig2, ax2" not in html  # code hidden
    failed = (out / "XX" / "tiny.html").read_text()
    assert "market XX fails on purpose" in failed


def test_index_lists_every_run_and_marks_the_failure(failing_run):
    _, out = failing_run
    html = (out / "index.html").read_text()
    rows = re.findall(r'<tr class="(ok|failed)" data-market="(\w+)"', html)
    assert rows == [("ok", "US"), ("ok", "UK"), ("failed", "XX")]
    assert "RuntimeError: market XX fails on purpose" in html
    links = re.findall(r'href="([^"]+\.(?:html|ipynb))"', html)
    assert len(links) == 6
    assert all((out / link).is_file() for link in links)


def test_writes_are_atomic_no_temporary_files_are_left(failing_run):
    _, out = failing_run
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize(("args", "match"), [
    (["--markets", "US", "-p", "vendr", "1"], "unknown parameter 'vendr'.*did you mean 'vendor'"),
    (["--markets", "../US"], "market '../US'"),
    (["--markets", "US,us"], "given twice"),
    (["--markets", "US", "-p", "market", "UK"], "set per run by the batch"),
    (["--markets", "US", "-p", "run_dir", "x"], "set per run by the batch"),
    (["--markets", "US", "--scenarios", "base,fast"], "no notebook declares a 'scenario'"),
])
def test_bad_batch_input_is_refused_before_any_kernel_starts(tmp_path, capsys, args, match):
    notebook = tiny_notebook(tmp_path)
    code = main(["batch", str(notebook), "--out", str(tmp_path / "out"), "--quiet", *args])
    assert code == 2
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_the_sample_workbook_lists_the_sample_markets_and_batch_checks_markets_against_it(
        tmp_path, capsys):
    from modlean.workbook import load_workbook

    book = load_workbook(ROOT / "data" / "workbook.yaml")
    assert list(book.markets) == ["US", "UK", "ID", "MY", "TH", "DE"]
    assert all(m.has("qa") and m.has("register") and m.has("sop") for m in book.markets.values())
    code = main(["batch", str(NOTEBOOKS[0]), "--workbook", str(ROOT / "data" / "workbook.yaml"),
                 "--markets", "US,Uk", "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    assert "no market 'Uk' in markets; did you mean 'UK'?" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_batch_on_a_workbook_passes_it_and_runs_in_its_folder(tmp_path):
    from modlean.evidence import plan_runs

    specs = plan_runs(NOTEBOOKS[:2], ["UK"], out=tmp_path / "out",
                      workbook=ROOT / "data" / "workbook.yaml")
    assert {s.cwd for s in specs} == {str(ROOT / "data")}
    assert all(s.parameters["workbook"] == str(ROOT / "data" / "workbook.yaml") for s in specs)
    with pytest.raises(ParameterError, match="set per run by the batch"):
        plan_runs(NOTEBOOKS[:1], ["UK"], out=tmp_path / "o", parameters={"workbook": "x"})


def test_parameters_file_is_read_without_yaml_type_guessing(tmp_path):
    from modlean.cli.batch import read_parameters_file

    file = tmp_path / "p.yaml"
    file.write_text("vendor: 0123\nfail_markets: [US, NO]\nflag: yes\n")
    assert read_parameters_file(file) == {"vendor": "0123", "fail_markets": ["US", "NO"],
                                          "flag": "yes"}


def test_a_kernel_that_fails_to_start_is_retried_with_a_log_line(tmp_path, monkeypatch, caplog):
    real = execute.kernel_manager_class
    starts = {"n": 0}

    def flaky(folder=None, log_file=None):
        base = real(folder, log_file)

        class Flaky(base):
            async def start_kernel(self, **kw):
                starts["n"] += 1
                if starts["n"] == 1:
                    raise RuntimeError("Kernel died before replying to kernel_info")
                return await super().start_kernel(**kw)

        return Flaky

    monkeypatch.setattr(execute, "kernel_manager_class", flaky)
    result = batch.run_batch([tiny_notebook(tmp_path)], ["US"], out=tmp_path / "out",
                             workers=1, progress=False, transport="tcp")
    assert result.ok, result.runs
    run = result.runs[0]
    assert run["kernel_attempts"] == 2
    assert "did not start" in run["notes"][0] and "retrying" in run["notes"][0]
    assert any("did not start" in r.getMessage() for r in caplog.records)
    with warnings.catch_warnings():  # nbclient leaves the failed start's coroutine behind
        warnings.simplefilter("ignore", RuntimeWarning)
        gc.collect()


def test_a_notebook_declaring_run_dir_runs_last_and_sees_the_others_results(tmp_path):
    gather = new_notebook(cells=[
        new_markdown_cell("# Gather"),
        new_code_cell('market = "US"\nrun_dir = ""', metadata={"tags": ["parameters"]}),
        new_code_cell("from modlean.evidence.manifest import load_manifest\n"
                      "from modlean.evidence.params import FilePath, Market, validate\n"
                      "from modlean.evidence.recording import record\n"
                      'params = validate(globals(), {"market": Market(), '
                      '"run_dir": FilePath(exists=True)})\n'
                      'record("runs_before", [r["notebook"] for r in '
                      'load_manifest(params.run_dir)["runs"]])'),
    ])
    nbformat.write(gather, tmp_path / "a_gather.ipynb")
    result = batch.run_batch([tmp_path / "a_gather.ipynb", tiny_notebook(tmp_path)], ["US"],
                             out=tmp_path / "out", workers=1, progress=False)
    assert [r["notebook"] for r in result.runs] == ["a_gather", "tiny"]  # listed as given
    assert result.ok, result.failed
    seen = read_records(tmp_path / "out" / "US" / "a_gather.ipynb")["runs_before"]
    assert seen == ["tiny"]
    assert result.runs[0]["parameters"]["run_dir"] == str((tmp_path / "out").resolve())


def test_scenarios_run_per_market_into_their_own_folders(tmp_path):
    nb = new_notebook(cells=[
        new_markdown_cell("# Per scenario"),
        new_code_cell('market = "US"\nscenario = "base"', metadata={"tags": ["parameters"]}),
        new_code_cell("from modlean.evidence.params import Market, Text, validate\n"
                      "from modlean.evidence.recording import record\n"
                      'params = validate(globals(), {"market": Market(), "scenario": Text()})\n'
                      'record("scenario_seen", params.scenario)'),
    ])
    nbformat.write(nb, tmp_path / "per.ipynb")
    (tmp_path / "fast.yaml").write_text("name: fast\n")
    result = batch.run_batch([tmp_path / "per.ipynb"], ["US"], out=tmp_path / "out",
                             scenarios=["base", str(tmp_path / "fast.yaml")], workers=2,
                             progress=False)
    assert result.ok, result.failed
    assert [(r["scenario"], r["ipynb"]) for r in result.runs] == [
        ("base", "US/base/per.ipynb"), ("fast", "US/fast/per.ipynb")]
    assert result.runs[1]["kpis"]["scenario_seen"] == str((tmp_path / "fast.yaml").resolve())
    assert "<th class=\"text\">scenario</th>" in result.index.read_text()


def test_a_calibrated_scenario_per_market_runs_instead_of_the_preset(tmp_path):
    from modlean.scenario import preset, to_yaml

    folder = tmp_path / "calibrated"
    for market in ("UK", "MY"):
        to_yaml(preset(market, overrides={"name": f"{market} calibrated"}),
                folder / f"{market}.yaml")
    notebook = ROOT / "notebooks" / "02_queue_simulation.ipynb"
    result = batch.run_batch([notebook], ["UK", "MY"], out=tmp_path / "out",
                             scenarios=[str(folder / "{market}.yaml")],
                             parameters=SMALL_PARAMETERS["02_queue_simulation"], workers=2,
                             progress=False)
    assert result.ok, result.failed
    assert [(r["market"], r["scenario"]) for r in result.runs] == [("UK", "calibrated"),
                                                                   ("MY", "calibrated")]
    assert [r["kpis"]["scenario"] for r in result.runs] == ["UK calibrated", "MY calibrated"]


# papermill in a Dask worker *thread* (the in-process cluster of this test) leaves an
# unawaited nbclient coroutine behind; process workers, the real deployment, do not.
@pytest.mark.filterwarnings("ignore:coroutine 'NotebookClient.async_start_new_kernel'")
def test_the_dask_path_runs_the_same_batch_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    notebook = tiny_notebook(tmp_path)
    # an in-process cluster starts in a second; the runs reach it by its tcp:// address
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp", dashboard_address=None) as cluster:
        result = batch.run_batch([notebook], ["US", "XX"], out=tmp_path / "out",
                                 scheduler=cluster.scheduler_address,
                                 parameters={"fail_markets": "XX"}, progress=False)
    assert [r["status"] for r in result.runs] == ["ok", "failed"]
    assert result.manifest["executor"]["scheduler"].startswith("tcp://")
    assert read_records(tmp_path / "out" / "US" / "tiny.ipynb")["market_code"] == "US"


# ---------------------------------------------------------------------------- notebooks/


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean_with_one_parameters_cell_and_no_logic(notebook):
    nb = nbformat.read(notebook, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and (c.outputs or c.execution_count is not None)]
    assert not dirty, (f"{notebook.name}: cells {dirty} have outputs; run "
                       "python -c \"import modlean.evidence.readback as r; "
                       f"r.strip_outputs('{notebook}')\"")
    assert "market" in notebook_parameters(nb)  # exactly one parameters cell, plain literals
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "**Question answered:**" in nb.cells[0].source
    logic = (ast.For, ast.While, ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
             ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.BinOp, ast.If)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            found = [type(n).__name__ for n in ast.walk(ast.parse(cell.source))
                     if isinstance(n, logic)]
            assert not found, f"{notebook.name} cell {i}: {found}; move that code into modlean"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_through_papermill_with_small_parameters(notebook, tmp_path):
    result = batch.run_batch([notebook], [SAMPLE_MARKET.get(notebook.stem, "US")], out=tmp_path,
                             parameters=SMALL_PARAMETERS.get(notebook.stem, {}), workers=1,
                             progress=False)
    run = result.runs[0]
    assert run["status"] == "ok", f"{run['error_type']}: {run['error']}"
    nb = nbformat.read(tmp_path / run["ipynb"], as_version=4)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert run["kpis"], "the notebook records no key figure"
    assert (tmp_path / run["html"]).is_file()
