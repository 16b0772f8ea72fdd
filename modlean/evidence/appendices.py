"""BRD appendices: one self-contained document from a batch run folder.

:func:`appendix` turns a run folder (``manifest.json`` and the executed
notebooks) into HTML or Markdown from the Jinja templates in
``templates/appendix/``, DOCX through python-docx or PDF through a headless
Chromium (both in :mod:`modlean.evidence.documents`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.errors import ParameterError
from modlean.evidence.documents import docx_appendix, pdf_from_html
from modlean.evidence.manifest import RunEntry, read_manifest
from modlean.evidence.readable import figure_rows, json_rows, table_view
from modlean.evidence.readback import iter_records, notebook_title
from modlean.evidence.recording import Record
from modlean.evidence.values import format_value
from modlean.kpis import readable
from modlean.resources import template_dirs

__all__ = ["APPENDIX_ROWS", "FORMATS", "appendix", "appendix_context", "write_appendices"]

#: Appendix formats :func:`appendix` writes, and their file suffixes.
FORMATS = {"html": ".html", "md": ".md", "docx": ".docx", "pdf": ".pdf"}
#: Rows of a recorded table shown in an appendix (the notebook keeps them all).
APPENDIX_ROWS = 100


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
        return write_atomic(target, docx_appendix(context))
    if format == "pdf":
        return pdf_from_html(_render_template("html", context), target)
    return write_atomic(target, _render_template(format, context))


def appendix_context(run_dir: Path, market: str | None = None) -> dict[str, Any]:
    """What an appendix shows: the manifest and, per market, each notebook's records."""
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    markets = list(dict.fromkeys(r.market for r in manifest.runs))
    if market is not None and market not in markets:
        raise ParameterError(f"market {market!r} is not in the run {str(run_dir)!r}; it has "
                             f"{', '.join(markets) or 'no runs'}")
    sections = []
    for m in [market] if market else markets:
        items = []
        for run in (r for r in manifest.runs if r.market == m):
            found: dict[str, Record] = {}
            if run.ipynb and (run_dir / run.ipynb).is_file():
                for item in iter_records(run_dir / run.ipynb):
                    found.pop(item.name, None)
                    found[item.name] = item
            items.append({"run": run.to_dict(), "title": _run_title(run, run_dir),
                          "figures": figure_rows(r for r in found.values()
                                                 if r.kind == "scalar"),
                          "others": [_view(r) for r in found.values() if r.kind != "scalar"]})
        sections.append({"market": m, "runs": items})
    title = f"Appendix: {manifest.run}" + (f", {market}" if market else "")
    return {"title": title, "manifest": manifest.to_dict(), "sections": sections,
            "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}


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
    if not read_manifest(run_dir).runs_of(market):
        return []
    return [str(appendix(run_dir, market=market, format=f)) for f in formats]


def _view(item: Record) -> dict[str, Any]:
    """A record made ready for a template: its label, and a figure, a table or labelled rows."""
    view: dict[str, Any] = {"name": item.name, "label": readable(item.name), "kind": item.kind}
    if item.kind == "figure":
        view["uri"] = item.value.data_uri()
        view["png"] = item.value.png
    elif item.kind == "table":
        view.update(table_view(item.value, APPENDIX_ROWS))
    else:  # a dict as labelled rows, a list as one line
        view.update(kind="table", header=["", "Value"], rows=json_rows(item.value), more=0)
        if isinstance(item.value, list):
            view.update(kind="text", text=view["rows"][0][1])
    return view


def _run_title(run: RunEntry, run_dir: Path) -> str:
    """A run's heading: its notebook's title, and the scenario when there is one."""
    title = notebook_title(run_dir / run.ipynb if run.ipynb else None, run.notebook)
    return title + (f" ({run.scenario})" if run.scenario else "")


def _render_template(format: str, context: Mapping[str, Any]) -> str:
    import jinja2  # deferred: only rendering needs it, and the face imports this module

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs("appendix")),
                             autoescape=jinja2.select_autoescape(["html.j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["fmt"] = format_value
    env.filters["mdcell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    return env.get_template(f"appendix.{format}.j2").render(**context)
