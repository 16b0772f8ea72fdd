"""The harmonised transparency report (Implementing Regulation (EU) 2024/2835, Annex I) from a log.

:func:`transparency_report` fills the quantitative parts an online marketplace
reports from its decision log, for one period:

- ``4_notices`` (DSA Art. 15(1)(b), 16), ``5_own_initiative_illegal`` and
  ``6_own_initiative_TC`` (Art. 15(1)(c)): :mod:`modlean.dsa.report_measures`;
- ``7_appeals_and_recidivism`` (Art. 15(1)(d), 20, 21, 23):
  :mod:`modlean.dsa.report_appeals`;
- ``8_automated_means`` (Art. 15(1)(e)): :mod:`modlean.dsa.report_automation`.

What a restriction is, its ground, category and kind come from the statement
mapping (:mod:`modlean.dsa.mapping`), so the report and the statements of
reasons agree. A figure the log cannot support is left empty and listed in
``not_supported`` with the reason; it is never filled with an assumption.
:meth:`TransparencyReport.csv_texts` gives each part as an RFC 4180 UTF-8 CSV.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from modlean.dsa.annex import annex
from modlean.dsa.mapping import Mapping
from modlean.dsa.report_appeals import appeals_table, complaints
from modlean.dsa.report_automation import automation_table
from modlean.dsa.report_cases import case_facts
from modlean.dsa.report_measures import ILLEGAL, TERMS, notices_table, own_initiative_table
from modlean.errors import LogError, ParameterError

__all__ = ["NOT_SUPPORTED_COLUMNS", "PARTS", "TransparencyReport", "period_of", "report_columns",
           "report_period", "transparency_report"]

#: The parts, by file stem, with what a reader calls them and the DSA articles behind them.
PARTS = {
    "4_notices": "Notices received (Art. 15(1)(b), Art. 16)",
    "5_own_initiative_illegal": "Own-initiative measures on illegal content (Art. 15(1)(c))",
    "6_own_initiative_TC": "Own-initiative measures under the terms and conditions "
                           "(Art. 15(1)(c))",
    "7_appeals_and_recidivism": "Complaints, out-of-court disputes and suspensions "
                                "(Art. 15(1)(d), 20, 21, 23)",
    "8_automated_means": "Use of automated means (Art. 15(1)(e))",
}
#: Columns of :attr:`TransparencyReport.not_supported`.
NOT_SUPPORTED_COLUMNS = ["table", "row", "column", "reason"]
_CORE = ["case_id", "activity", "timestamp", "decision", "item_type"]


@dataclass(frozen=True)
class TransparencyReport:
    """The report's parts (file stem -> table with the template's labels) and its gaps."""

    period: str
    service: str
    tables: dict[str, pd.DataFrame]
    not_supported: pd.DataFrame

    def csv_texts(self) -> dict[str, str]:
        """File name -> RFC 4180 CSV text (CRLF, quotes where needed), one per part and the gaps."""
        texts = {f"{stem}.csv": table.to_csv(index=False, lineterminator="\r\n")
                 for stem, table in self.tables.items()}
        texts["not_supported.csv"] = self.not_supported.to_csv(index=False,
                                                               lineterminator="\r\n")
        return texts

    def summary(self) -> dict[str, object]:
        """The headline figures for a reader: TOTAL rows, complaints, automated share."""
        def total(stem: str, column: str) -> int:
            return int(self.tables[stem].iloc[0][column])

        notices = annex().notices["figures"][0]
        measures = annex().own_initiative["figures"][0]
        part7 = self.tables["7_appeals_and_recidivism"]
        part8 = self.tables["8_automated_means"].iloc[:2]
        solely, other = (int(v) for v in part8["Value"])
        complaints_ = part7.iloc[:6].set_index("Scope")["Value"]
        return {
            "period": self.period, "notices": total("4_notices", notices),
            "own_initiative_illegal": total("5_own_initiative_illegal", measures),
            "own_initiative_terms": total("6_own_initiative_TC", measures),
            "measures_solely_automated": solely, "measures_not_automated": other,
            "automated_share": round(solely / (solely + other), 4) if solely + other else None,
            "complaints": int(complaints_["Total number"]),
            "complaints_reversed": int(complaints_["Decisions reversed"]),
            "complaint_median_hours": complaints_["Median time"],
            "not_supported": len(self.not_supported),
        }


def report_period(start: str, end: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """``(first instant, first instant after, "YYYY-MM-DD/YYYY-MM-DD")`` of a period of UTC days.

    Both days are included. Raises ParameterError on an unreadable day or an end
    before the start.
    """
    days = []
    for name, text in (("--from", start), ("--to", end)):
        try:
            day = pd.Timestamp(str(text))
        except ValueError:
            day = None
        if day is None or pd.isna(day) or day != day.normalize():
            raise ParameterError(f"{name}: found {text!r}; expected a day as YYYY-MM-DD")
        days.append(day.tz_localize("UTC") if day.tzinfo is None else day.tz_convert("UTC"))
    if days[1] < days[0]:
        raise ParameterError(f"--to {end} is before --from {start}; expected a period whose "
                             "last day is on or after its first")
    label = f"{days[0]:%Y-%m-%d}/{days[1]:%Y-%m-%d}"
    return days[0], days[1] + pd.Timedelta(days=1), label


def period_of(log: pd.DataFrame, start: str = "", end: str = "") -> tuple[str, str]:
    """The report's first and last UTC day as ``YYYY-MM-DD``: ``start`` and ``end`` when
    given, else the log's first and last event day (a notebook's blank parameters)."""
    if "timestamp" not in log.columns or log["timestamp"].isna().all():
        raise ParameterError("the log has no timestamps; expected a canonical event log")
    first, last = log["timestamp"].min(), log["timestamp"].max()
    return (str(start).strip() or f"{first.tz_convert('UTC'):%Y-%m-%d}",
            str(end).strip() or f"{last.tz_convert('UTC'):%Y-%m-%d}")


def report_columns(mapping: Mapping) -> dict[str, list[str]]:
    """The log columns each part needs (``resource or pool`` where a decider is looked up)."""
    core = _CORE + ([mapping.source_column] if mapping.source_column else [])
    decider = [*core, "resource or pool"]
    return {"4_notices": core, "5_own_initiative_illegal": decider,
            "6_own_initiative_TC": decider, "7_appeals_and_recidivism": core,
            "8_automated_means": decider}


def _check_columns(log: pd.DataFrame, mapping: Mapping, source: str) -> None:
    present = set(log.columns)
    if {"resource", "pool"} & present:
        present.add("resource or pool")
    lacking = {stem: [c for c in needed if c not in present]
               for stem, needed in report_columns(mapping).items()}
    lacking = {stem: cols for stem, cols in lacking.items() if cols}
    if lacking:
        lines = "; ".join(f"the table '{stem}' needs the columns {', '.join(cols)}"
                          for stem, cols in lacking.items())
        raise LogError(f"{lines}, which the log lacks (it has "
                       f"{', '.join(map(str, log.columns))})", source=source,
                       hint="a log of one market without a market column: give --market CODE; "
                       "else import the export with a profile that maps them, or name them "
                       "with --map")


def transparency_report(log: pd.DataFrame, mapping: Mapping, start: str, end: str, *,
                        qa: pd.DataFrame | None = None, source: str = "the log"
                        ) -> TransparencyReport:
    """The Annex I parts 4 to 8 for the UTC days ``start`` to ``end`` (both included).

    ``qa`` is a QA table (:func:`modlean.quality.read_qa`); its checks of
    automated decisions give part 8's accuracy, precision and recall.

    Raises
    ------
    LogError
        The log lacks columns a part needs (each part named with its missing columns).
    ParameterError
        An unreadable day or an end before the start.
    """
    first, after, period = report_period(start, end)
    _check_columns(log, mapping, source)
    facts = case_facts(log, mapping)
    service = mapping.platform_name
    tables: dict[str, pd.DataFrame] = {}
    gaps: list[dict[str, str]] = []
    tables["4_notices"], more = notices_table(facts, first, after, service=service,
                                              period=period)
    gaps += more
    for stem, ground in (("5_own_initiative_illegal", ILLEGAL), ("6_own_initiative_TC", TERMS)):
        tables[stem], more = own_initiative_table(facts, first, after, ground, service=service,
                                                  period=period)
        gaps += more
    appealed = complaints(log, facts, mapping)
    for stem, (rows, more) in (
            ("7_appeals_and_recidivism", appeals_table(appealed, log, facts, mapping, first,
                                                      after)),
            ("8_automated_means", automation_table(facts, appealed, qa, mapping, first,
                                                   after))):
        table = pd.DataFrame(rows, dtype=object)  # ints stay ints beside empty cells
        table.insert(1, "Service", service)
        table.insert(2, "Reporting period", period)
        tables[stem] = table[annex().indicator_columns]
        gaps += more
    return TransparencyReport(period, service, tables,
                              pd.DataFrame(gaps, columns=NOT_SUPPORTED_COLUMNS))
