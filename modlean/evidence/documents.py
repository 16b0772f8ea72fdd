"""An appendix as a Word document (python-docx) or a PDF (printed by headless Chromium).

Both take what :func:`modlean.evidence.appendices.appendix_context` gathered (DOCX)
or the HTML rendered from it (PDF); neither reads the run folder itself.

The Word document is made to be pasted into a BRD template: Word's own styles
(``Title``, ``Heading 1``/``Heading 2``, ``Caption``, ``List Bullet`` and a table
style), so the template's look replaces ours; a table-of-contents field (Word fills
it when the file opens, it asks to update fields); captions numbered by ``SEQ Figure``
and ``SEQ Table`` fields, so they renumber in the BRD and a list of figures works;
table header rows repeat on each page.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean._util import write_atomic
from modlean.errors import ModleanError

if TYPE_CHECKING:
    from docx.document import Document

__all__ = ["CHROMIUM", "NO_CHROMIUM", "TABLE_STYLE", "chromium", "docx_appendix", "pdf_from_html"]

#: Where headless Chromium is looked for, for PDF appendices.
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
#: What a PDF without Chromium is told.
NO_CHROMIUM = ("a PDF appendix needs Chromium (Debian: apt-get install chromium), which is not "
               "installed; write --format html and print it to PDF from a browser instead")
#: The Word table style of every table (one of python-docx's default template's styles).
TABLE_STYLE = "Light Grid Accent 1"


def docx_appendix(context: Mapping[str, Any]) -> bytes:
    """The appendix as a Word document (python-docx), same content as the HTML."""
    try:  # deferred: python-docx is optional and only this format needs it
        import docx
    except ImportError:
        raise ModleanError("a DOCX appendix needs python-docx: pip install python-docx") from None
    doc = docx.Document()
    doc.add_heading(context["title"], level=0)
    _docx_toc(doc)
    status = context["status"]
    doc.add_paragraph(status["text"])
    _bullets(doc, status["problems"])
    doc.add_paragraph(f"Generated {context['generated']}.")
    for market in context["markets"]:
        _docx_summary(doc, market["market"], market["summary"])
        doc.add_heading(f"Market {market['market']}: evidence", level=1)
        doc.add_paragraph(market["summary"]["currency_note"])
        for section in market["sections"]:
            _docx_section(doc, section)
        _docx_limits(doc, market["market"], market["limits"])
    if context["included"]:
        doc.add_heading("Command-line results", level=1)
        for section in context["included"]:
            _docx_section(doc, section)
    _docx_reproduction(doc, context["manifest"], context["markets"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _bullets(doc: Document, lines: list[str]) -> None:
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")


def _docx_summary(doc: Document, market: str, s: Mapping[str, Any]) -> None:
    """The executive summary: question, changes, recommendation, cost, risks, limits."""
    doc.add_heading(f"Market {market}: executive summary", level=1)
    doc.add_heading("The question", level=2)
    doc.add_paragraph(s["question"] + (f" The proposal: {s['description']}."
                                       if s["description"] else ""))
    _bullets(doc, s["changes"])
    if s.get("glance"):
        doc.add_heading("At a glance", level=2)
        _docx_item(doc, s["glance"], None)
        doc.add_paragraph(s["rule"])
    if s["readings"]:
        doc.add_heading("Recommendation", level=2)
    for r in s["readings"]:
        where = f" ({r['where']})" if len(s["readings"]) > 1 else ""
        head = doc.add_paragraph()
        head.add_run(f"{r['proposal']}: {r['overall']}{where}").bold = True
        if r.get("note"):
            head.add_run(f": {r['note']}")
        _bullets(doc, r["decisive"] + r["changed"])
        if r["unchanged"]:
            doc.add_paragraph(f"No significant difference: {', '.join(r['unchanged'])}.")
        doc.add_paragraph(f"Each change is the proposal minus the baseline, {r['basis']}, with "
                          f"its 95 % interval. The overall reading is {r['rule']}.")
    for title, lines in (("Cost and staffing", s["cost"] + s["staffing"]),
                         ("Risks", s["risks"]),
                         ("What the evidence cannot say", s["cannot_say"])):
        if lines:
            doc.add_heading(title, level=2)
            _bullets(doc, lines)


def _docx_section(doc: Document, section: Mapping[str, Any]) -> None:
    """An evidence section: heading, finding, numbered tables and figures."""
    from docx.shared import Inches  # deferred with python-docx above

    doc.add_heading(section["title"], level=2)
    doc.add_paragraph().add_run(section["finding"]).bold = True
    if section["failed"]:
        doc.add_paragraph(f"This run failed: {section['failed']}")
    for view in section["items"]:
        _docx_item(doc, view, Inches(6))


def _docx_item(doc: Document, view: Mapping[str, Any], width: Any) -> None:
    if view["kind"] == "figure":
        doc.add_picture(io.BytesIO(view["png"]), width=width)
        _docx_caption(doc, "Figure", view)
    elif view["kind"] == "table":
        _docx_caption(doc, "Table", view)
        _docx_table(doc, view["header"], view["rows"])
        if view["more"]:
            doc.add_paragraph(f"... and {view['more']:,} more rows in the notebook.")
    else:
        doc.add_paragraph(f"{view['caption']}: {view['text']}")


def _docx_limits(doc: Document, market: str, limits: Mapping[str, Any]) -> None:
    doc.add_heading(f"Market {market}: assumptions and limits", level=1)
    _bullets(doc, limits["short"] + limits["skipped"] + limits["failed"] + limits["missing"]
             + limits["likelihood_notes"])
    for name in ("assumptions", "likelihood"):
        if limits[name] is not None:
            _docx_item(doc, limits[name], None)
    if limits["calibrated"] is False:
        doc.add_paragraph("The scenario was not calibrated from this market's log: it is a "
                          "scenario file or a preset, so its numbers are assumptions, not "
                          "measurements.")


def _docx_reproduction(doc: Document, manifest: Mapping[str, Any],
                       markets: list[Mapping[str, Any]]) -> None:
    """The closing section: what reproduces the run, as a two-column table."""
    doc.add_heading("Reproduction", level=1)
    git = manifest.get("git") or {}
    rows = [[label, value] for label, value in (
        ("Command", " ".join(manifest.get("command") or [])),
        ("Parameters", " ".join(f"-p {k} {v}" for k, v in
                                (manifest.get("parameters") or {}).items())),
        ("Seed", "—" if manifest.get("seed") is None else str(manifest["seed"])),
        ("Git commit", (git.get("commit") or "unknown")
         + (" (with uncommitted changes)" if git.get("dirty") else "")),
        ("Python", str(manifest.get("python"))),
        ("Packages", ", ".join(f"{k} {v}" for k, v in (manifest.get("packages") or {}).items())),
    )]
    rows += [[f"Seeds, {m['market']}", "; ".join(f"{title} {seed}" for title, seed in m["seeds"])]
             for m in markets if m["seeds"]]
    _docx_table(doc, ["", "Value"], rows)


def _docx_table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    """A table in :data:`TABLE_STYLE`; its header row repeats on each printed page."""
    from docx.oxml import OxmlElement  # deferred with python-docx above
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    first = table.rows[0]
    header_flag = OxmlElement("w:tblHeader")
    header_flag.set(qn("w:val"), "true")
    first._tr.get_or_add_trPr().append(header_flag)
    for cell, text in zip(first.cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


def _docx_field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (``TOC ...``, ``SEQ Figure ...``) in ``paragraph``, showing ``shown``
    until Word updates it."""
    from docx.oxml import OxmlElement  # deferred with python-docx above
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _docx_toc(doc: Document) -> None:
    """A table of contents (headings 1-2) that Word fills in when the file opens."""
    from docx.oxml import OxmlElement  # deferred with python-docx above
    from docx.oxml.ns import qn

    doc.add_paragraph("Contents", style="TOC Heading")
    _docx_field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
                "The table of contents appears when Word updates the fields (F9).")
    update = OxmlElement("w:updateFields")  # Word asks to update the fields on opening
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _docx_caption(doc: Document, kind: str, view: Mapping[str, Any]) -> None:
    """A caption ("Figure 3. ...") in the Caption style; its number is a ``SEQ`` field."""
    paragraph = doc.add_paragraph(style="Caption")
    number = view.get("number")
    if number is None:
        paragraph.add_run(view["caption"])
        return
    prefix = f"{kind} {number}. "
    text = view["caption"]
    paragraph.add_run(f"{kind} ")
    _docx_field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
    paragraph.add_run(". " + (text[len(prefix):] if text.startswith(prefix) else text))


def chromium() -> str | None:
    """The path of a headless-capable Chromium, or None."""
    return next((c for c in CHROMIUM if Path(c).exists()), None) or shutil.which("chromium")


def pdf_from_html(html: str, target: Path) -> Path:
    """Print ``html`` to a PDF file with headless Chromium; the file written.

    Raises
    ------
    ModleanError
        When Chromium is not installed or writes no PDF.
    """
    browser = chromium()
    if browser is None:
        raise ModleanError(NO_CHROMIUM)
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
