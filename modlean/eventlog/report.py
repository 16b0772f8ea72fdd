"""The mapping report of an import: what was read, made, dropped and assumed.

:class:`MappingReport` is returned by :func:`~modlean.eventlog.intake.import_export`
and printed by ``modlean import``: a tidy table (``section``, ``item``,
``value``, ``note``) so nothing is dropped silently, and the warnings (each with
a code and, where it has one, a share) that a user must read before trusting the log.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from modlean.eventlog.values import LogWarning

__all__ = ["QA_WARNING_CODES", "WARNING_CODES", "MappingReport", "ReportWarning"]

#: Every warning code a report can carry, with what it means.
WARNING_CODES: dict[str, str] = {
    "assigned_overlap": "tasks picked up before the same agent closed the previous one: "
                        "the 'started' column probably means assigned",
    "single_event_cases": "most cases have one event: the log cannot be mined as a process",
    "flag_like_activity": "the column mapped to the activity looks like a flag (few values)",
    "closed_before_created": "tasks closed before they were created (dropped)",
    "started_after_closed": "tasks started after they were closed (dropped)",
    "dangling_link": "parent keys not in the file (those tickets are their own root)",
    "cyclic_link": "tickets whose links form a cycle (dropped)",
    "default_timezone": "times without an offset were read as UTC: no time zone was stated",
    "unpaired_status": "many starts of a status history found no complete (or completes no "
                       "start): the statuses: map may name the wrong start or complete",
    "long_workday": "one resource worked more hours in a day than a person can: a shared "
                    "login, so per-reviewer figures and seat counts are not per person",
    "looks_not_person": "a login looks like a bot, the system or a seller but the profile's "
                        "resources: does not map it, so it is counted as a reviewer",
    "resource_not_found": "a login the profile's resources: maps is not in the export",
}
#: The warning codes of a QA file's import (eventlog.import_qa), besides ``default_timezone``.
QA_WARNING_CODES: dict[str, str] = {
    "qa_key_not_found": "QA checks naming a ticket (or case) the log does not hold: left "
                        "out of the QA table",
    "qa_no_decision": "QA checks of work with no decision logged at or before the QA time: "
                      "left out of the QA table",
    "qa_empty_verdict": "QA rows without a verdict: left out of the QA table",
}


@dataclass(frozen=True)
class ReportWarning:
    """One warning of a mapping report."""

    code: str
    message: str
    #: the share of tasks, cases or rows concerned (0..1), when the warning has one
    share: float | None = None

    def __str__(self) -> str:
        share = f" ({self.share:.0%})" if self.share is not None else ""
        return f"[{self.code}]{share} {self.message}"


@dataclass
class MappingReport:
    """What an import read, made and dropped, as a table and as warnings."""

    source: str
    rows: list[tuple[str, str, object, str]] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)

    def add(self, section: str, item: str, value: object, note: str = "") -> None:
        """Add one row to the table."""
        self.rows.append((section, item, value, note))

    def warn(self, code: str, message: str, share: float | None = None) -> None:
        """Add a warning (``code`` is one of :data:`WARNING_CODES` or :data:`QA_WARNING_CODES`)."""
        if code not in WARNING_CODES and code not in QA_WARNING_CODES:
            raise KeyError(code)
        self.warnings.append(ReportWarning(code, message, share))
        self.add("warnings", code, share if share is not None else "", message)

    @property
    def table(self) -> pd.DataFrame:
        """The report as a tidy table: ``section``, ``item``, ``value``, ``note``."""
        frame = pd.DataFrame(self.rows, columns=["section", "item", "value", "note"])
        frame["value"] = frame["value"].astype(object)
        return frame

    def value(self, section: str, item: str) -> object:
        """The value of one row of the table (KeyError when there is none)."""
        for sec, it, value, _ in self.rows:
            if sec == section and it == item:
                return value
        raise KeyError((section, item))

    def issue_warnings(self, stacklevel: int = 3) -> None:
        """Issue every warning as a :class:`LogWarning` (so a notebook user sees them)."""
        for w in self.warnings:
            warnings.warn(f"{self.source}: {w}", LogWarning, stacklevel=stacklevel)

    def __str__(self) -> str:
        lines = [f"mapping report: {self.source}"]
        sections = dict.fromkeys(sec for sec, *_ in self.rows if sec != "warnings")
        for section in sections:
            lines.append(f"  {section}:")
            for sec, item, value, note in self.rows:
                if sec == section:
                    shown = f"{value:,}" if isinstance(value, int) else str(value)
                    lines.append(f"    {item}: {shown}" + (f"  ({note})" if note else ""))
        if self.warnings:
            lines.append("  warnings:")
            lines += [f"    {w}" for w in self.warnings]
        else:
            lines.append("  warnings: none")
        return "\n".join(lines)
