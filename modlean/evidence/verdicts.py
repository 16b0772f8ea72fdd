"""A decision table read aloud: one sentence per KPI verdict, and the proposal's overall reading.

The decision table (:func:`modlean.decisions.decision_table`, recorded by notebook
03 as ``decision_table`` and written by ``modlean compare --out``) has one row per
proposal and KPI with the paired difference, its interval and a verdict.
:func:`verdict_lines` turns the rows of one proposal into sentences a director
reads ("P95 turnaround −7.7 h [−9.1, −6.3]: better"), each beside the verdict it
was written from, and :func:`reading` adds the overall reading and its rule
(:func:`modlean.decisions.overall_verdict`). Every number is formatted by the
KPI catalogue (a share's change in points).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from modlean.decisions import (
    OVERALL_RULE,
    VERDICT_BETTER,
    VERDICT_CHANGED,
    VERDICT_NONE,
    VERDICT_WORSE,
    overall_verdict,
)
from modlean.kpis import find, readable

__all__ = ["DECISION_COLUMNS", "Reading", "VerdictLine", "item_rows", "proposals_of", "reading",
           "verdict_lines"]

#: Columns a decision table must have to be read.
DECISION_COLUMNS = ("proposal", "kpi", "difference", "ci_low", "ci_high", "verdict")


@dataclass(frozen=True)
class VerdictLine:
    """One KPI of one proposal: its code name, label, verdict and the sentence shown."""

    kpi: str
    label: str
    verdict: str
    text: str


@dataclass
class Reading:
    """One proposal's verdicts: the decisive lines, the KPIs with no significant difference,
    the overall reading, its rule, and the replications behind it."""

    proposal: str
    lines: list[VerdictLine]
    unchanged: list[str] = field(default_factory=list)
    overall: str = ""
    rule: str = OVERALL_RULE
    replications: int | None = None
    horizon_days: float | None = None

    @property
    def basis(self) -> str:
        """``averaged over 5 paired replications of 14 simulated days``: what each change
        rests on (a total such as reviewer cost runs over those days)."""
        reps = f"{self.replications} paired replications" if self.replications else \
            "the paired replications"
        days = f" of {self.horizon_days:g} simulated days" if self.horizon_days else ""
        return f"averaged over {reps}{days}"

    @property
    def decisive(self) -> list[VerdictLine]:
        """The lines whose verdict is better or worse."""
        return [line for line in self.lines if line.verdict in (VERDICT_BETTER, VERDICT_WORSE)]

    @property
    def changed(self) -> list[VerdictLine]:
        """The lines of KPIs with no good direction that changed (utilisation, review share)."""
        return [line for line in self.lines if line.verdict == VERDICT_CHANGED]


def proposals_of(table: pd.DataFrame) -> list[str]:
    """The proposals of a decision table, in its order."""
    return [str(p) for p in dict.fromkeys(table["proposal"])]


def _change(kpi: str, value: Any, currency: str | None, with_unit: bool = True) -> str:
    entry = find(kpi)
    if entry is None or entry.kind != "number":
        return f"{value:+,.3g}"
    text = entry.format_change(value, currency=currency, with_unit=with_unit)
    rounded_away = value and value == value and not any(c in "123456789" for c in text)
    if rounded_away and entry.unit != "share" and entry.fmt != "duration":
        # 0.03 h shown as "+0.0 h" would read as no change: two significant digits instead
        text = replace(entry, fmt="+.2g").format_change(value, currency=currency,
                                                         with_unit=with_unit)
    return text


def _interval(kpi: str, low: float, high: float, currency: str | None) -> str:
    """``[−9.1, −6.3]``: the interval's ends without the unit the change already shows."""
    if pd.isna(low) or pd.isna(high):
        return "(no interval: fewer than two replications)"
    return f"[{_change(kpi, low, currency, False)}, {_change(kpi, high, currency, False)}]"


def item_rows(table: pd.DataFrame, item_type: str = "all") -> pd.DataFrame:
    """The rows of ``item_type`` in a table with an ``item_type`` column (a table of one
    item type's rows, e.g. ``modlean compare --item-type X``, stands for ``all``)."""
    if "item_type" not in table.columns or not len(table):
        return table
    types = table["item_type"].astype(str)
    if item_type == "all" and not types.eq("all").any():
        item_type = types.iloc[0]
    return table[types.eq(item_type)]


def verdict_lines(table: pd.DataFrame, proposal: str, *, item_type: str = "all",
                  currency: str | None = None) -> list[VerdictLine]:
    """A sentence per KPI of ``proposal`` (rows of ``item_type`` when the table has item types).

    The sentence is the KPI's label, the change with its unit, the interval and the
    verdict: ``P95 turnaround −7.7 h [−9.1, −6.3]: better``.
    """
    rows = item_rows(table[table["proposal"].astype(str).eq(proposal)], item_type)
    lines = []
    for row in rows.itertuples(index=False):  # a dozen KPIs
        kpi = str(row.kpi)
        label = readable(kpi)
        text = f"{label} {_change(kpi, row.difference, currency)} " \
               f"{_interval(kpi, row.ci_low, row.ci_high, currency)}: {row.verdict}"
        lines.append(VerdictLine(kpi=kpi, label=label, verdict=str(row.verdict), text=text))
    return lines


def reading(table: pd.DataFrame, proposal: str, *, item_type: str = "all",
            currency: str | None = None) -> Reading:
    """The verdicts of ``proposal`` read as a whole (see :class:`Reading`)."""
    lines = verdict_lines(table, proposal, item_type=item_type, currency=currency)
    rows = table[table["proposal"].astype(str).eq(proposal)]
    n = int(rows["replications"].max()) if "replications" in rows.columns and len(rows) else None
    days = float(rows["horizon_days"].max()) if "horizon_days" in rows.columns and len(rows) \
        else None
    return Reading(proposal=proposal, lines=lines,
                   unchanged=[line.label for line in lines if line.verdict == VERDICT_NONE],
                   overall=overall_verdict(line.verdict for line in lines), replications=n,
                   horizon_days=days)
