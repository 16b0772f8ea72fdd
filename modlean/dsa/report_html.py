"""The transparency report as a readable HTML section, for the appendix or a notebook.

:func:`report_html` states the period, the service and the units, shows each
part with the rows that hold a figure (the CSV files keep every row of the
template), and ends with the list of what the log cannot support, so a reader
sees the gaps beside the figures.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from modlean.dsa.annex import TOTAL
from modlean.dsa.report import PARTS

if TYPE_CHECKING:
    from modlean.dsa.report import TransparencyReport

__all__ = ["report_html", "shown_rows"]

UNITS = ("Counts are numbers of notices, measures or complaints; median times are in hours; "
         "accuracy, precision and recall are shares from 0 to 1 estimated from QA samples, "
         "with 95% Wilson intervals in their contextual information.")


def shown_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a part worth reading: TOTAL and rows with a non-zero figure; no empty column.

    Parts 7 and 8 (one indicator per row) are shown whole.
    """
    if "Value" in table:
        return table.drop(columns=["Applicability", "Service", "Reporting period"])
    figures = table.iloc[:, 5:]
    figures = figures.loc[:, ~figures.columns.str.startswith("Contextual")]
    filled = figures.apply(pd.to_numeric, errors="coerce").fillna(0).ne(0).any(axis=1)
    keep = filled | table.iloc[:, 3].eq(TOTAL)
    shown = table.loc[keep].drop(columns=["Applicability", "Service", "Reporting period"])
    empty = shown.columns[shown.apply(lambda c: c.isna().all() or c.eq("").all())]
    return shown.drop(columns=empty)


def report_html(report: TransparencyReport, *, heading_level: int = 2) -> str:
    """An HTML section (no page around it): period, units, each part, then the gaps."""
    h, sub = f"h{heading_level}", f"h{heading_level + 1}"
    parts = ["<section class=\"dsa-transparency-report\">",
             f"<{h}>DSA transparency report: {html.escape(report.service or 'the service')}, "
             f"{html.escape(report.period)}</{h}>",
             f"<p>Reporting period {html.escape(report.period)} (UTC days, both included). "
             f"{html.escape(UNITS)} Empty cells are figures the log cannot support; they are "
             "listed at the end.</p>"]
    for stem, table in report.tables.items():
        parts.append(f"<{sub}>{html.escape(PARTS[stem])}</{sub}>")
        parts.append(shown_rows(table).to_html(index=False, na_rep="", border=0,
                                               classes="dsa-table"))
    parts.append(f"<{sub}>Not supported by the log</{sub}>")
    if report.not_supported.empty:
        parts.append("<p>Every figure of these parts is computed from the log.</p>")
    else:
        parts.append(report.not_supported.to_html(index=False, border=0, classes="dsa-table"))
    parts.append("</section>")
    return "\n".join(parts)
