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
            doc.add_heading(item["title"], level=2)
            if run["status"] != "ok":
                doc.add_paragraph(f"This run failed: {run['error_type']}: {run['error']}")
            if item["figures"]:
                _docx_table(doc, ["Figure", "Value"], item["figures"])
            for view in item["others"]:
                doc.add_heading(view["label"], level=3)
                if view["kind"] == "figure":
                    doc.add_picture(io.BytesIO(view["png"]), width=Inches(6))
                elif view["kind"] == "table":
                    _docx_table(doc, view["header"], view["rows"])
                    if view["more"]:
                        doc.add_paragraph(f"... and {view['more']:,} more rows in the notebook.")
                else:
                    doc.add_paragraph(view["text"])
    _docx_reproduction(doc, manifest)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_reproduction(doc: Document, manifest: Mapping[str, Any]) -> None:
    """The closing section: what reproduces the run."""
    doc.add_heading("How to reproduce", level=1)
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
