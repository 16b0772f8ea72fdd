"""Likelihoods from a market's data for the risks whose register asks for them.

A risk's ``evidence`` field (:data:`modlean.risk.EVIDENCE_MEASURES`) names a measure
the workbook can compute for a market: a QA rate per decision
(``qa:false_rejection_rate``, ``qa:label_error_rate``, ``qa:miss_rate``,
``qa:error_rate``), or ``simulation:p_sla_missed_in_surge``, the share of simulated
surges of the market's baseline in which some item type misses its SLA target. Only the measures
some risk asks for are computed. A measure re-rates a risk only when the evidence covers
what the risk describes (its market, reason codes, enough QA checks, a surge of at least
a week); otherwise the risk keeps its stated likelihood and a note says "not re-rated: the
evidence does not cover ...".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from modlean.quality import decision_quality
from modlean.risk import likelihood_evidence, likelihood_from_rate, share_of_periods_missed
from modlean.simulation import simulate

if TYPE_CHECKING:
    from modlean.risk import RiskMatrix, RiskRegister
    from modlean.workbook.market import MarketInputs

__all__ = ["MEASURE_TEXT", "MIN_QA_CHECKS", "WEEK_DAYS", "RegisterEvidence",
           "register_evidence"]

#: Days a simulation needs to include the weekly cycle (weekday and weekend volumes, rosters).
WEEK_DAYS = 7
#: QA decisions a rate needs behind it before it may re-rate a risk.
MIN_QA_CHECKS = 30

#: How each measure reads in the evidence table.
MEASURE_TEXT = {
    "qa:false_rejection_rate": "false-rejection rate (QA)",
    "qa:label_error_rate": "wrong reason among right rejections (QA)",
    "qa:miss_rate": "violating items approved (QA miss rate)",
    "qa:error_rate": "wrong decisions (QA error rate)",
    "simulation:p_sla_missed_in_surge": "P(SLA target missed) in simulated surges",
}


@dataclass
class RegisterEvidence:
    """What the data says about the register's risks.

    ``table`` is :func:`modlean.risk.likelihood_evidence` for the risks with a
    measure (``risk_id``, ``measure``, ``basis``, ``value``, ``likelihood``,
    ``register_l``, ``change``); ``measures`` the computed values by measure name;
    ``notes`` one line per risk that keeps its stated likelihood, and why.
    """

    table: pd.DataFrame
    measures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _asked(register: RiskRegister) -> pd.Series:
    """risk id -> measure, for the risks whose ``evidence`` names one."""
    risks = register.risks
    if "evidence" not in risks.columns:
        return pd.Series(dtype=object)
    asked = risks.set_index("risk_id")["evidence"]
    return asked[asked.notna() & asked.astype(str).str.strip().ne("")].astype(str)


def _share_missed_any(kpis: pd.DataFrame) -> tuple[float, int]:
    """Share of replications in which some item type missed its SLA target, and how many
    replications (:func:`modlean.risk.share_of_periods_missed` over every item type)."""
    flags = kpis[kpis["kpi"].eq("sla_target_met") & kpis["item_type"].ne("all")]
    if flags.empty:  # the message of the risk function: no such KPI
        return share_of_periods_missed(kpis)
    met = flags.groupby("replication")["value"].min()
    return float(1.0 - met.mean()), len(met)


def _market_gap(risks: pd.DataFrame, risk_id: str, market: str) -> str | None:
    """Why the market's data cannot rate a risk about another market (None: it can)."""
    if "market" not in risks.columns:
        return None
    value = risks.loc[risks["risk_id"].eq(risk_id), "market"].iloc[0]
    said = "" if pd.isna(value) else str(value).strip()
    if said and said.lower() != "all" and said.upper() != market.upper():
        return f"market {said} (the risk's market; the data are {market}'s)"
    return None


def _qa_gap(dq: pd.DataFrame, measure: str, matrix: RiskMatrix) -> str | None:
    """Why a QA rate cannot rate a risk (no labels, too few checks, an interval spanning
    likelihood levels), or None."""
    row = dq.loc[measure.removeprefix("qa:")]
    if pd.isna(row["value"]):
        note = str(row.get("note") or "").strip()
        return "reason codes: the QA table has none" + (f" ({note})" if note else "")
    if int(row["n"]) < MIN_QA_CHECKS:
        return (f"enough QA checks: {int(row['n'])} decisions behind the rate, at least "
                f"{MIN_QA_CHECKS} needed")
    low, high = (int(likelihood_from_rate(float(row[k]), matrix)) for k in ("low", "high"))
    if low != high:
        return (f"enough QA checks to tell the level: the rate is {row['value']:.1%}, its 95 % "
                f"interval {row['low']:.1%} to {row['high']:.1%} spans likelihood {low} to "
                f"{high}")
    return None


def register_evidence(inputs: MarketInputs, register: RiskRegister, *,
                      surge_multiplier: float = 2.5, surge_days: int = 1,
                      replications: int = 3, seed: int = 1) -> RegisterEvidence:
    """Compute the measures the register asks for, and the likelihoods they give.

    A likelihood from data replaces the register's only when the evidence covers
    what the risk describes: the risk is about this market (or all); a QA rate has
    reason codes when it needs them, at least :data:`MIN_QA_CHECKS` decisions behind
    it and a 95 % interval within one likelihood level (no events in a small sample
    cannot lower a likelihood); a simulated surge lasts at least :data:`WEEK_DAYS` days (a shorter
    one misses the weekly cycle, and is not simulated at all). Otherwise a note
    says "R-04: not re-rated: the evidence does not cover ..." and the register's
    likelihood is kept.

    Parameters
    ----------
    inputs:
        The market's inputs (:func:`modlean.workbook.market_inputs`).
    register:
        The risk register; risks with an ``evidence`` field are measured.
    surge_multiplier, surge_days, replications, seed:
        The simulated surge of ``simulation:p_sla_missed_in_surge``: every item
        type's volume × ``surge_multiplier`` for ``surge_days`` days, run
        ``replications`` times (only when some risk asks for it and
        ``surge_days`` covers a week).
    """
    asked = _asked(register)
    gaps: dict[str, str] = {}
    for risk_id in asked.index:  # a handful of risks
        gap = _market_gap(register.risks, str(risk_id), inputs.market)
        if gap:
            gaps[str(risk_id)] = gap
    usable = asked[[str(r) not in gaps for r in asked.index]]
    measures: dict[str, float] = {}
    texts = dict(MEASURE_TEXT)
    qa_wanted = sorted(m for m in set(usable) if m.startswith("qa:"))
    if qa_wanted and inputs.has("qa"):
        dq = decision_quality(inputs.qa())
        for m in qa_wanted:
            gap = _qa_gap(dq, m, register.matrix)
            measures[m] = float(dq.loc[m.removeprefix("qa:"), "value"])
            gaps.update({str(r): gap for r in usable.index[usable.eq(m)] if gap})
    elif qa_wanted:
        why = f"QA: {inputs.skip_note('qa').removesuffix(': section skipped')}"
        gaps.update({str(r): why for r in usable.index[usable.str.startswith("qa:")]})
    surge = "simulation:p_sla_missed_in_surge"
    if surge in set(usable) and surge_days < WEEK_DAYS:
        gaps.update({str(r): f"a full week: the simulated surge lasts {surge_days} day(s), "
                     f"at least {WEEK_DAYS} are needed to include the weekly cycle"
                     for r in usable.index[usable.eq(surge)]})
    elif surge in set(usable):
        run = simulate(inputs.surge_scenario(surge_multiplier, surge_days), seed=seed,
                       replications=replications, workers=1, event_log=False,
                       item_table=False)
        p_missed, n = _share_missed_any(run.kpis)
        measures[surge] = p_missed
        texts[surge] = (f"P(SLA target missed), {n} simulated surges of {surge_days} days at "
                        f"{surge_multiplier:g}x volume")
    evidence: dict[str, dict[str, float | str]] = {}
    notes: list[str] = []
    if register.is_shipped_example():
        ids = ", ".join(register.risks["risk_id"].astype(str))
        notes.append(f"The risk register is modlean's example ({ids} from {register.source}): "
                     "its risks, likelihoods and costs are placeholders, not this market's; "
                     "replace them with the market's own risks")
    for risk_id, measure in asked.items():  # one per risk with evidence (a handful)
        value = measures.get(measure)
        gap = gaps.get(str(risk_id))
        if gap is None and (value is None or math.isnan(value)):
            gap = f"{texts[measure]}: this market's data cannot give it"
        if gap is not None:
            notes.append(f"{risk_id}: not re-rated: the evidence does not cover {gap}; the "
                         "register's likelihood is kept")
            continue
        key = "probability" if measure.startswith("simulation:") else "rate_per_decision"
        item: dict[str, float | str] = {"measure": texts[measure], key: value}
        if key == "probability":
            item["period_days"] = surge_days
        evidence[str(risk_id)] = item
    table = likelihood_evidence(evidence, risks=register.risks, matrix=register.matrix)
    return RegisterEvidence(table=table, measures=measures, notes=notes)
