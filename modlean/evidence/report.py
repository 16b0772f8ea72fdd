"""Record results inside notebooks, read them back, and render BRD appendices.

How recording works
-------------------
``record(name, value)`` displays one output whose bundle carries a custom MIME
type, :data:`MIME` (``application/vnd.modlean.record+json``), next to the usual
representations, so the executed ``.ipynb`` file *is* the record:

* a number, text, date or ``None`` (kind ``scalar``) -> ``{"name", "kind", "value"}``
  plus ``text/plain`` and ``text/markdown`` (``**name**: value``);
* a dict or list of such values (kind ``json``);
* a pandas DataFrame or Series (kind ``table``) -> the table as JSON
  (``orient="table"``, types kept) plus ``text/html`` for readers;
* a matplotlib Figure (kind ``figure``) -> ``image/png`` rendered by ``savefig``
  (so the picture is there whatever the matplotlib backend) and the figure is
  closed, so the inline backend does not show it a second time.

:func:`read_records` reads those outputs back from an executed notebook (a path
or an nbformat notebook), in order; a later record of the same name replaces an
earlier one. Nothing else in the notebook is parsed. Jupyter front ends ignore
the unknown MIME type and show the ordinary representation. Outside a kernel
(plain Python, tests), records are kept in this process: see :func:`records`.

Appendices
----------
:func:`appendix` turns a batch run folder (``manifest.json`` and the executed
notebooks) into one self-contained document: HTML or Markdown from the Jinja
templates in ``templates/appendix/``, DOCX through python-docx, PDF through a
headless Chromium when one is installed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.errors import ModleanError, ParameterError
from modlean.resources import template_dirs

__all__ = [
    "FORMATS",
    "MIME",
    "Record",
    "RecordedFigure",
    "appendix",
    "appendix_context",
    "chromium",
    "iter_records",
    "key_figures",
    "market_runs",
    "read_records",
    "record",
    "records",
    "show_results",
    "strip_outputs",
    "write_appendices",
]

#: The MIME type of a record in a notebook output bundle.
MIME = "application/vnd.modlean.record+json"
#: Version of the record payload, stored in every record.
RECORD_VERSION = 1
#: Largest table (rows) :func:`record` accepts: records are evidence, not data dumps.
MAX_TABLE_ROWS = 20_000

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$")
_RECORDED: dict[str, Any] = {}


@dataclass(frozen=True)
class RecordedFigure:
    """A figure read back from a notebook: its PNG bytes (shown as an image in Jupyter)."""

    name: str
    png: bytes = field(repr=False)

    def _repr_png_(self) -> bytes:
        return self.png

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI, for self-contained HTML and Markdown."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Record:
    """One recorded result: its name, kind (scalar, json, table, figure), value, cell."""

    name: str
    kind: str
    value: Any
    cell: int | None = None


# ---------------------------------------------------------------------------- recording


def record(name: str, value: Any) -> None:
    """Record a result under ``name`` so the batch runner and appendices can read it back.

    Parameters
    ----------
    name:
        A short id: a letter, then letters, digits, ``_``, ``.`` or ``-`` (at most 80).
        It becomes a column of the batch index and a heading of the appendix.
    value:
        A number, text, date, ``None``, a dict/list of those, a pandas DataFrame or
        Series, or a matplotlib Figure (an Axes or a seaborn grid records its figure).

    Returns ``None`` on purpose, so a ``record(...)`` as the last line of a cell
    does not show the value twice.

    Raises
    ------
    ParameterError
        For a bad name or a value of another type.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ParameterError(f"record name {name!r}: expected a letter, then letters, digits, "
                             "'_', '.' or '-' (at most 80 characters)")
    payload, bundle = _encode(name, value)
    _RECORDED[name] = _decode(payload, bundle)
    bundle[MIME] = payload
    _publish(bundle)


def records() -> dict[str, Any]:
    """What :func:`record` recorded in this process so far (name -> value), in order."""
    return dict(_RECORDED)


def _publish(bundle: dict[str, Any]) -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:
        return
    from IPython.display import publish_display_data

    publish_display_data(bundle)


def _encode(name: str, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record payload and the ordinary display bundle for ``value``."""
    base = {"name": name, "version": RECORD_VERSION}
    if not _is_figure(value) and _is_figure(getattr(value, "figure", None)):
        value = value.figure  # an Axes or a seaborn grid: record the whole figure
    if _is_figure(value):
        png = _figure_png(value)
        return ({**base, "kind": "figure", "value": None},
                {"image/png": base64.b64encode(png).decode("ascii"),
                 "text/plain": f"<figure {name}>"})
    table = _as_frame(value)
    if table is not None:
        if len(table) > MAX_TABLE_ROWS:
            raise ParameterError(f"record {name!r}: a table of {len(table):,} rows; expected at "
                                 f"most {MAX_TABLE_ROWS:,} (record a summary instead)")
        return ({**base, "kind": "table", "value": _table_json(name, table)},
                {"text/html": _table_html(name, table),
                 "text/plain": f"{name}:\n{table.to_string(max_rows=30)}"})
    scalar = _scalar(value)
    if scalar is not _NOT_SCALAR:
        shown = _format(scalar)
        return ({**base, "kind": "scalar", "value": scalar},
                {"text/plain": f"{name}: {shown}", "text/markdown": f"**{name}**: {shown}"})
    if isinstance(value, Mapping | list | tuple):
        data = _jsonable(name, value)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        return ({**base, "kind": "json", "value": data},
                {"text/plain": f"{name}: {text if len(text) < 2000 else text[:2000] + ' ...'}"})
    raise ParameterError(f"record {name!r}: cannot record a {type(value).__name__}; expected a "
                         "number, text, date, DataFrame/Series, matplotlib Figure, or a "
                         "dict/list of numbers and text")


def _is_figure(value: Any) -> bool:
    return type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig")


def _figure_png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)  # otherwise the inline backend shows it once more at the end of the cell
    return buffer.getvalue()


def _as_frame(value: Any) -> Any:
    if type(value).__module__.split(".")[0] != "pandas":
        return None
    import pandas as pd

    if isinstance(value, pd.Series):
        return value.to_frame(name=value.name if value.name is not None else "value")
    return value if isinstance(value, pd.DataFrame) else None


def _float_cell(value: float) -> str:
    """A float in a shown table: 12,345 and 0.1235 and 3.5, never 1.2e+04."""
    if not math.isfinite(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _table_html(name: str, table: Any) -> str:
    import html

    body = table.to_html(max_rows=60, border=0, classes="modlean-table",
                         float_format=_float_cell)
    return (f'<div class="modlean-record"><p><strong>{html.escape(name)}</strong></p>'
            f'<div style="overflow-x: auto">{body}</div></div>')


def _table_json(name: str, table: Any) -> dict[str, Any]:
    frame = table.copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise ParameterError(f"record {name!r}: the table has duplicate column names "
                             f"{sorted(set(frame.columns[frame.columns.duplicated()]))}")
    if frame.index.name in frame.columns or any(n in frame.columns for n in frame.index.names):
        frame = frame.reset_index(drop=True)
    return json.loads(frame.to_json(orient="table", date_format="iso", default_handler=str))


_NOT_SCALAR = object()


def _scalar(value: Any) -> Any:
    """A JSON scalar for ``value``, or ``_NOT_SCALAR``."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    module = type(value).__module__.split(".")[0]
    if module == "numpy" and getattr(value, "ndim", 1) == 0 and hasattr(value, "item"):
        return _scalar(value.item())
    if isinstance(value, _dt.datetime | _dt.date) or (module == "pandas"
                                                      and hasattr(value, "isoformat")):
        return value.isoformat()
    if isinstance(value, _dt.timedelta) or (module == "pandas" and hasattr(value, "total_seconds")):
        return str(value)
    return _NOT_SCALAR


def _jsonable(name: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(name, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(name, v) for v in value]
    scalar = _scalar(value)
    if scalar is _NOT_SCALAR:
        raise ParameterError(f"record {name!r}: cannot record a {type(value).__name__} inside "
                             "a dict or list; expected numbers, text, dates or None")
    return scalar


def _format(value: Any) -> str:
    """A value as a reader sees it: 1,234 and 0.123 and 12.3."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != 0 and abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"


# ---------------------------------------------------------------------------- reading back


def _decode(payload: Mapping[str, Any], bundle: Mapping[str, Any]) -> Any:
    kind = payload.get("kind")
    if kind == "figure":
        data = bundle.get("image/png", "")
        if isinstance(data, list):  # nbformat may keep multi-line strings as lists
            data = "".join(data)
        return RecordedFigure(str(payload.get("name")), base64.b64decode(data))
    if kind == "table":
        import pandas as pd

        return pd.read_json(io.StringIO(json.dumps(payload["value"])), orient="table")
    return payload.get("value")


def _load(notebook: Any) -> Any:
    if hasattr(notebook, "cells"):
        return notebook
    import nbformat

    file = Path(notebook)
    try:
        return nbformat.read(file, as_version=4)
    except FileNotFoundError:
        raise ModleanError(f"notebook {str(file)!r} does not exist") from None
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise ModleanError(f"notebook {str(file)!r} is not a readable notebook: {exc}") from None


def iter_records(notebook: Any) -> list[Record]:
    """Every record in an executed notebook, in output order (repeated names included).

    ``notebook`` is a path to an ``.ipynb`` file or an nbformat notebook.
    """
    nb = _load(notebook)
    found: list[Record] = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if output.get("output_type") in (
                "display_data", "execute_result") else {}
            payload = data.get(MIME)
            if isinstance(payload, str):
                payload = json.loads(payload)
            if isinstance(payload, Mapping) and "name" in payload:
                found.append(Record(str(payload["name"]), str(payload.get("kind")),
                                    _decode(payload, data), index))
    return found


def read_records(notebook: Any) -> dict[str, Any]:
    """The results recorded in an executed notebook: name -> value, in recording order.

    Scalars come back as numbers or text, tables as DataFrames, figures as
    :class:`RecordedFigure` (PNG bytes, shown as an image in Jupyter). When a
    name was recorded more than once, the last value wins.
    """
    result: dict[str, Any] = {}
    for item in iter_records(notebook):
        result.pop(item.name, None)
        result[item.name] = item.value
    return result


def strip_outputs(notebook: str | Path) -> bool:
    """Remove outputs, execution counts and run metadata from a notebook file, in place.

    Notebooks are kept in git without outputs (tests check it); run this after
    editing one in JupyterLab. Returns True when the file changed.
    """
    import nbformat

    file = Path(notebook)
    nb = _load(file)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            cell.get("metadata", {}).pop(key, None)
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    after = nbformat.writes(nb)
    if after != before:
        write_atomic(file, after + ("" if after.endswith("\n") else "\n"))
    return after != before


# ---------------------------------------------------------------------------- appendices


#: Appendix formats :func:`appendix` writes, and their file suffixes.
FORMATS = {"html": ".html", "md": ".md", "docx": ".docx", "pdf": ".pdf"}
#: Rows of a recorded table shown in an appendix (the notebook keeps them all).
APPENDIX_ROWS = 100
#: Where headless Chromium is looked for, for PDF appendices.
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def appendix(run_dir: str | Path, market: str | None = None, format: str = "html",
             out: str | Path | None = None) -> Path:
    """Write a self-contained BRD appendix from a batch run folder.

    Parameters
    ----------
    run_dir:
        A folder written by ``modlean batch`` (``manifest.json`` and the executed
        notebooks).
    market:
        Only this market (default: every market of the run).
    format:
        ``"html"`` and ``"md"`` (templates ``templates/appendix/appendix.<format>.j2``),
        ``"docx"`` (python-docx, same content) or ``"pdf"`` (the HTML printed by a
        headless Chromium, when one is installed).
    out:
        The file to write (default ``RUN_DIR/appendix[-MARKET].<format>``).

    Returns
    -------
    Path
        The file written. Figures are embedded (``data:`` URIs in HTML and
        Markdown, pictures in DOCX); the document ends with the parameters, seed,
        git commit and package versions that reproduce it.

    Raises
    ------
    ModleanError
        For an unknown format or market, a folder that is not a batch run, or PDF
        without Chromium.
    """
    if format not in FORMATS:
        raise ParameterError(f"appendix format {format!r}: expected one of {', '.join(FORMATS)}")
    folder = Path(run_dir)
    context = appendix_context(folder, market)
    target = Path(out) if out else folder / (
        f"appendix{'-' + market if market else ''}{FORMATS[format]}")
    if format == "docx":
        return write_atomic(target, _docx(context))
    if format == "pdf":
        return _pdf(_render_template("html", context), target)
    return write_atomic(target, _render_template(format, context))


def appendix_context(run_dir: Path, market: str | None = None) -> dict[str, Any]:
    """What an appendix shows: the manifest and, per market, each notebook's records."""
    from modlean.evidence.batch import load_manifest

    manifest = load_manifest(run_dir)
    runs = manifest["runs"]
    markets = list(dict.fromkeys(r["market"] for r in runs))
    if market is not None and market not in markets:
        raise ParameterError(f"market {market!r} is not in the run {str(run_dir)!r}; it has "
                             f"{', '.join(markets) or 'no runs'}")
    sections = []
    for m in [market] if market else markets:
        items = []
        for run in (r for r in runs if r["market"] == m):
            found: dict[str, Record] = {}
            if run.get("ipynb") and (run_dir / run["ipynb"]).is_file():
                for item in iter_records(run_dir / run["ipynb"]):
                    found.pop(item.name, None)
                    found[item.name] = item
            items.append({"run": run, "scalars": [r for r in found.values() if r.kind == "scalar"],
                          "others": [_view(r) for r in found.values() if r.kind != "scalar"]})
        sections.append({"market": m, "runs": items})
    title = f"Appendix: {manifest.get('run', run_dir.name)}" + (f", {market}" if market else "")
    return {"title": title, "manifest": manifest, "sections": sections,
            "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}


# ---------------------------------------------------------------- gathering one market


def _gathered_runs(run_dir: str | Path, market: str) -> list[dict[str, Any]]:
    """The runs of ``market`` in a run folder, leaving out gathering notebooks (run_dir)."""
    from modlean.evidence.batch import load_manifest

    runs = load_manifest(run_dir)["runs"]
    return [r for r in runs if r.get("market") == market
            and "run_dir" not in (r.get("parameters") or {})]


def market_runs(run_dir: str | Path, market: str) -> Any:
    """One row per notebook run of ``market`` in a batch run folder.

    Columns: ``notebook``, ``scenario``, ``status``, ``seconds``, ``records`` (how many
    results it recorded), ``error`` (type and message of a failed run) and ``html``
    (the report's path inside the run folder). Gathering notebooks (those declaring
    ``run_dir``, such as the appendix notebook itself) are left out.
    """
    import pandas as pd

    rows = [{"notebook": r["notebook"], "scenario": r.get("scenario"), "status": r["status"],
             "seconds": r.get("seconds"), "records": len(r.get("records") or []),
             "error": (f"{r.get('error_type')}: {r.get('error')}" if r["status"] != "ok"
                       else ""),
             "html": r.get("html") or ""}
            for r in _gathered_runs(run_dir, market)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "status", "seconds", "records",
                                       "error", "html"])


def key_figures(run_dir: str | Path, market: str) -> Any:
    """The key figures (scalar records) of every notebook run of ``market``, as a table.

    Columns ``notebook``, ``name``, ``value`` (as recorded: number or text), in the order
    the notebooks and their records ran.
    """
    import pandas as pd

    rows = [{"notebook": r["notebook"], "name": name, "value": value}
            for r in _gathered_runs(run_dir, market)
            for name, value in (r.get("kpis") or {}).items()]
    return pd.DataFrame(rows, columns=["notebook", "name", "value"])


def show_results(run_dir: str | Path, market: str, *,
                 kinds: tuple[str, ...] = ("table", "figure"), max_rows: int = 30) -> None:
    """Display in the notebook what every run of ``market`` recorded, notebook by notebook.

    A heading per notebook (with its status), then each recorded table (first
    ``max_rows`` rows) and figure, in recording order. Nothing is recorded again,
    so an appendix of the run folder does not show them twice.
    """
    import pandas as pd
    from IPython.display import Markdown, display

    folder = Path(run_dir)
    runs = _gathered_runs(folder, market)
    if not runs:
        display(Markdown(f"*No notebook ran for market {market} in `{folder}`.*"))
        return
    for run in runs:  # a handful of notebooks
        title = run["notebook"] + (f" ({run['scenario']})" if run.get("scenario") else "")
        display(Markdown(f"### {title}: {run['status']}"))
        if run["status"] != "ok":
            display(Markdown(f"**Failed:** {run.get('error_type')}: {run.get('error')}"))
        path = folder / run["ipynb"] if run.get("ipynb") else None
        if path is None or not path.is_file():
            continue
        for name, value in read_records(path).items():
            kind = ("figure" if isinstance(value, RecordedFigure) else
                    "table" if isinstance(value, pd.DataFrame | pd.Series) else "other")
            if kind not in kinds:
                continue
            display(Markdown(f"**{name}**"))
            display(value.head(max_rows) if kind == "table" else value)


def write_appendices(run_dir: str | Path, market: str,
                     formats: tuple[str, ...] | list[str] = ("html", "docx")) -> list[str]:
    """Write the BRD appendix of ``market`` in each format; the paths written.

    Nothing is written (an empty list) when the run has no notebook run of that
    market. See :func:`appendix`.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ParameterError(f"appendix formats {unknown}: expected some of "
                             f"{', '.join(FORMATS)}")
    if not _gathered_runs(run_dir, market):
        return []
    return [str(appendix(run_dir, market=market, format=f)) for f in formats]


def _view(item: Record) -> dict[str, Any]:
    """A record made ready for a template: tables as header + formatted rows."""
    view: dict[str, Any] = {"name": item.name, "kind": item.kind}
    if item.kind == "figure":
        view["uri"] = item.value.data_uri()
        view["png"] = item.value.png
    elif item.kind == "table":
        frame = item.value
        shown = frame.head(APPENDIX_ROWS)
        index = [str(i) for i in shown.index] if not _plain_index(shown) else None
        view["header"] = ([frame.index.name or ""] if index else []) + [str(c) for c in frame]
        view["rows"] = [([index[i]] if index else []) + [_format(_cell(v)) for v in row]
                        for i, row in enumerate(shown.itertuples(index=False))]
        view["more"] = max(0, len(frame) - APPENDIX_ROWS)
    else:
        view["text"] = json.dumps(item.value, ensure_ascii=False, indent=1)
    return view


def _plain_index(frame: Any) -> bool:
    import pandas as pd

    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _cell(value: Any) -> Any:
    scalar = _scalar(value)
    return str(value) if scalar is _NOT_SCALAR else scalar


def _render_template(format: str, context: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs("appendix")),
                             autoescape=jinja2.select_autoescape(["html.j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["fmt"] = _format
    env.filters["mdcell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    return env.get_template(f"appendix.{format}.j2").render(**context)


def _docx(context: Mapping[str, Any]) -> bytes:
    """The appendix as a Word document (python-docx), same content as the HTML."""
    try:
        import docx
        from docx.shared import Inches
    except ImportError:
        raise ModleanError("a DOCX appendix needs python-docx: pip install python-docx") from None
    doc = docx.Document()
    doc.add_heading(context["title"], level=0)
    manifest = context["manifest"]
    doc.add_paragraph(f"Generated {context['generated']} from the batch run started "
                      f"{manifest.get('start')}.")
    for section in context["sections"]:
        doc.add_heading(f"Market {section['market']}", level=1)
        for item in section["runs"]:
            run = item["run"]
            doc.add_heading(run["notebook"] + (f" ({run['scenario']})" if run.get("scenario")
                                               else ""), level=2)
            if run["status"] != "ok":
                doc.add_paragraph(f"This run failed: {run['error_type']}: {run['error']}")
            if item["scalars"]:
                _docx_table(doc, ["figure", "value"],
                            [[r.name, _format(r.value)] for r in item["scalars"]])
            for view in item["others"]:
                doc.add_heading(view["name"], level=3)
                if view["kind"] == "figure":
                    doc.add_picture(io.BytesIO(view["png"]), width=Inches(6))
                elif view["kind"] == "table":
                    _docx_table(doc, view["header"], view["rows"])
                    if view["more"]:
                        doc.add_paragraph(f"... and {view['more']:,} more rows in the notebook.")
                else:
                    doc.add_paragraph(view["text"])
    doc.add_heading("How to reproduce", level=1)
    git = manifest.get("git") or {}
    for label, value in (
        ("Command", " ".join(manifest.get("command") or [])),
        ("Parameters", json.dumps(manifest.get("parameters", {}), ensure_ascii=False)),
        ("Seed", "—" if manifest.get("seed") is None else str(manifest["seed"])),
        ("Git commit", (git.get("commit") or "unknown")
         + (" (with uncommitted changes)" if git.get("dirty") else "")),
        ("Python", str(manifest.get("python"))),
        ("Packages", ", ".join(f"{k} {v}" for k, v in (manifest.get("packages") or {}).items())),
    ):
        doc.add_paragraph(f"{label}: {value}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


def chromium() -> str | None:
    """The path of a headless-capable Chromium, or None."""
    import shutil

    return next((c for c in CHROMIUM if Path(c).exists()), None) or shutil.which("chromium")


def _pdf(html: str, target: Path) -> Path:
    import subprocess
    import tempfile

    browser = chromium()
    if browser is None:
        raise ModleanError("a PDF appendix needs Chromium (Debian: apt-get install chromium), "
                           "which is not installed; write --format html and print it to PDF "
                           "from a browser instead")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="modlean-pdf-") as tmp:
        page = Path(tmp) / "appendix.html"
        page.write_text(html, encoding="utf-8")
        pdf = Path(tmp) / "appendix.pdf"
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp}/p",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
        if not pdf.exists():
            raise ModleanError(f"Chromium did not write the PDF (exit {done.returncode}): "
                               f"{done.stderr.strip()[-500:]}")
        return write_atomic(target, pdf.read_bytes())
