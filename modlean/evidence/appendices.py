"""BRD appendices: one self-contained decision document from a batch run folder.

:func:`appendix` turns a run folder (``manifest.json`` and the executed
notebooks) into HTML or Markdown from the Jinja templates in
``templates/appendix/``, DOCX through python-docx or PDF through a headless
Chromium (both in :mod:`modlean.evidence.documents`). For each market it reads:

1. an executive summary (:mod:`~modlean.evidence.summary`): the question, the
   proposal, the recommendation from the decision table's verdicts, cost,
   staffing, risks outside appetite and what the evidence cannot say;
2. evidence sections, one per notebook run and per ``--include`` folder
   (:mod:`~modlean.evidence.includes`), each opening with a finding written from
   its figures (:mod:`~modlean.evidence.findings`), with numbered, captioned
   figures and tables;
3. assumptions and limits (:mod:`~modlean.evidence.limits`);

then how to reproduce it. A run with failed or missing notebooks says so at the top.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modlean._util import count_text, suggest, write_atomic
from modlean.errors import ModleanError, ParameterError
from modlean.evidence.collected import RunRecords, market_records
from modlean.evidence.dashboard import STATUS_RULE, glance_rows
from modlean.evidence.documents import NO_CHROMIUM, chromium, docx_appendix, pdf_from_html
from modlean.evidence.findings import finding
from modlean.evidence.includes import Included, read_included
from modlean.evidence.limits import cannot_say
from modlean.evidence.limits import limits as market_limits
from modlean.evidence.manifest import RunManifest, read_manifest
from modlean.evidence.readable import figure_rows, json_rows, table_view
from modlean.evidence.recording import Record
from modlean.evidence.run_index import write_index
from modlean.evidence.summary import executive_summary
from modlean.evidence.values import format_value
from modlean.kpis import find, readable
from modlean.resources import template_dirs

__all__ = ["APPENDIX_ROWS", "FORMATS", "appendix", "appendix_context", "appendix_files",
           "parse_formats", "write_appendices"]

#: Appendix formats :func:`appendix` writes, and their file suffixes.
FORMATS = {"html": ".html", "md": ".md", "docx": ".docx", "pdf": ".pdf"}
#: Rows of a recorded table shown in an appendix (the notebook keeps them all).
APPENDIX_ROWS = 100


def appendix(run_dir: str | Path, market: str | None = None, format: str = "html",
             out: str | Path | None = None, include: Sequence[str | Path] = ()) -> Path:
    """Write a self-contained BRD appendix from a batch run folder.

    Parameters
    ----------
    run_dir:
        A folder written by ``modlean batch`` (``manifest.json`` and the executed
        notebooks).
    market:
        Only this market (default: every market of the run).
    format:
        ``"html"`` (a table of contents, print CSS: a page break before each part,
        tables that wrap on paper) and ``"md"`` (templates
        ``templates/appendix/appendix.<format>.j2``), ``"docx"`` (python-docx, Word's
        heading, caption and table styles, a table-of-contents field) or ``"pdf"``
        (the HTML printed by a headless Chromium, when one is installed).
    out:
        The file to write (default ``RUN_DIR/appendix[-MARKET].<format>``).
    include:
        ``--out`` folders of ``modlean compare``, ``staff``, ``thresholds``, ``risk``
        or ``calibrate``, each added as a section (a compare folder's decision table
        also feeds the executive summary's recommendation).

    Returns
    -------
    Path
        The file written. Figures are embedded (``data:`` URIs in HTML and
        Markdown, pictures in DOCX); the document ends with the parameters, seed,
        git commit and package versions that reproduce it.

    Raises
    ------
    ModleanError
        For an unknown format or market, a folder that is not a batch run, an
        included folder modlean does not recognise, or PDF without Chromium. Nothing
        is written then.
    """
    written, _ = appendix_files(run_dir, market, [format], out, include)
    return written[0]


def parse_formats(formats: str | Sequence[str]) -> list[str]:
    """``"html,docx"`` (or a list) as the list of formats; unknown ones refused by name."""
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    names = list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        hint = suggest(unknown[0], list(FORMATS)) if unknown else ""
        raise ParameterError(f"appendix format {', '.join(map(repr, unknown)) or 'none given'}"
                             f": expected one or more of {', '.join(FORMATS)}, separated by "
                             f"commas{hint}")
    return names


def appendix_files(run_dir: str | Path, market: str | None = None,
                   formats: str | Sequence[str] = ("html",), out: str | Path | None = None,
                   include: Sequence[str | Path] = ()) -> tuple[list[Path], list[str]]:
    """Write the appendix in several formats from one reading of the run; (files, notes).

    ``formats`` is a list or ``"html,docx,md,pdf"``. ``out`` names the file; with
    several formats each gets its suffix (``--out brief.html`` with ``md`` also writes
    ``brief.md``). PDF needs Chromium: without it, PDF is skipped and a note says so
    (an error when PDF is the only format asked for). When the files go into the run
    folder and it has an ``index.html``, the index is written again so it links them.
    Otherwise as :func:`appendix`.
    """
    names = parse_formats(formats)
    notes = []
    if "pdf" in names and chromium() is None:
        if names == ["pdf"]:
            raise ModleanError(NO_CHROMIUM)
        names.remove("pdf")
        notes.append(f"PDF skipped: {NO_CHROMIUM}")
    folder = Path(run_dir)
    context = appendix_context(folder, market, include)
    written: list[Path] = []
    # PDF first: Chromium is the one step that can fail after the run was read, and then
    # nothing is written; the paths come back in the order asked for
    for name in sorted(names, key=lambda n: n != "pdf"):
        target = (Path(out).with_suffix(FORMATS[name]) if out and len(names) > 1 else
                  Path(out) if out else
                  folder / f"appendix{'-' + market if market else ''}{FORMATS[name]}")
        if name == "docx":
            written.append(write_atomic(target, docx_appendix(context)))
        elif name == "pdf":
            written.append(pdf_from_html(_render_template("html", context), target))
        else:
            written.append(write_atomic(target, _render_template(name, context)))
    written.sort(key=lambda f: names.index(next(n for n in names if f.suffix == FORMATS[n])))
    if (folder / "index.html").is_file() and any(
            f.resolve().parent == folder.resolve() for f in written):
        write_index(folder)
    return written, notes


def appendix_context(run_dir: Path, market: str | None = None,
                     include: Sequence[str | Path] = ()) -> dict[str, Any]:
    """What an appendix shows, per market: the executive summary, the evidence sections,
    the assumptions and limits; then the included folders and the run's status.

    Figures and tables are numbered through the document and captioned from the KPI
    catalogue. See :func:`appendix` for ``include``.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    markets = list(dict.fromkeys([*(r.market for r in manifest.runs),
                                  *(p.get("market") for p in manifest.planned)]))
    if market is not None and market not in markets:
        raise ParameterError(f"market {market!r} is not in the run {str(run_dir)!r}; it has "
                             f"{', '.join(markets) or 'no runs'}")
    included = [read_included(folder) for folder in include]
    decided = [(i.title, i.decision_table) for i in included if i.decision_table is not None]
    numbers = _Numbers()
    sections = []
    for m in [market] if market else markets:
        records = market_records(run_dir, manifest, m)
        limits = market_limits(records)
        summary = executive_summary(records, cannot_say(limits), decided)
        currency = summary["currency"]
        glance = glance_rows(records)
        summary["glance"] = None if not glance else numbers.item(
            {"kind": "table", "header": ["KPI", "Value", "Target", "Status"], "rows": glance,
             "more": 0}, f"Headline KPIs of {m} against the scenario's targets.")
        summary["rule"] = STATUS_RULE
        evidence = [_run_section(run, numbers, currency) for run in records.runs]
        sections.append({"market": m, "summary": summary, "sections": evidence,
                         "limits": _numbered_limits(limits, numbers),
                         "complete": records.complete,
                         "seeds": [[r.title, str(r.run.seed)] for r in records.runs
                                   if r.run.seed is not None],
                         "problems": limits["failed"] + limits["missing"]})
    title = f"Appendix: {manifest.run}" + (f", {market}" if market else "")
    currencies = {s["summary"]["currency"] for s in sections}
    shared = currencies.pop() if len(currencies) == 1 else None
    return {"title": title, "manifest": manifest.to_dict(), "markets": sections,
            "included": [_included_section(i, numbers, shared) for i in included],
            "status": _status(manifest, sections),
            "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}


def _status(manifest: RunManifest, sections: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the appendix rests on a finished run, in words, with what is missing or failed."""
    problems = [f"{s['market']}: {line}" for s in sections for line in s["problems"]]
    markets = {s["market"] for s in sections}
    ran = sum(1 for r in manifest.runs if r.market in markets and r.status == "ok")
    where = ", ".join(s["market"] for s in sections)
    if not problems:
        text = (f"Written from the batch run {manifest.run} started {manifest.start}: every "
                f"notebook planned for {where} ran and succeeded "
                f"({count_text(ran, 'notebook run')}).")
    else:
        text = (f"This appendix is incomplete: {len(problems)} notebook run(s) of {where} "
                "failed or had not run when it was written, so the evidence below lacks "
                "their results.")
    return {"complete": not problems, "text": text, "problems": problems}


class _Numbers:
    """Figure and table numbers, counted through the whole document."""

    def __init__(self) -> None:
        self.figure = 0
        self.table = 0

    def item(self, view: dict[str, Any], caption: str) -> dict[str, Any]:
        """``view`` with its number and caption ("Table 3. Decision table ...")."""
        if view["kind"] == "figure":
            self.figure += 1
            view.update(number=self.figure, caption=f"Figure {self.figure}. {caption}")
        elif view["kind"] == "table":
            self.table += 1
            view.update(number=self.table, caption=f"Table {self.table}. {caption}")
        else:
            view.update(number=None, caption=caption)
        return view


def _caption(name: str) -> str:
    """A record's caption: its catalogue label and one-line definition."""
    entry = find(name)
    if entry is None:
        return readable(name)
    return f"{entry.label}. {entry.definition}" if entry.definition else entry.label


def _run_section(run: RunRecords, numbers: _Numbers, currency: str | None) -> dict[str, Any]:
    """One notebook run as an evidence section: finding, key figures, numbered items."""
    failed = None if run.run.ok else f"{run.run.error_type}: {run.run.error}"
    values = {n: r.value for n, r in run.records.items()}
    items = []
    scalars = [r for r in run.records.values()
               if r.kind == "scalar" and not r.name.startswith("skipped_")]
    if scalars:
        items.append(numbers.item({"kind": "table", "header": ["Figure", "Value"],
                                   "rows": figure_rows(scalars, currency), "more": 0},
                                  f"Key figures of {run.title.lower()}."))
    for r in run.records.values():
        if r.kind != "scalar":
            items.append(numbers.item(_view(r, currency), _caption(r.name)))
    return {"title": run.title, "finding": finding(values, failed=failed), "failed": failed,
            "items": items}


def _included_section(item: Included, numbers: _Numbers, currency: str | None
                      ) -> dict[str, Any]:
    """An included ``--out`` folder as a section like a notebook's (money in ``currency``
    when every market of the appendix has the same)."""
    return {"title": item.title, "finding": item.finding, "failed": None,
            "items": [numbers.item(_view(r, currency), caption)
                      for caption, r in item.records]}


def _numbered_limits(limits: dict[str, Any], numbers: _Numbers) -> dict[str, Any]:
    """The limits section with its tables numbered and captioned."""
    out = dict(limits)
    if limits["assumptions"] is not None:
        out["assumptions"] = numbers.item({"kind": "table", **limits["assumptions"]},
                                          _caption("assumptions"))
    if limits["likelihood"] is not None:
        out["likelihood"] = numbers.item({"kind": "table", **limits["likelihood"]},
                                         _caption("likelihood_evidence"))
    return out


def write_appendices(run_dir: str | Path, market: str,
                     formats: str | Sequence[str] = ("html", "docx")) -> list[str]:
    """Write the BRD appendix of ``market`` in each format; the paths written.

    Nothing is written (an empty list) when the run has no notebook run of that
    market. PDF is skipped without Chromium. See :func:`appendix_files`.
    """
    names = parse_formats(formats)
    if not read_manifest(run_dir).runs_of(market):
        return []
    written, _ = appendix_files(run_dir, market=market, formats=names)
    return [str(f) for f in written]


def _view(item: Record, currency: str | None = None) -> dict[str, Any]:
    """A record made ready for a template: its label, and a figure, a table or labelled rows."""
    view: dict[str, Any] = {"name": item.name, "label": readable(item.name), "kind": item.kind}
    if item.kind == "figure":
        view["uri"] = item.value.data_uri()
        view["png"] = item.value.png
    elif item.kind == "table":
        view.update(table_view(item.value, APPENDIX_ROWS, currency))
    else:  # a dict as labelled rows, a list as one line
        view.update(kind="table", header=["", "Value"], rows=json_rows(item.value, currency),
                    more=0)
        if isinstance(item.value, list):
            view.update(kind="text", text=view["rows"][0][1])
    return view


def _render_template(format: str, context: Mapping[str, Any]) -> str:
    import jinja2  # deferred: only rendering needs it, and the face imports this module

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs("appendix")),
                             autoescape=jinja2.select_autoescape(["html.j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["fmt"] = format_value
    env.filters["mdcell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    return env.get_template(f"appendix.{format}.j2").render(**context)
