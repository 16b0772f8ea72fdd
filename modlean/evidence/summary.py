"""The executive summary that opens an appendix: question, proposal, recommendation, cost,
staffing, risks and what the evidence cannot say, all written from recorded figures.

:func:`executive_summary` reads one market's records (:class:`MarketRecords`) and
the decision tables of ``modlean compare`` folders given with ``--include``:

* the question and the proposal: the proposal's name, description and overrides
  (``proposal_change_table``: "L1 listing headcount 115 → 120"; runs recorded before
  it have only the new values, ``proposal_changes``);
* the recommendation: the decision table's verdicts read aloud with their figures
  and intervals (:mod:`modlean.evidence.verdicts`), and the overall reading with its rule;
* the cost and staffing change (the cost rows of the decision table; the staffing tables);
* the risks outside appetite as the register states them and on today's evidence;
* what the evidence cannot say (:func:`modlean.evidence.limits.cannot_say`).

No sentence stands without its figures: a part whose records are absent is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from modlean.evidence.collected import MarketRecords
from modlean.evidence.readable import shrinkage_caveat
from modlean.evidence.verdicts import DECISION_COLUMNS, Reading, item_rows, proposals_of, reading
from modlean.kpis import find, readable
from modlean.scenario import setting_words

__all__ = ["COST_KPIS", "currency_note", "decision_tables", "executive_summary",
           "market_currency", "proposal_lines", "risk_lines", "staffing_lines"]

#: The decision table's rows that say what a proposal costs.
COST_KPIS = ("cost_total", "cost_per_decision")
_TITLE_KEYS = ("name", "description")


def proposal_lines(records: MarketRecords) -> list[str]:
    """What the proposal changes, a line per setting: ``Listing model t low 0.26 → 0.2``."""
    table = records.value("proposal_change_table")
    if isinstance(table, pd.DataFrame) and {"setting", "today", "proposed"} <= set(table):
        return [f"{r.setting} {r.today} → {r.proposed}" for r in table.itertuples()]
    changes = records.value("proposal_changes")
    if not isinstance(changes, dict):
        return []
    return [f"{setting_words(str(path))}: set to {value}" for path, value in changes.items()
            if path not in _TITLE_KEYS]


def decision_tables(records: MarketRecords, included: Sequence[tuple[str, pd.DataFrame]] = ()
                    ) -> list[tuple[str, pd.DataFrame]]:
    """(where from, table) of every decision table: the run's, then each included folder's."""
    found = []
    for run in records.runs:
        table = run.value("decision_table")
        if isinstance(table, pd.DataFrame) and set(DECISION_COLUMNS) <= set(table.columns):
            found.append((run.title, table))
    return found + [(w, t) for w, t in included if set(DECISION_COLUMNS) <= set(t.columns)]


def _readings(records: MarketRecords, tables: list[tuple[str, pd.DataFrame]],
              currency: str | None = None) -> list[tuple[str, Reading, pd.DataFrame]]:
    """The proposal's reading in each table (every proposal of an included table)."""
    named = records.value("proposal")
    out = []
    for where, table in tables:
        chosen = [str(named)] if named in proposals_of(table) else proposals_of(table)
        out += [(where, reading(table, p, currency=currency), table) for p in chosen]
    return out


def _cost_lines(table: pd.DataFrame, proposal: str, named: bool,
                currency: str | None = None) -> list[str]:
    rows = item_rows(table[table["proposal"].astype(str).eq(proposal)
                           & table["kpi"].isin(COST_KPIS)])
    lines = []
    for r in rows.itertuples(index=False):
        entry = find(str(r.kpi))
        shown = (lambda v, e=entry: e.format(v, currency=currency)) if entry is not None \
            else "{:,.3g}".format
        label = readable(str(r.kpi))
        days = getattr(r, "horizon_days", None)
        over = f" over {days:g} simulated days" if str(r.kpi) == "cost_total" and \
            isinstance(days, int | float) and days == days else ""
        lines.append(f"{f'{proposal}, {label.lower()}' if named else label}{over}: "
                     f"{shown(r.baseline_mean)} today, "
                     f"{shown(r.proposal_mean)} with the proposal ({r.verdict})")
    return lines


def staffing_lines(records: MarketRecords) -> list[str]:
    """The staffing change: pools whose analytic headcount moves, and the simulated check."""
    lines = []
    table = records.value("staffing_analytic")
    if isinstance(table, pd.DataFrame) and {"pool", "analytic", "analytic_baseline",
                                            "current"} <= set(table.columns):
        for r in table.itertuples(index=False):
            if r.analytic != r.analytic_baseline:
                lines.append(f"{setting_words(str(r.pool))}: {r.analytic_baseline:,.0f} → "
                             f"{r.analytic:,.0f} reviewers needed by the analytic estimate "
                             f"(today {r.current:,.0f})"
                             + shrinkage_caveat(getattr(r, "shrinkage", None)))
    pool, simulated = records.value("staff_pool"), records.value("staff_simulated")
    if pool is not None and simulated is not None:
        met = records.value("sla_met_at_current_headcount")
        check = "" if met is None else (
            "; today's headcount meets the SLA in the simulation" if met else
            "; today's headcount misses the SLA in the simulation")
        lines.append(f"{setting_words(str(pool))}: {simulated:,.0f} reviewers confirmed by "
                     f"simulation{check}" + shrinkage_caveat(_pool_shrinkage(records, pool)))
    return lines


def _pool_shrinkage(records: MarketRecords, pool: Any) -> Any:
    """The shrinkage of ``pool`` as the recorded staffing search states it (None if not)."""
    table = records.value("staffing_search")
    if not isinstance(table, pd.DataFrame) or "shrinkage" not in table.columns:
        return None
    rows = table.loc[table["pool"].astype(str).eq(str(pool)), "shrinkage"]
    return rows.iloc[0] if len(rows) else None


def _outside(table: Any) -> list[str] | None:
    """``R-01 title`` of the risks outside appetite in an assessed table; None if not known."""
    if not isinstance(table, pd.DataFrame) or "within_appetite" not in table.columns:
        return None
    rows = table[table["within_appetite"].eq(False)]
    titles = rows["title"] if "title" in rows.columns else [""] * len(rows)
    return [f"{r} {t}".strip() for r, t in zip(rows["risk_id"], titles, strict=True)]


def risk_lines(records: MarketRecords) -> list[str]:
    """Risks outside appetite as the register states them, and on today's evidence."""
    lines = []
    for name, when in (("register_as_stated", "as the register states them"),
                       ("assessed_register", "on today's evidence (likelihoods from data)")):
        outside = _outside(records.value(name))
        if outside is not None:
            lines.append(f"Outside appetite {when}: {len(outside)}"
                         + (f" ({'; '.join(outside)})" if outside else ""))
    high = records.value("critical_or_high")
    if high is not None:
        lines.append(f"Critical or high now: {find('critical_or_high').format(high)}")
    return lines


def _question(records: MarketRecords, proposals: list[str]) -> str:
    """The question the document answers: the recorded proposal's, else the included ones'."""
    changes = records.value("proposal_changes")
    name = records.value("proposal") or (changes.get("name") if isinstance(changes, dict)
                                         else None) or ", ".join(dict.fromkeys(proposals))
    if name:
        return f"Should {records.market} change its SOP as proposed: {name}?"
    return (f"How does {records.market}'s moderation operation perform today, and which "
            "risks does it run?")


def executive_summary(records: MarketRecords, cannot_say: list[str],
                      included: Sequence[tuple[str, pd.DataFrame]] = ()) -> dict[str, Any]:
    """The executive summary of one market, ready for the templates.

    Keys: ``question``, ``description``, ``changes`` (lines), ``readings`` (one per
    proposal: ``where``, ``proposal``, ``overall``, ``rule``, ``replications``, ``basis``,
    ``decisive``, ``changed`` and ``unchanged``), ``cost`` and ``staffing`` (lines), ``risks``
    (lines), ``cannot_say`` (the lines given), ``currency`` (:func:`market_currency`) and
    ``currency_note`` (which currency, and from where).
    """
    changes = records.value("proposal_changes")
    description = records.value("proposal_description") or (
        changes.get("description") if isinstance(changes, dict) else None)
    readings = []
    cost: list[str] = []
    currency = market_currency(records)
    found = _readings(records, decision_tables(records, included), currency)
    notes = _weighed(found)
    for where, r, table in sorted(found, key=lambda f: notes[id(f[1])][0]):
        readings.append({"where": where, "proposal": r.proposal, "overall": r.overall,
                         "rule": r.rule, "replications": r.replications, "basis": r.basis,
                         "decisive": [line.text for line in r.decisive],
                         "changed": [line.text for line in r.changed],
                         "unchanged": r.unchanged, "note": notes[id(r)][1]})
        cost += _cost_lines(table, r.proposal, named=len(found) > 1, currency=currency)
    return {"question": _question(records, [r["proposal"] for r in readings]),
            "description": description,
            "changes": proposal_lines(records), "readings": readings, "cost": cost,
            "staffing": staffing_lines(records), "risks": risk_lines(records),
            "cannot_say": list(cannot_say), "currency": currency,
            "currency_note": currency_note(currency)}


def _weighed(found: list[tuple[str, Reading, pd.DataFrame]]) -> dict[int, tuple[int, str]]:
    """Per reading (by ``id``): its place, and a note when readings of one proposal disagree.

    A proposal read by several runs (notebook 03's SOP test and an included ``modlean
    compare``) may come out "better" in one and "mixed" in another: the runs differ in
    replications and simulated days. The one resting on the most simulated days (its
    replications times its days) is the recommendation and comes first; the others say
    they rest on less.
    """
    def weight(r: Reading) -> float:
        return float(r.replications or 1) * float(r.horizon_days or 1)

    out: dict[int, tuple[int, str]] = {}
    for place, (_, r, _) in enumerate(found):
        same = [(w, x) for w, x, _ in found if x.proposal == r.proposal]
        strongest_where, strongest = max(same, key=lambda wx: weight(wx[1]))
        note = ""
        if len({x.overall for _, x in same}) > 1:
            note = "the strongest evidence for this proposal: the recommendation" \
                if strongest is r else (f"rests on fewer simulated days than "
                                        f"{strongest_where}, which reads it "
                                        f"{strongest.overall}: that is the recommendation")
        first = 0 if strongest is r else 1
        out[id(r)] = (first * len(found) + place, note)
    return out


def market_currency(records: MarketRecords) -> str | None:
    """The currency of the market's money: the simulated scenario's (its field ``currency``,
    recorded as ``currency`` by notebooks 02 and 03), or None when no run recorded one."""
    value = records.value("currency")
    return str(value) if value else None


def currency_note(currency: str | None) -> str:
    """Which currency the money is in, and where that comes from, in one sentence."""
    if currency:
        return (f"Money is in {currency}, the currency of the simulated scenario (its field "
                "currency).")
    return ("Money is shown without a currency: no notebook of this run recorded the "
            "scenario's currency (notebooks 02 and 03 record it).")
