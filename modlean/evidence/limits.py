"""Assumptions and limits of one market's evidence, and what that evidence cannot say.

Read from the records, never written by hand:

* simulations shorter than a week (``horizon_days`` recorded, or a ``*horizon_days``
  parameter of the run), flagged as missing the weekly cycle;
* the calibration's assumptions table (``assumptions``, notebook 02, when the
  market's scenario was calibrated from its log), or the note that it was not;
* likelihoods taken from data (``likelihood_evidence``) with their evidence, and the
  risks not re-rated because the evidence does not cover them (``likelihood_notes``);
* sections a notebook skipped for want of an input (``skipped_<section>``);
* notebooks that failed or had not run when the appendix was written.

:func:`limits` gathers them for the "Assumptions and limits" section and
:func:`cannot_say` turns them into the lines of the executive summary.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from modlean.evidence.collected import MarketRecords, RunRecords
from modlean.evidence.readable import table_view
from modlean.scenario import setting_words, shown_value
from modlean.workbook import WEEK_DAYS

__all__ = ["cannot_say", "limits", "short_simulations"]

#: Parameters that set how many days of arrivals a notebook simulates.
_HORIZONS = {"horizon_days": "simulated", "staff_horizon_days": "staffing simulations over"}
_SKIPPED = "skipped_"
#: The skip note of notebook 02's calibration section: said by ``calibrated`` instead.
_UNCALIBRATED = "skipped_calibration"


def _days(value: Any) -> float | None:
    """A number of days from a record or a parameter (parameters may arrive as text)."""
    try:
        days = float(value)
    except (TypeError, ValueError):
        return None
    return days if days == days else None


def short_simulations(records: MarketRecords) -> list[str]:
    """One line per simulation of fewer than :data:`WEEK_DAYS` days, naming the notebook."""
    lines = []
    for run in records.runs:
        for name, what in _HORIZONS.items():
            days = _days(run.value(name, run.run.parameters.get(name)))
            if days is not None and days < WEEK_DAYS:
                lines.append(f"{run.title}: {what} {days:g} day{'s' if days != 1 else ''} of "
                             f"arrivals, shorter than a week, so it misses the weekly cycle "
                             f"(weekend volumes and rosters); its figures may not hold over a "
                             f"full week")
    return lines


def _assumptions(records: MarketRecords) -> dict[str, Any] | None:
    table = records.value("assumptions")
    if not isinstance(table, pd.DataFrame) or not {"field", "value", "why"} <= set(table):
        return None
    rows = [[setting_words(str(r.field)), shown_value(r.value), str(r.why)]
            for r in table.itertuples(index=False)]
    return {"header": ["Setting", "Value used", "Why it is assumed"], "rows": rows, "more": 0}


def _skipped(run: RunRecords) -> list[str]:
    return [f"{run.title}: {str(item.value).removesuffix(': section skipped')}"
            for name, item in run.records.items()
            if name.startswith(_SKIPPED) and name != _UNCALIBRATED]


def _likelihood(records: MarketRecords) -> dict[str, Any] | None:
    table = records.value("likelihood_evidence")
    if not isinstance(table, pd.DataFrame) or table.empty:
        return None
    return table_view(table, len(table))


def limits(records: MarketRecords) -> dict[str, Any]:
    """The "Assumptions and limits" section of one market.

    Keys: ``short`` (lines), ``assumptions`` (a table view, or None), ``calibrated``
    (True, False, or None when no simulation ran), ``likelihood`` (a table view of the
    likelihoods from data, or None), ``likelihood_notes`` and ``skipped`` (lines),
    ``failed`` and ``missing`` (lines).
    """
    simulated = records.run_of("horizon_days") is not None
    assumptions = _assumptions(records)
    return {
        "short": short_simulations(records),
        "assumptions": assumptions,
        "calibrated": (assumptions is not None) if simulated else None,
        "likelihood": _likelihood(records),
        "likelihood_notes": [str(n) for n in records.value("likelihood_notes") or []],
        "skipped": [line for run in records.runs for line in _skipped(run)],
        "failed": [f"{r.notebook}{f' ({r.scenario})' if r.scenario else ''} failed: "
                   f"{r.error_type}: {r.error}" for r in records.failed],
        "missing": [f"{name} had not run when this appendix was written"
                    for name in records.missing],
    }


def cannot_say(section: dict[str, Any]) -> list[str]:
    """What the evidence cannot say, from a :func:`limits` section, most important first."""
    lines = [f"No evidence from {line}" for line in section["failed"] + section["missing"]]
    lines += section["short"]
    if section["calibrated"] is False:
        lines.append("The simulated scenario was not calibrated from this market's log: its "
                     "volumes, handling times and error rates are the scenario file's, not "
                     "measured")
    elif section["assumptions"] is not None:
        lines.append(f"{len(section['assumptions']['rows'])} values of the calibrated scenario "
                     "could not be read from the log and are assumed (see Assumptions and "
                     "limits)")
    if section["likelihood"] is not None:
        lines.append("Risk likelihoods re-rated from data rest on the evidence shown under "
                     "Assumptions and limits")
    lines += section["likelihood_notes"]
    lines += [f"Not measured: {line}" for line in section["skipped"]]
    return lines
