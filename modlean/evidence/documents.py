"""An appendix as a Word document (python-docx) or a PDF (printed by headless Chromium).

Both take what :func:`modlean.evidence.appendices.appendix_context` gathered (DOCX)
or the HTML rendered from it (PDF); neither reads the run folder itself.
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

__all__ = ["CHROMIUM", "chromium", "docx_appendix", "pdf_from_html"]

#: Where headless Chromium is looked for, for PDF appendices.
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def docx_appendix(context: Mapping[str, Any]) -> bytes:
    """The appendix as a Word document (python-docx), same content as the HTML."""
    try:  # deferred: python-docx is optional and only this format needs it
        import docx
    except ImportError:
        raise ModleanError("a DOCX appendix needs python-docx: pip install python-docx") from None
    doc = docx.Document()
    doc.add_heading(context["title"], level=0)
    status = context["status"]
    doc.add_paragraph(status["text"])
    _bullets(doc, status["problems"])
    doc.add_paragraph(f"Generated {context['generated']}.")
    for market in context["markets"]:
        _docx_summary(doc, market["market"], market["summary"])
        doc.add_heading(f"Market {market['market']}: evidence", level=1)
        for section in market["sections"]:
            _docx_section(doc, section)
        _docx_limits(doc, market["market"], market["limits"])
    if context["included"]:
        doc.add_heading("Command-line results", level=1)
        for section in context["included"]:
            _docx_section(doc, section)
    _docx_reproduction(doc, context["manifest"])
    for market in context["markets"]:
        if market["seeds"]:
            doc.add_paragraph(f"Seeds, {market['market']}: " + "; ".join(
                f"{title} {seed}" for title, seed in market["seeds"]))
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
    if s["readings"]:
        doc.add_heading("Recommendation", level=2)
    for r in s["readings"]:
        doc.add_paragraph().add_run(f"{r['proposal']}: {r['overall']}").bold = True
        _bullets(doc, r["decisive"] + r["changed"])
        if r["unchanged"]:
            doc.add_paragraph(f"No significant difference: {', '.join(r['unchanged'])}.")
        doc.add_paragraph(f"The overall reading is {r['rule']}.")
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
        doc.add_paragraph(view["caption"], style="Caption")
    elif view["kind"] == "table":
        doc.add_paragraph(view["caption"], style="Caption")
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


def _docx_reproduction(doc: Document, manifest: Mapping[str, Any]) -> None:
    """The closing section: what reproduces the run."""
    doc.add_heading("Reproduction", level=1)
    git = manifest.get("git") or {}
    for label, value in (
        ("Command", " ".join(manifest.get("command") or [])),
        ("Parameters", " ".join(f"-p {k} {v}" for k, v in
                                (manifest.get("parameters") or {}).items())),
        ("Seed", "—" if manifest.get("seed") is None else str(manifest["seed"])),
        ("Git commit", (git.get("commit") or "unknown")
         + (" (with uncommitted changes)" if git.get("dirty") else "")),
        ("Python", str(manifest.get("python"))),
        ("Packages", ", ".join(f"{k} {v}" for k, v in (manifest.get("packages") or {}).items())),
    ):
        doc.add_paragraph(f"{label}: {value}")


def _docx_table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


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
